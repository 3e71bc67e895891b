"""Site availability: when each site was last heard from (a reading or a device heartbeat), counted
from the readings stored so far, and the alerts raised for sites silent too long

Revision ID: 9e2c4b7a5d13
Revises: 6a1d4e8b2c97
Create Date: 2026-11-27 13:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "9e2c4b7a5d13"
down_revision = "6a1d4e8b2c97"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_heartbeats",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("last_heard_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_heartbeats_site_id_sites")),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_site_heartbeats")),
    )
    op.create_table(
        "site_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("last_heard_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_alerts_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["users.id"], name=op.f("fk_site_alerts_acknowledged_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_alerts")),
    )
    with op.batch_alter_table("site_alerts") as batch:
        batch.create_index(batch.f("ix_site_alerts_site_id"), ["site_id"], unique=False)
    op.execute(
        "INSERT INTO site_heartbeats (site_id, last_heard_at)"
        " SELECT site_id, max(received_at) FROM readings GROUP BY site_id"
    )


def downgrade():
    op.drop_table("site_alerts")
    op.drop_table("site_heartbeats")
