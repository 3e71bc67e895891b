"""The outbox: follow-up work recorded in the same transaction as the data.

Rows are written by operations (flush only), which mark the session. When that
session commits, one `after_commit` hook asks for the drain (`request_drain_soon`):
no view or job has to remember to. The drain is an RQ job, and several run at once on
several workers. Each claims pending rows in batches (FOR UPDATE SKIP LOCKED, on a
connection of its own that holds them until they are done) and runs each topic's
handler over many rows at once:

* a handler's work is idempotent and runs in short transactions of its own
  (`unit_of_work`); rows other drains may touch too are locked in one order
  (service/locking.py), so two drains never deadlock;
* a topic's counters (the daily figures) are increments, applied in the short
  transaction that marks the rows done: each row counts once whoever runs it, and
  increments commute, so two drains on the same site-day cannot lose one.

A batch that fails is rolled back, then its rows run one by one, each in its own short
transaction; a row that fails for a reason of its own is recorded with its error and
given up after MAX_ATTEMPTS. A lock conflict, a lost connection or the job's time limit
is not the row's fault: the rows stay pending and no attempt is counted. Lock conflicts are
counted and logged once per drain, not once per retry.

SQLite admits one writer at a time and has no queue for it: a device's post waiting for the
write lock polls for it (its busy handler sleeps 1, 2, 5, 10, 15, 20, 25 … ms between tries),
and a drain that commits and writes again at once takes the lock back before the post's next
try — posts waited up to 2 s while a backlog drained. So on SQLite a batch carries few readings
(`OUTBOX_DRAIN_READINGS_SQLITE`: its write transactions last milliseconds), the drains of all
processes take turns batch by batch (`_sqlite_turn`, a file lock beside the database: one
writer at a time anyway, and no two drains claim the same rows), and after each batch the
turn leaves the write lock free just long enough for a post that waited to take it.
"""

from __future__ import annotations

import fcntl
import logging
import math
import os
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import current_app, has_app_context
from rq.timeouts import BaseTimeoutException
from sqlalchemy import case, func, literal, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from models import OutboxEvent
from models.base import UTCDateTime
from service.extensions import db

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
HANDLERS: dict[str, Callable[[list[dict]], None]] = {}
# Increments applied with the marking of the rows done: fn(session, payloads).
COUNTERS: dict[str, Callable[[Session, list[dict]], None]] = {}
WRITTEN = "outbox_written"  # key in Session.info: this transaction wrote outbox rows
ID_CHUNK = 1000  # ids per IN (…): far below every driver's limit on bound parameters
FIRST_CLAIM = 100  # rows claimed first, before the drain knows how many readings a row holds
MAX_CONFLICTS = 5  # batches in a row lost to lock conflicts before a drain leaves the rest


def handler(topic: str):
    def register(fn: Callable[[list[dict]], None]):
        HANDLERS[topic] = fn
        return fn

    return register


def counter(topic: str):
    def register(fn: Callable[[Session, list[dict]], None]):
        COUNTERS[topic] = fn
        return fn

    return register


def chunks(items: list, size: int = ID_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextmanager
def unit_of_work():
    """One short transaction of a handler: committed at the end, rolled back on any error.
    Handlers run their work in these, so no lock outlives the step that needed it."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def on_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


# SQLite's busy handler: a connection waiting for the write lock tries again after these
# sleeps (ms), cumulatively 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228, then every 100.
BUSY_SLEEPS_MS = (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100)


def busy_retry_within(waited_ms: float) -> int:
    """How soon a writer that has waited `waited_ms` for SQLite's lock tries again, at most."""
    total = 0
    for sleep in BUSY_SLEEPS_MS:
        if waited_ms < total + sleep:
            return sleep
        total += sleep
    return BUSY_SLEEPS_MS[-1]


@contextmanager
def _sqlite_turn():
    """SQLite: one drain batch at a time over every process of this database (a file lock
    beside it), then the write lock left free long enough for a post that waited through the
    batch to try again and take it (`busy_retry_within` the batch's time, at most
    `SQLITE_DRAIN_GAP_MS`). PostgreSQL: nothing (drains run side by side)."""
    path = db.engine.url.database if on_sqlite() else None
    if not path or path == ":memory:":
        yield
        return
    fd = os.open(f"{path}-drain.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        started = time.monotonic()
        yield
        held_ms = (time.monotonic() - started) * 1000
        time.sleep(min(busy_retry_within(held_ms) + 1, current_app.config["SQLITE_DRAIN_GAP_MS"]) / 1000)
    finally:
        os.close(fd)  # releases the lock


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


def weight(payload: dict) -> int:
    """What a row costs a batch: the readings it carries (one for other topics)."""
    return max(1, len(payload.get("reading_ids") or ()))


def _claim(claims: Session, limit: int, ids: list[int] | None = None, failed=()) -> list[OutboxEvent]:
    stmt = select(OutboxEvent).where(OutboxEvent.processed_at.is_(None))
    if ids is not None:
        stmt = stmt.where(OutboxEvent.id.in_(ids))
    if failed:  # rows that failed in this drain wait for the next one
        stmt = stmt.where(OutboxEvent.id.not_in(sorted(failed)))
    # Several drains share the backlog: each skips the rows another holds (PostgreSQL).
    stmt = stmt.order_by(OutboxEvent.id).limit(limit).with_for_update(skip_locked=True)
    return list(claims.scalars(stmt))


def drain(max_batches: int | None = None, max_seconds: float | None = None, on_backlog=None) -> int:
    """Process pending outbox rows; returns how many were done. Stops when no row is left to
    claim, after `max_batches` batches or once `max_seconds` have passed. `on_backlog` is
    called when rows are left that this drain will not take: more than its first batch holds
    (another drain can start beside it), or when it stops before the end (another drain can
    carry on). The RQ job asks for another drain job then, which an idle worker takes."""
    import service.followup  # noqa: F401  (registers the handlers)

    cfg = current_app.config
    budget = cfg["OUTBOX_DRAIN_READINGS_SQLITE" if on_sqlite() else "OUTBOX_DRAIN_READINGS"]
    deadline = time.monotonic() + max_seconds if max_seconds else math.inf
    claims = Session(db.engine, expire_on_commit=False)  # its connection holds the claimed rows
    done = batches = conflicts = lost = 0
    limit = min(FIRST_CLAIM, cfg["OUTBOX_DRAIN_BATCH"])
    asked = False
    failed: set[int] = set()
    try:
        while True:
            if (max_batches is not None and batches >= max_batches) or time.monotonic() >= deadline:
                break
            with _sqlite_turn():
                events = _claim(claims, limit, failed=failed)
                if not events:
                    return done
                if len(events) == limit and on_backlog is not None and not asked:
                    on_backlog()
                    asked = True
                handled = _run_batch(claims, _within_budget(events, budget), deadline, failed)
                claims.rollback()  # releases the rows beyond the budget, if any
            batches += 1
            if handled is None:  # lost to a lock conflict: the rows stay pending
                conflicts, lost = conflicts + 1, lost + 1
                if conflicts >= MAX_CONFLICTS:
                    break
                time.sleep(random.uniform(0.05, 0.2) * conflicts)
                continue
            done, conflicts = done + handled, 0
            limit = _next_limit(events, budget, cfg["OUTBOX_DRAIN_BATCH"])
    finally:
        claims.close()
        if lost:  # counted, not logged per retry: a busy SQLite would flood the log
            log.info("outbox: %d batches met a lock conflict and were tried again (%d rows done)", lost, done)
    if on_backlog is not None:
        on_backlog()  # stopped before the end: the rest is another drain's
    return done


def _within_budget(events: list[OutboxEvent], budget: int) -> list[OutboxEvent]:
    """The first rows whose readings fit the batch's budget (at least one row)."""
    total = 0
    for n, event in enumerate(events):
        total += weight(event.payload)
        if total > budget and n:
            return events[:n]
    return events


def _next_limit(events: list[OutboxEvent], budget: int, most: int) -> int:
    per_row = sum(weight(e.payload) for e in events) / len(events)
    return max(1, min(most, int(budget / per_row)))


def _stops_the_drain(exc: BaseException) -> bool:
    """The job's time limit, a shutdown: not the rows' fault, and not ours to swallow."""
    return not isinstance(exc, Exception) or isinstance(exc, BaseTimeoutException)


def _rollback(claims: Session) -> None:
    for session in (db.session, claims):
        try:
            session.rollback()
        except Exception:  # noqa: BLE001 - a lost connection: the rows stay pending anyway
            log.warning("outbox: rollback failed", exc_info=True)


def _run_batch(claims: Session, events: list[OutboxEvent], deadline: float, failed: set[int]) -> int | None:
    """Rows done, or None when a lock conflict lost the batch (nothing counted against it)."""
    from workers.queues import is_transient

    try:
        _handle(events)
        return _finish(claims, events)
    except BaseException as exc:
        _rollback(claims)
        if _stops_the_drain(exc):
            raise
        if is_transient(exc):
            if not _is_conflict(exc):
                raise  # the database is unreachable: the job fails, the relay asks again later
            log.debug("outbox: batch of %d rows met a lock conflict; will try again: %s", len(events), exc)
            return None
        log.warning("outbox: batch of %d rows failed (%s); running them one by one", len(events), exc)
    return _one_by_one(claims, [e.id for e in events], deadline, failed)


def _is_conflict(exc: BaseException) -> bool:
    code = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
    # 40001 serialization failure, 40P01 deadlock, 55P03 lock not available, 57014 statement timeout
    return code in ("40001", "40P01", "55P03", "57014") or "locked" in str(exc).lower()


def _one_by_one(claims: Session, ids: list[int], deadline: float, failed: set[int]) -> int:
    """After a failed batch: each row in its own short transaction, its error on its row."""
    from workers.queues import is_transient

    done = 0
    for event_id in ids:
        if time.monotonic() > deadline:
            break
        claimed = _claim(claims, 1, [event_id])
        if not claimed:
            continue  # done meanwhile, or another drain holds it
        try:
            _handle(claimed)
            done += _finish(claims, claimed)
        except BaseException as exc:
            _rollback(claims)
            if _stops_the_drain(exc) or (is_transient(exc) and not _is_conflict(exc)):
                raise
            if is_transient(exc):
                log.debug("outbox: event %s met a lock conflict; left pending: %s", event_id, exc)
                break
            _record_failure(claims, claimed[0], exc)
            failed.add(event_id)
    return done


def _handle(events: list[OutboxEvent]) -> None:
    by_topic: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        if event.topic in HANDLERS:
            by_topic[event.topic].append(event.payload)
    for topic in sorted(by_topic):
        HANDLERS[topic](by_topic[topic])


def _finish(claims: Session, events: list[OutboxEvent]) -> int:
    """Mark the rows done and apply their counters, in one short transaction. Only rows still
    pending are marked and counted: a row another drain finished meanwhile counts once."""
    now = datetime.now(UTC)
    marked: set[int] = set()
    for ids in chunks([e.id for e in events]):
        stmt = (
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(ids), OutboxEvent.processed_at.is_(None))
            .values(processed_at=now, attempts=OutboxEvent.attempts + 1, last_error=None)
            .returning(OutboxEvent.id)
        )
        marked.update(claims.scalars(stmt, execution_options={"synchronize_session": False}))
    by_topic: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        if event.id not in marked:
            continue
        if event.topic not in HANDLERS:
            _give_up(claims, event, f"未知主题 {event.topic}")
        elif event.topic in COUNTERS:
            by_topic[event.topic].append(event.payload)
    for topic in sorted(by_topic):
        COUNTERS[topic](claims, by_topic[topic])
    claims.commit()
    return len(marked)


def _give_up(claims: Session, event: OutboxEvent, error: str) -> None:
    log.error("outbox: event %s (%s) given up: %s", event.id, event.topic, error)
    claims.execute(update(OutboxEvent).where(OutboxEvent.id == event.id).values(last_error=error))


def _record_failure(claims: Session, event: OutboxEvent, exc: Exception) -> None:
    """The row's own error, kept on it; at MAX_ATTEMPTS it is given up (processed, error kept)."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    log.warning("outbox: event %s (%s) failed: %s", event.id, event.topic, error, exc_info=exc)
    attempts = claims.scalar(
        update(OutboxEvent)
        .where(OutboxEvent.id == event.id, OutboxEvent.processed_at.is_(None))
        .values(
            attempts=OutboxEvent.attempts + 1,
            last_error=error,
            processed_at=case(
                (OutboxEvent.attempts + 1 >= MAX_ATTEMPTS, literal(datetime.now(UTC), UTCDateTime)), else_=None
            ),
        )
        .returning(OutboxEvent.attempts),
        execution_options={"synchronize_session": False},
    )
    claims.commit()
    if attempts is not None and attempts >= MAX_ATTEMPTS:
        log.error("outbox: event %s (%s) given up after %d attempts: %s", event.id, event.topic, attempts, error)
