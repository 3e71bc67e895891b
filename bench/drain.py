"""Drain rate with 1, 2 and 3 workers: `python -m bench.drain [--backend sqlite|postgresql|both] [--quick]`.

Prints figures; asserts nothing. For each database:

1. prepare (not timed): migrate; 4 WIM sites and a weigh station; N readings posted over HTTP
   (gunicorn, one reading per post by default, so N outbox rows) with no worker running — the
   follow-up backlog of bench.officer_steps' load: ~5 % over the limit, 百吨王 on new plates
   (auto-watched), station re-weighs of WIM cases (linked). The backlog is then hidden (its rows
   marked done with a sentinel time) and the database saved;
2. for each number of workers k: the saved database restored, gunicorn and k real workers
   (`python -m workers`) started and idle; then the backlog revealed at once and one drain
   asked for. Timed: from then until every backlog row is done. Meanwhile a device posts single
   readings at a steady rate (`--post-rate`): their latency is the post latency while the
   workers drain. Then counted: deadlocks PostgreSQL detected, drain jobs that failed or ran
   into their timeout, rows left with an error, and whether the follow-up equals a direct count
   of the readings (daily figures, prior counts, 百吨王 watched once, alerts = the rule's set:
   tests/followup_invariants.py).

The app and the workers run from --code-dir (default: this repository), so the same benchmark
measures another checkout (e.g. the code before the parallel drain). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import redis as redis_lib

from bench.drain_parts import POST_SITE, LockMonitor, Poster, Run, Workers, report
from bench.ingest import DATA_KEY, ROOT, SECRET, Gunicorn, RssSampler, Stack, speed_probe, wait_quiet
from bench.officer_steps import STATIC_SITE, WIM_SITES, App, make_load, pg_connect, post_load

GUNICORN = Gunicorn("sync", 2)
HIDDEN = datetime(2000, 1, 1, tzinfo=UTC)  # processed_at of the backlog while it waits to be revealed


class Backend:
    """One database with its saved backlog; each run restores it."""

    def __init__(self, kind: str, stack: Stack, redis_url: str, code_dir: Path, tmp: Path):
        self.kind, self.stack, self.redis_url, self.code_dir = kind, stack, redis_url, code_dir
        self.tmp = tmp / kind
        self.tmp.mkdir(parents=True, exist_ok=True)
        if kind == "sqlite":
            self.db_path = self.tmp / "drain.db"
            self.url = f"sqlite:///{self.db_path}"
        else:
            self.url = stack.pg_url("zhichao_drain")
            stack.pg_databases.append("zhichao_drain_saved")
        self.env = dict(
            os.environ,
            DATABASE_URL=self.url,
            REDIS_URL=redis_url,
            INSTANCE_DIR=str(self.tmp / "instance"),
            EVIDENCE_DIR=str(self.tmp / "evidence"),
            SECRET_KEY=SECRET,
            DATA_KEY=DATA_KEY,
            GUNICORN_CMD_ARGS=f"--chdir {code_dir}",
        )
        self.app = App(code_dir, self.env, self.tmp)
        self.web = None
        self.backlog_rows = self.backlog_readings = self.last_backlog_id = 0
        self.mix = None
        self.devices: dict[str, str] = {}

    # ------------------------------------------------------------------ in-process access

    def _web(self):
        """An app of this repository on the same database and Redis: reveals the backlog, asks
        for the drain, watches progress, checks the result."""
        if self.web is None:
            from service import create_app

            self.web = create_app(
                {
                    "SQLALCHEMY_DATABASE_URI": self.url,
                    "REDIS_URL": self.redis_url,
                    "EVIDENCE_DIR": self.tmp / "evidence",
                    "SECRET_KEY": SECRET,
                    "INSTANCE_DIR": self.tmp / "instance",
                }
            )
        return self.web

    def _release(self) -> None:
        if self.web is not None:
            from service.extensions import db

            with self.web.app_context():
                db.session.remove()
                db.engine.dispose()

    def pending(self, up_to: int | None = None) -> int:
        from sqlalchemy import func, select

        from models import OutboxEvent
        from service.extensions import db

        with self._web().app_context():
            stmt = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.processed_at.is_(None))
            if up_to is not None:
                stmt = stmt.where(OutboxEvent.id <= up_to)
            n = db.session.scalar(stmt)
            db.session.remove()
            return n

    # ------------------------------------------------------------------ preparation

    def prepare(self, n: int, per_post: int) -> None:
        from sqlalchemy import func, select, update

        from models import OutboxEvent
        from service.admin.operations import create_site
        from service.extensions import db

        t = time.monotonic()
        self.app.flask("db", "upgrade")
        with self._web().app_context():
            for code in (*WIM_SITES, STATIC_SITE, POST_SITE):
                kind = "static" if code == STATIC_SITE else "wim"
                _, token = create_site(
                    code, f"基准测试 {code}", kind, region_code="220100",
                    calibrated_until=datetime(2099, 12, 31).date(), accuracy_class="5" if kind == "wim" else None,
                )  # fmt: skip
                self.devices[code] = token
            db.session.commit()
        self.app.port = self.stack.start_gunicorn(GUNICORN, self.env, f"{self.kind}-prepare")
        load = make_load(random.Random(20261127), n, datetime.now(UTC))
        seconds, posts, check = post_load(self.app, self.devices, load, per_post)
        self.stack.stop_gunicorn()
        self.mix = load.mix
        with self._web().app_context():
            self.backlog_rows = db.session.scalar(
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.processed_at.is_(None))
            )
            self.last_backlog_id = db.session.scalar(select(func.max(OutboxEvent.id)))
            self.backlog_readings = n
            db.session.execute(
                update(OutboxEvent).where(OutboxEvent.processed_at.is_(None)).values(processed_at=HIDDEN)
            )
            db.session.commit()
        self._release()
        self._save()
        print(f"[{self.kind}] prepared {n:,} readings in {posts:,} posts over HTTP ({seconds:.0f} s, {check}); "
              f"backlog {self.backlog_rows:,} outbox rows; set-up {time.monotonic() - t:.0f} s", flush=True)  # fmt: skip

    def _save(self) -> None:
        if self.kind == "sqlite":
            self._sqlite_copy(self.db_path, self.tmp / "saved.db")
        else:
            self._pg("VACUUM ANALYZE", database=True)
            self._pg('DROP DATABASE IF EXISTS "zhichao_drain_saved"')
            self._pg('CREATE DATABASE "zhichao_drain_saved" TEMPLATE "zhichao_drain"')

    def restore(self) -> None:
        self._release()
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
            self._sqlite_copy(self.tmp / "saved.db", self.db_path)
        else:
            self._pg('DROP DATABASE IF EXISTS "zhichao_drain" WITH (FORCE)')
            self._pg('CREATE DATABASE "zhichao_drain" TEMPLATE "zhichao_drain_saved"')

    @staticmethod
    def _sqlite_copy(src: Path, dst: Path) -> None:
        with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
            a.backup(b)
        b.close()
        a.close()

    def _pg(self, statement: str, database: bool = False) -> list:
        from sqlalchemy.engine import make_url

        url = self.url if database else self.stack.pg_base.replace("postgresql+psycopg://", "postgresql://", 1)
        if not database:
            url = make_url(url).render_as_string(hide_password=False)
        with pg_connect(url) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else []

    # ------------------------------------------------------------------ one run

    def run(self, k: int, post_rate: float, quiet_s: float) -> Run:
        from sqlalchemy import func, select, update

        from models import OutboxEvent
        from service.extensions import db
        from service.queueing import request_drain
        from tests.followup_invariants import followup_problems

        run = Run(k)
        deadlocks_before = None
        self.restore()
        redis_lib.Redis.from_url(self.redis_url).flushall()
        self.app.port = self.stack.start_gunicorn(GUNICORN, self.env, f"{self.kind}-{k}")
        workers = Workers(k, self.code_dir, self.env, self.tmp, f"{k}")
        try:
            workers.wait_idle(self.redis_url)
            deadlocks_before = self._deadlocks()
            wait_quiet(quiet_s)
            seen: dict[str, set[int]] = {"workers": set(), "database+redis": set(), "gunicorn": set()}
            sampler = RssSampler(lambda: self._pids(workers, seen))
            sampler.start()
            with self._web().app_context():
                db.session.execute(
                    update(OutboxEvent).where(OutboxEvent.processed_at == HIDDEN).values(processed_at=None)
                )
                db.session.commit()
                started = time.monotonic()
                request_drain(self._web())
            poster = Poster(self.app.port, self.devices[POST_SITE], post_rate, f"{self.kind}-{k}")
            poster.start()
            monitor = LockMonitor(self.url) if self.kind == "postgresql" else None
            if monitor is not None:
                monitor.start()
            try:
                run.seconds = self._until_done(started, workers)
            finally:
                run.posts = poster.stop()
                sampler.stop()
                if monitor is not None:
                    monitor.stop()
                    run.lock_waits = monitor.summary()
            run.cpu = {part: sampler.cpu_of(pids) for part, pids in seen.items()}
            run.other_cores = sampler.foreign_cores + sampler.steal_cores
            settle = time.monotonic() + 120
            while self.pending() and time.monotonic() < settle:  # the posts' own follow-up
                time.sleep(0.25)
        finally:
            run.failed_jobs = Workers.failed_jobs(self.redis_url)
            workers.stop()
            self.stack.stop_gunicorn()
        run.rows, run.readings = self.backlog_rows, self.backlog_readings
        run.deadlocks = None if deadlocks_before is None else self._deadlocks() - deadlocks_before
        run.deadlock_lines, run.timeouts, run.locked, run.locked_lines = workers.log_counts()
        with self._web().app_context():
            run.row_errors = db.session.scalar(
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.last_error.is_not(None))
            )
            run.problems = followup_problems()
            db.session.remove()
        self._release()
        return run

    def _until_done(self, started: float, workers: Workers) -> float:
        deadline = started + 3600
        while time.monotonic() < deadline:
            if not self.pending(up_to=self.last_backlog_id):
                return time.monotonic() - started
            workers.check_alive()
            time.sleep(0.1)
        raise RuntimeError("the backlog took more than an hour; stopped")

    def _deadlocks(self) -> int | None:
        if self.kind != "postgresql":
            return None
        # A fresh connection: no statistics snapshot yet; backends that exited have reported.
        query = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        return self._pg(query, database=True)[0][0]

    def _pids(self, workers: Workers, seen: dict[str, set[int]]) -> list[int]:
        """The processes to sample now; every one seen is kept in `seen` by part (a job's horse
        and a connection's backend live only for a while)."""
        now = {
            "workers": workers.pids(),
            "database+redis": self.stack.server_pids(),
            "gunicorn": self.stack.gunicorn_pids(),
        }
        for part, pids in now.items():
            seen[part].update(pids)
        return [p for pids in now.values() for p in pids]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.drain", description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--code-dir", type=Path, default=ROOT, help="checkout whose app and workers to run")
    ap.add_argument("--quick", action="store_true", help="6,000 readings")
    ap.add_argument("--readings", type=int, help="readings in the backlog (default 20,000; quick 6,000)")
    ap.add_argument("--per-post", type=int, default=1, help="readings per post (1: one outbox row each)")
    ap.add_argument("--workers", default="1,2,3", help="worker counts to measure, e.g. 1,2,3")
    ap.add_argument("--post-rate", type=float, default=20.0, help="single posts per second during the drain")
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="S", help="wait up to S s for idle CPUs")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = ap.parse_args(argv)
    code_dir = args.code_dir.resolve()
    n = args.readings or (6_000 if args.quick else 20_000)
    counts = [int(x) for x in args.workers.split(",") if x.strip()]
    kinds = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]

    def _sigterm(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="zhichao-drain-"))
    os.chmod(tmp, 0o755)  # the embedded PostgreSQL runs as another user when we are root
    stack = Stack(tmp)
    probes = [speed_probe()]
    results = []
    code = App(code_dir, {}, tmp).revision()
    try:
        redis_url = stack.start_redis()
        for kind in kinds:
            backend = Backend(kind, stack, redis_url, code_dir, tmp)
            backend.prepare(n, args.per_post)
            runs = []
            for k in counts:
                run = backend.run(k, args.post_rate, args.wait_quiet)
                print(f"[{kind}] {k} worker(s): {run.seconds:.1f} s, {run.rows / run.seconds:,.0f} rows/s; "
                      f"posts {run.post_line()}", flush=True)  # fmt: skip
                runs.append(run)
            results.append((kind, backend, runs))
    except KeyboardInterrupt:
        print("\ninterrupted; stopping servers", file=sys.stderr)
        return 130
    finally:
        stack.close()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    probes.append(speed_probe())
    for kind, backend, runs in results:
        report(kind, backend, runs, probes, code, args.post_rate, GUNICORN.label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
