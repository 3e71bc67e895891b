"""Console and party-page sign-ins kept on the server (logout, deactivation and idle time end them); failed logins counted per account and per client

Revision ID: b16e5a7c3d20
Revises: 8d4f2a6c1b93
Create Date: 2026-11-26 11:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "b16e5a7c3d20"
down_revision = "8d4f2a6c1b93"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("token_generation", sa.Integer(), nullable=True),
        sa.Column("matter_id", BigId, nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("secrets", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["party_matters.id"],
            name=op.f("fk_web_sessions_matter_id_party_matters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions") as batch:
        batch.create_index(batch.f("ix_web_sessions_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_web_sessions_last_seen_at"), ["last_seen_at"], unique=False)
    op.create_table(
        "auth_throttle",
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_auth_throttle")),
    )
    with op.batch_alter_table("auth_throttle") as batch:
        batch.create_index(batch.f("ix_auth_throttle_window_start"), ["window_start"], unique=False)


def downgrade():
    op.drop_table("auth_throttle")
    op.drop_table("web_sessions")
