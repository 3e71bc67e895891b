"""Test harness: every API test runs on SQLite and on PostgreSQL, with a real Redis.

The schema is built by the migrations (`flask db upgrade`), once per database;
each test starts from empty tables and an empty Redis.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

# The service's day is Beijing's (service/clock.py), and a test that takes "today" from
# date.today() means that day too. So this process keeps Beijing time as its local time, whatever
# the machine's zone: a test gives the same answer at 16:30 UTC (00:30 the next day in Beijing)
# as at noon. The environment is put back, so the servers the tests start (PostgreSQL, gunicorn)
# keep the machine's zone; the service itself never reads the local zone.
_machine_tz = os.environ.get("TZ")
os.environ["TZ"] = "CST-8"  # POSIX: UTC+8, no time-zone database needed
time.tzset()
if _machine_tz is None:
    del os.environ["TZ"]
else:
    os.environ["TZ"] = _machine_tz

_TMP = Path(tempfile.mkdtemp(prefix="zhichao-tests-"))
# Removed when the run ends (after the PostgreSQL and Redis servers, whose exit handlers were
# registered later and so run first): a run leaves no databases or images behind.
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
os.environ.setdefault("INSTANCE_DIR", str(_TMP / "instance"))

from sqlalchemy import text  # noqa: E402

from tests.harness import RedisServer, create_database, postgres_base_url  # noqa: E402

BACKENDS = os.environ.get("TEST_BACKENDS", "sqlite,postgresql").split(",")


def _tables() -> list[str]:
    """Every table of the models, children before parents (what a test empties)."""
    from models import Base

    return [t.name for t in reversed(Base.metadata.sorted_tables)]


def _worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer(_TMP / f"redis-{_worker_id()}")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_base_url():
    return postgres_base_url(_TMP / "pg")


def _database_url(backend: str, request) -> str:
    if backend == "sqlite":
        return f"sqlite:///{_TMP / f'test-{_worker_id()}.db'}"
    base = request.getfixturevalue("pg_base_url")
    return create_database(base, f"zhichao_test_{_worker_id()}")


@pytest.fixture(scope="session", params=BACKENDS)
def _app(request, redis_server):
    from flask_migrate import upgrade

    from service import create_app

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": _database_url(request.param, request),
            "REDIS_URL": redis_server.url,
            "EVIDENCE_DIR": _TMP / f"evidence-{_worker_id()}-{request.param}",
            "SECRET_KEY": "test-secret-not-for-production",
        }
    )
    app.config["DB_BACKEND"] = request.param
    with app.app_context():
        upgrade()
    return app


@pytest.fixture
def app(_app, redis_server):
    """The app with empty tables and an empty Redis."""
    from service.extensions import db

    empty(_app, redis_server)
    yield _app
    with _app.app_context():
        db.session.remove()


def empty(_app, redis_server) -> None:
    """Empty every table and Redis (what each test starts from)."""
    from service.extensions import db

    if redis_server.proc is None:
        redis_server.start()
    with _app.app_context():
        db.session.remove()
        if _app.config["DB_BACKEND"] == "postgresql":
            db.session.execute(text(f"TRUNCATE {', '.join(_tables())} RESTART IDENTITY CASCADE"))
        else:
            for table in _tables():
                db.session.execute(text(f"DELETE FROM {table}"))
        db.session.commit()
    import redis as redis_lib

    redis_lib.Redis.from_url(redis_server.url).flushall()
    _app.extensions.pop("zhichao_redis", None)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_site(app):
    """make_site(code, kind="wim", **options) → (site id, device token header)."""
    from service.admin.operations import create_site
    from service.extensions import db

    def make(code: str = "JL-WIM-01", kind: str = "wim", **options):
        options.setdefault("calibrated_until", date(2099, 12, 31))
        options.setdefault("accuracy_class", "5" if kind == "wim" else None)
        with app.app_context():
            site, token = create_site(code, f"测试点位 {code}", kind, **options)
            db.session.commit()
            return site.id, {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def login(app, client):
    """login(role) → a bearer header for a new user of that role."""
    from service.admin.operations import create_user
    from service.extensions import db

    def make(role: str, username: str | None = None, password: str = "correct-horse-9"):
        username = username or f"{role}-user"
        with app.app_context():
            create_user(username, role, password)
            db.session.commit()
        res = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert res.status_code == 200, res.get_json()
        return {"Authorization": f"Bearer {res.get_json()['access_token']}"}

    return make


@pytest.fixture
def run_worker(app):
    """Run the real RQ worker in burst mode until its queues are empty: all of them in
    priority order, or `run_worker(["imports"])` for a worker serving only those."""
    from workers.queues import QUEUES
    from workers.worker import make_worker

    def run(queues=QUEUES) -> None:
        from service.queueing import drain_requests

        drain_requests(app).flush()  # a drain the web process has not asked Redis for yet
        make_worker(app, queues, name=f"test-{os.getpid()}-{datetime.now(UTC).timestamp()}").work(burst=True)

    return run


CST = timezone(timedelta(hours=8))


def ago(**delta) -> str:
    """An ISO 8601 time in +08:00, `delta` before now."""
    return (datetime.now(CST) - timedelta(**delta)).isoformat(timespec="seconds")


def reading(**overrides) -> dict:
    """A valid legal 6-axle reading from an hour ago; override what the test is about.
    An override of `...` removes the field."""
    body = {
        "site_code": "JL-WIM-01",
        "record_id": "R-0001",
        "captured_at": ago(hours=1),
        "plate": "吉A12345",
        "plate_color": "yellow",
        "axle_count": 6,
        "vehicle_type": "combination",
        "gross_weight_kg": 42000,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def mark_decided(app, ids: list[int], *, kind: str = "fine", amount_yuan: int | None = 3000, days_ago: int = 1) -> None:
    """Set-up for tests about what decisions count (repeat offenders, dossiers): each case gets
    its owner's matter with a penalty decision taken `days_ago`, as the procedure would leave it."""
    from models import Case, PartyMatter
    from service.extensions import db

    decided_at = datetime.now(UTC) - timedelta(days=days_ago)
    with app.app_context():
        for case in db.session.query(Case).filter(Case.id.in_(ids)):
            matter = case.lead_matter or PartyMatter(party="vehicle", authority="agency", opened_at=decided_at)
            matter.status, matter.decision_kind, matter.decided_at = "decided", kind, decided_at
            matter.decision_amount_yuan = amount_yuan
            if matter.case_id is None:
                case.matters.append(matter)
            case.status = "decided"
        db.session.commit()
