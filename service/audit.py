"""Append-only audit trail in a SHA-256 hash chain; `flask audit verify` checks it.

`record` adds an event to the caller's transaction unchained; just before that transaction
commits, its events are chained in one short step: the chain head row is locked, each event
gets its position (`seq`), the previous hash and its own hash, and the commit releases the
lock. A worker's batch or an officer's step holds the head only for that last moment, never
for the whole transaction (the head is the one row every writer shares). An event recorded
in a savepoint that rolls back goes with it; one in a transaction that rolls back was never
chained.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEvent, AuditHead

GENESIS = "0" * 64
_PENDING = "audit_pending"


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "id": event.id,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_user_id": event.actor_user_id,
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def record(
    action: str,
    object_type: str,
    object_id,
    *,
    actor: str,
    actor_user_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Add one event to the current transaction; it is chained when the transaction commits."""
    from service.extensions import db

    session = db.session()
    event = AuditEvent(
        at=datetime.now(UTC),
        actor=actor,
        actor_user_id=actor_user_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data,
    )
    session.add(event)
    session.info.setdefault(_PENDING, []).append(event)
    return event


def _chain(session: Session) -> None:
    """before_commit: chain this transaction's events under the head row's lock.

    SQLAlchemy calls before_commit when a savepoint is released too (the outbox drain runs each
    topic in one): that is not the end of the transaction, so the head is not taken then."""
    if session.in_nested_transaction():
        return
    pending = [e for e in session.info.pop(_PENDING, ()) if e in session]
    if not pending:
        return
    session.flush()  # ids are part of the hash
    head = session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        head = AuditHead(id=1, last_hash=GENESIS, last_event_id=None, last_seq=0)
        session.add(head)
    for event in sorted(pending, key=lambda e: e.id):
        event.seq = head.last_seq + 1
        event.prev_hash = head.last_hash
        event.hash = event_hash(event)
        head.last_hash, head.last_event_id, head.last_seq = event.hash, event.id, event.seq


def _forget(session: Session, transaction) -> None:
    """The outermost transaction ended without a commit: its events are gone with it. (A
    savepoint's own events are simply no longer in the session; the others stay pending.)"""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def init_app() -> None:
    """Bind the chaining to every session's commit (once per process)."""
    if not sa_event.contains(Session, "before_commit", _chain):
        sa_event.listen(Session, "before_commit", _chain)
        sa_event.listen(Session, "after_transaction_end", _forget)


def verify() -> tuple[bool, AuditEvent | None, int]:
    """(intact, first event that does not verify, events checked)."""
    from service.extensions import db

    prev = GENESIS
    checked = 0
    stmt = (
        select(AuditEvent).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    )
    for event in db.session.scalars(stmt):
        if event.prev_hash != prev or event_hash(event) != event.hash:
            return False, event, checked
        prev = event.hash
        checked += 1
    unchained = db.session.scalar(select(func.min(AuditEvent.id)).where(AuditEvent.seq.is_(None)))
    if unchained is not None:
        return False, db.session.get(AuditEvent, unchained), checked
    head = db.session.get(AuditHead, 1)
    if head is not None and head.last_hash != prev:
        return False, None, checked  # events removed from the end
    return True, None, checked


def events_for(object_type: str, object_id) -> list[AuditEvent]:
    """An object's audit timeline, oldest first (the case page shows it)."""
    from service.extensions import db

    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(stmt))
