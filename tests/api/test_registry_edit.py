"""Registry records: read one, correct it (checked as on registration, audited with before and
after), remove it unless something refers to it; the enterprise dossier (R-ENT-10)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from models import AuditEvent, Case
from service.extensions import db
from service.rules import uscc_check_digit
from tests.api.test_registry import USCC, valid_id_number
from tests.conftest import ago, mark_decided, reading

OTHER_USCC = "91220101MA0000000" + uscc_check_digit("91220101MA0000000")
ID_NO = valid_id_number("22010219800101123")
NEW_ID_NO = valid_id_number("22030219850707456")


@pytest.fixture
def admin(login):
    return login("admin")


def post(client, headers, kind: str, body: dict) -> dict:
    res = client.post(f"/api/v1/registry/{kind}", headers=headers, json=body)
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def enterprise(client, headers, uscc: str = USCC, **extra) -> dict:
    return post(client, headers, "enterprises", {"uscc": uscc, "name": "长春顺达运输有限公司", **extra})


def open_cases(client, device, plate: str, count: int, days_back: int = 10) -> list[int]:
    items = [
        reading(record_id=f"{plate}-{i}", plate=plate, gross_weight_kg=60000, captured_at=ago(days=days_back + 20 * i))
        for i in range(count)
    ]
    results = client.post("/api/v1/readings", headers=device, json={"readings": items}).get_json()["results"]
    return [r["case_id"] for r in results]


def decide(app, ids: list[int]) -> None:
    mark_decided(app, ids)


def audit_events(app, object_type: str, *, creations: bool = False) -> list[AuditEvent]:
    """The record's audit trail after its registration (or with it)."""
    with app.app_context():
        stmt = select(AuditEvent).where(AuditEvent.object_type == object_type).order_by(AuditEvent.id)
        if not creations:
            stmt = stmt.where(AuditEvent.action != "registry.create")
        events = db.session.scalars(stmt).all()
        db.session.expunge_all()
        return events


# ── read and correct ───────────────────────────────────────────────────────────


def test_an_enterprise_is_corrected_and_the_audit_trail_keeps_before_and_after(app, client, admin):
    ent = enterprise(client, admin, declared_fleet_size=20)
    url = f"/api/v1/registry/enterprises/{ent['id']}"
    got = client.get(url, headers=admin)
    assert got.status_code == 200 and got.get_json()["name"] == "长春顺达运输有限公司"

    res = client.patch(
        url,
        headers={**admin, "If-Match": got.headers["ETag"]},
        json={"name": "长春顺达物流有限公司", "key_source": True},
    )

    assert res.status_code == 200, res.get_json()
    assert res.get_json()["name"] == "长春顺达物流有限公司" and res.get_json()["declared_fleet_size"] == 20
    assert res.headers["ETag"] != got.headers["ETag"]
    assert client.get(url, headers=admin).get_json()["key_source"] is True
    (event,) = audit_events(app, "enterprise")
    assert event.action == "registry.update" and event.actor == "admin-user"
    assert event.data["changes"] == {
        "name": {"from": "长春顺达运输有限公司", "to": "长春顺达物流有限公司"},
        "key_source": {"from": False, "to": True},
    }


def test_an_edit_based_on_an_older_copy_is_refused(client, admin):
    ent = enterprise(client, admin)
    url = f"/api/v1/registry/enterprises/{ent['id']}"
    stale = client.get(url, headers=admin).headers["ETag"]
    assert client.patch(url, headers=admin, json={"address": "长春市绿园区"}).status_code == 200

    res = client.patch(url, headers={**admin, "If-Match": stale}, json={"address": "长春市宽城区"})

    assert res.status_code == 412 and "他人修改" in res.get_json()["message"]
    assert client.get(url, headers=admin).get_json()["address"] == "长春市绿园区"


def test_an_edit_is_checked_as_a_registration_is(client, admin):
    ent = enterprise(client, admin)
    url = f"/api/v1/registry/enterprises/{ent['id']}"
    bad = client.patch(url, headers=admin, json={"uscc": USCC[:-1] + ("0" if USCC[-1] != "0" else "1")})
    assert bad.status_code == 422 and "校验码" in bad.get_json()["errors"]["uscc"][0]
    assert client.patch(url, headers=admin, json={"kind": "shop"}).status_code == 422
    assert client.patch(url, headers=admin, json={"id": 99}).status_code == 422  # unknown fields are refused
    assert client.get(url, headers=admin).get_json()["uscc"] == USCC


def test_a_credit_code_already_registered_elsewhere_is_a_conflict(client, admin):
    enterprise(client, admin)
    other = enterprise(client, admin, OTHER_USCC)

    res = client.patch(f"/api/v1/registry/enterprises/{other['id']}", headers=admin, json={"uscc": USCC})

    assert res.status_code == 409
    assert "统一社会信用代码已登记在另一条企业记录" in res.get_json()["message"] and "uscc" in res.get_json()["errors"]


def test_changing_a_plate_to_one_already_registered_is_a_conflict(client, admin):
    post(client, admin, "vehicles", {"plate": "吉A12345"})
    other = post(client, admin, "vehicles", {"plate": "吉A54321"})
    url = f"/api/v1/registry/vehicles/{other['id']}"

    res = client.patch(url, headers=admin, json={"plate": "吉a 12345"})  # normalised as on registration

    assert res.status_code == 409 and "车牌" in res.get_json()["message"] and "吉A12345" in res.get_json()["message"]
    # The same plate with another plate colour is another registration (a blue small-truck plate).
    ok = client.patch(url, headers=admin, json={"plate": "吉A12345", "plate_color": "蓝"})
    assert ok.status_code == 200 and ok.get_json()["plate_color"] == "blue"


def test_a_vin_already_registered_is_refused_on_registration_and_on_edit(client, admin):
    vin = "LZZ1CLVB5KW123456"
    post(client, admin, "vehicles", {"plate": "吉A12345", "vin": vin})
    again = client.post("/api/v1/registry/vehicles", headers=admin, json={"plate": "吉A54321", "vin": vin})
    assert again.status_code == 422 and "吉A12345" in again.get_json()["errors"]["vin"][0]
    other = post(client, admin, "vehicles", {"plate": "吉A54321"})
    edit = client.patch(f"/api/v1/registry/vehicles/{other['id']}", headers=admin, json={"vin": vin})
    assert edit.status_code == 409 and "车辆识别代号" in edit.get_json()["message"]


def test_a_corrected_plate_moves_the_case_links(app, client, admin, make_site):
    _, device = make_site()
    enterprise(client, admin)
    wrong = open_cases(client, device, "吉A12346", 1)[0]
    right = open_cases(client, device, "吉A12345", 1, days_back=40)[0]
    vehicle = post(client, admin, "vehicles", {"plate": "吉A12346", "enterprise_uscc": USCC})

    res = client.patch(f"/api/v1/registry/vehicles/{vehicle['id']}", headers=admin, json={"plate": "吉A12345"})

    assert res.status_code == 200, res.get_json()
    with app.app_context():
        assert db.session.get(Case, wrong).vehicle_id is None and db.session.get(Case, wrong).enterprise_id is None
        linked = db.session.get(Case, right)
        assert linked.vehicle_id == vehicle["id"] and linked.enterprise_id is not None


def test_a_driver_edit_keeps_identity_numbers_encrypted_and_masked(app, client, admin):
    driver = post(client, admin, "drivers", {"name": "王强", "licence_no": ID_NO, "identity_number": ID_NO})
    url = f"/api/v1/registry/drivers/{driver['id']}"

    bad = client.patch(url, headers=admin, json={"identity_number": NEW_ID_NO[:-1] + "0"})
    assert bad.status_code == 422 and "identity_number" in bad.get_json()["errors"]
    res = client.patch(url, headers=admin, json={"identity_number": NEW_ID_NO, "qualification_no": "220100777"})

    body = res.get_json()
    assert res.status_code == 200, body
    assert body["identity_masked"] == NEW_ID_NO[:3] + "*" * 11 + NEW_ID_NO[-4:]
    assert body["licence_masked"] == driver["licence_masked"]  # not sent, so kept
    assert NEW_ID_NO not in res.get_data(as_text=True)
    with app.app_context():
        stored = db.session.execute(text("SELECT identity_encrypted, identity_masked FROM drivers")).one()
        from service.registry.crypto import decrypt

        assert NEW_ID_NO not in stored[0] and decrypt(stored[0]) == NEW_ID_NO
    (event,) = audit_events(app, "driver")
    trail = json.dumps(event.data, ensure_ascii=False) + (event.reason or "")
    assert ID_NO not in trail and NEW_ID_NO not in trail
    assert event.data["changes"]["identity_number"] == {
        "from": driver["identity_masked"],
        "to": body["identity_masked"],
    }
    assert event.data["changes"]["qualification_no"] == {"from": None, "to": "220100777"}


def test_a_driver_keeps_at_least_one_licence_number(client, admin):
    driver = post(client, admin, "drivers", {"name": "李明", "licence_no": ID_NO})
    res = client.patch(f"/api/v1/registry/drivers/{driver['id']}", headers=admin, json={"licence_no": None})
    assert res.status_code == 422 and "licence_no" in res.get_json()["errors"]
    renamed = client.patch(f"/api/v1/registry/drivers/{driver['id']}", headers=admin, json={"name": "李明明"})
    assert renamed.status_code == 200 and renamed.get_json()["licence_masked"] == driver["licence_masked"]


def _permit(client, admin, number="JL-DJ-2026-001", plate="吉A12345", route=("JL-WIM-01",)) -> dict:
    return post(
        client,
        admin,
        "permits",
        {
            "number": number,
            "plate": plate,
            "valid_from": (date.today() - timedelta(days=5)).isoformat(),
            "valid_until": (date.today() + timedelta(days=5)).isoformat(),
            "permitted_gross_kg": 70000,
            "route": list(route),
        },
    )


def test_permit_edits_are_checked_and_a_number_in_use_is_a_conflict(client, admin, make_site):
    make_site("JL-WIM-01")
    _permit(client, admin)
    other = _permit(client, admin, "JL-DJ-2026-002", "吉A54321")
    url = f"/api/v1/registry/permits/{other['id']}"

    assert client.patch(url, headers=admin, json={"route": ["NOWHERE"]}).get_json()["errors"]["route"]
    assert client.patch(url, headers=admin, json={"valid_until": "2020-01-01"}).status_code == 422
    taken = client.patch(url, headers=admin, json={"number": "JL-DJ-2026-001"})
    assert taken.status_code == 409 and "许可证号已登记" in taken.get_json()["message"]
    fine = client.patch(url, headers=admin, json={"permitted_gross_kg": 80000})
    assert fine.status_code == 200 and fine.get_json()["permitted_gross_kg"] == 80000


def test_a_permit_that_readings_were_judged_under_keeps_its_number_and_cannot_be_removed(client, admin, make_site):
    _, device = make_site("JL-WIM-01")
    permit = _permit(client, admin)
    result = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=65000)]}
    ).get_json()["results"][0]
    assert result["permit_status"] == "permitted"
    url = f"/api/v1/registry/permits/{permit['id']}"

    renumber = client.patch(url, headers=admin, json={"number": "JL-DJ-2026-009"})
    assert renumber.status_code == 409 and "1 条检测记录" in renumber.get_json()["message"]
    removal = client.delete(url, headers=admin)
    assert removal.status_code == 409 and "检测记录" in removal.get_json()["message"]
    assert client.get(url, headers=admin).status_code == 200


# ── removal ────────────────────────────────────────────────────────────────────


def test_a_record_nothing_refers_to_is_removed_and_the_removal_audited(app, client, admin):
    driver = post(client, admin, "drivers", {"name": "王强", "identity_number": ID_NO, "qualification_no": "22010001"})
    url = f"/api/v1/registry/drivers/{driver['id']}"

    res = client.delete(url, headers=admin)

    assert res.status_code == 204
    assert client.get(url, headers=admin).status_code == 404
    (event,) = audit_events(app, "driver")
    assert event.action == "registry.delete" and "王强" in event.reason
    assert event.data["record"]["identity_number"] == driver["identity_masked"]
    assert ID_NO not in json.dumps(event.data, ensure_ascii=False)


def test_removing_a_record_that_cases_and_vehicles_refer_to_is_refused_naming_them(app, client, admin, make_site):
    _, device = make_site()
    ent = enterprise(client, admin)
    case_ids = open_cases(client, device, "吉A12345", 2)
    vehicle = post(client, admin, "vehicles", {"plate": "吉A12345", "enterprise_uscc": USCC})
    with app.app_context():
        numbers = [db.session.get(Case, i).case_number for i in case_ids]

    res = client.delete(f"/api/v1/registry/enterprises/{ent['id']}", headers=admin)

    body = res.get_json()
    assert res.status_code == 409, body
    assert "不能删除企业" in body["message"] and "1 辆车辆（吉A12345）" in body["message"]
    assert "2 件案件" in body["message"] and all(n in body["message"] for n in numbers)
    gone = client.delete(f"/api/v1/registry/vehicles/{vehicle['id']}", headers=admin)
    assert gone.status_code == 409 and "2 件案件" in gone.get_json()["message"]
    assert client.get(f"/api/v1/registry/enterprises/{ent['id']}", headers=admin).status_code == 200
    assert audit_events(app, "enterprise") == []


# ── who may ────────────────────────────────────────────────────────────────────


def test_only_registry_keepers_correct_and_remove_records(client, admin, login):
    ent = enterprise(client, admin)
    vehicle = post(client, admin, "vehicles", {"plate": "吉A12345"})
    officer, investigator, police = login("officer"), login("investigator"), login("police")
    ent_url, veh_url = f"/api/v1/registry/enterprises/{ent['id']}", f"/api/v1/registry/vehicles/{vehicle['id']}"

    assert client.get(veh_url, headers=officer).status_code == 200
    assert client.patch(veh_url, headers=officer, json={"axle_count": 6}).status_code == 403
    assert client.delete(veh_url, headers=officer).status_code == 403
    # Source investigators keep enterprise dossiers: they correct enterprises, not vehicles, and remove nothing.
    assert client.patch(ent_url, headers=investigator, json={"address": "吉林市船营区"}).status_code == 200
    assert client.patch(veh_url, headers=investigator, json={"axle_count": 6}).status_code == 403
    assert client.delete(ent_url, headers=investigator).status_code == 403
    assert client.get(ent_url, headers=police).status_code == 403
    assert client.get(veh_url, headers=admin).get_json()["axle_count"] is None
    supervisor = login("supervisor")
    assert client.delete(veh_url, headers=supervisor).status_code == 204


# ── the enterprise dossier ─────────────────────────────────────────────────────


def test_the_dossier_shows_fleet_cases_permits_and_the_r_ent_10_share(app, client, admin, make_site, login):
    _, device = make_site("JL-WIM-01")
    ent = enterprise(client, admin, declared_fleet_size=5, licence_first_issued="2020-03-01")
    decide(app, open_cases(client, device, "吉A12345", 4))
    for plate in ("吉A12345", "吉A22222"):
        post(client, admin, "vehicles", {"plate": plate, "enterprise_uscc": USCC, "axle_count": 6})
    post(
        client,
        admin,
        "drivers",
        {"name": "王强", "identity_number": ID_NO, "enterprise_uscc": USCC, "licence_no": ID_NO},
    )
    _permit(client, admin, plate="吉A22222")
    enterprise(client, admin, OTHER_USCC)  # another enterprise's records stay out
    post(client, admin, "vehicles", {"plate": "吉B99999", "enterprise_uscc": OTHER_USCC})

    res = client.get(f"/api/v1/registry/enterprises/{ent['id']}/dossier", headers=login("investigator"))

    d = res.get_json()
    assert res.status_code == 200, d
    assert d["enterprise"]["uscc"] == USCC
    vehicles = {v["plate"]: v for v in d["vehicles"]}
    assert set(vehicles) == {"吉A12345", "吉A22222"}
    assert vehicles["吉A12345"]["case_count"] == 4
    assert vehicles["吉A12345"]["repeat"]["statutory_count"] == 4 and vehicles["吉A12345"]["repeat"]["triggered"]
    assert "营运证" in vehicles["吉A12345"]["repeat"]["consequence"]
    assert vehicles["吉A22222"]["repeat"]["statutory_count"] == 0
    assert [p["name"] for p in d["drivers"]] == ["王强"] and ID_NO not in res.get_data(as_text=True)
    assert [p["number"] for p in d["permits"]] == ["JL-DJ-2026-001"]
    assert d["case_total"] == 4 and {c["plate"] for c in d["cases"]} == {"吉A12345"}
    assert d["cases"][0]["captured_at"] > d["cases"][-1]["captured_at"]  # newest first
    assert all(c["status"] == "decided" and c["excess_pct"] > 0 for c in d["cases"])
    status = d["status"]
    # 1 of a declared fleet of 5 vehicles = 20 %, more than 10 %: 停业整顿 (公路安全保护条例 第六十六条).
    assert status["rule_id"] == "R-ENT-10" and status["statutory_share_pct"] == 20.0 and status["triggered"]
    assert "停业整顿" in status["consequence"] and "第六十六条" in status["article"] and status["authority"]


def test_a_dossier_of_an_unknown_enterprise_is_404(client, admin):
    res = client.get("/api/v1/registry/enterprises/999/dossier", headers=admin)
    assert res.status_code == 404 and "没有该企业" in res.get_json()["message"]


def test_registration_is_audited_with_masked_numbers(app, client, admin):
    res = post(client, admin, "drivers", {"name": "王强", "licence_no": ID_NO, "identity_number": ID_NO})

    (event,) = audit_events(app, "driver", creations=True)
    assert event.action == "registry.create" and event.actor == "admin-user" and event.object_id == str(res["id"])
    assert ID_NO not in json.dumps(event.data, ensure_ascii=False) + (event.reason or "")
    assert event.data["record"]["identity_number"] == res["identity_masked"]
