"""Enterprise supervision actions: 约谈, 挂牌督办 and 限期整改 with their reason, cases, deadline, evidence and outcome

Revision ID: e2b6f4a9c130
Revises: c41d8e5b9a27
Create Date: 2026-11-26 12:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "e2b6f4a9c130"
down_revision = "c41d8e5b9a27"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "supervision_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rule_id", sa.String(32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("case_ids", sa.JSON(), nullable=False),
        sa.Column("responsible_person", sa.String(64), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("evidence_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_supervision_actions_enterprise_id_enterprises")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_supervision_actions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name=op.f("fk_supervision_actions_closed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_actions")),
    )
    with op.batch_alter_table("supervision_actions") as batch:
        batch.create_index(batch.f("ix_supervision_actions_enterprise_id"), ["enterprise_id"], unique=False)


def downgrade():
    op.drop_table("supervision_actions")
