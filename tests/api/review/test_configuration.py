"""The configuration facts that change the limit (domain-rules §1.1, §1.4), recorded by the
reviewing officer or read from the vehicle's registry record: the case is re-classified from
them, audited. Unknown at ingest, they are taken as the party-favourable (higher) limit; a case
that is no longer over the limit offers dismissal with that reason instead of a dead end."""

from __future__ import annotations

from models import AuditEvent
from service.extensions import db
from tests.conftest import reading


def _case(client, device, **overrides) -> int:
    res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(**overrides)]})
    return res.get_json()["results"][0]["case_id"]


def test_a_four_axle_combination_opens_at_37_t_and_is_reclassified_from_the_facts_found(app, client, make_site, team):
    site_id, device = make_site("JL-ST-01", kind="static")  # no deduction: the limit alone decides
    case_id = _case(
        client, device, site_code="JL-ST-01", axle_count=4, vehicle_type="combination", gross_weight_kg=40000
    )
    officer = team["officer"]
    opened = officer.get(case_id).get_json()
    assert (opened["limit_kg"], opened["rule_id"], opened["excess_kg"]) == (37000, "L-4AX-ART-37", 3000)

    bare = officer.step(case_id, "configuration", {"reason": "据图像"})
    assert bare.status_code == 422
    body = {
        "articulated": True,
        "drive_axle_air_suspension": True,
        "axle_spacing_mm": 1300,
        "reason": "据侧面图像测算轴距",
    }
    res = officer.step(case_id, "configuration", body)
    assert res.status_code == 200, res.get_json()
    after = res.get_json()
    assert (after["limit_kg"], after["rule_id"], after["excess_kg"]) == (36000, "L-4AX-C", 4000)
    assert after["vehicle_facts"]["axle_spacing_mm"]["value"] == 1300
    assert after["vehicle_facts"]["articulated"]["source"] == "officer"
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(action="case.configuration").one()
        assert event.data["before"] == {"limit_kg": 37000, "rule_id": "L-4AX-ART-37"}
        assert event.data["after"] == {"limit_kg": 36000, "rule_id": "L-4AX-C"} and "37000 → 36000" in event.reason
    assert officer.step(case_id, "confirm", {}).status_code == 200
    assert officer.get(case_id).get_json()["penalty_proposal"]["proposed_yuan"] == 2000  # 4 t over, 62号令 Art 43


def test_a_truck_found_without_air_suspension_gets_the_table_limit(client, make_site, team):
    _, device = make_site("JL-ST-01", kind="static")
    case_id = _case(client, device, site_code="JL-ST-01", axle_count=3, vehicle_type="truck", gross_weight_kg=27000)
    officer = team["officer"]
    assert officer.get(case_id).get_json()["limit_kg"] == 26000  # ⚖ L-AIR+1 while unknown
    res = officer.step(case_id, "configuration", {"drive_axle_air_suspension": False, "reason": "钢板弹簧，见侧面图像"})
    assert res.get_json()["limit_kg"] == 25000 and res.get_json()["rule_id"] == "L-3AX-T"


def test_the_registry_record_gives_the_type(client, make_site, team, registered, run_worker):
    from tests.api.test_registry import USCC
    from tests.api.test_registry_edit import post

    truck = {"plate": "吉B22222", "enterprise_uscc": USCC, "vehicle_type": "truck", "axle_count": 3}
    post(client, team["admin"], "vehicles", truck)
    _, device = make_site("JL-ST-01", kind="static")
    bare = _case(
        client, device, site_code="JL-ST-01", record_id="R-1", axle_count=3, vehicle_type=..., gross_weight_kg=27500
    )
    typed = _case(
        client,
        device,
        site_code="JL-ST-01",
        record_id="R-2",
        plate="吉B22222",
        axle_count=3,
        vehicle_type=...,
        gross_weight_kg=27500,
    )
    run_worker()  # links the cases to their registry records, which give the type
    officer = team["officer"]
    linked = officer.get(typed).get_json()
    assert linked["limit_kg"] == 26000 and linked["vehicle_facts"]["vehicle_type"]["by"] == "system"
    res = officer.step(typed, "configuration", {"from_registry": True})
    assert res.status_code == 200, res.get_json()
    facts = res.get_json()["vehicle_facts"]
    assert facts["vehicle_type"] == {**facts["vehicle_type"], "value": "truck", "source": "registry"}
    assert res.get_json()["limit_kg"] == 26000  # a truck; its drive axle still unknown (⚖ L-AIR+1)
    refused = officer.step(bare, "configuration", {"from_registry": True})  # 吉A12345's record names no type
    assert refused.status_code == 409 and "未载明" in refused.get_json()["message"]


def test_reclassified_below_the_limit_the_case_is_barred_with_the_reason_and_dismissal_prefilled(
    app, client, make_site, team
):
    from tests.console.test_console import sign_in

    _, device = make_site("JL-ST-01", kind="static")
    # 3 axles declared a truck: 26 t (⚖ air suspension unknown); 26.5 t is over.
    case_id = _case(client, device, site_code="JL-ST-01", axle_count=3, vehicle_type="truck", gross_weight_kg=26500)
    officer = team["officer"]
    res = officer.step(
        case_id, "configuration", {"vehicle_type": "combination", "reason": "实为三轴汽车列车，见侧面图像"}
    )
    assert res.get_json()["limit_kg"] == 27000 and res.get_json()["excess_kg"] == 0
    barred = {a["step"]: a["reason"] for a in res.get_json()["barred_actions"]}
    assert "未超限" in barred["confirm"] and "应申请撤销" in barred["confirm"]
    assert "dismissal" in {a["step"] for a in res.get_json()["actions"]}
    refused = officer.step(case_id, "confirm", {})
    assert refused.status_code == 409
    sign_in(client, app, "officer", "config-officer")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="confirm-form"' not in page and 'id="dismiss-form"' in page
    assert 'value="按查明的车辆配置重新认定' in page  # the dismissal's reason, ready to send
    assert "实为三轴汽车列车" not in page or "登记车辆配置" in page
