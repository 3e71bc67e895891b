"""Driver and permit CSV imports through the API and a real worker in burst mode: per-row errors,
a second import adds nothing, identity numbers stored encrypted and shown masked."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from sqlalchemy import text

from service.extensions import db
from tests.api.test_registry import USCC, valid_id_number
from tests.conftest import reading

ID_1 = valid_id_number("22010219800101123")
ID_2 = valid_id_number("22030219850707456")
BAD_ID = ID_2[:-1] + ("0" if ID_2[-1] != "0" else "1")


def import_csv(client, headers, run_worker, kind: str, content: str) -> dict:
    res = client.post(
        "/api/v1/registry/imports",
        headers=headers,
        content_type="multipart/form-data",
        data={"kind": kind, "file": (io.BytesIO(content.encode("utf-8")), f"{kind}.csv")},
    )
    assert res.status_code == 202, res.get_json()
    run_worker()  # drains the outbox, which queues the import job
    run_worker()  # runs the import
    job = client.get(f"/api/v1/registry/imports/{res.get_json()['id']}", headers=headers)
    assert job.status_code == 200
    return job.get_json()


DRIVERS = (
    "name,licence_no,qualification_no,identity_number,qualification_first_issued,enterprise_uscc\n"
    f"王强,{ID_1},220100001,{ID_1},2019-05-01,{USCC}\n"
    f"李明,,220100002,{BAD_ID},,\n"  # identity number fails its check digit
    "赵刚,,,,,\n"  # neither a 驾驶证 nor a 从业资格证 number
    f"孙伟,,220100004,,,91220101MA00000000\n"  # an enterprise that is not registered
    f"周杰,,220100005,{ID_2},2021-13-01,\n"  # no 13th month
    ",,220100006,,,\n"  # no name
    "陈东,,220100007,,,\n"  # only a 从业资格证 number
)


def test_driver_import_reports_each_bad_row_and_keeps_identity_numbers_encrypted(app, client, login, run_worker):
    admin = login("admin")
    client.post("/api/v1/registry/enterprises", headers=admin, json={"uscc": USCC, "name": "长春顺达运输有限公司"})

    job = import_csv(client, admin, run_worker, "drivers", DRIVERS)

    assert job["status"] == "done", job
    assert (job["accepted"], job["duplicates"], job["rejected"]) == (2, 0, 5)
    by_line = {e["line"]: e["errors"] for e in job["errors"]}
    assert set(by_line) == {3, 4, 5, 6, 7}  # file lines; the header is line 1
    assert "公民身份号码无效" in by_line[3]["identity_number"][0]
    assert "至少填一项" in by_line[4]["licence_no"][0]
    assert "请先导入企业" in by_line[5]["enterprise_uscc"][0]
    assert "qualification_first_issued" in by_line[6] and "name" in by_line[7]
    assert BAD_ID not in json.dumps(job, ensure_ascii=False) and ID_2 not in json.dumps(job, ensure_ascii=False)

    listed = client.get("/api/v1/registry/drivers", headers=admin)
    drivers = {d["name"]: d for d in listed.get_json()}
    assert set(drivers) == {"王强", "陈东"}
    assert drivers["王强"]["identity_masked"] == ID_1[:3] + "*" * 11 + ID_1[-4:]
    assert drivers["王强"]["enterprise_id"] is not None and drivers["陈东"]["identity_masked"] is None
    assert ID_1 not in listed.get_data(as_text=True)
    with app.app_context():
        stored = db.session.execute(text("SELECT identity_encrypted, identity_digest FROM drivers WHERE name = '王强'"))
        encrypted, digest = stored.one()
        from service.registry.crypto import decrypt

        assert ID_1 not in encrypted and ID_1 not in digest and decrypt(encrypted) == ID_1

    again = import_csv(client, admin, run_worker, "drivers", DRIVERS)

    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 2, 5)
    assert len(client.get("/api/v1/registry/drivers", headers=admin).get_json()) == 2


def permits_csv() -> str:
    start, end = date.today() - timedelta(days=5), date.today() + timedelta(days=25)
    return (
        "number,plate,valid_from,valid_until,permitted_gross_kg,permitted_length_mm,route\n"
        f"JL-DJ-2026-001,吉A12345,{start},{end},70000,18000,JL-WIM-01;JL-WIM-02\n"
        f"JL-DJ-2026-002,吉A22222,{start},{end},70000,,JL-WIM-01;NOWHERE\n"  # a site nobody registered
        f"JL-DJ-2026-003,吉A33333,{end},{start},70000,,JL-WIM-01\n"  # ends before it starts
        f"JL-DJ-2026-004,吉A44444,{start},{end},,,JL-WIM-01\n"  # no permitted gross
        f"JL-DJ-2026-005,吉A55555,{start},{end},52000,,JL-WIM-02\n"
    )


def test_permit_import_reports_each_bad_row_adds_nothing_twice_and_covers_readings(
    client, login, make_site, run_worker
):
    _, device = make_site("JL-WIM-01")
    make_site("JL-WIM-02")
    admin = login("admin")

    job = import_csv(client, admin, run_worker, "permits", permits_csv())

    assert job["status"] == "done", job
    assert (job["accepted"], job["duplicates"], job["rejected"]) == (2, 0, 3)
    by_line = {e["line"]: e["errors"] for e in job["errors"]}
    assert "未知点位编码：NOWHERE" in by_line[3]["route"][0]
    assert "不得早于起始日期" in by_line[4]["valid_until"][0]
    assert by_line[5]["permitted_gross_kg"] == ["必填"]
    permits = {p["number"]: p for p in client.get("/api/v1/registry/permits", headers=admin).get_json()}
    assert set(permits) == {"JL-DJ-2026-001", "JL-DJ-2026-005"}
    assert permits["JL-DJ-2026-001"]["route"] == ["JL-WIM-01", "JL-WIM-02"]
    assert permits["JL-DJ-2026-001"]["permitted_length_mm"] == 18000

    again = import_csv(client, admin, run_worker, "permits", permits_csv())
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 2, 3)

    # The imported permit now covers its vehicle on its route: an over-limit weighing opens no case.
    result = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=65000)]}
    ).get_json()["results"][0]
    assert result["permit_status"] == "permitted" and result["case_id"] is None


def test_a_value_too_long_for_its_column_is_a_row_error_on_both_databases(client, login, run_worker):
    admin = login("admin")
    content = (
        "plate,owner_name,rated_load_kg\n"
        "吉A70001,长春某物流有限公司,31000\n"
        f"吉A70002,{'某' * 129},31000\n"  # owner_name is at most 128 characters
        "吉A70003,某公司,99999999999\n"  # larger than any vehicle, and than an INTEGER column
        "吉A70004,某公司,30000\n"
    )

    job = import_csv(client, admin, run_worker, "vehicles", content)

    assert job["status"] == "done" and job["accepted"] == 2 and job["rejected"] == 2
    assert [(e["line"], list(e["errors"])) for e in job["errors"]] == [(3, ["owner_name"]), (4, ["rated_load_kg"])]
    assert "128" in job["errors"][0]["errors"]["owner_name"][0]


def test_an_import_is_audited_once_with_what_it_added(app, client, login, run_worker):
    from sqlalchemy import select

    from models import AuditEvent

    admin = login("admin")
    job = import_csv(client, admin, run_worker, "vehicles", "plate\n吉A70001\n吉A70002\n吉A70001\n")

    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("registry.%"))).all()
        assert [(e.action, e.actor, e.object_id) for e in events] == [("registry.import", "admin-user", str(job["id"]))]
        assert (events[0].data["accepted"], events[0].data["duplicates"]) == (2, 1)


def test_a_nul_character_is_a_row_error_not_a_broken_job(client, login, run_worker):
    admin = login("admin")

    job = import_csv(client, admin, run_worker, "vehicles", "plate,owner_name\n吉A70001,某\x00公司\n吉A70002,某公司\n")

    assert (job["status"], job["accepted"], job["rejected"]) == ("done", 1, 1)
    assert list(job["errors"][0]["errors"]) == ["owner_name"]


def test_an_import_that_breaks_down_is_marked_failed_not_left_running(app, client, login, run_worker):
    """The database loses the vehicles table under the job (a fault, not bad data)."""
    from sqlalchemy import text

    admin = login("admin")
    res = client.post(
        "/api/v1/registry/imports",
        headers=admin,
        content_type="multipart/form-data",
        data={"kind": "vehicles", "file": (io.BytesIO("plate\n吉A70001\n".encode()), "v.csv")},
    )
    with app.app_context():
        db.session.execute(text("ALTER TABLE vehicles RENAME TO vehicles_away"))
        db.session.commit()
    try:
        run_worker()  # queues the import, which fails inside
    finally:
        with app.app_context():
            db.session.execute(text("ALTER TABLE vehicles_away RENAME TO vehicles"))
            db.session.commit()

    job = client.get(f"/api/v1/registry/imports/{res.get_json()['id']}", headers=admin).get_json()
    assert job["status"] == "failed" and "内部错误" in job["message"]
