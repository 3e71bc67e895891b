"""RQ jobs: thin. Each takes ids, loads, calls one operation, commits, returns little.

They run inside the app context that the worker entry point (or the test
harness) sets up, with a database connection of their own after the fork.
Which queue each goes to, and its timeout and retries: `workers/queues.py`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import redis
from flask import current_app
from rq import get_current_job

from models import ImportJob
from service.extensions import db
from service.ingest import imports
from service.outbox import drain, pending_count
from service.queueing import DRAIN_PENDING_KEY, get_redis, request_drain
from workers.queues import is_transient

log = logging.getLogger(__name__)


def _job_id() -> str:
    job = get_current_job()
    return job.id if job else "-"


def drain_outbox() -> dict:
    """Run pending outbox work for at most DRAIN_JOB_SECONDS. Clears the 'queued' flag first
    so that rows committed while we run get a drain job of their own; when more rows wait
    than one batch, asks for another drain at once, which an idle worker takes: several
    workers drain a backlog side by side (each claims rows the others do not hold)."""
    app = current_app._get_current_object()
    get_redis(app).delete(DRAIN_PENDING_KEY)
    handled = drain(max_seconds=app.config["DRAIN_JOB_SECONDS"], on_backlog=lambda: request_drain(app))
    left = pending_count()  # rows other drains hold, or committed meanwhile (which ask for their own)
    log.info("job %s: outbox drained %d, %d left", _job_id(), handled, left)
    return {"handled": handled, "pending": left}


def import_chunk(import_id: int, rows_done: int = 0, offset: int | None = None, line: int | None = None) -> dict:
    """One chunk of a CSV import (readings or registry), then its continuation.

    The chunk's rows and the job row's progress are committed together; only then is
    the next chunk queued, on the imports queue, behind what is already there. If the
    worker dies in between, the relay finds the import unfinished with no job for its
    next chunk and queues it (workers/relay.py)."""
    job = db.session.get(ImportJob, import_id, with_for_update=True)  # one chunk at a time (PostgreSQL)
    if job is None:
        log.error("job %s: import %s not found", _job_id(), import_id)
        return {"error": "not found"}
    if job.status not in ("queued", "running") or job.rows_done != rows_done:
        log.info(
            "job %s: import %s is %s at row %d; chunk at row %d already done",
            _job_id(),
            import_id,
            job.status,
            job.rows_done,
            rows_done,
        )
        db.session.rollback()
        return {"status": job.status, "rows_done": job.rows_done, "skipped": True}
    rq_job = get_current_job()

    def progress(done: int, total: int) -> None:
        if rq_job is None:
            return
        rq_job.meta.update(import_job_id=import_id, rows_done=done, rows_total=total)
        try:  # the DB row is the truth; meta only mirrors it
            rq_job.save_meta()
        except redis.RedisError as exc:
            log.warning("job %s: progress not mirrored to Redis (%s)", _job_id(), exc)

    try:
        if rows_done == 0:
            cursor = imports.begin_import(job, commit=False)
        elif offset is None:  # re-queued by the relay: the cursor was lost with the job
            cursor = imports.cursor_at(job)
        else:
            cursor = imports.Cursor(rows_done, offset, line or 0)
        if cursor is not None:
            cursor = imports.import_chunk(job, cursor, progress=progress)
        else:
            db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if is_transient(exc) and rq_job is not None and rq_job.retries_left:
            log.warning("job %s: import %s at row %d: %s; will try again", _job_id(), import_id, rows_done, exc)
            raise
        # Chunks already committed stay (a re-import skips them as duplicates); the job must
        # not sit at "running" for ever while the person who uploaded it waits.
        _mark_failed(import_id)
        raise
    if cursor is not None:
        try:
            imports.queue_chunk(import_id, cursor)
        except redis.RedisError as exc:  # the relay queues it when Redis answers again
            log.warning("job %s: import %s: next chunk not queued (%s)", _job_id(), import_id, exc)
    log.info("job %s: import %s %s (%d / %s rows)", _job_id(), import_id, job.status, job.rows_done, job.rows_total)
    return {"status": job.status, "rows_done": job.rows_done}


def _mark_failed(import_job_id: int) -> None:
    job = db.session.get(ImportJob, import_job_id)
    job.status, job.finished_at = "failed", datetime.now(UTC)
    job.message = f"导入因内部错误中止（任务 {_job_id()}），已导入的行保留；重新导入同一文件时已有记录按重复计。请联系运维查看日志。"
    db.session.commit()
    log.exception("job %s: import %s failed", _job_id(), import_job_id)


def process_evidence(evidence_ids: list[int]) -> dict:
    """Decode, thumbnail and watermark evidence images (defects recorded on their rows)."""
    from service.evidence.processing import process_images

    counts = process_images(evidence_ids)
    db.session.commit()
    log.info("job %s: evidence %s → %s", _job_id(), evidence_ids, counts)
    return counts


def build_stats_report(report_id: int) -> dict:
    """A monthly statistics report (月报): the workbook, progress on its row."""
    from service.stats.reports import run_report

    report = run_report(report_id)
    status = report.status if report else "missing"
    log.info("job %s: stats report %s %s", _job_id(), report_id, status)
    return {"report_id": report_id, "status": status}


def build_referral_package(export_id: int) -> dict:
    """A police package (CONTRACT §5): progress on the export's row, the hash in the audit chain."""
    from service.referrals.exports import run_export

    export = run_export(export_id)
    status = export.status if export else "missing"
    log.info("job %s: referral package %s %s", _job_id(), export_id, status)
    return {"export_id": export_id, "status": status}
