"""The move from recounts to increments (a7c3e91f2d40) counts each reading once: follow-up rows
pending at the upgrade whose readings an old drain's recount already included are not added
again, and rows written after it are."""

from __future__ import annotations

import os
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import BACKENDS, reading
from tests.harness import create_database
from tests.migrations import fixture_io

BEFORE = "7a3c9e2d1f60"
# Dumped (fixture_io.dump) from what the code of a3e70fa stored at BEFORE: a site and its device
# token, three readings posted through the API with their outbox rows pending, and the old drain's
# recount of their day (checked = 3). Made by running this test's former set-up with that code.
FIXTURE = Path(__file__).parent / "fixtures" / f"increments_at_{BEFORE}.json.gz"


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

    from models import Reading, Site, SiteDailyStats
    from service.admin.operations import issue_device_token
    from service.extensions import db
    from service.outbox import drain
    from tests.followup_invariants import followup_problems

    app = app_at_before
    with app.app_context():
        # What the previous version left (fixture_io.load works on the reflected old tables):
        # three readings with their follow-up rows pending, and a recount of their day by the old
        # drain that already includes them.
        with db.engine.begin() as conn:
            fixture_io.load(conn, fixture_io.read(FIXTURE))
        upgrade()
        site = db.session.scalars(select(Site)).one()
        _, token = issue_device_token(site)
        captured_at = max(db.session.scalars(select(Reading.captured_at)))
        db.session.commit()
    new = reading(record_id="new", captured_at=(captured_at.replace(tzinfo=UTC) + timedelta(seconds=1)).isoformat())
    res = app.test_client().post(
        "/api/v1/readings", headers={"Authorization": f"Bearer {token}"}, json={"readings": [new]}
    )
    assert res.status_code == 200, res.json
    with app.app_context():
        assert drain() == 4
        assert db.session.scalars(select(SiteDailyStats.checked)).all() == [4]
        assert followup_problems() == []
