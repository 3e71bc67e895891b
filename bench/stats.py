"""Statistics at 10 million readings: `python -m bench.stats [--backend sqlite|postgresql|both]
[--rows N] [--quick] [--requests N]`.

Prints figures; asserts nothing. On the database bench/repeat_watch.py fills (10,000,000
readings over two years at 20 sites, with their cases and decisions; cached in bench/.cache),
after counting the daily rollups once from it (the fill bypasses the service; timed):

1. GET /api/v1/stats/summary as a supervisor with a bearer token: a year, a quarter, a month, a
   week and a day, all sites or one, plain and grouped by site, day and month — p50/p95/max;
2. the console dashboard GET /stats (signed in) for a year and for 30 days — p50/p95/max;
3. the rollup's cost per ingested reading: the follow-up counter (service/followup.py
   count_site_days with service/stats/rollup.py) on batches of 1,000 stored readings, in a
   transaction rolled back — ms per reading.

Target (issue #14): p95 < 300 ms for the summary API and the dashboard over one year.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ingest import Stack  # noqa: E402
from bench.repeat_watch import QUICK_ROWS, ROWS, SECRET, Databases, _app  # noqa: E402

TARGET_MS = 300.0
USER = ("bench-stats-boss", "bench-stats-password-9")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def line(label: str, xs: list[float]) -> str:
    return (
        f"    {label:<44} n={len(xs):>4}  p50 {pct(xs, 50):7.1f} ms  p95 {pct(xs, 95):7.1f} ms  max {max(xs):7.1f} ms"
    )


def prepare(app) -> tuple[date, list[str]]:
    """The rollups counted once from the filled data; a supervisor; the last day with data."""
    from sqlalchemy import func, select

    from models import Site, SiteDailyStats, User
    from service.admin.operations import create_user
    from service.extensions import db
    from service.stats.recount import recount_all

    with app.app_context():
        if not db.session.scalar(select(func.count()).select_from(SiteDailyStats)):
            t = time.perf_counter()
            counted = recount_all(db.session)
            db.session.commit()
            print(f"    rollups counted from the fill: {counted} in {time.perf_counter() - t:.1f} s", flush=True)
        if db.session.scalar(select(User.id).where(User.username == USER[0])) is None:
            create_user(USER[0], "supervisor", USER[1])
            db.session.commit()
        last = db.session.scalar(select(func.max(SiteDailyStats.day)))
        codes = list(db.session.scalars(select(Site.code).order_by(Site.code)))
        rows = db.session.scalar(select(func.count()).select_from(SiteDailyStats))
        print(f"    rollup rows (site-days): {rows:,}; last day {last}", flush=True)
    return last, codes


def queries(last: date, codes: list[str], rng: random.Random, n: int) -> list[tuple[str, dict]]:
    spans = {"year": 365, "quarter": 91, "month": 30, "week": 7, "day": 1}
    out = []
    for i in range(n):
        span = list(spans)[i % len(spans)]
        end = last - timedelta(days=rng.randrange(0, 60))
        q = {"from": (end - timedelta(days=spans[span] - 1)).isoformat(), "to": end.isoformat()}
        kind = span
        if i % 3 == 1:
            q["site"], kind = rng.choice(codes), f"{span}, one site"
        if i % 4 == 2:
            q["group_by"] = rng.choice(("site", "day", "month"))
            kind = f"{kind}, by {q['group_by']}"
        out.append((kind, q))
    return out


def summary_phase(app, last: date, codes: list[str], requests: int) -> list[float]:
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": USER[0], "password": USER[1]}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    rng = random.Random(14)
    for _, q in queries(last, codes, rng, 20):  # warm-up: pool, statement caches
        client.get("/api/v1/stats/summary", query_string=q, headers=headers)
    by_kind: dict[str, list[float]] = {}
    every: list[float] = []
    for kind, q in queries(last, codes, rng, requests):
        t = time.perf_counter()
        res = client.get("/api/v1/stats/summary", query_string=q, headers=headers)
        ms = (time.perf_counter() - t) * 1000
        if res.status_code != 200:
            raise RuntimeError(f"summary {q}: {res.status_code} {res.get_data(as_text=True)[:200]}")
        by_kind.setdefault(kind.split(",")[0], []).append(ms)
        every.append(ms)
    print("  GET /api/v1/stats/summary (in process, bearer token):")
    for kind, xs in by_kind.items():
        print(line(kind, xs))
    print(line("all", every) + f"   (target p95 < {TARGET_MS:.0f} ms)", flush=True)
    return every


def dashboard_phase(app, last: date, requests: int) -> list[float]:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": USER[0], "password": USER[1], "csrf_token": csrf})
    year = {"from": (last - timedelta(days=364)).isoformat(), "to": last.isoformat()}
    month = {"from": (last - timedelta(days=29)).isoformat(), "to": last.isoformat()}
    for q in (year, month):
        client.get("/stats", query_string=q)
    out = {}
    for label, q in (("one year", year), ("30 days", month)):
        xs = []
        for _ in range(requests):
            t = time.perf_counter()
            res = client.get("/stats", query_string=q)
            xs.append((time.perf_counter() - t) * 1000)
            if res.status_code != 200 or "dashboard-data" not in res.get_data(as_text=True):
                raise RuntimeError(f"dashboard {q}: {res.status_code}")
        out[label] = xs
    print("  GET /stats (console dashboard, signed in):")
    for label, xs in out.items():
        print(line(label, xs) + (f"   (target p95 < {TARGET_MS:.0f} ms)" if label == "one year" else ""))
    return out["one year"]


def rollup_phase(app, batches: int) -> None:
    """The drain's counter on batches of 1,000 stored readings, rolled back each time."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from models import Case, Reading
    from service.extensions import db
    from service.followup import count_site_days
    from service.stats.rollup import count_reading_figures

    with app.app_context():
        top = db.session.scalar(select(func.max(Reading.id)))
        rng = random.Random(7)
        whole, ours = [], []
        for _ in range(batches):
            lo = rng.randrange(1, max(2, top - 1000))
            ids = list(range(lo, lo + 1000))
            case_ids = list(db.session.scalars(select(Case.id).where(Case.reading_id.in_(ids))))
            payloads = [{"reading_ids": ids, "case_ids": case_ids}]
            with Session(db.engine) as session:
                t = time.perf_counter()
                count_site_days(session, payloads)
                whole.append((time.perf_counter() - t) * 1000 / len(ids))
                session.rollback()
                t = time.perf_counter()
                count_reading_figures(session, payloads)
                ours.append((time.perf_counter() - t) * 1000 / len(ids))
                session.rollback()
    print("  rollup per ingested reading (batches of 1,000, the drain's counter):")
    print(
        f"    all daily figures (count_site_days)            p50 {pct(whole, 50):.4f} ms  p95 {pct(whole, 95):.4f} ms"
    )
    print(f"    of which the widened figures (this issue)      p50 {pct(ours, 50):.4f} ms  p95 {pct(ours, 95):.4f} ms")


def run_backend(kind: str, dbs: Databases, stack: Stack, redis_url: str, args) -> None:
    print(f"\n== {kind}: {args.rows:,} readings", flush=True)
    db = dbs.open(kind)
    facts = db.meta.get("facts", {})
    print(
        f"    {'cached' if db.cached else 'filled'}; {facts.get('cases', '?'):,} cases, size {db.size / 2**30:.2f} GiB"
    )
    app = _app(db.url, redis_url, stack.tmp / kind)
    last, codes = prepare(app)
    summary_phase(app, last, codes, args.requests)
    dashboard_phase(app, last, max(20, args.requests // 10))
    rollup_phase(app, args.batches)
    from service.extensions import db as sa_db

    with app.app_context():
        sa_db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--rows", type=int, help=f"readings (default {ROWS:,}; --quick {QUICK_ROWS:,})")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--requests", type=int, default=300, help="summary requests (default 300)")
    ap.add_argument("--batches", type=int, default=30, help="rollup batches of 1,000 readings (default 30)")
    args = ap.parse_args(argv)
    args.rows = args.rows or (QUICK_ROWS if args.quick else ROWS)
    kinds = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    import os

    os.environ.setdefault("SECRET_KEY", SECRET)
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp:
        stack = Stack(Path(tmp))
        dbs = Databases(stack, SimpleNamespace(rows=args.rows, no_cache=False, refill=False))
        try:
            redis_url = stack.start_redis()
            for kind in kinds:
                run_backend(kind, dbs, stack, redis_url, args)
        finally:
            dbs.close()
            stack.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
