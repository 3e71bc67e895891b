"""Append-only audit trail in a SHA-256 hash chain; `flask audit verify` checks it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import select

from models import AuditEvent, AuditHead
from service.extensions import db

GENESIS = "0" * 64


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
    """Append one event. The head row is locked, so appends from several hosts
    form one chain (the lock is held until the caller commits)."""
    head = db.session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        head = AuditHead(id=1, last_hash=GENESIS, last_event_id=None)
        db.session.add(head)
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
        prev_hash=head.last_hash,
        hash="pending",
    )
    db.session.add(event)
    db.session.flush()  # the id is part of the hash
    event.hash = event_hash(event)
    head.last_hash, head.last_event_id = event.hash, event.id
    db.session.flush()
    return event


def verify() -> tuple[bool, AuditEvent | None, int]:
    """(intact, first event that does not verify, events checked)."""
    prev = GENESIS
    checked = 0
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    for event in db.session.scalars(stmt):
        if event.prev_hash != prev or event_hash(event) != event.hash:
            return False, event, checked
        prev = event.hash
        checked += 1
    head = db.session.get(AuditHead, 1)
    if head is not None and head.last_hash != prev:
        return False, None, checked  # events removed from the end
    return True, None, checked


def events_for(object_type: str, object_id) -> list[AuditEvent]:
    """An object's audit timeline, oldest first (the case page shows it)."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(stmt))
