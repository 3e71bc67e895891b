"""The daily figures counted afresh from every reading, case, matter and station action: for data
written without the service (a benchmark's bulk fill, a restore from another system). The
service keeps them current by itself (service/stats/rollup.py, service/stats/case_rollup.py);
a recount gives the same figures, which tests/api/stats/test_figures_correct.py checks."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from models import Reading, SiteDailyStats, SiteHeartbeat
from service.stats import case_rollup
from service.stats.availability import heard
from service.stats.rollup import COUNTED_ELSEWHERE, READING_COLUMNS, add_to_days

CONDITIONS = {
    "checked": "1 = 1",
    "overlimit": "overlimit",
    "baidunwang": "baidunwang",
    "unreadable_plates": "plate IS NULL",
    "over_gt10": "overlimit AND overlimit_pct > 10",
    "over_gt20": "overlimit AND overlimit_pct > 20",
    "over_gt100": "overlimit AND overlimit_pct > 100",
    "over_lt55t": "overlimit AND gross_weight_kg < 55000",
    "over_55_100t": "overlimit AND gross_weight_kg >= 55000 AND gross_weight_kg < 100000",
    "over_ge100t": "overlimit AND gross_weight_kg >= 100000",
    "over_ax2": "overlimit AND axle_count <= 2",
    "over_ax3": "overlimit AND axle_count = 3",
    "over_ax4": "overlimit AND axle_count = 4",
    "over_ax5": "overlimit AND axle_count = 5",
    "over_ax6": "overlimit AND axle_count = 6",
    "over_ax7p": "overlimit AND axle_count > 6",
}
assert set(CONDITIONS) == {*COUNTED_ELSEWHERE, *READING_COLUMNS}


def _local(pg: bool, column: str) -> tuple[str, str]:
    """SQL for the Beijing date and hour of a UTC timestamp column."""
    if pg:
        at = f"({column} AT TIME ZONE 'Asia/Shanghai')"
        return f"CAST({at} AS date)", f"CAST(extract(hour FROM {at}) AS integer)"
    return f"date({column}, '+8 hours')", f"CAST(strftime('%H', {column}, '+8 hours') AS integer)"


def recount_readings(session: Session) -> int:
    """Every site-day of the readings' side, from the readings (one grouped scan)."""
    pg = session.get_bind().dialect.name == "postgresql"
    day, hour = _local(pg, "captured_at")
    sums = ", ".join(f"sum(CASE WHEN {cond} THEN 1 ELSE 0 END)" for cond in CONDITIONS.values())
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = session.execute(text(f"SELECT site_id, {day}, {hour}, {sums} FROM readings GROUP BY 1, 2, 3"))
    for site_id, d, h, *values in rows:
        t = totals[(site_id, d if isinstance(d, date) else date.fromisoformat(d))]
        t["online_hours"] |= 1 << int(h)
        for name, value in zip(CONDITIONS, values, strict=True):
            t[name] += int(value or 0)
    opened_day, _ = _local(pg, "opened_at")
    for site_id, d, n in session.execute(text(f"SELECT site_id, {opened_day}, count(*) FROM cases GROUP BY 1, 2")):
        totals[(site_id, d if isinstance(d, date) else date.fromisoformat(d))]["cases_opened"] += n
    session.execute(delete(SiteDailyStats))
    _add_all(session, totals)
    session.execute(delete(SiteHeartbeat))
    last = session.execute(select(Reading.site_id, func.max(Reading.received_at)).group_by(Reading.site_id))
    heard(session, dict(last.all()))
    return len(totals)


def _add_all(session: Session, totals: dict[tuple, dict[str, int]]) -> None:
    """The upsert of the increments, with the columns the drain's own counter adds too."""
    from service.ingest.store import insert_for
    from service.outbox import chunks

    add_to_days(session, {k: {n: v for n, v in t.items() if n not in COUNTED_ELSEWHERE} for k, t in totals.items()})
    table = SiteDailyStats.__table__
    rows = [
        {"site_id": s, "day": d, **{n: t.get(n, 0) for n in COUNTED_ELSEWHERE}} for (s, d), t in sorted(totals.items())
    ]
    for part in chunks(rows, 400):
        stmt = insert_for(SiteDailyStats).values(part)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[table.c.site_id, table.c.day], set_={n: stmt.excluded[n] for n in COUNTED_ELSEWHERE}
            )
        )


def recount_all(session: Session) -> dict[str, int]:
    """Both sides, in the caller's transaction (the caller commits)."""
    return {"reading_days": recount_readings(session), "case_days": case_rollup.recount_all(session)}
