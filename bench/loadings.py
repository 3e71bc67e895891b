"""Loadings ingest beside readings ingest: `python -m bench.loadings [--backend sqlite|postgresql|both]
[--items N]`.

Prints figures; asserts nothing. For each database, the same app (in this process, through
Flask's test client, so both paths pay the same HTTP-less overhead) takes N readings and N
loadings in batches of 500, alternating batch by batch so that both see the same table sizes
and machine load. The items are alike: a plate, 6 axles, about one in ten over the limit (a
reading over the limit opens a roadside case; a loading over it a source case with its
matter). The target (issue #11) is loadings/s ≥ 80 % of readings/s on both databases.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CST = timezone(timedelta(hours=8))
BATCH = 500
DATA_KEY = "YmVuY2gtZGF0YS1rZXktbm90LWZvci1wcm9kLXVzZSE="


def _items(kind: str, start: int, n: int, rng: random.Random, now: datetime) -> list[dict]:
    out = []
    for i in range(start, start + n):
        gross = rng.choice((38000, 42000, 45000, 47000, 48000, 44000, 40000, 46000, 43000, 62000))
        item = {
            "record_id": f"{kind[0]}-{i:08d}",
            "plate": f"吉{'ABCDEFGH'[i % 8]}{10000 + i % 89999}",
            "plate_color": "yellow",
            "axle_count": 6,
            "vehicle_type": "combination",
            "gross_weight_kg": gross,
        }
        when = (now - timedelta(minutes=1 + i % 600)).isoformat(timespec="seconds")
        if kind == "readings":
            item.update(site_code="BENCH-WIM", captured_at=when, speed_kmh=60.0)
        else:
            item.update(weighbridge_code="BENCH-WB", weighed_at=when, tare_weight_kg=15000, cargo="砂石")
        out.append(item)
    return out


def run(backend: str, url: str, redis_url: str, items: int, tmp: Path) -> tuple[float, float]:
    from flask_migrate import upgrade

    from models import Enterprise
    from service import create_app
    from service.admin.operations import create_site
    from service.extensions import db
    from service.rules.registry import uscc_check_digit
    from service.sources.weighbridges import create_weighbridge

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url, "EVIDENCE_DIR": tmp / f"ev-{backend}",
                      "SECRET_KEY": "bench", "DATA_KEY": DATA_KEY, "DRAIN_REQUEST_INTERVAL_S": 3600})  # fmt: skip
    with app.app_context():
        upgrade()
        _, site_token = create_site("BENCH-WIM", "基准点位", "wim", calibrated_until=datetime(2099, 1, 1).date(),
                                    accuracy_class="5")  # fmt: skip
        uscc = "91220302MA0Y1H6F4" + uscc_check_digit("91220302MA0Y1H6F4")
        db.session.add(Enterprise(uscc=uscc, name="基准采石场", kind="source", created_at=datetime.now(UTC)))
        db.session.flush()
        _, bridge_token = create_weighbridge("BENCH-WB", uscc, "基准地磅", None)
        db.session.commit()
    client = app.test_client()
    headers = {"readings": {"Authorization": f"Bearer {site_token}"},
               "loadings": {"Authorization": f"Bearer {bridge_token}"}}  # fmt: skip
    spent = {"readings": 0.0, "loadings": 0.0}
    rng, now = random.Random(7), datetime.now(CST)
    for start in range(0, items, BATCH):
        for kind in ("readings", "loadings"):
            body = {kind: _items(kind, start, BATCH, rng, now)}
            t = time.perf_counter()
            res = client.post(f"/api/v1/{kind}", json=body, headers=headers[kind])
            spent[kind] += time.perf_counter() - t
            assert res.status_code == 200 and res.get_json()["accepted"] == BATCH, res.get_data(as_text=True)[:300]
    return items / spent["readings"], items / spent["loadings"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.loadings", description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--items", type=int, default=20_000, help="readings and loadings each (default 20,000)")
    args = ap.parse_args(argv)
    from tests.harness import RedisServer, create_database, postgres_base_url

    tmp = Path(tempfile.mkdtemp(prefix="bench-loadings-"))
    redis = RedisServer(tmp / "redis")
    redis.start()
    rows = []
    try:
        backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
        for backend in backends:
            if backend == "sqlite":
                url = f"sqlite:///{tmp / 'bench.db'}"
            else:
                url = create_database(postgres_base_url(tmp / "pg"), "bench_loadings")
            readings, loadings = run(backend, url, redis.url, args.items, tmp)
            rows.append((backend, readings, loadings))
    finally:
        redis.stop()
    print(f"\n出场称重接入 vs 检测记录接入（每批 {BATCH} 条，各 {args.items:,} 条，进程内 test client）")
    print(f"{'database':<12}{'readings/s':>12}{'loadings/s':>12}{'ratio':>9}  target ≥ 80 %")
    for backend, readings, loadings in rows:
        ratio = loadings / readings * 100
        print(f"{backend:<12}{readings:>12,.0f}{loadings:>12,.0f}{ratio:>8.0f}%  {'ok' if ratio >= 80 else 'BELOW'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
