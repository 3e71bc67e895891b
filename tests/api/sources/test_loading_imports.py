"""Loadings as a CSV import in the background (a real worker), the operator command, and ingest
while Redis is down — CONTRACT §6."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from models import Case, Loading
from service.extensions import db
from tests.conftest import ago

HEADER = "weighbridge_code,record_id,weighed_at,plate,axle_count,vehicle_type,gross_weight_kg,tare_weight_kg,cargo\n"


def csv_text(rows: int = 30) -> str:
    when = ago(hours=3)
    lines = [HEADER]
    for i in range(rows):
        lines.append(f"JS-WB-01,C-{i:04d},{when},吉C{10000 + i},6,combination,{40000 + i * 500},15000,砂石\n")
    lines[4] = f"JS-WB-01,C-BAD1,{when},吉C1,9,combination,40000,15000,砂石\n"
    lines[7] = "JS-WB-01,C-BAD2,not-a-time,吉C2,6,combination,heavy,,砂石\n"
    return "".join(lines)


def upload(client, headers, text: str):
    data = {"file": (io.BytesIO(text.encode("utf-8")), "loadings.csv")}
    return client.post("/api/v1/loadings/imports", data=data, headers=headers, content_type="multipart/form-data")


def test_csv_import_runs_in_the_background_with_progress_and_per_row_errors(
    app, client, login, weighbridge, run_worker
):
    weighbridge()
    app.config["IMPORT_CHUNK_ROWS"] = 10  # several chunks, each its own worker job
    admin = login("admin")
    try:
        job = upload(client, admin, csv_text()).get_json()
        assert job["status"] == "queued" and job["kind"] == "loadings"
        run_worker(["imports", "followup"])
    finally:
        app.config["IMPORT_CHUNK_ROWS"] = 1000
    done = client.get(f"/api/v1/loadings/imports/{job['id']}", headers=admin).get_json()
    assert done["status"] == "done" and done["progress_pct"] == 100.0
    assert (done["accepted"], done["duplicates"], done["rejected"]) == (28, 0, 2)
    assert [(e["line"], sorted(e["errors"])) for e in done["errors"]] == [
        (5, ["axle_count"]),
        (8, ["gross_weight_kg", "weighed_at"]),
    ]
    with app.app_context():
        # 49 000 kg is the 6-axle limit: rows from 49 500 kg on are over it and open source cases.
        over = db.session.scalar(select(func.count()).select_from(Loading).where(Loading.overlimit.is_(True)))
        assert over == db.session.scalar(select(func.count()).select_from(Case).where(Case.loading_id.is_not(None)))
        assert over > 0
    again = upload(client, admin, csv_text()).get_json()
    run_worker(["imports", "followup"])
    second = client.get(f"/api/v1/loadings/imports/{again['id']}", headers=admin).get_json()
    assert (second["accepted"], second["duplicates"]) == (0, 28)


def test_investigators_may_not_import_and_a_bad_header_fails_the_job(app, client, login, weighbridge, run_worker):
    weighbridge()
    assert upload(client, login("investigator"), csv_text()).status_code == 403
    admin = login("admin")
    job = upload(client, admin, "weighbridge_code,record_id\nJS-WB-01,1\n").get_json()
    run_worker(["imports", "followup"])
    failed = client.get(f"/api/v1/loadings/imports/{job['id']}", headers=admin).get_json()
    assert failed["status"] == "failed" and "weighed_at" in failed["message"]


def test_loadings_import_command_prints_counts_and_rejected_rows(app, weighbridge, tmp_path):
    weighbridge()
    path = tmp_path / "loadings.csv"
    path.write_text(csv_text(), encoding="utf-8")
    out = app.test_cli_runner().invoke(args=["loadings", "import", str(path)])
    assert out.exit_code == 0, out.output
    assert "accepted 28  duplicate 0  rejected 2" in out.output
    assert "第 5 行 (C-BAD1): axle_count" in out.output


def test_loadings_are_stored_and_their_source_cases_opened_while_redis_is_down(app, client, weighbridge, redis_server):
    _, bridge = weighbridge()
    redis_server.stop()
    try:
        items = [
            {"weighbridge_code": "JS-WB-01", "record_id": "a", "weighed_at": ago(hours=1), "axle_count": 6,
             "gross_weight_kg": 60000},
            {"weighbridge_code": "JS-WB-01", "record_id": "b", "weighed_at": ago(hours=1), "axle_count": 6,
             "gross_weight_kg": 40000},
        ]  # fmt: skip
        res = client.post("/api/v1/loadings", json={"loadings": items}, headers=bridge)
        assert res.status_code == 200 and res.get_json()["accepted"] == 2
        assert res.get_json()["results"][0]["source_case_id"] is not None
    finally:
        redis_server.start()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Loading)) == 2
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1
