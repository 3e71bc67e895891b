"""The parts of bench.drain around one run: the workers it starts (`Workers`), the device
posting meanwhile (`Poster`), the PostgreSQL lock monitor, a run's figures (`Run`) and the
report. See bench/drain.py for what is measured."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

from bench.ingest import CST, _valid_item, busy_note
from bench.officer_steps import pct, pg_connect

POST_SITE = "BD-WIM-POST"  # the device that posts while the workers drain


@dataclass
class Run:
    workers: int
    seconds: float = float("nan")
    rows: int = 0
    readings: int = 0
    deadlocks: int | None = None
    deadlock_lines: int = 0
    timeouts: int = 0
    locked: int = 0  # lock conflicts the workers met ("database is locked" on SQLite)
    locked_lines: int = 0  # log lines they wrote about them
    failed_jobs: int = 0
    row_errors: int = 0
    problems: list[str] = field(default_factory=list)
    posts: list[tuple[float, float, int | str]] = field(default_factory=list)
    cpu: dict = field(default_factory=dict)
    other_cores: float = 0.0
    lock_waits: str = ""

    def post_line(self) -> str:
        ok = [(b - a) * 1000 for a, b, s in self.posts if s == 200]
        bad = len(self.posts) - len(ok)
        return (
            f"{len(self.posts):5,} posts  p50 {pct(ok, 50):7.1f}  p95 {pct(ok, 95):7.1f}  p99 {pct(ok, 99):7.1f}  "
            f"max {max(ok, default=float('nan')):7.1f} ms  non-200 {bad}"
        )


class Workers:
    """k real workers (`python -m workers`) of the checkout in `code_dir`, each in a session
    of its own (so it can be stopped with the job horse it forked), logging to `tmp`."""

    def __init__(self, k: int, code_dir: Path, env: dict, tmp: Path, tag: str):
        self.k, self.tmp, self.tag = k, tmp, tag
        self.procs: list[subprocess.Popen] = []
        for i in range(k):
            with open(self._log(i), "wb") as log:
                self.procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "workers"],
                        cwd=code_dir,
                        env=env,
                        stdout=log,
                        stderr=log,
                        start_new_session=True,
                    )  # fmt: skip
                )

    def _log(self, i: int) -> Path:
        return self.tmp / f"worker-{self.tag}-{i}.log"

    def wait_idle(self, redis_url: str) -> None:
        import redis as redis_lib
        from rq import Worker

        conn = redis_lib.Redis.from_url(redis_url)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            self.check_alive(any_exited=True)
            found = Worker.all(connection=conn)
            if len(found) >= self.k and all(w.get_state() == "idle" for w in found):
                return
            time.sleep(0.2)
        raise RuntimeError("the workers did not start")

    def check_alive(self, any_exited: bool = False) -> None:
        exited = [w.poll() is not None for w in self.procs]
        if any(exited) if any_exited else all(exited):
            raise RuntimeError(f"a worker exited; see {self.tmp}/worker-{self.tag}-*.log")

    def pids(self) -> list[int]:
        """The workers and the job horses they forked now (a horse lives for one job)."""
        return [p for w in self.procs for p in _tree(w.pid)]

    @staticmethod
    def failed_jobs(redis_url: str) -> int:
        import redis as redis_lib
        from rq import Queue
        from rq.registry import FailedJobRegistry

        conn = redis_lib.Redis.from_url(redis_url)
        return FailedJobRegistry(queue=Queue("followup", connection=conn)).count

    def log_counts(self) -> tuple[int, int, int, int]:
        """(deadlocks, job time-outs, lock conflicts, log lines about lock conflicts) the
        workers logged: a conflict is a line naming one, or a drain's count of them."""
        logs = "".join(self._log(i).read_text(errors="replace") for i in range(self.k))
        lines = [ln for ln in logs.splitlines() if "database is locked" in ln or "lock conflict" in ln]
        counted = [int(n) for n in re.findall(r"(\d+) batches met a lock conflict", logs)]
        return (
            len(re.findall(r"deadlock detected", logs)),
            len(re.findall(r"JobTimeoutException|exceeded maximum timeout", logs)),
            len(lines) - len(counted) + sum(counted),
            len(lines),
        )

    def stop(self) -> None:
        for w in self.procs:
            if w.poll() is None:
                w.terminate()  # RQ: warm shutdown
        for w in self.procs:
            try:
                w.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, signal.SIGKILL)  # the session this run started for it
                w.wait(timeout=5)


def _tree(pid: int) -> list[int]:
    try:
        proc = psutil.Process(pid)
        return [pid] + [c.pid for c in proc.children(recursive=True)]
    except psutil.Error:
        return []


class LockMonitor(threading.Thread):
    """Every 0.25 s: the backends waiting for a lock, by what they wait for (advisory: a plate's
    lock; transactionid / tuple: a row another transaction holds; …)."""

    QUERY = (
        "SELECT wait_event, count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database() GROUP BY 1"
    )

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.conn = pg_connect(url)
        self.samples: list[dict[str, int]] = []
        self.stop_evt = threading.Event()

    def run(self) -> None:
        while not self.stop_evt.is_set():
            self.samples.append(dict(self.conn.execute(self.QUERY).fetchall()))
            self.stop_evt.wait(0.25)

    def stop(self) -> None:
        self.stop_evt.set()
        self.join()
        self.conn.close()

    def summary(self) -> str:
        if not self.samples:
            return ""
        waited = sum(1 for s in self.samples if s) / len(self.samples)
        kinds: dict[str, int] = {}
        for s in self.samples:
            for k, v in s.items():
                kinds[k] = kinds.get(k, 0) + v
        what = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])) or "none"
        return f"a backend waited in {waited:.0%} of {len(self.samples)} samples (waiters seen, by lock: {what})"


class Poster(threading.Thread):
    """One device posting single readings at a steady rate: (started, finished, status) each."""

    def __init__(self, port: int, token: str, rate: float, tag: str):
        super().__init__(daemon=True)
        self.port, self.token, self.rate, self.tag = port, token, rate, tag
        self.records: list[tuple[float, float, int | str]] = []
        self.stop_evt = threading.Event()

    def run(self) -> None:
        if self.rate <= 0:
            return
        rng = random.Random(self.tag)
        i = 0
        next_at = time.monotonic()
        while not self.stop_evt.is_set():
            item = _valid_item(rng, POST_SITE, f"{self.tag}-{i:07d}", datetime.now(UTC))
            item["captured_at"] = (datetime.now(CST) - timedelta(minutes=5)).isoformat(timespec="seconds")
            body = json.dumps({"readings": [item]}, ensure_ascii=False).encode()
            t0 = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("POST", "/api/v1/readings", body=body, headers={
                    "Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})  # fmt: skip
                status = conn.getresponse().status
                conn.close()
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            self.records.append((t0, time.monotonic(), status))
            i += 1
            next_at += 1 / self.rate
            self.stop_evt.wait(max(0.0, next_at - time.monotonic()))

    def stop(self) -> list:
        self.stop_evt.set()
        self.join(timeout=70)
        return self.records


def report(kind: str, b, runs: list[Run], probes: list[float], code: str, post_rate: float, web: str) -> None:
    print("\n" + "=" * 112)
    print(f"drain with 1..{max(r.workers for r in runs)} workers — {kind} — code {code}")
    print("=" * 112)
    mix = ", ".join(f"{k} {v:,}" for k, v in (b.mix or {}).items())
    print(f"backlog: {b.backlog_readings:,} readings in {b.backlog_rows:,} outbox rows ({mix})")
    print(f"meanwhile one device posts single readings at {post_rate:g}/s (gunicorn {web})")
    print(f"\n{'workers':>7} {'drain s':>8} {'rows/s':>8} {'readings/s':>10} {'× 1 worker':>10}  "
          f"{'deadlocks':>9} {'timeouts':>8} {'failed jobs':>11} {'row errors':>10}  follow-up = direct count")  # fmt: skip
    base = runs[0].seconds if runs else float("nan")
    for r in runs:
        dl = "-" if r.deadlocks is None else f"{r.deadlocks}"
        if r.deadlock_lines:
            dl += f" ({r.deadlock_lines} in logs)"
        ok = "yes" if not r.problems else "NO: " + "; ".join(p[:160] for p in r.problems)
        print(f"{r.workers:>7} {r.seconds:8.1f} {r.rows / r.seconds:8,.0f} {r.readings / r.seconds:10,.0f} "
              f"{base / r.seconds:10.2f}  {dl:>9} {r.timeouts:>8} {r.failed_jobs:>11} {r.row_errors:>10}  {ok}")  # fmt: skip
    print("\npost latency while the workers drain (single readings, ms):")
    for r in runs:
        cpu = ", ".join(f"{k} {v:.1f}" for k, v in r.cpu.items())
        print(f"  {r.workers} worker(s): {r.post_line()}   CPU s: {cpu}{busy_note(r.other_cores)}")
        per_min = r.locked / r.seconds * 60 if r.seconds else float("nan")
        print(f"{'':15}lock conflicts the workers met: {r.locked:,} ({per_min:,.0f}/min of drain), "
              f"in {r.locked_lines:,} log lines")  # fmt: skip
        if r.lock_waits:
            print(f"{'':15}lock waits during the drain: {r.lock_waits}")
    print(f"CPU speed probe, start / end (lower = faster): {probes[0]:.1f} / {probes[-1]:.1f} ms")
