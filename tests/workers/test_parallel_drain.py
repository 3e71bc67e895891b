"""Several drains at once on one backlog, as several workers run them: real threads, each with
its own connections to the real database. Whatever the interleaving, the follow-up equals a
direct count of the readings, no drain deadlocks and no row is given up."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, text

from models import OutboxEvent, SiteDailyStats
from service.extensions import db
from tests.conftest import CST, reading
from tests.followup_invariants import followup_problems


def _pg_only(app) -> None:
    if app.config["DB_BACKEND"] != "postgresql":
        pytest.skip("drains overlap on PostgreSQL; SQLite admits one writer at a time")


def _in_threads(app, n: int, target) -> list[BaseException]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                target()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors + [RuntimeError("a drain did not finish")] * sum(t.is_alive() for t in threads)


def _deadlocks(app) -> int:
    """Deadlocks PostgreSQL detected in the test database so far (backends report at exit)."""
    with app.app_context():
        db.engine.dispose()  # the drains' backends exit and flush their statistics
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            return conn.scalar(text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"))


def test_two_drains_adding_to_one_site_day_lose_no_reading(app, client, make_site, monkeypatch):
    """The lost update, reproduced step by step: drain A has taken its reading and is about to
    write the site-day; meanwhile a reading comes in and drain B follows it up completely;
    then A writes. A recount written last by A would undo B's reading; increments add both."""
    _pg_only(app)
    from service.outbox import drain

    monkeypatch.setitem(app.config, "OUTBOX_DRAIN_BATCH", 1)  # each drain takes one row
    _, device = make_site()
    client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id="earlier")]})
    with app.app_context():
        drain()  # the site-day has its row
    client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id="first")]})
    a_thread_writes, b_done = threading.Event(), threading.Event()

    def pause_a(conn, cursor, statement, *args):
        if threading.current_thread().name == "drain-A" and "site_daily_stats" in statement:
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE")) and not a_thread_writes.is_set():
                a_thread_writes.set()
                assert b_done.wait(30)

    def drain_a():
        with app.app_context():
            drain()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", pause_a)
    try:
        a = threading.Thread(target=drain_a, name="drain-A")
        a.start()
        assert a_thread_writes.wait(30)
        client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id="second")]})
        with app.app_context():
            assert drain() == 1  # drain B: the second row, all the way to its commit
        b_done.set()
        a.join(30)
    finally:
        event.remove(engine, "before_cursor_execute", pause_a)
    with app.app_context():
        assert db.session.scalars(select(SiteDailyStats.checked)).all() == [3]
        assert followup_problems() == []


def _post_traffic(client, devices: dict[str, dict], rng: random.Random, posts: int, plates: list[str]) -> None:
    """Posts of a few readings each on a small set of plates and two days of every site, so that
    concurrent drains keep meeting the same plates and site-days."""
    now = datetime.now(CST)
    for i in range(posts):
        code = rng.choice(list(devices))
        items = []
        for j in range(rng.randint(1, 6)):
            gross = rng.choice([30_000, 41_000, 58_000, 63_000, 72_000, 104_000, 112_000])
            when = now - timedelta(hours=rng.uniform(0.5, 40))
            plate = rng.choice([*plates, None]) if rng.random() < 0.95 else "无法识别"
            items.append(
                reading(
                    site_code=code,
                    record_id=f"{i}-{j}",
                    captured_at=when.isoformat(timespec="seconds"),
                    plate=plate,
                    gross_weight_kg=gross,
                )
            )
        res = client.post("/api/v1/readings", headers=devices[code], json={"readings": items})
        assert res.status_code == 200, res.get_json()


def test_three_drains_on_one_backlog_agree_with_a_direct_count(app, client, make_site, monkeypatch, caplog):
    from service.outbox import drain
    from service.watch.operations import add_watch

    rng = random.Random(17)
    devices = {code: make_site(code, kind)[1] for code, kind in [("W1", "wim"), ("W2", "wim"), ("S1", "static")]}
    plates = [f"吉A{n:05d}" for n in range(10)]
    with app.app_context():
        for plate in plates[:2]:
            add_watch(plate, "嫌疑车辆", datetime.now(UTC) + timedelta(days=30), None)
        db.session.commit()
    _post_traffic(client, devices, rng, 160, plates)
    before = _deadlocks(app) if app.config["DB_BACKEND"] == "postgresql" else 0
    monkeypatch.setitem(app.config, "OUTBOX_DRAIN_BATCH", 6)  # many small batches, interleaved

    assert _in_threads(app, 3, drain) == []
    with app.app_context():
        assert db.session.scalar(select(OutboxEvent.id).where(OutboxEvent.processed_at.is_(None))) is None
        assert followup_problems() == []
    assert not [r for r in caplog.records if r.name == "service.outbox" and r.levelname != "INFO"]
    if app.config["DB_BACKEND"] == "postgresql":
        assert _deadlocks(app) == before


def test_a_row_carrying_more_readings_than_a_statement_may_bind(app, client, make_site):
    """70,000 reading ids in one row (PostgreSQL binds at most 65,535 parameters a statement,
    SQLite 32,766): every statement is chunked, the row is done at the first attempt."""
    from service.outbox import drain, enqueue_outbox

    _, device = make_site()
    res = client.post(
        "/api/v1/readings",
        headers=device,
        json={"readings": [reading(record_id=f"r{i}", gross_weight_kg=60_000 + i) for i in range(3)]},
    )
    real = [r["reading_id"] for r in res.get_json()["results"]]
    cases = [r["case_id"] for r in res.get_json()["results"]]
    with app.app_context():
        drain()
        big = enqueue_outbox(
            "readings.ingested", {"reading_ids": list(range(10_000_000, 10_070_000)), "case_ids": cases}
        ).id
        db.session.commit()
        assert drain() == 1
        row = db.session.get(OutboxEvent, big)
        assert row.processed_at is not None and row.attempts == 1 and row.last_error is None
        # The readings' day (today's Beijing date may have a row of the cases opened alone).
        checked = select(SiteDailyStats.checked).where(SiteDailyStats.checked > 0)
        assert db.session.scalars(checked).all() == [len(real)]


def test_the_job_time_limit_is_not_swallowed_and_costs_the_row_nothing(app, monkeypatch):
    """RQ stops a job past its timeout by raising inside it: the drain lets that through, and
    the row stays pending without an attempt or an error against it."""
    from rq.timeouts import JobTimeoutException

    from service import outbox

    def too_slow(payloads):
        raise JobTimeoutException("Task exceeded maximum timeout value (600 seconds)")

    monkeypatch.setitem(outbox.HANDLERS, "test.slow", too_slow)
    with app.app_context():
        row = outbox.enqueue_outbox("test.slow", {}).id
        db.session.commit()
        with pytest.raises(JobTimeoutException):
            outbox.drain()
        db.session.expire_all()
        event_ = db.session.get(OutboxEvent, row)
        assert (event_.processed_at, event_.attempts, event_.last_error) == (None, 0, None)


def test_an_error_is_cleared_once_its_row_succeeds(app, monkeypatch):
    from service import outbox

    calls = []

    def fails_once(payloads):
        calls.append(len(payloads))
        if len(calls) <= 2:  # the batch, then the row on its own
            raise ValueError("the registry was being edited")

    monkeypatch.setitem(outbox.HANDLERS, "test.flaky", fails_once)
    with app.app_context():
        row = outbox.enqueue_outbox("test.flaky", {}).id
        db.session.commit()
        outbox.drain()
        db.session.expire_all()
        assert "ValueError" in db.session.get(OutboxEvent, row).last_error
        outbox.drain()
        db.session.expire_all()
        event_ = db.session.get(OutboxEvent, row)
        assert event_.processed_at is not None and event_.attempts == 2 and event_.last_error is None
