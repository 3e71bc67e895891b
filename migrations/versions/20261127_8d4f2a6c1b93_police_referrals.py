"""Police referrals (移交公安): reasons, assessment, withdrawal, and the packages each went out in

Revision ID: 8d4f2a6c1b93
Revises: 5b8e1f3c9a72
Create Date: 2026-11-27 11:20:00.000000

Every police matter already sent (移送) gets its referral, so the police find it in their inbox.
"""

import sqlalchemy as sa
from alembic import op

revision = "8d4f2a6c1b93"
down_revision = "5b8e1f3c9a72"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# The police matters already sent become referrals (their reason: the matter's basis, shown
# when a referral has no reasons of its own); none of them has gone out in a package yet.
BACKFILL = """
INSERT INTO referrals (case_id, matter_id, origin, reasons, queued_at, queued_by_id)
SELECT case_id, id, 'manual', '[]', referred_at, referred_by_id
FROM party_matters
WHERE authority = 'police' AND referred_at IS NOT NULL
  AND id NOT IN (SELECT matter_id FROM referrals)
"""


def upgrade():
    op.create_table(
        "referrals",
        sa.Column("id", BigId, nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("matter_id", BigId, nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_by_id", sa.Integer(), nullable=True),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases")),
        sa.ForeignKeyConstraint(["matter_id"], ["party_matters.id"], name=op.f("fk_referrals_matter_id_party_matters")),
        sa.ForeignKeyConstraint(["queued_by_id"], ["users.id"], name=op.f("fk_referrals_queued_by_id_users")),
        sa.ForeignKeyConstraint(["withdrawn_by_id"], ["users.id"], name=op.f("fk_referrals_withdrawn_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("matter_id", name=op.f("uq_referrals_matter_id")),
    )
    with op.batch_alter_table("referrals") as batch:
        batch.create_index(batch.f("ix_referrals_case_id"), ["case_id"], unique=False)
        batch.create_index(batch.f("ix_referrals_queued_at"), ["queued_at"], unique=False)
    op.create_table(
        "referral_exports",
        sa.Column("id", BigId, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("referral_count", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stored_path", sa.String(512), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("file_count", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_referral_exports_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["users.id"], name=op.f("fk_referral_exports_acknowledged_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_exports")),
    )
    op.create_table(
        "referral_export_items",
        sa.Column("export_id", BigId, nullable=False),
        sa.Column("referral_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"], ["referral_exports.id"], name=op.f("fk_referral_export_items_export_id_referral_exports")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_referral_export_items_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("export_id", "referral_id", name=op.f("pk_referral_export_items")),
    )
    with op.batch_alter_table("referral_export_items") as batch:
        batch.create_index(batch.f("ix_referral_export_items_referral_id"), ["referral_id"], unique=False)
    op.execute(BACKFILL)


def downgrade():
    op.drop_table("referral_export_items")
    op.drop_table("referral_exports")
    op.drop_table("referrals")
