"""The RQ worker class used everywhere (entry point and tests)."""

from __future__ import annotations

from flask import Flask
from rq import Worker
from rq.serializers import JSONSerializer

from service.extensions import db
from service.queueing import get_queue, get_redis


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
                db.session.remove()


def make_worker(app: Flask, name: str | None = None) -> AppWorker:
    worker = AppWorker(
        [get_queue(app)],
        connection=get_redis(app),
        serializer=JSONSerializer,
        name=name,
    )
    worker.app = app
    return worker
