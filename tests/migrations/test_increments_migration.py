"""The move from recounts to increments (a7c3e91f2d40) counts each reading once: follow-up rows
pending at the upgrade whose readings an old drain's recount already included are not added
again, and rows written after it are."""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import delete, select

from tests.conftest import BACKENDS, reading
from tests.harness import create_database

BEFORE = "7a3c9e2d1f60"


@pytest.fixture(params=BACKENDS)
def app_at_before(request, tmp_path, redis_server):
    from flask_migrate import upgrade

    from service import create_app
    from service.extensions import db

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'before.db'}"
    else:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        url = create_database(request.getfixturevalue("pg_base_url"), f"zhichao_increments_{worker}")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "REDIS_URL": redis_server.url,
            "EVIDENCE_DIR": tmp_path / "evidence",
            "SECRET_KEY": "test-secret-not-for-production",
            "DRAIN_REQUEST_INTERVAL_S": 60.0,  # nobody drains but the test
        }
    )
    with app.app_context():
        upgrade(revision=BEFORE)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_rows_pending_at_the_upgrade_are_not_counted_twice(app_at_before):
    from flask_migrate import upgrade

    from models import SiteDailyStats
    from service.admin.operations import create_site
    from service.extensions import db
    from service.outbox import drain
    from tests.followup_invariants import followup_problems

    app = app_at_before
    with app.app_context():
        site, token = create_site(
            "JL-WIM-01", "测试点位", "wim", calibrated_until=date(2099, 12, 31), accuracy_class="5"
        )
        site_id = site.id
        db.session.commit()
    device = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    for i in range(3):
        res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id=f"old{i}")]})
        assert res.status_code == 200
    with app.app_context():
        # What the previous version's drain left: a recount of the day that already includes
        # the readings of the three rows still pending.
        db.session.execute(delete(SiteDailyStats))
        db.session.add(
            SiteDailyStats(site_id=site_id, day=_day(), checked=3, overlimit=0, baidunwang=0, unreadable_plates=0)
        )
        db.session.commit()
        upgrade()
    client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id="new")]})
    with app.app_context():
        assert drain() == 4
        assert db.session.scalars(select(SiteDailyStats.checked)).all() == [4]
        assert followup_problems() == []


def _day():
    from datetime import datetime

    from service.clock import CST

    return datetime.fromisoformat(reading()["captured_at"]).astimezone(CST).date()
