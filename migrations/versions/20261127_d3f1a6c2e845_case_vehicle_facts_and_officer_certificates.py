"""The vehicle configuration facts an officer (or the registry) established for a case, which the
limit was re-classified from; each user's enforcement certificate number (执法证号, printed on notices
and decisions, 行政处罚法 第四十二条)

Revision ID: d3f1a6c2e845
Revises: 9e2c4b7a5d13
Create Date: 2026-11-27 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "d3f1a6c2e845"
down_revision = "9e2c4b7a5d13"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("vehicle_facts", sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("certificate_number", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("certificate_number")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("vehicle_facts")
