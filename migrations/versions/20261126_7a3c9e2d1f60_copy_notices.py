"""Copy notices (抄告): a closed case's notice to the vehicle's home transport authority, due in 7 working days

Revision ID: 7a3c9e2d1f60
Revises: 5d2e8a1c4b7f
Create Date: 2026-11-26 11:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "7a3c9e2d1f60"
down_revision = "5d2e8a1c4b7f"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "copy_notices",
        sa.Column("id", BigId, nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_to", sa.String(128), nullable=True),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_copy_notices_case_id_cases")),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"], name=op.f("fk_copy_notices_sent_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_copy_notices")),
        sa.UniqueConstraint("case_id", name=op.f("uq_copy_notices_case_id")),
    )
    with op.batch_alter_table("copy_notices") as batch:
        batch.create_index(batch.f("ix_copy_notices_status"), ["status"], unique=False)


def downgrade():
    op.drop_table("copy_notices")
