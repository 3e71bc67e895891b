"""The readings' side of the daily figures, added by the follow-up drain (service/followup.py), with when each site was last heard from.

`count_site_days` there adds 检测数, 超限数, 百吨王 and 无牌 per site-day; it calls
`count_reading_figures` here, in the same short transaction that marks the outbox rows done,
for the rest: over-limit readings by rate, gross band and axle count, cases opened, and the
hours of the day the site was heard from. Increments and OR commute, so two drains adding to
one site-day both count, in either order. What each figure means: service/stats/definitions.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Case, Reading, SiteDailyStats
from service.clock import CST, local_date
from service.ingest.store import insert_for
from service.outbox import chunks

READING_COLUMNS = (
    "over_gt10", "over_gt20", "over_gt100", "over_lt55t", "over_55_100t", "over_ge100t",
    "over_ax2", "over_ax3", "over_ax4", "over_ax5", "over_ax6", "over_ax7p",
)  # fmt: skip
COUNTED_ELSEWHERE = {"checked": 0, "overlimit": 0, "baidunwang": 0, "unreadable_plates": 0}


def over_limit_columns(overlimit: bool, pct: float, gross_kg: float, axles: int) -> tuple[str, ...]:
    """The columns an over-limit reading adds one to (none for a reading within the limit)."""
    if not overlimit:
        return ()
    names = []
    if pct > 10:
        names.append("over_gt10")
    if pct > 20:
        names.append("over_gt20")
    if pct > 100:
        names.append("over_gt100")
    names.append("over_lt55t" if gross_kg < 55000 else "over_55_100t" if gross_kg < 100000 else "over_ge100t")
    names.append(f"over_ax{max(axles, 2)}" if axles <= 6 else "over_ax7p")
    return tuple(names)


def hour_bit(at: datetime) -> int:
    return 1 << at.astimezone(CST).hour


def count_reading_figures(session: Session, payloads: list[dict]) -> None:
    """Add the readings and cases of these outbox rows to their site-days. Rows marked
    `figures_counted` were counted by the migration that brought these columns in."""
    todo = [p for p in payloads if not p.get("figures_counted")]
    reading_ids = sorted({r for p in todo for r in p.get("reading_ids", [])})
    case_ids = sorted({c for p in todo for c in p.get("case_ids", [])})
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    last: dict[int, datetime] = {}  # when each site was last heard from
    for chunk in chunks(reading_ids):
        rows = session.execute(
            select(
                Reading.site_id,
                Reading.captured_at,
                Reading.overlimit,
                Reading.overlimit_pct,
                Reading.gross_weight_kg,
                Reading.axle_count,
                Reading.received_at,
            ).where(Reading.id.in_(chunk))
        )
        for site_id, at, over, pct, gross, axles, received in rows:
            if received is not None and (site_id not in last or received > last[site_id]):
                last[site_id] = received
            t = totals[(site_id, local_date(at))]
            t["online_hours"] |= hour_bit(at)
            for name in over_limit_columns(bool(over), pct or 0, gross, axles):
                t[name] += 1
    for chunk in chunks(case_ids):
        for site_id, opened_at in session.execute(select(Case.site_id, Case.opened_at).where(Case.id.in_(chunk))):
            totals[(site_id, local_date(opened_at))]["cases_opened"] += 1
    if totals:
        add_to_days(session, totals)
    from service.stats.availability import heard

    heard(session, last)


def add_to_days(session: Session, totals: dict[tuple, dict[str, int]]) -> None:
    """One upsert of increments (and OR for the online hours), in key order."""
    table = SiteDailyStats.__table__
    names = (*READING_COLUMNS, "cases_opened", "online_hours")
    rows = [
        {"site_id": s, "day": d, **COUNTED_ELSEWHERE, **{n: t.get(n, 0) for n in names}}
        for (s, d), t in sorted(totals.items())
    ]
    for part in chunks(rows, 400):
        stmt = insert_for(SiteDailyStats).values(part)
        set_ = {n: table.c[n] + stmt.excluded[n] for n in names if n != "online_hours"}
        set_["online_hours"] = table.c.online_hours.op("|")(stmt.excluded.online_hours)
        session.execute(stmt.on_conflict_do_update(index_elements=[table.c.site_id, table.c.day], set_=set_))
