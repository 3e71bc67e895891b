"""The outbox: follow-up work recorded in the same transaction as the data.

Rows are written by operations (flush only). After commit, `request_drain`
queues one RQ job that claims pending rows in batches and runs each topic's
handler over many rows at once, so a burst of single-record posts costs a few
jobs, not one per reading. Failed rows are retried a few times and then kept
with their error, never retried forever.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select

from models import OutboxEvent
from service.extensions import db

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
HANDLERS: dict[str, Callable[[list[dict]], None]] = {}


def handler(topic: str):
    def register(fn: Callable[[list[dict]], None]):
        HANDLERS[topic] = fn
        return fn

    return register


def enqueue_outbox(topic: str, payload: dict) -> OutboxEvent:
    event = OutboxEvent(topic=topic, payload=payload, created_at=datetime.now(UTC), attempts=0)
    db.session.add(event)
    db.session.flush()
    return event


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.processed_at.is_(None)))


def _claim(limit: int) -> list[OutboxEvent]:
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.processed_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # several workers share the backlog (PostgreSQL)
    )
    return list(db.session.scalars(stmt))


def drain(max_batches: int = 50) -> int:
    """Process pending outbox rows; returns how many were handled. Commits per batch."""
    import service.followup  # noqa: F401  (registers the handlers)

    done = 0
    for _ in range(max_batches):
        events = _claim(current_app.config["OUTBOX_DRAIN_BATCH"])
        if not events:
            break
        by_topic: dict[str, list[OutboxEvent]] = defaultdict(list)
        for event in events:
            by_topic[event.topic].append(event)
        for topic, group in by_topic.items():
            _run(topic, group)
        db.session.commit()
        done += len(events)
    return done


def _run(topic: str, events: list[OutboxEvent]) -> None:
    fn = HANDLERS.get(topic)
    now = datetime.now(UTC)
    if fn is None:
        for event in events:
            _give_up(event, f"未知主题 {topic}", now)
        return
    try:
        with db.session.begin_nested():
            fn([e.payload for e in events])
        for event in events:
            event.processed_at, event.attempts = now, event.attempts + 1
        return
    except Exception:  # noqa: BLE001 - retried one by one below, errors recorded per row
        log.exception("outbox: batch of %s failed; retrying rows one by one", topic)
    for event in events:
        try:
            with db.session.begin_nested():
                fn([event.payload])
            event.processed_at, event.attempts = now, event.attempts + 1
        except Exception as exc:  # noqa: BLE001
            event.attempts += 1
            event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if event.attempts >= MAX_ATTEMPTS:
                _give_up(event, event.last_error, now)


def _give_up(event: OutboxEvent, error: str, now: datetime) -> None:
    log.error("outbox: event %s (%s) given up: %s", event.id, event.topic, error)
    event.processed_at, event.last_error = now, error
