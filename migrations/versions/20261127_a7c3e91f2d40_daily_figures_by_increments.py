"""Daily figures by increments: follow-up rows pending now are already in a fresh recount

Until now each drain recounted the site-days it touched; from now on each outbox row adds
its own readings to their site-days (the increments of several drains commute). A row still
pending at the upgrade may have readings an earlier recount already included: this
migration recounts the site-days of every pending row from the readings and marks those rows
`counted`, so their readings are not added a second time. On PostgreSQL, posts wait during
the migration (a post committed after it is counted by its own increments).

Stop the workers of the previous version before upgrading: a recount made by an old drain
afterwards would include readings that new rows then add again.

Revision ID: a7c3e91f2d40
Revises: 7a3c9e2d1f60
Create Date: 2026-11-27 09:00:00.000000

"""

from datetime import UTC, date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

# revision identifiers, used by Alembic.
revision = "a7c3e91f2d40"
down_revision = "7a3c9e2d1f60"
branch_labels = None
depends_on = None

CST = timezone(timedelta(hours=8))  # the daily figures' days are Beijing dates
TOPIC = "readings.ingested"
outbox = sa.table(
    "outbox",
    sa.column("id", sa.BigInteger),
    sa.column("topic", sa.String),
    sa.column("payload", sa.JSON),
    sa.column("processed_at", sa.DateTime(timezone=True)),
)
readings = sa.table(
    "readings",
    sa.column("site_id", sa.Integer),
    sa.column("captured_at", sa.DateTime(timezone=True)),
    sa.column("overlimit", sa.Boolean),
    sa.column("baidunwang", sa.Boolean),
    sa.column("plate", sa.String),
)
stats = sa.table(
    "site_daily_stats",
    sa.column("site_id", sa.Integer),
    sa.column("day", sa.Date),
    sa.column("checked", sa.Integer),
    sa.column("overlimit", sa.Integer),
    sa.column("baidunwang", sa.Integer),
    sa.column("unreadable_plates", sa.Integer),
)


def upgrade():
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    if pg:
        # Posts insert their outbox row in their own transaction: they wait here, so every row
        # is either pending now (recounted, marked) or committed after (counted by increments).
        op.execute("LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE")
    pending = sa.and_(outbox.c.topic == TOPIC, outbox.c.processed_at.is_(None))
    site_days = set()
    for (payload,) in bind.execute(sa.select(outbox.c.payload).where(pending)):
        site_days |= {(int(s), date.fromisoformat(d)) for s, d in (payload or {}).get("site_days", [])}
    for site_id, day in sorted(site_days):
        _recount(bind, pg, site_id, day)
    if pg:
        op.execute(
            f"UPDATE outbox SET payload = (payload::jsonb || '{{\"counted\": true}}'::jsonb)::json "
            f"WHERE topic = '{TOPIC}' AND processed_at IS NULL"
        )
    else:
        op.execute(
            f"UPDATE outbox SET payload = json_set(payload, '$.counted', json('true')) "
            f"WHERE topic = '{TOPIC}' AND processed_at IS NULL"
        )


def _recount(bind, pg: bool, site_id: int, day: date) -> None:
    start = datetime.combine(day, time(0), tzinfo=CST).astimezone(UTC)
    end = start + timedelta(days=1)
    if not pg:  # SQLite keeps naive UTC
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    checked, overlimit, baidunwang, unreadable = bind.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((readings.c.overlimit.is_(True), 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((readings.c.baidunwang.is_(True), 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((readings.c.plate.is_(None), 1), else_=0)), 0),
        ).where(readings.c.site_id == site_id, readings.c.captured_at >= start, readings.c.captured_at < end)
    ).one()
    values = {"checked": checked, "overlimit": overlimit, "baidunwang": baidunwang, "unreadable_plates": unreadable}
    insert = (postgresql.insert if pg else sqlite.insert)(stats).values(site_id=site_id, day=day, **values)
    bind.execute(insert.on_conflict_do_update(index_elements=["site_id", "day"], set_=values))


def downgrade():
    # The mark is harmless to the recounting code of the previous version.
    pass
