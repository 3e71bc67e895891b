"""Statistics: the daily figures widened (over-limit by band, rate and axle count; cases opened;
online hours), officers' work per site-day (审核, 撤销, 决定, 罚没, 卸载/驳载/劝返, 移交公安), and the
monthly report workbooks; the new figures are counted once from the data already stored

The readings' new columns and `cases_opened` are counted here from every reading and case, and
the follow-up rows pending now are marked `figures_counted`, so the drain does not add their
readings to the new columns a second time (the columns kept from before are untouched: the drain
still adds those). On PostgreSQL, posts wait during the migration.

Revision ID: 5b8e1f3c9a72
Revises: 3f9b2c7d1e54
Create Date: 2026-11-27 12:00:00.000000

"""

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "5b8e1f3c9a72"
down_revision = "3f9b2c7d1e54"
branch_labels = None
depends_on = None

TOPIC = "readings.ingested"
READING_COLUMNS = (
    "over_gt10", "over_gt20", "over_gt100", "over_lt55t", "over_55_100t", "over_ge100t",
    "over_ax2", "over_ax3", "over_ax4", "over_ax5", "over_ax6", "over_ax7p",
)  # fmt: skip
CASE_COUNTS = (
    "confirmed", "dismissed", "decided", "warnings", "fines", "fines_yuan", "collected_yuan",
    "unloaded", "transferred", "turned_back", "source_penalties", "referrals", "police_outcomes",
)  # fmt: skip


def _zero(name):
    return sa.Column(name, sa.Integer(), server_default="0", nullable=False)


def upgrade():
    with op.batch_alter_table("site_daily_stats") as batch:
        for name in (*READING_COLUMNS, "cases_opened"):
            batch.add_column(_zero(name))
        batch.add_column(
            sa.Column(
                "online_hours", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), server_default="0", nullable=False
            )
        )
    op.create_table(
        "site_daily_case_stats",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *[_zero(n) for n in CASE_COUNTS],
        sa.Column("unloaded_kg", sa.Float(), server_default="0", nullable=False),
        sa.Column("transferred_kg", sa.Float(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_daily_case_stats_site_id_sites")),
        sa.PrimaryKeyConstraint("site_id", "day", name=op.f("pk_site_daily_case_stats")),
    )
    op.create_table(
        "stats_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(16), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("path", sa.String(255), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_reports")),
    )
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    if pg:
        op.execute("LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE")
    _count_readings(bind, pg)
    _count_cases(bind, pg)
    if pg:
        op.execute(
            "UPDATE outbox SET payload = (payload::jsonb || '{\"figures_counted\": true}'::jsonb)::json "
            f"WHERE topic = '{TOPIC}' AND processed_at IS NULL"
        )
    else:
        op.execute(
            "UPDATE outbox SET payload = json_set(payload, '$.figures_counted', json('true')) "
            f"WHERE topic = '{TOPIC}' AND processed_at IS NULL"
        )


def _day(pg: bool, column: str) -> str:
    return f"CAST(({column} AT TIME ZONE 'Asia/Shanghai') AS date)" if pg else f"date({column}, '+8 hours')"


def _hour(pg: bool, column: str) -> str:
    if pg:
        return f"CAST(extract(hour FROM ({column} AT TIME ZONE 'Asia/Shanghai')) AS integer)"
    return f"CAST(strftime('%H', {column}, '+8 hours') AS integer)"


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _count_readings(bind, pg: bool) -> None:
    """The new columns from every reading (over-limit by rate, band and axles; online hours)."""
    t = "CASE WHEN overlimit AND {} THEN 1 ELSE 0 END"
    over = {
        "over_gt10": "overlimit_pct > 10", "over_gt20": "overlimit_pct > 20", "over_gt100": "overlimit_pct > 100",
        "over_lt55t": "gross_weight_kg < 55000",
        "over_55_100t": "gross_weight_kg >= 55000 AND gross_weight_kg < 100000",
        "over_ge100t": "gross_weight_kg >= 100000",
        "over_ax2": "axle_count <= 2", "over_ax3": "axle_count = 3", "over_ax4": "axle_count = 4",
        "over_ax5": "axle_count = 5", "over_ax6": "axle_count = 6", "over_ax7p": "axle_count > 6",
    }  # fmt: skip
    sums = ", ".join(f"sum({t.format(cond)})" for cond in over.values())
    sql = (
        f"SELECT site_id, {_day(pg, 'captured_at')} AS d, {_hour(pg, 'captured_at')} AS h, {sums}"
        " FROM readings GROUP BY 1, 2, 3"
    )
    figures: dict = defaultdict(lambda: defaultdict(int))
    for row in bind.execute(sa.text(sql)):
        key = (row[0], _as_date(row[1]))
        f = figures[key]
        f["online_hours"] |= 1 << int(row[2])
        for name, value in zip(over, row[3:], strict=True):
            f[name] += int(value or 0)
    sql = f"SELECT site_id, {_day(pg, 'opened_at')}, count(*) FROM cases GROUP BY 1, 2"
    for site_id, day, n in bind.execute(sa.text(sql)):
        figures[(site_id, _as_date(day))]["cases_opened"] += n
    # A site-day whose readings are all still pending has no row yet: the drain adds those.
    base = {"checked": 0, "overlimit": 0, "baidunwang": 0, "unreadable_plates": 0}
    _upsert(bind, pg, "site_daily_stats", figures, (*over, "online_hours", "cases_opened"), base)


def _count_cases(bind, pg: bool) -> None:
    """Officers' work so far, from the dates the cases, matters and station actions carry."""
    figures: dict = defaultdict(lambda: defaultdict(float))

    def add(sql: str, *names: str) -> None:
        for site_id, day, *values in bind.execute(sa.text(sql)):
            f = figures[(site_id, _as_date(day))]
            for name, value in zip(names, values, strict=True):
                f[name] += value or 0

    d = lambda col: _day(pg, col)  # noqa: E731
    add(
        f"SELECT site_id, {d('reviewed_at')}, count(*) FROM cases WHERE reviewed_at IS NOT NULL GROUP BY 1, 2",
        "confirmed",
    )
    add(
        f"SELECT site_id, {d('dismissed_at')}, count(*) FROM cases WHERE dismissed_at IS NOT NULL GROUP BY 1, 2",
        "dismissed",
    )
    m = "FROM party_matters m JOIN cases c ON c.id = m.case_id"
    add(
        f"SELECT c.site_id, {d('m.decided_at')}, sum(CASE WHEN m.party = 'vehicle' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN m.decision_kind = 'warning' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN m.decision_kind = 'fine' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN m.decision_kind = 'fine' THEN coalesce(m.decision_amount_yuan, 0) ELSE 0 END),"
        " sum(CASE WHEN m.party = 'source_enterprise' AND m.decision_kind IS NOT NULL THEN 1 ELSE 0 END)"
        f" {m} WHERE m.decided_at IS NOT NULL AND m.authority = 'agency' GROUP BY 1, 2",
        "decided",
        "warnings",
        "fines",
        "fines_yuan",
        "source_penalties",
    )
    add(
        f"SELECT c.site_id, {d('m.paid_at')}, sum(coalesce(m.paid_amount_yuan, 0))"
        f" {m} WHERE m.paid_at IS NOT NULL GROUP BY 1, 2",
        "collected_yuan",
    )
    add(f"SELECT c.site_id, {d('m.referred_at')}, count(*) {m} WHERE m.referred_at IS NOT NULL"
        " AND m.authority = 'police' GROUP BY 1, 2", "referrals")  # fmt: skip
    add(f"SELECT c.site_id, {d('m.closed_at')}, count(*) {m} WHERE m.closed_at IS NOT NULL"
        " AND m.authority = 'police' AND m.outcome IS NOT NULL GROUP BY 1, 2", "police_outcomes")  # fmt: skip
    add(
        f"SELECT c.site_id, {d('a.at')},"
        " sum(CASE WHEN a.kind = 'unloading' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN a.kind = 'unloading' THEN coalesce(a.kg, 0) ELSE 0 END),"
        " sum(CASE WHEN a.kind = 'transfer' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN a.kind = 'transfer' THEN coalesce(a.kg, 0) ELSE 0 END),"
        " sum(CASE WHEN a.kind = 'turned_back' THEN 1 ELSE 0 END)"
        " FROM station_actions a JOIN cases c ON c.id = a.case_id GROUP BY 1, 2",
        "unloaded",
        "unloaded_kg",
        "transferred",
        "transferred_kg",
        "turned_back",
    )
    _upsert(bind, pg, "site_daily_case_stats", figures, (*CASE_COUNTS, "unloaded_kg", "transferred_kg"))


def _upsert(bind, pg: bool, name: str, figures: dict, columns: tuple, base: dict | None = None) -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    base = base or {}
    table = sa.table(name, sa.column("site_id"), sa.column("day"), *[sa.column(c) for c in (*base, *columns)])
    rows = [
        {
            "site_id": s,
            "day": d,
            **base,
            **{c: (f.get(c, 0) if c.endswith("_kg") else int(f.get(c, 0))) for c in columns},
        }
        for (s, d), f in sorted(figures.items())
    ]
    for start in range(0, len(rows), 500):
        stmt = (postgresql.insert if pg else sqlite.insert)(table).values(rows[start : start + 500])
        bind.execute(
            stmt.on_conflict_do_update(index_elements=["site_id", "day"], set_={c: stmt.excluded[c] for c in columns})
        )


def downgrade():
    op.drop_table("stats_reports")
    op.drop_table("site_daily_case_stats")
    with op.batch_alter_table("site_daily_stats") as batch:
        for name in (*READING_COLUMNS, "cases_opened", "online_hours"):
            batch.drop_column(name)
