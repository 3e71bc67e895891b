"""Trace leads: the origin, cargo and waybill an officer or the station recorded for a case, kept
with its trace, which stays open until an investigator decides

Revision ID: 6a1d4e8b2c97
Revises: b16e5a7c3d20
Create Date: 2026-11-26 11:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "6a1d4e8b2c97"
down_revision = "b16e5a7c3d20"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("case_traces") as batch:
        batch.add_column(sa.Column("origin", sa.String(128), nullable=True))
        batch.add_column(sa.Column("cargo", sa.String(64), nullable=True))
        batch.add_column(sa.Column("waybill_no", sa.String(64), nullable=True))
        batch.add_column(sa.Column("leads_recorded_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("leads_recorded_at", TZ, nullable=True))
        batch.create_foreign_key(
            batch.f("fk_case_traces_leads_recorded_by_id_users"), "users", ["leads_recorded_by_id"], ["id"]
        )
        batch.alter_column("reason", existing_type=sa.Text(), nullable=True)
        batch.alter_column("decided_by_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("decided_at", existing_type=TZ, nullable=True)


def downgrade():
    op.execute("DELETE FROM case_traces WHERE status = 'open'")
    with op.batch_alter_table("case_traces") as batch:
        batch.alter_column("decided_at", existing_type=TZ, nullable=False)
        batch.alter_column("decided_by_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("reason", existing_type=sa.Text(), nullable=False)
        batch.drop_constraint("fk_case_traces_leads_recorded_by_id_users", type_="foreignkey")
        for column in ("leads_recorded_at", "leads_recorded_by_id", "waybill_no", "cargo", "origin"):
            batch.drop_column(column)
