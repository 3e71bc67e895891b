"""Follow-up work after ingest, run by the drain from the outbox (service/outbox.py).

Several drains run at once, on several workers. Everything here is idempotent, runs in
short transactions (`unit_of_work`) and takes what two drains could both touch in one order:

1. the readings' own rows: 布控 alerts for these readings, images that arrived before them;
2. per plate — the plates in ascending lock order, a few hundred per transaction, under their
   locks (service/locking.py): prior case counts, registry links, re-weigh links, 百吨王 watch;
3. the daily figures: increments per site-day, applied by the drain in the transaction that
   marks the rows done (`count_site_days`), so each reading counts once and no count is lost.

A watch entry added here (or by a supervisor) writes an outbox row of its own, run after its
commit: it raises the alerts of readings that came in while it was being written
(`watch_added`), which the readings' own drains could not see yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import Case, Reading, Site, SiteDailyStats
from service.clock import local_date
from service.extensions import db
from service.ingest.operations import READINGS_TOPIC
from service.ingest.store import insert_for
from service.locking import lock_plates
from service.outbox import chunks, counter, handler, unit_of_work

PLATES_PER_TRANSACTION = 200  # plate locks one transaction holds (PostgreSQL's lock table is finite)
WATCH_ADDED_TOPIC = "watch.added"


@dataclass
class PlateWork:
    cases: list[int] = field(default_factory=list)  # new cases of the plate: prior counts, registry links
    reweighs: list[int] = field(default_factory=list)  # station readings: link to the plate's WIM case
    giants: list[int] = field(default_factory=list)  # 百吨王 readings: the plate goes on the watch list


@handler(READINGS_TOPIC)
def readings_ingested(payloads: list[dict]) -> None:
    from service.evidence.processing import attach_to_readings
    from service.watch.operations import raise_alerts

    reading_ids = sorted({r for p in payloads for r in p.get("reading_ids", [])})
    case_ids = sorted({c for p in payloads for c in p.get("case_ids", [])})
    work = _work_by_plate(reading_ids, case_ids)
    db.session.rollback()  # read only so far: no snapshot held
    with unit_of_work():
        for ids in chunks(reading_ids):
            raise_alerts(ids)
        images = attach_to_readings(reading_ids)
        for ids in chunks(work.pop(None, PlateWork()).cases):
            _no_prior_cases(ids)
    for plates in chunks(sorted(work), PLATES_PER_TRANSACTION):
        with unit_of_work():
            lock_plates(plates)
            _plate_work(plates, work)
    queue_image_work(images)


def _work_by_plate(reading_ids: list[int], case_ids: list[int]) -> dict[str | None, PlateWork]:
    work: dict[str | None, PlateWork] = defaultdict(PlateWork)
    for ids in chunks(case_ids):
        for case_id, plate in db.session.execute(select(Case.id, Case.plate).where(Case.id.in_(ids))):
            work[plate].cases.append(case_id)
    for ids in chunks(reading_ids):
        rows = db.session.execute(
            select(Reading.id, Reading.plate, Reading.baidunwang, Site.kind)
            .join(Site, Site.id == Reading.site_id)
            .where(
                Reading.id.in_(ids),
                Reading.plate.is_not(None),
                Reading.plate_valid.is_(True),
                (Site.kind == "static") | Reading.baidunwang.is_(True),
            )
        )
        for reading_id, plate, baidunwang, kind in rows:
            if kind == "static":
                work[plate].reweighs.append(reading_id)
            if baidunwang:
                work[plate].giants.append(reading_id)
    return work


def _plate_work(plates: list[str], work: dict[str | None, PlateWork]) -> None:
    """Everything that touches rows of these plates, under their locks."""
    from service.registry.operations import link_cases
    from service.review.reweigh import link_reweighs
    from service.watch.operations import watch_baidunwang

    count_prior_cases(plates)
    link_cases(sorted(c for p in plates for c in work[p].cases))
    link_reweighs(sorted(r for p in plates for r in work[p].reweighs))
    watch_baidunwang(sorted(r for p in plates for r in work[p].giants))


def count_prior_cases(plates: list[str]) -> None:
    """Store on each case of these plates how many earlier cases its plate has (shown to the
    officer): the rank of its time among the plate's cases. Recounts every case of the plate,
    so a late reading (a CSV backfill) also corrects the counts of the plate's later cases;
    writes only the counts that changed. Call it holding the plates' locks: two recounts of
    one plate then run one after the other, the later one seeing every case the earlier saw."""
    ranked = (
        select(Case.id, (func.rank().over(partition_by=Case.plate, order_by=Case.captured_at) - 1).label("n"))
        .where(Case.plate.in_(plates))
        .subquery()
    )
    db.session.execute(
        update(Case)
        .where(Case.id == ranked.c.id, Case.prior_case_count.is_distinct_from(ranked.c.n))
        .values(prior_case_count=ranked.c.n),
        execution_options={"synchronize_session": False},
    )


def _no_prior_cases(case_ids: list[int]) -> None:
    """A case without a plate has no earlier cases to count."""
    db.session.execute(
        update(Case)
        .where(Case.id.in_(case_ids), Case.plate.is_(None), Case.prior_case_count.is_distinct_from(0))
        .values(prior_case_count=0),
        execution_options={"synchronize_session": False},
    )


@counter(READINGS_TOPIC)
def count_site_days(session: Session, payloads: list[dict]) -> None:
    """Add these readings to their site-days (检测数, 超限数, 百吨王, 无牌/未识别): one upsert of
    increments, in key order. Increments commute: two drains adding to one site-day both
    count, in either order. Rows marked `counted` were included in a recount when this
    service moved from recounts to increments (migration 20261127)."""
    ids = sorted({r for p in payloads if not p.get("counted") for r in p.get("reading_ids", [])})
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for chunk in chunks(ids):
        rows = session.execute(
            select(Reading.site_id, Reading.captured_at, Reading.overlimit, Reading.baidunwang, Reading.plate).where(
                Reading.id.in_(chunk)
            )
        )
        for site_id, captured_at, overlimit, baidunwang, plate in rows:
            t = totals[(site_id, local_date(captured_at))]
            t[0], t[1], t[2], t[3] = t[0] + 1, t[1] + bool(overlimit), t[2] + bool(baidunwang), t[3] + (plate is None)
    if totals:
        add_to_site_days(session, totals)
    from service.stats.rollup import count_reading_figures

    count_reading_figures(session, payloads)  # bands, axles, cases opened, online hours


def add_to_site_days(session: Session, totals: dict[tuple, list[int]]) -> None:
    table = SiteDailyStats.__table__
    rows = [
        {"site_id": s, "day": d, "checked": c, "overlimit": o, "baidunwang": b, "unreadable_plates": u}
        for (s, d), (c, o, b, u) in sorted(totals.items())
    ]
    for part in chunks(rows, 500):
        stmt = insert_for(SiteDailyStats).values(part)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[table.c.site_id, table.c.day],
                set_={name: table.c[name] + stmt.excluded[name] for name in rows[0] if name not in ("site_id", "day")},
            )
        )


@handler(WATCH_ADDED_TOPIC)
def watch_added(payloads: list[dict]) -> None:
    from service.watch.operations import raise_alerts_for_entries

    entry_ids = sorted({e for p in payloads for e in p.get("entry_ids", [])})
    with unit_of_work():
        for ids in chunks(entry_ids):
            raise_alerts_for_entries(ids)


@handler("evidence.uploaded")
def evidence_uploaded(payloads: list[dict]) -> None:
    queue_image_work(sorted({e for p in payloads for e in p.get("evidence_ids", [])}))


def queue_image_work(evidence_ids: list[int], chunk: int = 25) -> None:
    """Decoding images is CPU work: one job per chunk, so several workers share it.

    Not `unique`: an image processed before its reading arrived waits for it, and the
    same ids are queued again when it does (processing skips rows already done)."""
    from service.queueing import enqueue
    from workers.queues import EVIDENCE_IMAGES, evidence_job_id

    for start in range(0, len(evidence_ids), chunk):
        ids = evidence_ids[start : start + chunk]
        enqueue(current_app, EVIDENCE_IMAGES, ids, job_id=evidence_job_id(ids))


@handler("import.requested")
def import_requested(payloads: list[dict]) -> None:
    """The first chunk of each uploaded import (the chunks queue their successors)."""
    from service.ingest.imports import queue_chunk

    for p in payloads:
        queue_chunk(p["import_job_id"])
