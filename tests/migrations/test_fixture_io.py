"""The demo data as the code of 9b07ac6 stored it, kept for the migration tests that come after it.

`fixtures/demo_at_8b663364eb5e.json.gz` was made with that code (the 8b663364eb5e head):

    cd <a checkout of 9b07ac6>
    INSTANCE_DIR=$T DATABASE_URL=sqlite:///$T/demo.db flask --app wsgi db upgrade
    INSTANCE_DIR=$T DATABASE_URL=sqlite:///$T/demo.db python -c \\
        'from service import create_app; from service.demo import load_demo
         app = create_app()
         with app.app_context(): load_demo(days=14)'
    flask --app wsgi audit verify          # 审计链完整：已校验 55 条事件
    then fixture_io.dump() of that database, fixture_io.save()

14 days of readings (41,082), 1,376 cases, and the regular overloader 吉H81866's four cases taken
through notice, waiver, decision and approval by officer1 and supervisor, with their statements
and the 55 audit events in the chain.

These tests load it into a fresh database at that revision, on each database. They use no model
and no service code that a later schema may change: tables are reflected, and the audit chain is
checked with the hash formula of 9b07ac6 (`service/audit.py` there), copied below.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import MetaData, func, select

from tests.conftest import BACKENDS
from tests.harness import create_database
from tests.migrations import fixture_io

OLD_HEAD = "8b663364eb5e"  # the migration head of 9b07ac6
FIXTURE = Path(__file__).parent / "fixtures" / f"demo_at_{OLD_HEAD}.json.gz"
GENESIS = "0" * 64


@pytest.fixture(scope="module")
def demo() -> dict:
    return fixture_io.read(FIXTURE)


@pytest.fixture(params=BACKENDS)
def old_head_db(request, tmp_path):
    """A fresh database of each kind, migrated to OLD_HEAD only; yields its engine."""
    from flask_migrate import upgrade

    from service import create_app
    from service.extensions import db

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old-head.db'}"
    else:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        url = create_database(request.getfixturevalue("pg_base_url"), f"zhichao_fixture_{worker}")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "EVIDENCE_DIR": tmp_path / "evidence",
            "SECRET_KEY": "test-secret-not-for-production",
        }
    )
    with app.app_context():
        upgrade(revision=OLD_HEAD)
        yield db.engine
        db.session.remove()
        db.engine.dispose()


def _load(engine, demo: dict) -> dict[str, int]:
    with engine.begin() as conn:
        return fixture_io.load(conn, demo)


def _tables(conn) -> dict:
    metadata = MetaData()
    metadata.reflect(bind=conn)
    return metadata.tables


def _as_utc(kind: str, value):
    """The same instant whether a database wrote it naive (SQLite: UTC) or aware."""
    if kind == "datetime" and value is not None:
        return datetime.fromisoformat(value).replace(tzinfo=None).isoformat() if "+00:00" in value else value
    return value


def _normalised(data: dict) -> dict:
    return {
        name: [[_as_utc(k, v) for k, v in zip(spec["types"], row, strict=True)] for row in spec["rows"]]
        for name, spec in data["tables"].items()
    }


def test_fixture_is_the_demo_at_the_old_head(demo):
    assert demo["revision"] == OLD_HEAD and FIXTURE.stat().st_size < 5 * 2**20
    rows = {name: len(spec["rows"]) for name, spec in demo["tables"].items()}
    assert rows["readings"] == 41_082 and rows["cases"] == 1_376 and rows["audit_events"] == 55
    assert "alembic_version" not in rows


def test_load_restores_every_row_exactly(old_head_db, demo):
    loaded = _load(old_head_db, demo)
    assert loaded == {name: len(spec["rows"]) for name, spec in demo["tables"].items()}

    with old_head_db.connect() as conn:
        counts = {name: conn.scalar(select(func.count()).select_from(t)) for name, t in _tables(conn).items()}
        again = fixture_io.dump(conn)
    assert {name: counts[name] for name in loaded} == loaded
    assert again["revision"] == OLD_HEAD
    # Booleans, floats, dates, JSON documents and every timestamp read back as they were dumped.
    assert _normalised(again) == _normalised(demo)


def test_new_rows_get_ids_after_the_loaded_ones(old_head_db, demo):
    """On PostgreSQL the id sequences are moved past the loaded rows."""
    _load(old_head_db, demo)
    with old_head_db.begin() as conn:
        tables = _tables(conn)
        for name in ("outbox", "audit_events", "cases"):
            top = conn.scalar(select(func.max(tables[name].c.id)))
            assert top == max(row[0] for row in demo["tables"][name]["rows"])
        outbox = tables["outbox"]
        new_id = conn.execute(
            outbox.insert()
            .values(topic="fixture.test", payload={}, created_at=datetime.now(UTC), attempts=0)
            .returning(outbox.c.id)
        ).scalar_one()
    assert new_id == max(row[0] for row in demo["tables"]["outbox"]["rows"]) + 1


def test_decided_cases_statements_and_audit_chain_survive(old_head_db, demo):
    _load(old_head_db, demo)
    with old_head_db.connect() as conn:
        tables = _tables(conn)
        cases, statements = tables["cases"], tables["case_statements"]
        decided = conn.execute(
            select(cases.c.id, cases.c.plate, cases.c.decision_number, cases.c.decision_amount_yuan, cases.c.version)
            .where(cases.c.status == "decided")
            .order_by(cases.c.id)
        ).all()
        kinds = conn.execute(select(statements.c.case_id, statements.c.kind).order_by(statements.c.id)).all()
        repeat = conn.scalar(select(cases.c.repeat_at_decision).where(cases.c.id == 526))
        merged = conn.execute(select(cases.c.id, cases.c.merged_into_id).where(cases.c.merged_into_id.is_not(None)))
        merged = merged.all()
        events = conn.execute(select(tables["audit_events"]).order_by(tables["audit_events"].c.id)).mappings().all()
        head = conn.execute(select(tables["audit_head"])).mappings().one()

    assert [tuple(r) for r in decided] == [
        (407, "吉H81866", "JD2026-00000407", 7000, 7),
        (433, "吉H81866", "JD2026-00000433", 30000, 7),
        (448, "吉H81866", "JD2026-00000448", 1000, 7),
        (526, "吉H81866", "JD2026-00000526", 1500, 7),
    ]
    assert [tuple(k) for k in kinds] == [(407, "waiver"), (433, "waiver"), (448, "waiver"), (526, "waiver")]
    assert repeat["vehicle"]["statutory_count"] == 3 and repeat["vehicle"]["plate"] == "吉H81866"
    assert [tuple(m) for m in merged] == [(286, 231)]  # the self reference, set after every case was in

    steps = [e["action"] for e in events if e["object_type"] == "case" and e["object_id"] == "526"]
    assert steps == [
        "case.driver",
        "case.confirm",
        "case.issue_notice",
        "case.waiver",
        "case.propose_decision",
        "case.approve_decision",
    ]
    prev = GENESIS
    for event in events:
        assert event["prev_hash"] == prev, f"audit event {event['id']} does not follow {prev}"
        assert _event_hash_9b07ac6(event) == event["hash"], f"audit event {event['id']} does not verify"
        prev = event["hash"]
    assert len(events) == 55 and (head["last_event_id"], head["last_hash"]) == (55, prev)


def _event_hash_9b07ac6(event) -> str:
    """service/audit.py `event_hash` at 9b07ac6, on a reflected row (SQLite's naive times are UTC)."""
    at = event["at"] if event["at"].tzinfo else event["at"].replace(tzinfo=UTC)
    body = {
        "id": event["id"],
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_user_id": event["actor_user_id"],
        "actor": event["actor"],
        "action": event["action"],
        "object_type": event["object_type"],
        "object_id": event["object_id"],
        "from_state": event["from_state"],
        "to_state": event["to_state"],
        "reason": event["reason"],
        "data": event["data"],
        "prev_hash": event["prev_hash"],
    }
    encoded = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()
