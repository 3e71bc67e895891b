"""The audit chain: sealed at commit, so no transaction holds the chain's head while it works.

Before, `audit.record` locked the single head row until the caller committed: a worker's
drain batch held it for the whole batch and an officer's step waited behind it (on
PostgreSQL, 30 s and a 500). Now each transaction's events are chained in its last moment.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, AuditHead, utcnow
from service import audit
from service.extensions import db


def test_events_are_chained_when_their_transaction_commits(app):
    with app.app_context():
        first = audit.record("test.first", "test", 1, actor="t")
        assert first.hash is None  # not chained while the transaction is open
        db.session.commit()
        assert first.seq == 1 and first.prev_hash == audit.GENESIS and first.hash
        audit.record("test.gone", "test", 2, actor="t")
        db.session.rollback()  # a step refused: its event goes with it
        audit.record("test.second", "test", 3, actor="t")
        db.session.commit()
        intact, bad, checked = audit.verify()
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert intact and bad is None and checked == 2
    assert [e.action for e in events] == ["test.first", "test.second"]


def test_a_savepoint_that_rolls_back_takes_its_events_with_it(app):
    with app.app_context():
        audit.record("test.kept", "test", 1, actor="t")
        try:
            with db.session.begin_nested():
                audit.record("test.undone", "test", 2, actor="t")
                raise RuntimeError("a follow-up row failed")
        except RuntimeError:
            pass
        db.session.commit()
        assert [e.action for e in db.session.scalars(select(AuditEvent))] == ["test.kept"]
        assert audit.verify()[0]


def test_an_open_transaction_does_not_hold_the_chain_head(app):
    """A worker's batch with audit events in progress; another writer takes the head at once."""
    if app.config["DB_BACKEND"] != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    with app.app_context():
        audit.record("test.before", "test", 1, actor="t")
        db.session.commit()  # the head row exists
        audit.record("test.batch", "test", 2, actor="worker")
        db.session.flush()  # the batch's event is written, the transaction still open
        with db.session.begin_nested():  # as the outbox drain runs each topic: a savepoint, released
            audit.record("test.topic", "test", 3, actor="worker")
        with db.engine.connect() as other:
            head = other.execute(select(AuditHead.id).with_for_update(nowait=True)).scalar()  # raises if held
            assert head == 1
            other.rollback()
        db.session.commit()
        assert audit.verify()[0]


def test_events_committed_out_of_id_order_still_verify(app):
    """Two writers: the one that wrote its event first commits last; the chain follows commits."""
    if app.config["DB_BACKEND"] != "postgresql":
        pytest.skip("two concurrent writers need PostgreSQL")
    with app.app_context():
        early = Session(db.engine)
        late = Session(db.engine)
        try:
            event_a = AuditEvent(at=utcnow(), actor="a", action="test.a", object_type="t", object_id="a")
            early.add(event_a)
            early.info[audit._PENDING] = [event_a]
            early.flush()  # smaller id
            event_b = AuditEvent(at=utcnow(), actor="b", action="test.b", object_type="t", object_id="b")
            late.add(event_b)
            late.info[audit._PENDING] = [event_b]
            late.commit()  # chained first
            early.commit()
            assert event_a.id < event_b.id and event_a.seq > event_b.seq
        finally:
            early.close()
            late.close()
        intact, bad, checked = audit.verify()
    assert intact and bad is None and checked == 2
