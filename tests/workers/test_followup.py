"""Follow-up work run by a real RQ worker in burst mode."""

from __future__ import annotations

import time

from sqlalchemy import select

from models import Case, OutboxEvent, SiteDailyStats
from service.extensions import db
from tests.conftest import ago, reading


def test_many_posts_make_few_jobs_not_one_per_reading(app, client, make_site, redis_server):
    import redis
    from rq import Queue

    _, device = make_site()
    for i in range(30):
        client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id=f"r{i}")]})
    queue = Queue("followup", connection=redis.Redis.from_url(redis_server.url))
    # The web process asks for the drain job on its own, off the request, within moments.
    deadline = time.monotonic() + 5
    while not len(queue) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(3 * app.config["DRAIN_REQUEST_INTERVAL_S"])  # room for a wrongly repeated request
    assert len(queue) == 1  # one drain job covers all 30 posts


def test_worker_counts_the_day_and_links_earlier_cases_of_the_plate(app, client, make_site, run_worker, login):
    _, device = make_site()
    client.post(
        "/api/v1/readings",
        headers=device,
        json={
            "readings": [
                reading(record_id="1", captured_at=ago(hours=5), gross_weight_kg=60000),
                reading(record_id="2", captured_at=ago(hours=4), gross_weight_kg=61000),
                reading(record_id="3", captured_at=ago(hours=3), gross_weight_kg=30000, plate=None),
            ]
        },
    )
    client.post(
        "/api/v1/readings",
        headers=device,
        json={
            "readings": [
                reading(record_id="4", captured_at=ago(hours=2), gross_weight_kg=100500),
            ]
        },
    )
    run_worker()
    with app.app_context():
        assert db.session.scalar(select(OutboxEvent).where(OutboxEvent.processed_at.is_(None))) is None
        counts = db.session.scalars(select(Case.prior_case_count).order_by(Case.captured_at)).all()
        assert counts == [0, 1, 2]
        totals = [
            (s.checked, s.overlimit, s.baidunwang, s.unreadable_plates)
            for s in db.session.scalars(select(SiteDailyStats))
        ]
    assert sum(t[0] for t in totals) == 4
    assert sum(t[1] for t in totals) == 3 and sum(t[2] for t in totals) == 1 and sum(t[3] for t in totals) == 1
    queue = client.get("/api/v1/cases", headers=login("officer")).get_json()
    assert queue[0]["baidunwang"] is True and queue[0]["prior_case_count"] == 2


def test_a_failing_outbox_row_is_recorded_not_retried_forever(app, client, make_site):
    from service.outbox import MAX_ATTEMPTS, drain, enqueue_outbox

    _, device = make_site()
    with app.app_context():
        broken = enqueue_outbox("readings.ingested", {"reading_ids": [[1, 2]], "case_ids": []}).id
        db.session.commit()
    client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id="fine")]})
    with app.app_context():
        for _ in range(MAX_ATTEMPTS):
            drain()
        rows = {e.id: e for e in db.session.scalars(select(OutboxEvent))}
        stats = db.session.scalars(select(SiteDailyStats.checked)).all()
    assert rows[broken].processed_at is not None and rows[broken].attempts == MAX_ATTEMPTS
    assert "TypeError" in rows[broken].last_error
    # The post that came in with it in the same batch was followed up once, without an error.
    [fine] = [e for e in rows.values() if e.id != broken]
    assert fine.processed_at is not None and fine.attempts == 1 and fine.last_error is None
    assert stats == [1]


def test_a_late_reading_corrects_the_counts_of_later_cases(app, client, make_site, run_worker):
    _, device = make_site()
    client.post(
        "/api/v1/readings",
        headers=device,
        json={"readings": [reading(record_id="new", captured_at=ago(hours=1), gross_weight_kg=60000)]},
    )
    run_worker()
    # A backfilled, earlier weighing of the same plate arrives afterwards.
    client.post(
        "/api/v1/readings",
        headers=device,
        json={"readings": [reading(record_id="old", captured_at=ago(days=3), gross_weight_kg=60000)]},
    )
    run_worker()
    with app.app_context():
        rows = db.session.execute(select(Case.captured_at, Case.prior_case_count).order_by(Case.captured_at)).all()
    assert [count for _, count in rows] == [0, 1]


def test_absent_json_fields_are_sql_null_so_filters_work(app, client, make_site):
    from models import Reading

    _, device = make_site()
    client.post(
        "/api/v1/readings",
        headers=device,
        json={"readings": [reading(record_id="plain"), reading(record_id="tall", height_mm=4500)]},
    )
    with app.app_context():
        flagged = db.session.scalars(select(Reading.record_id).where(Reading.dimension_overlimit.is_not(None))).all()
        usable = db.session.scalars(select(Case.id).where(Case.penalty_bars.is_(None))).all()
    assert flagged == ["tall"] and len(usable) == 1
