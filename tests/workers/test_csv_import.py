"""Bulk CSV import (CONTRACT §4 "Bulk files") through the API and a real worker,
and the operator command `readings import`."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from models import Reading
from service.extensions import db
from tests.conftest import ago

HEADER = "site_code,record_id,captured_at,plate,plate_color,axle_count,vehicle_type,gross_weight_kg,axle_weights_kg,speed_kmh\n"


def csv_text(rows: int = 25, bad_lines: dict[int, str] | None = None) -> str:
    when = ago(hours=2)
    lines = [HEADER]
    for i in range(rows):
        lines.append(
            f"JL-WIM-01,C-{i:04d},{when},吉A{10000 + i},黄,6,combination,{40000 + i * 1000},"
            f"7000;9000;8000;8000;8000;{i * 1000},62.5\n"
        )
    for index, line in (bad_lines or {}).items():
        lines[index] = line
    return "".join(lines)


def upload(client, headers, text: str, name: str = "readings.csv"):
    data = {"file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post("/api/v1/readings/imports", data=data, headers=headers, content_type="multipart/form-data")


BAD = {
    3: f"JL-WIM-01,C-BAD1,{ago(hours=2)},吉A1,黄,9,combination,40000,,\n",
    6: "JL-WIM-01,C-BAD2,not-a-time,吉A2,黄,6,combination,heavy,,\n",
}


def test_upload_answers_202_and_the_worker_imports_with_progress_and_row_errors(
    app, client, make_site, login, run_worker
):
    make_site("JL-WIM-01")
    app.config["IMPORT_CHUNK_ROWS"] = 10
    admin = login("admin")
    res = upload(client, admin, csv_text(25, BAD))
    assert res.status_code == 202
    job = res.get_json()
    assert job["status"] == "queued" and job["rows_done"] == 0

    run_worker()  # drains the outbox, which queues the import job
    run_worker()  # runs the import
    job = client.get(f"/api/v1/readings/imports/{job['id']}", headers=admin).get_json()
    assert job["status"] == "done", job
    assert (job["rows_total"], job["rows_done"], job["progress_pct"]) == (25, 25, 100.0)
    assert (job["accepted"], job["duplicates"], job["rejected"]) == (23, 0, 2)
    by_line = {e["line"]: e["errors"] for e in job["errors"]}
    assert set(by_line) == {4, 7}  # file lines, header is line 1
    assert "axle_count" in by_line[4]
    assert {"captured_at", "gross_weight_kg"} <= set(by_line[7])
    with app.app_context():
        stored = db.session.scalar(select(Reading).where(Reading.record_id == "C-0010"))
        assert stored.axle_weights_kg == [7000, 9000, 8000, 8000, 8000, 10000]
        assert stored.plate_color == "yellow" and stored.source == "csv"


def test_importing_the_same_file_twice_adds_nothing(app, client, make_site, login, run_worker):
    make_site("JL-WIM-01")
    admin = login("admin")
    text = csv_text(12)
    first = upload(client, admin, text).get_json()
    run_worker(), run_worker()
    second = upload(client, admin, text).get_json()
    run_worker(), run_worker()
    again = client.get(f"/api/v1/readings/imports/{second['id']}", headers=admin).get_json()
    assert (again["accepted"], again["duplicates"]) == (0, 12)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reading)) == 12
    assert client.get(f"/api/v1/readings/imports/{first['id']}", headers=admin).get_json()["accepted"] == 12


def test_file_without_required_columns_fails_with_a_clear_message(client, make_site, login, run_worker):
    make_site("JL-WIM-01")
    admin = login("admin")
    job = upload(client, admin, "site_code,record_id\nJL-WIM-01,x\n").get_json()
    run_worker(), run_worker()
    job = client.get(f"/api/v1/readings/imports/{job['id']}", headers=admin).get_json()
    assert job["status"] == "failed" and "captured_at" in job["message"]


def test_device_import_is_limited_to_its_own_site(client, make_site, run_worker):
    make_site("JL-WIM-01")
    _, other = make_site("JL-WIM-02")
    job = upload(client, other, csv_text(3)).get_json()
    run_worker(), run_worker()
    job = client.get(f"/api/v1/readings/imports/{job['id']}", headers=other).get_json()
    assert job["rejected"] == 3 and "site_code" in job["errors"][0]["errors"]


def test_officer_cannot_upload(client, make_site, login):
    make_site("JL-WIM-01")
    assert upload(client, login("officer"), csv_text(2)).status_code == 403


def test_empty_upload_is_422(client, make_site, login):
    assert upload(client, login("admin"), "").status_code == 422


def test_operator_command_imports_with_counts_and_rejected_lines(app, make_site, tmp_path):
    make_site("JL-WIM-01")
    path = tmp_path / "batch.csv"
    path.write_text(csv_text(8, {3: BAD[3]}), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["readings", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "accepted 7  duplicate 0  rejected 1" in result.output
    assert "第 4 行 (C-BAD1): axle_count" in result.output
    again = runner.invoke(args=["readings", "import", str(path)])
    assert "accepted 0  duplicate 7  rejected 1" in again.output
