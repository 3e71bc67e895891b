"""`make run` stays up (issue 16 item 4): the embedded supervisor (service/embedded.py) is started
for real — migrations, Redis, worker, gunicorn — and its parts are killed with SIGKILL.

* Redis killed: ingestion keeps answering 200, /healthz says "redis": "down" and the outbox grows;
  the supervisor starts Redis again with a growing back-off, and the worker drains the outbox.
* Worker killed: the web keeps answering, the supervisor starts a new worker, it drains.

On SQLite the supervisor runs its own Redis; on PostgreSQL a deployment names its Redis
(REDIS_URL), so there the test stops and restarts the shared Redis itself.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import Reading
from service.config import ROOT
from service.extensions import db
from tests.conftest import reading

DRAIN_S = 90  # the relay asks for a drain every 10 s; the worker may be in its back-off


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Embedded:
    """python -m service.embedded against the test's database, in its own instance folder."""

    def __init__(self, app, tmp: Path, redis_url: str | None):
        from cryptography.fernet import Fernet

        self.instance, self.port = tmp / "instance", _free_port()
        self.env = {
            **os.environ,
            "INSTANCE_DIR": str(self.instance),
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "PORT": str(self.port),
            "DEMO_DATA": "0",
            "SECRET_KEY": "supervisor-test-secret",
            "DATA_KEY": Fernet.generate_key().decode(),
            "EVIDENCE_DIR": str(tmp / "evidence"),
        }
        self.env.pop("REDIS_URL", None)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.log = tmp / "embedded.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service.embedded"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.wait_for(lambda: self.health().get("database") == "ok", 60, "the web answering")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def health(self) -> dict:
        try:
            with urllib.request.urlopen(self.url("/healthz"), timeout=5) as res:
                return json.loads(res.read())
        except OSError:
            return {}

    def post(self, token: str, items: list[dict]) -> int:
        req = urllib.request.Request(
            self.url("/api/v1/readings"),
            data=json.dumps({"readings": items}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status

    def site_token(self) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "sites", "create", "JL-WIM-01", "--name", "测试",
             "--kind", "wim", "--calibrated-until", "2099-12-31"],
            cwd=ROOT, env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return out.stdout.strip().splitlines()[-1]

    def pid(self, part: str) -> int:
        return int((self.instance / "run" / f"{part}.pid").read_text())

    def wait_for(self, ok, seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the supervisor stopped: {self.log.read_text()[-3000:]}")
            if ok():
                return
            time.sleep(0.2)
        raise AssertionError(f"waited {seconds} s for {what}: {self.health()} {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def embedded(app, tmp_path, redis_server):
    started = []

    def start() -> Embedded:
        redis_url = redis_server.url if app.config["DB_BACKEND"] == "postgresql" else None
        started.append(Embedded(app, tmp_path, redis_url))
        return started[-1]

    yield start
    for e in started:
        e.stop()
    if redis_server.proc is None:
        redis_server.start()


def _stored(app) -> int:
    with app.app_context():
        db.session.remove()
        return db.session.scalar(select(func.count()).select_from(Reading))


def _batch(prefix: str, n: int = 5) -> list[dict]:
    return [reading(record_id=f"{prefix}-{i}", gross_weight_kg=40000 + 5000 * i) for i in range(n)]


def test_a_lost_redis_leaves_ingestion_up_and_the_supervisor_brings_it_back(app, embedded, redis_server):
    service = embedded()
    token = service.site_token()
    assert service.post(token, _batch("before")) == 200
    service.wait_for(lambda: service.health().get("outbox_pending") == 0, DRAIN_S, "the first drain")

    outages = 3 if app.config["DB_BACKEND"] == "sqlite" else 1
    posted, pending_seen = 5, []
    for outage in range(outages):
        if app.config["DB_BACKEND"] == "sqlite":
            old = service.pid("redis")
            os.kill(old, signal.SIGKILL)
        else:
            redis_server.stop()
        service.wait_for(lambda: service.health().get("redis") == "down", 10, "/healthz to say redis down")
        for i in range(3):  # while Redis is away: every post is taken
            assert service.post(token, _batch(f"out{outage}-{i}")) == 200
            posted += 5
            pending_seen.append(service.health()["outbox_pending"])
        if app.config["DB_BACKEND"] == "postgresql":
            time.sleep(3)  # the worker meets the outage too
            redis_server.start()
        service.wait_for(lambda: service.health().get("redis") == "ok", 60, "Redis back")
        if app.config["DB_BACKEND"] == "sqlite":
            assert service.pid("redis") != old  # a new redis-server, started by the supervisor
    assert pending_seen[:3] == sorted(pending_seen[:3]) and pending_seen[2] >= 3  # the outbox grew
    service.wait_for(lambda: service.health().get("outbox_pending") == 0, DRAIN_S, "the outbox drained")
    assert _stored(app) == posted
    log = service.log.read_text()
    if app.config["DB_BACKEND"] == "sqlite":  # the back-off grew with each fault in a row
        assert "内嵌 Redis已退出（代码 -9），1 秒后重启" in log and "2 秒后重启" in log and "4 秒后重启" in log
    assert service.proc.poll() is None  # the service as a whole never went down


def test_a_killed_worker_is_started_again_and_drains_what_came_meanwhile(app, embedded):
    service = embedded()
    token = service.site_token()
    service.wait_for(lambda: (service.instance / "run" / "worker.pid").exists(), 10, "the worker")
    old = service.pid("worker")
    os.kill(old, signal.SIGKILL)
    posted = 0
    for i in range(4):
        assert service.post(token, _batch(f"w{i}")) == 200  # the web does not care
        posted += 5
    assert service.health()["database"] == "ok"
    service.wait_for(lambda: service.pid("worker") != old, 15, "a new worker")
    assert "Worker已退出" in service.log.read_text()
    service.wait_for(lambda: service.health().get("outbox_pending") == 0, DRAIN_S, "the outbox drained")
    assert _stored(app) == posted
    assert service.proc.poll() is None


def test_a_command_without_redis_url_joins_the_supervised_redis(tmp_path):
    """`flask …` in another terminal while `make run` runs: it uses the supervised Redis, not a
    second server of its own on the same data file."""
    from service import create_app
    from service.queueing import embedded_redis_url
    from tests.harness import RedisServer

    server = RedisServer(tmp_path)  # listens on <dir>/redis.sock, as the supervisor's does
    server.start()
    try:
        app = create_app({"INSTANCE_DIR": tmp_path, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
        assert embedded_redis_url(app) == f"unix://{tmp_path / 'redis.sock'}"
    finally:
        server.stop()
