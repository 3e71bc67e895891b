"""Evidence storage is bounded (issue 16 item 10): distinct images per record and kind are
limited, images whose reading never arrives expire after EVIDENCE_ORPHAN_DAYS with a defect
noted and their file deleted, and the admin console shows what evidence holds on disk."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import time_machine
from sqlalchemy import select

from models import EvidenceImage
from service import clock
from service.extensions import db
from service.queueing import get_redis
from tests.conftest import reading
from tests.workers.test_evidence import jpeg, upload


def test_a_device_cannot_upload_unlimited_distinct_images_for_one_record_and_kind(app, client, make_site):
    _, device = make_site()
    allowed = app.config["EVIDENCE_PER_RECORD_KIND"]
    before = _originals(app)
    images = [jpeg(color=(i * 20 + 7, 91, 163)) for i in range(allowed + 5)]  # bytes no other test sends
    codes = [upload(client, device, data).status_code for data in images]
    assert codes == [201] * allowed + [409] * 5
    refused = upload(client, device, images[-1])
    assert refused.status_code == 409 and f"上限 {allowed} 张" in refused.get_json()["message"]
    assert upload(client, device, images[0]).status_code == 200  # the same bytes again: a duplicate
    assert upload(client, device, images[-1], kind="plate").status_code == 201  # another kind
    assert upload(client, device, images[-1], record_id="R-0002").status_code == 201  # another record
    with app.app_context():
        assert db.session.query(EvidenceImage).count() == allowed + 2
    assert len(_originals(app) - before) == allowed + 1  # nothing written for the refused ones


def _originals(app) -> set[Path]:
    return {f for f in (Path(app.config["EVIDENCE_DIR"]) / "originals").rglob("*") if f.is_file()}


def test_orphans_expire_with_a_defect_noted_and_their_files_deleted(app, client, make_site, run_worker):
    _, device = make_site()
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        orphan = upload(client, device, jpeg(color=(1, 2, 3)), record_id="NEVER").get_json()
        kept = upload(client, device, jpeg(color=(4, 5, 6)), record_id="R-0001").get_json()
        run_worker()
        client.post("/api/v1/readings", headers=device, json={"readings": [reading(record_id="R-0001")]})
        run_worker()
        run_worker()
        traveller.shift(timedelta(days=app.config["EVIDENCE_ORPHAN_DAYS"] - 1))
        upload(client, device, jpeg(color=(7, 8, 9)), record_id="LATE")  # a later upload runs the sweep
        run_worker()
        with app.app_context():
            assert db.session.get(EvidenceImage, orphan["id"]).status == "pending"  # not yet
        traveller.shift(timedelta(days=2))
        upload(client, device, jpeg(color=(10, 11, 12)), record_id="LATER")
        run_worker()
    root = Path(app.config["EVIDENCE_DIR"])
    with app.app_context():
        expired = db.session.get(EvidenceImage, orphan["id"])
        assert expired.status == "defect" and "孤立图像" in expired.defect and "7 天" in expired.defect
        assert not (root / expired.original_path).exists()
        ready = db.session.get(EvidenceImage, kept["id"])
        assert ready.status == "ready" and (root / ready.original_path).exists()
        waiting = db.session.scalars(select(EvidenceImage.record_id).where(EvidenceImage.status == "pending")).all()
        assert sorted(waiting) == ["LATE", "LATER"]  # younger than the setting: still waiting


def test_orphans_expire_by_the_relay_when_no_further_image_arrives(app, client, make_site, run_worker):
    """The image job expires orphans as images arrive; a camera that stopped uploading left its
    orphans on disk for ever. The workers' relay sweeps them too, one relay per hour."""
    from workers.relay import ORPHAN_SWEEP_KEY, sweep_orphans

    _, device = make_site()
    with time_machine.travel(clock.now(), tick=False) as traveller:
        orphan = upload(client, device, jpeg(color=(1, 2, 3)), record_id="NEVER").get_json()
        run_worker()
        traveller.shift(timedelta(days=app.config["EVIDENCE_ORPHAN_DAYS"] + 1))
        with app.app_context():
            get_redis(app).delete(ORPHAN_SWEEP_KEY)
            assert sweep_orphans(app) == 1
            assert sweep_orphans(app) is None  # another relay within the hour does nothing
            expired = db.session.get(EvidenceImage, orphan["id"])
            assert expired.status == "defect" and "孤立图像" in expired.defect
            assert not (Path(app.config["EVIDENCE_DIR"]) / expired.original_path).exists()


def test_the_admin_console_shows_evidence_disk_use(app, client, make_site, login):
    from tests.console.test_admin_console import console_sign_in

    _, device = make_site()
    for i in range(2):
        upload(client, device, jpeg(color=(i, 0, 0)), record_id=f"R-{i}")
    login("admin", username="root")
    page = console_sign_in(app, "root", "correct-horse-9").get("/admin/sites").get_data(as_text=True)
    text = re.sub(r"\s+", "", re.search(r'<p id="evidence-usage">(.*?)</p>', page, re.S).group(1))
    assert "证据图像2张" in text and "待关联检测记录的图像2张" in text and "存储卷剩余" in text
    assert "JL-WIM-01" in re.search(r'<table class="admin" id="evidence-sites">(.*?)</table>', page, re.S).group(1)
