"""The statistics migration (5b8e1f3c9a72) counts, from the data already stored, exactly the
figures the service keeps by itself: a database with readings, officers' steps and a police
outcome, taken back to before the migration and upgraded again, has the same daily figures."""

from __future__ import annotations

import os

import pytest

from tests.api.stats.test_figures_correct import (
    D1,
    DAY1,
    READINGS,
    SITES,
    Truth,
    _rollups,
    officers_work,
    police_work,
    post_all,
)
from tests.conftest import BACKENDS
from tests.harness import create_database

BEFORE = "3f9b2c7d1e54"


@pytest.fixture(params=BACKENDS)
def own_app(request, tmp_path, redis_server):
    from flask_migrate import upgrade

    from service import create_app
    from service.extensions import db

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'stats.db'}"
    else:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        url = create_database(request.getfixturevalue("pg_base_url"), f"zhichao_stats_mig_{worker}")
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_server.url,
        "EVIDENCE_DIR": tmp_path / "evidence", "SECRET_KEY": "test-secret-not-for-production",
        "DRAIN_REQUEST_INTERVAL_S": 60.0,
    })  # fmt: skip
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_upgrading_counts_what_the_service_keeps(own_app):
    import time_machine
    from flask_migrate import downgrade, upgrade

    from service.admin.operations import create_site, create_user
    from service.extensions import db
    from service.outbox import drain
    from tests.api.review.test_procedure import Officer

    app, client = own_app, own_app.test_client()
    with time_machine.travel(DAY1, tick=True):
        devices = {}
        with app.app_context():
            for code, (kind, region) in SITES.items():
                _, token = create_site(code, f"点位 {code}", kind, region_code=region, accuracy_class="5")
                devices[code] = {"Authorization": f"Bearer {token}"}
            for name, role in (("m-officer", "officer"), ("m-boss", "supervisor"), ("m-police", "police")):
                create_user(name, role, "correct-horse-9")
            db.session.commit()

        def login(name):
            res = client.post("/api/v1/auth/token", json={"username": name, "password": "correct-horse-9"})
            return {"Authorization": f"Bearer {res.get_json()['access_token']}"}

        people = {"officer": Officer(client, login("m-officer")), "boss": Officer(client, login("m-boss")),
                  "police": login("m-police")}  # fmt: skip
        truth = Truth()
        cases = post_all(client, devices, truth, READINGS, D1)
        with app.app_context():
            drain()
        officers_work(client, people, truth, cases, D1)
        police_work(client, people, truth, cases, D1)
    kept = _rollups(app)
    assert kept["site_daily_stats"] and kept["site_daily_case_stats"]
    with app.app_context():
        downgrade(revision=BEFORE)
        upgrade()
    assert _rollups(app) == kept
