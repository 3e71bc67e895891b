"""The RQ worker class used everywhere (entry point, `make run` and tests)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask
from rq import Worker
from rq.serializers import JSONSerializer

import service.followup  # noqa: F401  (the drain's handlers: imported here once, not in every job's horse)
import workers.jobs  # noqa: F401  (likewise: RQ forks a horse per job from this process)
from service.extensions import db
from service.queueing import drain_requests, get_queue, get_redis
from workers.queues import QUEUES, is_transient

log = logging.getLogger(__name__)


class AppWorker(Worker):
    """Runs each job inside the Flask app context, on fresh DB connections.

    The work horse is a fork: connections inherited from the parent must not be
    shared, so the pool is reset (without closing the parent's sockets).
    """

    app: Flask

    def perform_job(self, job, queue, *args, **kwargs):
        with self.app.app_context():
            db.engine.dispose(close=False)
            try:
                return super().perform_job(job, queue, *args, **kwargs)
            finally:
                # A commit in the job that wrote outbox rows only raised a flag for the
                # drain-request thread; the horse exits right after the job, so ask now.
                # The next job this worker takes is then the drain, if it serves followup.
                try:
                    drain_requests(self.app).flush()
                except Exception:  # noqa: BLE001 - the relay asks again while rows are pending
                    log.exception("job %s: could not ask for a drain", job.id)
                db.session.remove()

    def handle_exception(self, job, *exc_info):
        # `Retry` is for transient faults only: a bug or a bad input fails at once.
        if job.retries_left and not is_transient(exc_info[1]):
            job.retries_left = 0
        return super().handle_exception(job, *exc_info)


def make_worker(app: Flask, queues: Iterable[str] = QUEUES, name: str | None = None) -> AppWorker:
    """A worker serving `queues`, taking from the first non-empty one (give them in
    priority order: workers.queues.QUEUES)."""
    worker = AppWorker(
        [get_queue(app, q) for q in queues],
        connection=get_redis(app),
        serializer=JSONSerializer,
        name=name,
    )
    worker.app = app
    return worker
