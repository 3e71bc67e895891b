"""RQ jobs: thin. Each takes ids, loads, calls one operation, commits, returns little.

They run inside the app context that the worker entry point (or the test
harness) sets up, with a database connection of their own after the fork.
"""

from __future__ import annotations

import logging

from flask import current_app
from rq import get_current_job

from models import ImportJob
from service.extensions import db
from service.ingest.imports import run_import
from service.outbox import drain, pending_count
from service.queueing import DRAIN_PENDING_KEY, get_redis, request_drain

log = logging.getLogger(__name__)


def _job_id() -> str:
    job = get_current_job()
    return job.id if job else "-"


def drain_outbox() -> dict:
    """Run pending outbox work. Clears the 'queued' flag first so that rows
    committed while we run get a drain job of their own."""
    get_redis(current_app).delete(DRAIN_PENDING_KEY)
    handled = drain()
    left = pending_count()
    log.info("job %s: outbox drained %d, %d left", _job_id(), handled, left)
    if left:
        request_drain(current_app)
    return {"handled": handled, "pending": left}


def import_readings(import_job_id: int) -> dict:
    job = db.session.get(ImportJob, import_job_id)
    if job is None:
        log.error("job %s: import %s not found", _job_id(), import_job_id)
        return {"error": "not found"}
    rq_job = get_current_job()

    def progress(done: int, total: int) -> None:
        if rq_job is not None:  # the DB row is the truth; meta mirrors it
            rq_job.meta.update(rows_done=done, rows_total=total)
            rq_job.save_meta()

    try:
        run_import(job, progress=progress)
    except Exception:
        # Chunks already committed stay (a re-import skips them as duplicates); the job must
        # not sit at "running" for ever while the person who uploaded it waits.
        db.session.rollback()
        _mark_failed(import_job_id)
        raise
    log.info("job %s: import %s %s (%d rows)", _job_id(), job.id, job.status, job.rows_done)
    return {"status": job.status, "rows_done": job.rows_done}


def _mark_failed(import_job_id: int) -> None:
    from datetime import UTC, datetime

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
