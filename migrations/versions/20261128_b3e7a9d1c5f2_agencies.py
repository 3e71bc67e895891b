"""Enforcement agencies (执法机构) as records: a tree province → city → county detachment, and
users and sites belonging to one. Every region code already on a user or a site gets its agency
(with the agencies above it, up to the province), named from the code (吉林省交通运输综合行政执法局,
长春市…支队, 长春市朝阳区…大队); users and sites join the agency of their code.

Revision ID: b3e7a9d1c5f2
Revises: f5b8d2c7a413
Create Date: 2026-11-28 10:00:00.000000

"""

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "b3e7a9d1c5f2"
down_revision = "f5b8d2c7a413"
branch_labels = None
depends_on = None

_CODE = re.compile(r"^[0-9]{6}$")


def upgrade():
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["agencies.id"], name=op.f("fk_agencies_parent_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
    )
    with op.batch_alter_table("agencies") as batch:
        batch.create_index(batch.f("ix_agencies_parent_id"), ["parent_id"], unique=False)
    for table in ("users", "sites"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
            batch.create_index(batch.f(f"ix_{table}_agency_id"), ["agency_id"], unique=False)
            batch.create_foreign_key(batch.f(f"fk_{table}_agency_id_agencies"), "agencies", ["agency_id"], ["id"])
    _agencies_for_existing_codes()


def _agencies_for_existing_codes():
    from service.admin.regions import agency_name, parent_code

    bind = op.get_bind()
    meta = sa.MetaData()
    agencies = sa.Table("agencies", meta, autoload_with=bind)
    users = sa.Table("users", meta, autoload_with=bind)
    sites = sa.Table("sites", meta, autoload_with=bind)
    codes = set()
    for table in (users, sites):
        for (code,) in bind.execute(sa.select(table.c.region_code).where(table.c.region_code.is_not(None)).distinct()):
            code = code.strip()
            while code and _CODE.match(code):  # the code and every code above it, to the province
                codes.add(code)
                code = parent_code(code)
    ids: dict[str, int] = {}
    now = datetime.now(UTC)
    # Provinces first, then cities, then counties: each parent exists before its children.
    for code in sorted(codes, key=lambda c: (not c.endswith("0000"), not c.endswith("00"), c)):
        parent = parent_code(code)
        result = bind.execute(agencies.insert().values(
            code=code, name=agency_name(code), parent_id=ids.get(parent) if parent else None,
            created_at=now if bind.dialect.name != "sqlite" else now.replace(tzinfo=None),
        ))  # fmt: skip
        ids[code] = result.inserted_primary_key[0]
    for table in (users, sites):
        for code, agency_id in ids.items():
            bind.execute(table.update().where(sa.func.trim(table.c.region_code) == code).values(agency_id=agency_id))


def downgrade():
    for table in ("sites", "users"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(batch.f(f"fk_{table}_agency_id_agencies"), type_="foreignkey")
            batch.drop_index(batch.f(f"ix_{table}_agency_id"))
            batch.drop_column("agency_id")
    with op.batch_alter_table("agencies") as batch:
        batch.drop_index(batch.f("ix_agencies_parent_id"))
    op.drop_table("agencies")
