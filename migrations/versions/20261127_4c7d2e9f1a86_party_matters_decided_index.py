"""Statistics: an index on the party matters by party and decision time, so the source enterprises
penalised in a period are found among the few source-enterprise decisions of that period

Revision ID: 4c7d2e9f1a86
Revises: e7a2c5d9b316
Create Date: 2026-11-27 14:00:00.000000

"""

from alembic import op

revision = "4c7d2e9f1a86"
down_revision = "e7a2c5d9b316"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("party_matters") as batch:
        batch.create_index("ix_party_matters_party_decided", ["party", "decided_at"], unique=False)


def downgrade():
    with op.batch_alter_table("party_matters") as batch:
        batch.drop_index("ix_party_matters_party_decided")
