"""Vehicle repairers whose licence was revoked for illegal modification (blacklist B-4), as recorded by a supervisor with the decision number and date

Revision ID: a4c8e2f6b1d9
Revises: 4c7d2e9f1a86
Create Date: 2026-11-26 12:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "a4c8e2f6b1d9"
down_revision = "4c7d2e9f1a86"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "repairer_revocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column("decision_number", sa.String(64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("authority", sa.String(128), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_repairer_revocations_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repairer_revocations")),
        sa.UniqueConstraint("decision_number", name=op.f("uq_repairer_revocations_decision_number")),
    )


def downgrade():
    op.drop_table("repairer_revocations")
