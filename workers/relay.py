"""The worker's relay: what Redis may have lost, the database still knows.

Every few seconds each worker process checks what Redis may have lost and queues it:
outbox rows still pending (work recorded during a Redis outage) get a drain; an
unfinished import whose next chunk has no job in Redis (the worker died between
committing a chunk and queueing the next one, or Redis lost its data) gets that
chunk queued again; a police package (移交包) or a monthly report (月报) still waiting
with no job gets its job again. Job ids are deterministic, so several relays never double up.
Once an hour one of the relays also expires orphan images (service/evidence/storage.py), so
their disk is freed even when no further image arrives.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from flask import Flask
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import select, update

from models import ImportJob, ReferralExport, StatsReport
from service.extensions import db
from service.ingest.imports import queue_chunk
from service.outbox import pending_count
from service.queueing import enqueue, get_redis, request_drain
from workers.queues import REFERRAL_PACKAGE, STATS_REPORT, import_job_id, referral_package_job_id, stats_report_job_id

log = logging.getLogger("workers")
UNFINISHED = ("queued", "running")
GONE = (JobStatus.FINISHED, None)  # the job for this chunk ran (a stale duplicate) or Redis has none
BROKEN = (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def relay_once(app: Flask) -> None:
    with app.app_context():
        if pending_count():
            request_drain(app)
        resume_imports(app)
        resume_exports(app)
    from service.stats.reports import ensure_monthly_reports

    ensure_monthly_reports(app)  # the month that ended gets its 月报 (service/stats/reports.py)
    with app.app_context():
        from service.stats.availability import check_silent_sites

        check_silent_sites()  # a site silent too long: an alert to the administrator
        sweep_orphans(app)


def relay(app: Flask, stop: threading.Event, every_s: float) -> None:
    while not stop.wait(every_s):
        try:
            relay_once(app)
        except Exception:  # noqa: BLE001 - keep relaying through DB/Redis hiccups
            log.exception("relay failed; will retry")


def _job(app: Flask, job_id: str) -> tuple[Job | None, JobStatus | None]:
    """The job Redis holds under this id and its status (None, None: Redis has none)."""
    try:
        job = Job.fetch(job_id, connection=get_redis(app), serializer=JSONSerializer)
    except NoSuchJobError:
        return None, None
    return job, job.get_status(refresh=False)


ORPHAN_SWEEP_KEY = "relay:evidence-orphans-swept"


def sweep_orphans(app: Flask, every_s: int = 3600) -> int | None:
    """Expire orphan images, by one relay per hour (a Redis key taken with NX). The image job
    expires them too, but a site whose camera uploads and whose readings never come, and then
    stops, would otherwise keep its orphans on disk until some image arrives. Returns how many
    were expired, None when another relay swept within the hour."""
    from service.evidence.storage import expire_orphans

    if not get_redis(app).set(ORPHAN_SWEEP_KEY, "1", nx=True, ex=every_s):
        return None
    expired = expire_orphans()
    db.session.commit()
    return expired


def resume_imports(app: Flask) -> list[str]:
    """Queue the next chunk of each unfinished import that has no job for it; mark
    failed an import whose chunk job failed for good without saying so on the row (a
    worker killed mid-chunk, its retries used up). Returns the job ids queued."""
    unfinished = db.session.execute(
        select(ImportJob.id, ImportJob.rows_done).where(ImportJob.status.in_(UNFINISHED))
    ).all()
    db.session.rollback()  # read only; don't hold a snapshot across Redis calls
    queued = []
    for import_id, rows_done in unfinished:
        job_id = import_job_id(import_id, rows_done)
        job, status = _job(app, job_id)
        if status in BROKEN:
            _give_up(import_id, rows_done, job_id)
        elif status in GONE:
            if job is not None:
                job.delete()  # a finished run of this chunk found nothing to do then
            if queue_chunk(import_id, rows_done=rows_done):
                log.warning(
                    "relay: import %s had no job for its chunk at row %d; queued %s", import_id, rows_done, job_id
                )
                queued.append(job_id)
    return queued


# A row the request has just committed is queued by that request right after its commit.
EXPORT_GRACE = timedelta(seconds=60)
EXPORTS = (
    # model, job kind, job id, what its row says when its job failed for good
    (ReferralExport, REFERRAL_PACKAGE, referral_package_job_id, "移交包生成中断（任务异常结束），请重新导出"),
    (StatsReport, STATS_REPORT, stats_report_job_id, "月报生成中断（任务异常结束），请重新生成"),
)


def resume_exports(app: Flask) -> list[str]:
    """Queue the job of each police package and monthly report still waiting or being built
    whose job Redis no longer has (queued while Redis was down, or lost with its data); mark
    failed one whose job failed for good without saying so on its row. Returns the job ids."""
    queued = []
    for model, kind, job_id_of, failed_text in EXPORTS:
        rows = db.session.scalars(
            select(model.id).where(model.status.in_(UNFINISHED), model.created_at < datetime.now(UTC) - EXPORT_GRACE)
        ).all()
        db.session.rollback()  # read only; don't hold a snapshot across Redis calls
        for row_id in rows:
            job_id = job_id_of(row_id)
            job, status = _job(app, job_id)
            if status in BROKEN:
                done = db.session.execute(
                    update(model)
                    .where(model.id == row_id, model.status.in_(UNFINISHED))
                    .values(status="failed", finished_at=datetime.now(UTC), message=failed_text)
                )
                db.session.commit()
                if done.rowcount:
                    log.error("relay: %s %s failed in job %s; marked failed", model.__tablename__, row_id, job_id)
            elif status in GONE:
                if job is not None:
                    job.delete()  # it ended, yet its row still waits: run it again
                if enqueue(app, kind, row_id, job_id=job_id, unique=True) is not None:
                    log.warning("relay: %s %s had no job; queued %s", model.__tablename__, row_id, job_id)
                    queued.append(job_id)
    return queued


def _give_up(import_id: int, rows_done: int, job_id: str) -> None:
    # Only if the row is still where that job left it: a later chunk may have run since.
    done = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == import_id, ImportJob.status.in_(UNFINISHED), ImportJob.rows_done == rows_done)
        .values(
            status="failed",
            finished_at=datetime.now(UTC),
            message=f"导入中断（任务 {job_id} 异常结束），已导入的行保留；重新导入同一文件时已有记录按重复计。请联系运维查看日志。",
        )
    )
    db.session.commit()
    if done.rowcount:
        log.error("relay: import %s failed in job %s; marked failed", import_id, job_id)
