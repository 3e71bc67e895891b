"""The vehicle's registry record carries the configuration facts that change the limit
(domain-rules §1.1, §1.4): a case not yet noticed opens with them when the follow-up job links
it, and follows every change of them, re-classified and audited with the old and new limit; an
officer's own entry on the case wins; noticed and decided cases never change."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent, Case
from service.extensions import db
from tests.api.test_registry import USCC
from tests.api.test_registry_edit import post
from tests.conftest import mark_decided, reading

ARTICULATED = {"plate": "吉B33333", "enterprise_uscc": USCC, "vehicle_type": "combination", "axle_count": 4}


def _cases(client, device, plate: str, gross: int, axles: int, count: int = 1, kind: str = "combination") -> list[int]:
    items = [
        reading(
            site_code="JL-ST-01",
            record_id=f"{plate}-{gross}-{i}",
            plate=plate,
            axle_count=axles,
            vehicle_type=kind,
            gross_weight_kg=gross,
        )
        for i in range(count)
    ]
    res = client.post("/api/v1/readings", headers=device, json={"readings": items})
    return [r["case_id"] for r in res.get_json()["results"]]


def _patch(client, headers, vehicle_id: int, body: dict):
    return client.patch(f"/api/v1/registry/vehicles/{vehicle_id}", headers=headers, json=body)


def _limits(officer, case_id: int) -> tuple:
    body = officer.get(case_id).get_json()
    return body["limit_kg"], body["rule_id"]


def _configuration_events(app, case_id: int) -> list[AuditEvent]:
    with app.app_context():
        stmt = select(AuditEvent).where(AuditEvent.action == "case.configuration", AuditEvent.object_id == str(case_id))
        events = db.session.scalars(stmt.order_by(AuditEvent.id)).all()
        db.session.expunge_all()
        return events


def test_the_37_t_cell_applies_only_when_the_record_registers_every_fact_it_needs(
    app, client, make_site, team, registered, run_worker
):
    admin, officer = team["admin"], team["officer"]
    vehicle = post(client, admin, "vehicles", {**ARTICULATED, "articulated": True, "drive_axle_air_suspension": True})
    assert vehicle["articulated"] is True and vehicle["axle_spacing_mm"] is None
    _, device = make_site("JL-ST-01", kind="static")  # no deduction: the limit alone decides
    noticed, decided, case_id = _cases(client, device, "吉B33333", 40000, 4, count=3)
    with app.app_context():  # one case already told to the party, one decided: both stay as they are
        db.session.get(Case, noticed).status = "notice_issued"
        db.session.commit()
    mark_decided(app, [decided])
    run_worker()  # links the cases to the record: the spacing is still unknown
    assert _limits(officer, case_id) == (37000, "L-4AX-ART-37")  # ⚖ unknown spacing taken as met

    short = _patch(client, admin, vehicle["id"], {"axle_spacing_mm": 1300})
    assert short.status_code == 200, short.get_json()
    assert _limits(officer, case_id) == (36000, "L-4AX-C")  # d < 1800 mm: the table's 36 t
    assert _patch(client, admin, vehicle["id"], {"axle_spacing_mm": 1850}).status_code == 200

    detail = officer.get(case_id).get_json()
    assert (detail["limit_kg"], detail["rule_id"], detail["excess_kg"]) == (37000, "L-4AX-ART-37", 3000)
    facts = detail["vehicle_facts"]
    assert {k: v["value"] for k, v in facts.items()} == {
        "vehicle_type": "combination",
        "articulated": True,
        "drive_axle_air_suspension": True,
        "axle_spacing_mm": 1850,
    }
    assert {v["source"] for v in facts.values()} == {"registry"} and facts["axle_spacing_mm"]["by"] == "law-admin"
    events = _configuration_events(app, case_id)
    assert [(e.actor, e.data["before"]["limit_kg"], e.data["after"]["limit_kg"]) for e in events] == [
        ("system", 37000, 37000),  # linked: type, articulated and tyres recorded, the spacing unknown
        ("law-admin", 37000, 36000),
        ("law-admin", 36000, 37000),
    ]
    assert "半挂车轴距（毫米）：1850" in events[-1].reason and "36000 → 37000" in events[-1].reason
    for untouched in (noticed, decided):
        assert _limits(officer, untouched) == (37000, "L-4AX-ART-37")
        assert officer.get(untouched).get_json()["vehicle_facts"] is None
        assert _configuration_events(app, untouched) == []


def test_a_truck_registered_with_air_suspension_keeps_26_t_and_one_registered_without_gets_25_t(
    app, client, make_site, team, registered, run_worker
):
    admin, officer = team["admin"], team["officer"]
    truck = {"plate": "吉B22222", "enterprise_uscc": USCC, "vehicle_type": "truck", "axle_count": 3}
    vehicle = post(client, admin, "vehicles", {**truck, "drive_axle_air_suspension": False})
    _, device = make_site("JL-ST-01", kind="static")
    (case_id,) = _cases(client, device, "吉B22222", 27500, 3, kind=...)  # the device did not tell the type
    opened = officer.get(case_id).get_json()
    assert (opened["limit_kg"], opened["rule_id"]) == (27000, "L-3AX-C")  # ⚖ type unknown at ingest
    run_worker()  # the registry's facts: a truck without air suspension
    assert _limits(officer, case_id) == (25000, "L-3AX-T")
    [linked] = _configuration_events(app, case_id)
    assert linked.actor == "system" and linked.data["source"] == "registry"
    assert (linked.data["before"]["limit_kg"], linked.data["after"]["limit_kg"]) == (27000, 25000)

    assert _patch(client, admin, vehicle["id"], {"drive_axle_air_suspension": True}).status_code == 200
    assert _limits(officer, case_id) == (26000, "L-AIR+1")
    assert _patch(client, admin, vehicle["id"], {"drive_axle_air_suspension": None}).status_code == 200
    detail = officer.get(case_id).get_json()
    assert (detail["limit_kg"], detail["rule_id"]) == (26000, "L-AIR+1")  # ⚖ unknown again: the higher limit
    assert "drive_axle_air_suspension" not in detail["vehicle_facts"]


def test_the_officers_own_entry_wins_over_the_registry(app, client, make_site, team, registered, run_worker):
    admin, officer = team["admin"], team["officer"]
    truck = {"plate": "吉B22222", "enterprise_uscc": USCC, "vehicle_type": "truck", "axle_count": 3}
    vehicle = post(client, admin, "vehicles", truck)
    _, device = make_site("JL-ST-01", kind="static")
    (case_id,) = _cases(client, device, "吉B22222", 26500, 3, kind="truck")
    run_worker()
    body = {"drive_axle_air_suspension": True, "reason": "据侧面图像：双轮胎，空气悬架"}
    assert officer.step(case_id, "configuration", body).status_code == 200

    assert _patch(client, admin, vehicle["id"], {"drive_axle_air_suspension": False}).status_code == 200

    detail = officer.get(case_id).get_json()
    assert (detail["limit_kg"], detail["rule_id"]) == (26000, "L-AIR+1")
    entry = detail["vehicle_facts"]["drive_axle_air_suspension"]
    assert (entry["value"], entry["source"], entry["by"]) == (True, "officer", "law-officer")
    # A change the officer did not enter still follows the record, naming the entry that won.
    assert _patch(client, admin, vehicle["id"], {"vehicle_type": "combination"}).status_code == 200
    assert _limits(officer, case_id) == (27000, "L-3AX-C")
    last = _configuration_events(app, case_id)[-1]
    assert last.data["officer_kept"] == ["drive_axle_air_suspension"] and "执法人员登记的" in last.reason


def test_registry_configuration_errors_name_the_field_in_chinese(client, team, registered):
    admin = team["admin"]
    bad = client.post(
        "/api/v1/registry/vehicles",
        headers=admin,
        json={**ARTICULATED, "articulated": "maybe", "axle_spacing_mm": 0},
    )
    assert bad.status_code == 422
    errors = bad.get_json()["errors"]
    assert "未登记" in str(errors["json"]["articulated"] if "json" in errors else errors["articulated"])
    assert "半挂车轴距" in str(errors)
    vehicle = post(client, admin, "vehicles", ARTICULATED)
    res = _patch(client, admin, vehicle["id"], {"axle_spacing_mm": 25000})
    assert res.status_code == 422 and "半挂车轴距须在 1 至 20000 毫米之间" in str(res.get_json()["errors"])


def test_a_vehicle_csv_registers_the_facts_as_是_否_or_empty_and_open_cases_take_them(
    app, client, make_site, team, registered, run_worker
):
    from tests.workers.test_registry_import import import_csv

    admin, officer = team["admin"], team["officer"]
    _, device = make_site("JL-ST-01", kind="static")
    (case_id,) = _cases(client, device, "吉B33333", 40000, 4)
    run_worker()
    assert _limits(officer, case_id) == (37000, "L-4AX-ART-37")  # ⚖ nothing known yet
    content = (
        "plate,vehicle_type,axle_count,articulated,drive_axle_air_suspension,axle_spacing_mm,single_drive_axle\n"
        "吉B33333,combination,4,是,否,1850,\n"  # no air suspension: the 37 t cell does not apply
        "吉B44444,truck,3,也许,,1.8m,\n"
    )

    job = import_csv(client, admin, run_worker, "vehicles", content)

    assert (job["accepted"], job["rejected"]) == (1, 1), job
    assert job["errors"][0]["errors"] == {
        "articulated": ["须为 是 / 否，或留空表示未登记（未知）"],
        "axle_spacing_mm": ["须为整数"],
    }
    detail = officer.get(case_id).get_json()
    assert (detail["limit_kg"], detail["rule_id"]) == (36000, "L-4AX-C")
    assert detail["vehicle_facts"]["drive_axle_air_suspension"]["value"] is False
    assert "single_drive_axle" not in detail["vehicle_facts"]  # empty: not registered
