"""Each statement (陈述申辩) is reviewed (复核, 行政处罚法 第四十五条): who reviewed it, when, the
outcome (adopted, partly adopted, not adopted) and the reasons

Revision ID: e7a2c5d9b316
Revises: d3f1a6c2e845
Create Date: 2026-11-27 14:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "e7a2c5d9b316"
down_revision = "d3f1a6c2e845"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("case_statements") as batch:
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("review_outcome", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("review_reasons", sa.Text(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_case_statements_reviewed_by_id_users"), "users", ["reviewed_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("case_statements") as batch:
        batch.drop_constraint(batch.f("fk_case_statements_reviewed_by_id_users"), type_="foreignkey")
        batch.drop_column("review_reasons")
        batch.drop_column("review_outcome")
        batch.drop_column("reviewed_by_id")
        batch.drop_column("reviewed_at")
