"""A Redis outage never loses an accepted reading or its follow-up work."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Case, Reading, SiteDailyStats
from service.extensions import db
from service.queueing import request_drain
from tests.conftest import reading


def test_ingest_answers_200_while_redis_is_down_and_the_outbox_drains_after(
    app, client, make_site, redis_server, run_worker
):
    _, device = make_site()
    redis_server.stop()
    try:
        res = client.post(
            "/api/v1/readings",
            headers=device,
            json={
                "readings": [
                    reading(record_id="a", gross_weight_kg=60000),
                    reading(record_id="b", gross_weight_kg=30000),
                ]
            },
        )
        assert res.status_code == 200
        assert res.get_json()["accepted"] == 2
        health = client.get("/healthz").get_json()
        assert health["redis"] == "down" and health["database"] == "ok"
        assert health["outbox_pending"] == 1
    finally:
        redis_server.start()

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reading)) == 2
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1
        # What the worker's relay does every few seconds once Redis answers again.
        assert request_drain(app) is True
    run_worker()

    health = client.get("/healthz").get_json()
    assert health == {"database": "ok", "redis": "ok", "outbox_pending": 0}
    with app.app_context():
        # The readings' day (a row of today's Beijing date may hold only the case opened, when
        # the readings were taken before midnight and the case after).
        stats = db.session.scalars(select(SiteDailyStats).where(SiteDailyStats.checked > 0)).all()
        assert [(s.checked, s.overlimit) for s in stats] == [(2, 1)]


def test_later_posts_drain_work_left_from_an_outage(app, client, make_site, redis_server, run_worker):
    _, device = make_site()
    redis_server.stop()
    try:
        client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id="a")]})
    finally:
        redis_server.start()
    client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id="b")]})
    run_worker()
    assert client.get("/healthz").get_json()["outbox_pending"] == 0
    with app.app_context():
        assert db.session.scalar(select(func.sum(SiteDailyStats.checked))) == 2


def test_healthz_needs_no_token_and_reports_redis(client):
    res = client.get("/healthz")
    assert res.status_code == 200
    assert res.get_json() == {"database": "ok", "redis": "ok", "outbox_pending": 0}
