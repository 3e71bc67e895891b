"""The outbox: follow-up work recorded in the same transaction as the data.

Rows are written by operations (flush only), which mark the session. When that
session commits, one `after_commit` hook asks for the drain (`request_drain_soon`):
no view or job has to remember to. The drain is one RQ job that claims pending rows
in batches and runs each topic's handler over many rows at once, so a burst of
single-record posts costs a few jobs, not one per reading. Failed rows are retried
a few times and then kept with their error, never retried forever.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from models import OutboxEvent
from service.extensions import db

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
HANDLERS: dict[str, Callable[[list[dict]], None]] = {}
WRITTEN = "outbox_written"  # key in Session.info: this transaction wrote outbox rows


def handler(topic: str):
    def register(fn: Callable[[list[dict]], None]):
        HANDLERS[topic] = fn
        return fn

    return register


def enqueue_outbox(topic: str, payload: dict) -> OutboxEvent:
    row = OutboxEvent(topic=topic, payload=payload, created_at=datetime.now(UTC), attempts=0)
    db.session.add(row)
    db.session.flush()
    mark_outbox_written()
    return row


def mark_outbox_written() -> None:
    """Whoever inserts an outbox row calls this: the commit then asks for a drain."""
    db.session.info[WRITTEN] = True


def _ask_for_drain(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the rows are not committed yet
    if session.info.pop(WRITTEN, False) and has_app_context():
        from service.queueing import request_drain_soon

        try:
            request_drain_soon(current_app._get_current_object())
        except Exception:  # noqa: BLE001 - the data is committed; the worker's relay drains it
            log.exception("outbox: could not ask for a drain after commit")


def _forget_unless_committed(session, transaction) -> None:
    # The outermost transaction ended: after a commit the flag is already gone; after a
    # rollback (or a close without commit) its rows are gone, and so is the reason to ask.
    # A savepoint rolled back inside the transaction leaves the flag: asking once too
    # often costs one empty drain, asking too rarely would delay alerts.
    if transaction.parent is None:
        session.info.pop(WRITTEN, None)


# Bound once, when this module is first imported (everyone who marks a session imports
# it), to the sessions of `db` in every app: each hook finds its app in the app context.
sa_event.listen(db.session, "after_commit", _ask_for_drain)
sa_event.listen(db.session, "after_transaction_end", _forget_unless_committed)


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
