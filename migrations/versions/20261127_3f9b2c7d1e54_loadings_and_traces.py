"""Source investigators: exit weighbridges with their device tokens, loadings (出场称重), source cases
standing on a loading, the trace decision and field investigations of a case, and where sites are

Revision ID: 3f9b2c7d1e54
Revises: e2b6f4a9c130
Create Date: 2026-11-26 11:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "3f9b2c7d1e54"
down_revision = "e2b6f4a9c130"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "weighbridges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("accuracy_class", sa.String(8), nullable=True),
        sa.Column("certificate_no", sa.String(64), nullable=True),
        sa.Column("calibrated_until", sa.Date(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_weighbridges_enterprise_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weighbridges")),
        sa.UniqueConstraint("code", name=op.f("uq_weighbridges_code")),
    )
    with op.batch_alter_table("weighbridges") as batch:
        batch.create_index(batch.f("ix_weighbridges_enterprise_id"), ["enterprise_id"], unique=False)
    op.create_table(
        "weighbridge_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weighbridge_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("label", sa.String(64), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["weighbridge_id"], ["weighbridges.id"], name=op.f("fk_weighbridge_tokens_weighbridge_id_weighbridges")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weighbridge_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_weighbridge_tokens_token_sha256")),
    )
    with op.batch_alter_table("weighbridge_tokens") as batch:
        batch.create_index(batch.f("ix_weighbridge_tokens_weighbridge_id"), ["weighbridge_id"], unique=False)
    op.create_table(
        "loadings",
        sa.Column("id", BigId, nullable=False),
        sa.Column("weighbridge_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("weighed_at", TZ, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("plate", sa.String(16), nullable=True),
        sa.Column("plate_valid", sa.Boolean(), nullable=False),
        sa.Column("plate_color", sa.String(16), nullable=True),
        sa.Column("axle_count", sa.Integer(), nullable=False),
        sa.Column("vehicle_type", sa.String(16), nullable=True),
        sa.Column("gross_weight_kg", sa.Float(), nullable=False),
        sa.Column("tare_weight_kg", sa.Float(), nullable=True),
        sa.Column("cargo", sa.String(64), nullable=True),
        sa.Column("waybill_no", sa.String(64), nullable=True),
        sa.Column("destination", sa.String(128), nullable=True),
        sa.Column("limit_kg", sa.Integer(), nullable=False),
        sa.Column("overlimit_kg", sa.Float(), nullable=False),
        sa.Column("overlimit_pct", sa.Float(), nullable=False),
        sa.Column("overlimit", sa.Boolean(), nullable=False),
        sa.Column("baidunwang", sa.Boolean(), nullable=False),
        sa.Column("rule_id", sa.String(32), nullable=False),
        sa.Column("rule_article", sa.String(255), nullable=False),
        sa.Column("rule_version", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["weighbridge_id"], ["weighbridges.id"], name=op.f("fk_loadings_weighbridge_id_weighbridges")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_loadings_enterprise_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loadings")),
        sa.UniqueConstraint("weighbridge_id", "record_id", name="uq_loadings_weighbridge_record"),
    )
    with op.batch_alter_table("loadings") as batch:
        batch.create_index("ix_loadings_plate_weighed", ["plate", "weighed_at"], unique=False)
        batch.create_index("ix_loadings_enterprise_weighed", ["enterprise_id", "weighed_at"], unique=False)
        batch.create_index("ix_loadings_weighbridge_weighed", ["weighbridge_id", "weighed_at"], unique=False)
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("loading_id", BigId, nullable=True))
        batch.create_unique_constraint(batch.f("uq_cases_loading_id"), ["loading_id"])
        batch.create_foreign_key(batch.f("fk_cases_loading_id_loadings"), "loadings", ["loading_id"], ["id"])
        batch.alter_column("reading_id", existing_type=BigId, nullable=True)
        batch.alter_column("site_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("weighing_reading_id", existing_type=BigId, nullable=True)
    op.create_table(
        "case_traces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("loading_id", BigId, nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_traces_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_case_traces_enterprise_id_enterprises")
        ),
        sa.ForeignKeyConstraint(["loading_id"], ["loadings.id"], name=op.f("fk_case_traces_loading_id_loadings")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_case_traces_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_traces")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_traces_case_id")),
    )
    with op.batch_alter_table("case_traces") as batch:
        batch.create_index(batch.f("ix_case_traces_enterprise_id"), ["enterprise_id"], unique=False)
    op.create_table(
        "trace_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("done_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_trace_tasks_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_trace_tasks_enterprise_id_enterprises")
        ),
        sa.ForeignKeyConstraint(["opened_by_id"], ["users.id"], name=op.f("fk_trace_tasks_opened_by_id_users")),
        sa.ForeignKeyConstraint(["done_by_id"], ["users.id"], name=op.f("fk_trace_tasks_done_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_tasks")),
    )
    with op.batch_alter_table("trace_tasks") as batch:
        batch.create_index(batch.f("ix_trace_tasks_case_id"), ["case_id"], unique=False)


def downgrade():
    op.drop_table("trace_tasks")
    op.drop_table("case_traces")
    op.execute("DELETE FROM party_matters WHERE case_id IN (SELECT id FROM cases WHERE loading_id IS NOT NULL)")
    op.execute("DELETE FROM cases WHERE loading_id IS NOT NULL")
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("weighing_reading_id", existing_type=BigId, nullable=False)
        batch.alter_column("site_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("reading_id", existing_type=BigId, nullable=False)
        batch.drop_constraint("fk_cases_loading_id_loadings", type_="foreignkey")
        batch.drop_constraint("uq_cases_loading_id", type_="unique")
        batch.drop_column("loading_id")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("longitude")
        batch.drop_column("latitude")
    op.drop_table("loadings")
    op.drop_table("weighbridge_tokens")
    op.drop_table("weighbridges")
