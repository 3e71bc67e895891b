"""Follow-up work after ingest, run by the worker from the outbox.

Each handler takes a list of payloads (many batches at once) and is idempotent:
running it twice leaves the same result.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import aliased

from models import Case, Reading, SiteDailyStats
from service.clock import CST
from service.extensions import db
from service.ingest.operations import READINGS_TOPIC
from service.outbox import handler


@handler(READINGS_TOPIC)
def readings_ingested(payloads: list[dict]) -> None:
    site_days = {(s, d) for p in payloads for s, d in p.get("site_days", [])}
    for site_id, day in sorted(site_days):
        refresh_site_day(site_id, date.fromisoformat(day))
    case_ids = sorted({c for p in payloads for c in p.get("case_ids", [])})
    link_prior_cases(case_ids)
    from service.registry.operations import link_cases

    link_cases(case_ids)
    from service.evidence.processing import attach_to_readings

    reading_ids = sorted({r for p in payloads for r in p.get("reading_ids", [])})
    from service.review.reweigh import link_reweighs

    link_reweighs(reading_ids)
    from service.watch.operations import raise_alerts, watch_baidunwang

    raise_alerts(reading_ids)  # before auto-watching, so a 百吨王's own detection is no alert
    watch_baidunwang(reading_ids)
    queue_image_work(attach_to_readings(reading_ids))


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


def refresh_site_day(site_id: int, day: date) -> None:
    """Recount one site's day from the readings (检测数, 超限数, 百吨王, 无牌/未识别)."""
    start = datetime.combine(day, time(0), tzinfo=CST)
    end = start + timedelta(days=1)
    counts = db.session.execute(
        select(
            func.count(),
            func.sum(case((Reading.overlimit.is_(True), 1), else_=0)),
            func.sum(case((Reading.baidunwang.is_(True), 1), else_=0)),
            func.sum(case((Reading.plate.is_(None), 1), else_=0)),
        ).where(and_(Reading.site_id == site_id, Reading.captured_at >= start, Reading.captured_at < end))
    ).one()
    row = db.session.get(SiteDailyStats, (site_id, day)) or SiteDailyStats(site_id=site_id, day=day)
    row.checked, row.overlimit, row.baidunwang, row.unreadable_plates = (int(c or 0) for c in counts)
    db.session.add(row)


def link_prior_cases(case_ids: list[int]) -> None:
    """Store on each case how many earlier cases its plate has (shown to the officer).

    Recounts every case of the plates involved, so a late reading (a CSV backfill)
    also corrects the counts of the plate's later cases. One statement per chunk.
    """
    later = aliased(Case)
    prior = (
        select(func.count())
        .select_from(later)
        .where(later.plate == Case.plate, later.captured_at < Case.captured_at)
        .scalar_subquery()
    )
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start : start + 500]
        plates = select(Case.plate).where(Case.id.in_(chunk), Case.plate.is_not(None))
        db.session.execute(
            update(Case).where(Case.plate.in_(plates)).values(prior_case_count=prior),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            update(Case).where(Case.id.in_(chunk), Case.plate.is_(None)).values(prior_case_count=0),
            execution_options={"synchronize_session": False},
        )
