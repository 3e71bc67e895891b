"""The vehicle registry record carries the configuration facts that change the limit (domain-rules
§1.1, §1.4): drive-axle twin tyres with air suspension, articulated combination, the semi-trailer's
axle spacing, a single drive axle; NULL = not registered (unknown)

Revision ID: f5b8d2c7a413
Revises: a4c8e2f6b1d9
Create Date: 2026-11-27 15:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "f5b8d2c7a413"
down_revision = "a4c8e2f6b1d9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("vehicles") as batch:
        batch.add_column(sa.Column("drive_axle_air_suspension", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("articulated", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("axle_spacing_mm", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("single_drive_axle", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("vehicles") as batch:
        batch.drop_column("single_drive_axle")
        batch.drop_column("axle_spacing_mm")
        batch.drop_column("articulated")
        batch.drop_column("drive_axle_air_suspension")
