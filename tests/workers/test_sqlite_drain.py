"""The drain on SQLite, where a device's post and the drain share one write lock: small batches,
and a drain kept from writing by a held lock counts its conflicts instead of logging each retry."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from sqlalchemy import event, func, select

from models import OutboxEvent
from service.extensions import db
from tests.conftest import reading
from tests.followup_invariants import followup_problems


def _pending() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.processed_at.is_(None)))


def _post_singles(client, device, n: int) -> None:
    for i in range(n):
        res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id=f"s{i}")]})
        assert res.status_code == 200, res.get_json()


def test_a_drain_batch_on_sqlite_carries_few_readings(app, client, make_site, monkeypatch):
    from service.outbox import drain

    monkeypatch.setitem(app.config, "OUTBOX_DRAIN_READINGS_SQLITE", 4)
    monkeypatch.setitem(app.config, "SQLITE_DRAIN_GAP_MS", 0)
    _, device = make_site()
    _post_singles(client, device, 12)
    with app.app_context():
        done = drain(max_batches=1)
        # SQLite: four readings in the first write transaction; PostgreSQL keeps its batches.
        assert done == (4 if app.config["DB_BACKEND"] == "sqlite" else 12)
        assert drain() == 12 - done
        assert followup_problems() == []


def test_a_held_write_lock_is_counted_once_per_drain_not_logged_per_retry(app, client, make_site, caplog, monkeypatch):
    if app.config["DB_BACKEND"] != "sqlite":
        pytest.skip("SQLite's one write lock")
    from service.outbox import MAX_CONFLICTS, drain

    # Alembic's fileConfig (the test database's migration) disables loggers that exist already.
    monkeypatch.setattr(logging.getLogger("service.outbox"), "disabled", False)

    _, device = make_site()
    _post_singles(client, device, 3)
    with app.app_context():
        path = db.engine.url.database
        db.engine.dispose()

        def impatient(dbapi_conn, _record):  # the drain gives up on the lock after 20 ms
            dbapi_conn.execute("PRAGMA busy_timeout=20")

        event.listen(db.engine, "connect", impatient)
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another writer holds the lock throughout
            caplog.clear()
            with caplog.at_level(logging.DEBUG, logger="service.outbox"):
                assert drain() == 0
            other.execute("ROLLBACK")
        finally:
            other.close()
            event.remove(db.engine, "connect", impatient)
            db.engine.dispose()
        ours = [r for r in caplog.records if r.name == "service.outbox" and r.levelno >= logging.INFO]
        assert [r.getMessage() for r in ours] == [
            f"outbox: {MAX_CONFLICTS} batches met a lock conflict and were tried again (0 rows done)"
        ]
        assert _pending() == 3  # nothing counted against the rows
        assert db.session.scalar(select(func.max(OutboxEvent.attempts))) == 0
        db.session.rollback()
        assert drain() == 3  # the lock free again: all done
        assert followup_problems() == []
