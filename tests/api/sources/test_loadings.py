"""Exit weighbridges and POST /api/v1/loadings — CONTRACT §6."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import Case, Loading, PartyMatter
from service.extensions import db
from tests.api.sources.conftest import CARRIER, QUARRY
from tests.conftest import ago


def loading(**overrides) -> dict:
    """A legal 6-axle loading an hour ago; `...` removes a field."""
    body = {
        "weighbridge_code": "JS-WB-01",
        "record_id": "L-0001",
        "weighed_at": ago(hours=1),
        "plate": "吉C12345",
        "plate_color": "yellow",
        "axle_count": 6,
        "vehicle_type": "combination",
        "gross_weight_kg": 45000,
        "tare_weight_kg": 15000,
        "cargo": "砂石",
        "waybill_no": "YD-0001",
        "destination": "长春市绿园区",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def post(client, headers, *items):
    return client.post("/api/v1/loadings", json={"loadings": list(items)}, headers=headers)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def bridge(weighbridge):
    return weighbridge()[1]


def test_legal_loading_is_accepted_with_its_static_limit_and_no_case(app, client, bridge):
    body = post(client, bridge, loading()).get_json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 0, 0)
    r = body["results"][0]
    assert r["status"] == "accepted" and r["limit_kg"] == 49000 and r["overlimit"] is False
    assert r["overlimit_kg"] == 0 and r["source_case_id"] is None
    assert count(app, Case) == 0


@pytest.mark.parametrize(
    ("axles", "vtype", "gross", "over"),
    [
        (6, "combination", 49000, False),  # 62号令 Art 3(八): "超过" 49 t — 49 000 itself is legal
        (6, "combination", 49001, True),
        (2, "truck", 18000, False),  # Art 3(四)
        (2, "truck", 18001, True),
        (3, "truck", 26001, True),  # Art 3(五), over even the L-AIR+1 26 t
    ],
    ids=["6ax-at-limit", "6ax-1kg-over", "2ax-at-limit", "2ax-1kg-over", "3ax-truck-over"],
)
def test_the_limit_is_the_static_one_without_a_deduction(client, bridge, axles, vtype, gross, over):
    r = post(client, bridge, loading(axle_count=axles, vehicle_type=vtype, gross_weight_kg=gross, tare_weight_kg=...))
    result = r.get_json()["results"][0]
    assert result["overlimit"] is over
    assert (result["source_case_id"] is not None) is over


def test_an_overlimit_loading_opens_a_source_case_against_the_enterprise_at_once(app, client, bridge, login):
    r = post(client, bridge, loading(gross_weight_kg=62000)).get_json()["results"][0]
    assert r["overlimit"] is True and r["overlimit_kg"] == 13000
    case_id = r["source_case_id"]
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.loading_id == r["loading_id"] and case.reading_id is None
        assert case.status == "matters_open" and case.excess_kg == 13000
        (matter,) = db.session.scalars(select(PartyMatter).where(PartyMatter.case_id == case_id)).all()
        assert matter.party == "source_enterprise" and matter.party_name == "四平市铁东区金石采石有限公司"
        # No provincial band configured: no amount is invented, the case says so (domain-rules §7.3).
        assert matter.basis["violation"] == "S-NO-EXIT" and "max_yuan" not in matter.basis
        assert "不拟定罚款数额" in matter.basis["no_amount"]
        assert matter.authority == "transport_authority" and matter.status == "pending"
    stored = client.get(f"/api/v1/loadings/{r['loading_id']}", headers=login("investigator")).get_json()
    assert stored["source_case_id"] == case_id and stored["cargo"] == "砂石"


def test_a_provincial_band_in_the_settings_makes_the_source_matter_a_fine_decided_here(app, client, bridge):
    from service.config import rule_settings
    from service.rules.settings import RuleSettings

    old = app.config["RULE_SETTINGS"]
    app.config["RULE_SETTINGS"] = RuleSettings(source_loading_fine_min_yuan=10000, source_loading_fine_max_yuan=30000)
    try:
        case_id = post(client, bridge, loading(gross_weight_kg=62000)).get_json()["results"][0]["source_case_id"]
        with app.app_context():
            assert rule_settings().source_loading_fine_min_yuan == 10000
            matter = db.session.scalar(select(PartyMatter).where(PartyMatter.case_id == case_id))
            assert matter.authority == "agency" and matter.basis["rule_id"] == "SP-PROV-LOADING"
            assert (matter.basis["min_yuan"], matter.basis["max_yuan"], matter.basis["proposed_yuan"]) == (
                10000, 30000, 10000,
            )  # fmt: skip
    finally:
        app.config["RULE_SETTINGS"] = old


def test_replay_is_a_duplicate_with_the_first_result_and_changes_nothing(app, client, bridge):
    first = post(client, bridge, loading(gross_weight_kg=62000)).get_json()["results"][0]
    again = post(client, bridge, loading(gross_weight_kg=30000)).get_json()
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    dup = again["results"][0]
    assert dup["status"] == "duplicate" and dup["loading_id"] == first["loading_id"]
    assert dup["source_case_id"] == first["source_case_id"] and dup["overlimit"] is True
    assert count(app, Loading) == 1 and count(app, Case) == 1


def test_a_repeat_inside_one_batch_is_a_duplicate(app, client, bridge):
    body = post(client, bridge, loading(), loading()).get_json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert body["results"][1]["loading_id"] == body["results"][0]["loading_id"]


def test_each_bad_item_is_rejected_alone_naming_every_bad_field(app, client, bridge):
    bad = loading(record_id="L-2", axle_count=9, gross_weight_kg=-1, tare_weight_kg=..., weighed_at="yesterday",
                  cargo="x" * 65, color=1)  # fmt: skip
    tare = loading(record_id="L-3", gross_weight_kg=30000, tare_weight_kg=30000)
    body = post(client, bridge, loading(), bad, tare, "not an object").get_json()
    assert (body["accepted"], body["rejected"]) == (1, 3)
    errors = body["results"][1]["errors"]
    assert set(errors) == {"axle_count", "gross_weight_kg", "weighed_at", "cargo", "color"}
    assert "皮重须小于毛重" in body["results"][2]["errors"]["tare_weight_kg"][0]
    assert "_item" in body["results"][3]["errors"]
    assert count(app, Loading) == 1


def test_a_weighbridge_posts_only_for_itself_and_not_readings(app, client, weighbridge, bridge):
    other_id, other = weighbridge("JS-WB-02")
    res = post(client, other, loading()).get_json()["results"][0]
    assert res["status"] == "rejected" and "本地磅" in res["errors"]["weighbridge_code"][0]
    unknown = post(client, bridge, loading(weighbridge_code="NOPE")).get_json()["results"][0]
    assert "未知地磅编码" in unknown["errors"]["weighbridge_code"][0]
    assert client.post("/api/v1/readings", json={"readings": []}, headers=bridge).status_code == 403
    assert client.get("/api/v1/cases", headers=bridge).status_code == 403


def test_an_admin_may_post_for_any_weighbridge_others_may_not(client, bridge, login):
    assert post(client, login("admin"), loading()).get_json()["accepted"] == 1
    for role in ("investigator", "officer", "supervisor", "police"):
        assert post(client, login(role), loading(record_id=role)).status_code == 403
    assert client.post("/api/v1/loadings", json={"loadings": [loading()]}).status_code == 401


@pytest.mark.parametrize("body", [{"loadings": []}, {"loadings": "x"}, {"other": 1}, {"loadings": [{}] * 1001}])
def test_a_batch_outside_1_to_1000_items_stores_nothing(app, client, bridge, body):
    assert client.post("/api/v1/loadings", json=body, headers=bridge).status_code == 422
    assert count(app, Loading) == 0


def test_weighbridges_create_cli_prints_the_token_alone_on_the_last_line(app, client, enterprise):
    enterprise(QUARRY)
    enterprise(CARRIER, "长春顺通物流有限公司", kind="transport")
    runner = app.test_cli_runner()
    out = runner.invoke(args=["weighbridges", "create", "JS-WB-09", "--enterprise", QUARRY, "--name", "一号地磅",
                              "--calibrated-until", "2027-06-30"])  # fmt: skip
    assert out.exit_code == 0, out.output
    token = out.output.strip().splitlines()[-1]
    assert token.startswith("wb_")
    res = post(client, {"Authorization": f"Bearer {token}"}, loading(weighbridge_code="JS-WB-09"))
    assert res.get_json()["accepted"] == 1
    refused = runner.invoke(args=["weighbridges", "create", "X-1", "--enterprise", CARRIER, "--name", "n"])
    assert refused.exit_code != 0 and "不是货运源头单位" in refused.output


def test_admin_registers_a_weighbridge_through_the_api(client, enterprise, login):
    enterprise(QUARRY)
    admin = login("admin")
    res = client.post("/api/v1/weighbridges", headers=admin,
                      json={"code": "JS-WB-05", "enterprise": QUARRY, "name": "东门地磅", "calibrated_until": "2027-01-31"})  # fmt: skip
    assert res.status_code == 201
    created = res.get_json()
    assert created["device_token"].startswith("wb_") and created["calibrated_until"] == "2027-01-31"
    listed = client.get("/api/v1/weighbridges", headers=login("investigator")).get_json()
    assert [w["code"] for w in listed] == ["JS-WB-05"] and "device_token" not in listed[0]
    assert client.post("/api/v1/weighbridges", headers=login("investigator", "inv2"),
                       json={"code": "X", "enterprise": QUARRY, "name": "x"}).status_code == 403  # fmt: skip


def test_a_loading_after_the_weighbridge_verification_lapsed_opens_a_case_unusable_for_a_penalty(
    app, client, weighbridge
):
    from datetime import date

    from service.rules.settings import RuleSettings

    _, header = weighbridge(calibrated_until=date(2020, 1, 1))
    old = app.config["RULE_SETTINGS"]
    app.config["RULE_SETTINGS"] = RuleSettings(calibration_required_kinds=("wim", "static"))
    try:
        case_id = post(client, header, loading(gross_weight_kg=62000)).get_json()["results"][0]["source_case_id"]
    finally:
        app.config["RULE_SETTINGS"] = old
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.penalty_usable is False
        assert case.penalty_bars[0]["code"] == "calibration_lapsed"


def test_sites_locate_records_where_a_site_is(app, make_site):
    from models import Site

    make_site("JL-WIM-01")
    runner = app.test_cli_runner()
    out = runner.invoke(args=["sites", "locate", "JL-WIM-01", "--latitude", "43.88", "--longitude", "125.32"])
    assert out.exit_code == 0, out.output
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "JL-WIM-01"))
        assert (site.latitude, site.longitude) == (43.88, 125.32)
    bad = runner.invoke(args=["sites", "locate", "JL-WIM-01", "--latitude", "95", "--longitude", "125"])
    assert bad.exit_code != 0


def test_admin_issues_and_revokes_weighbridge_tokens(client, weighbridge, login):
    _, first = weighbridge()
    admin = login("admin")
    issued = client.post("/api/v1/weighbridges/JS-WB-01/tokens", headers=admin)
    assert issued.status_code == 201
    second = {"Authorization": f"Bearer {issued.get_json()['device_token']}"}
    assert post(client, second, loading(record_id="t2")).get_json()["accepted"] == 1
    revoked = client.post(f"/api/v1/weighbridges/JS-WB-01/tokens/{issued.get_json()['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"] is not None
    assert post(client, second, loading(record_id="t3")).status_code == 401
    assert post(client, first, loading(record_id="t4")).get_json()["accepted"] == 1
    assert client.post("/api/v1/weighbridges/NOPE/tokens", headers=admin).status_code == 404


@pytest.mark.parametrize(
    "code", [["JS-WB-01"], {"a": 1}, 7, "x" * 40, "JS\ud800"], ids=["list", "object", "number", "too-long", "surrogate"]
)
def test_a_weighbridge_code_of_any_shape_rejects_its_item_alone(app, client, bridge, code):
    import json

    items = [loading(record_id="ok"), loading(record_id="bad", weighbridge_code=code)]
    body = client.post(
        "/api/v1/loadings", data=json.dumps({"loadings": items}), headers=bridge, content_type="application/json"
    )  # fmt: skip  (ASCII escapes carry a lone surrogate)
    assert body.status_code == 200
    result = body.get_json()
    assert result["accepted"] == 1 and "weighbridge_code" in result["results"][1]["errors"]
