"""一超四罚 through the API: the owner's decision opens the other parties' matters the law
calls for (domain-rules §4.2), each runs to its end, and the case closes only when all have."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from models import PartyMatter
from service.extensions import db
from service.rules import uscc_check_digit
from tests.api.review.test_matters import close_the_other_matters, matter_step
from tests.api.review.test_procedure import CHECKLIST
from tests.api.test_registry_edit import post
from tests.conftest import mark_decided, reading
from tests.evidence_kit import give_evidence

QUARRY = "91220211MA0X5P3R1" + uscc_check_digit("91220211MA0X5P3R1")


def decided_case(client, make_site, team, run_worker, *, driver: bool = True, record: str = "L-1") -> int:
    _, device = make_site() if record == "L-1" else (None, None)
    if device is None:
        from models import DeviceToken, Site

        app = client.application
        with app.app_context():
            token, clear = DeviceToken.issue(db.session.query(Site).one(), label=record)
            db.session.add(token)
            db.session.commit()
        device = {"Authorization": f"Bearer {clear}"}
    res = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(record_id=record, gross_weight_kg=56000)]}
    )
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    run_worker()  # links the case to the registered vehicle and its enterprise
    officer, boss = team["officer"], team["supervisor"]
    if driver:
        papers = {"name": "张建军", "licence_no": "220102198001011234"}
        assert officer.step(case_id, "driver", papers).status_code == 200
    assert officer.step(case_id, "confirm", {"checklist": CHECKLIST}).status_code == 200
    assert officer.step(case_id, "notice").status_code == 201
    assert officer.step(case_id, "statements", {"kind": "waiver"}).status_code == 200
    assert officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000}).status_code == 200
    assert boss.step(case_id, "decision/approve").status_code == 200
    return case_id


def by_party(detail: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for m in detail["matters"]:
        out.setdefault(m["party"], []).append(m)
    return out


def test_the_owners_decision_opens_every_partys_matter(app, client, make_site, team, registered, run_worker):
    case_id = decided_case(client, make_site, team, run_worker)
    detail = team["officer"].get(case_id).get_json()
    parties = by_party(detail)
    assert sorted(parties) == ["driver", "source_enterprise", "transport_enterprise", "vehicle"]
    (driver,) = parties["driver"]
    # 56 t against the licence's 31 t rated load is an overload: referred to the police at 审核确认.
    assert driver["authority"] == "police" and driver["party_name"] == "张建军" and driver["status"] == "referred"
    # Points by the maximum total mass (8.57 % over after the deduction: 1 point, 记分办法 Art 12); the
    # Art 92 fine needs the 行驶证 total mass, which the registry does not hold: left to the police.
    police = driver["basis"]["police"]
    assert police["points"]["points"] == 1 and police["fine"]["status"] == "cannot_assess"
    # The referral at 审核确认 states the points rule it measured; the police assess the fine.
    assert "罚款由公安机关核定" in driver["basis"]["text"] and "记分管理办法" in driver["basis"]["article"]
    (enterprise,) = parties["transport_enterprise"]
    assert enterprise["party_name"] == "长春顺达运输有限公司" and enterprise["enterprise_id"] == registered
    assert enterprise["authority"] == "transport_authority" and enterprise["due_on"]
    (source,) = parties["source_enterprise"]
    assert source["status"] == "unidentified" and source["status_label"] == "待查明当事人" and source["due_on"]
    assert detail["status"] == "decided"  # the owner's procedure still leads the case
    contract = client.get(f"/api/v1/cases/{case_id}/parties", headers=team["officer"].headers).get_json()
    assert {p["party"] for p in contract["parties"]} == {
        "vehicle",
        "driver",
        "transport_enterprise",
        "source_enterprise",
    }
    with app.app_context():
        from models import AuditEvent

        event = db.session.query(AuditEvent).filter_by(action="case.law_matters").one()
        # the driver's police matter was opened by the referral at 审核确认; the decision adds the other two
        assert len(event.data["matters"]) == 2
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_an_unnamed_driver_and_an_unregistered_truck_are_matters_to_identify(client, make_site, team, run_worker):
    case_id = decided_case(client, make_site, team, run_worker, driver=False)
    parties = by_party(team["officer"].get(case_id).get_json())
    assert parties["driver"][0]["status"] == "unidentified" and parties["driver"][0]["party_name"] is None
    assert parties["transport_enterprise"][0]["status"] == "unidentified"


def test_a_case_already_referred_keeps_its_one_police_matter(client, make_site, team, registered, run_worker):
    _, device = make_site()
    res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]})
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    officer = team["officer"]
    officer.step(case_id, "confirm", {"checklist": CHECKLIST})
    assert officer.step(case_id, "referral", {"reason": "超载，移交公安"}).status_code == 200
    officer.step(case_id, "notice")
    officer.step(case_id, "statements", {"kind": "waiver"})
    officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000})
    team["supervisor"].step(case_id, "decision/approve")
    police = [m for m in officer.get(case_id).get_json()["matters"] if m["authority"] == "police"]
    assert len(police) == 1 and police[0]["status"] == "referred"  # 行政处罚法 Art 29: one act, one police matter


def test_the_investigator_names_the_source_and_the_matter_runs_on(app, client, make_site, team, registered, run_worker):
    case_id = decided_case(client, make_site, team, run_worker)
    admin = team["admin"]
    quarry = post(
        client,
        admin,
        "enterprises",
        {"uscc": QUARRY, "name": "吉林市丰满区恒基砂石料场", "kind": "source"},
    )
    source = by_party(team["officer"].get(case_id).get_json())["source_enterprise"][0]
    investigator = team["investigator"]
    seen = client.get(f"/api/v1/matters/{source['id']}", headers=investigator.headers)
    assert seen.status_code == 200 and [a["step"] for a in seen.get_json()["actions"]] == ["identify"]
    wrong = matter_step(client, investigator, source["id"], "identify", {"enterprise_id": registered})
    assert wrong.status_code == 422  # a transport company is not a source unit
    named = matter_step(client, investigator, source["id"], "identify", {"enterprise_id": quarry["id"]})
    assert named.status_code == 200 and named.get_json()["status"] == "pending"
    assert named.get_json()["party_name"] == "吉林市丰满区恒基砂石料场"
    driver = by_party(team["officer"].get(case_id).get_json())["driver"][0]
    assert client.get(f"/api/v1/matters/{driver['id']}", headers=investigator.headers).status_code == 404


def test_an_overdue_identification_is_flagged_and_closing_waits_for_every_matter(
    app, client, make_site, team, registered, run_worker
):
    case_id = decided_case(client, make_site, team, run_worker)
    with app.app_context():
        db.session.execute(
            update(PartyMatter)
            .where(PartyMatter.case_id == case_id, PartyMatter.status == "unidentified")
            .values(due_on=date.today() - timedelta(days=1))
        )
        db.session.commit()
    listed = client.get("/api/v1/cases/deadlines", headers=team["supervisor"].headers).get_json()
    assert [c["id"] for c in listed] == [case_id]
    overdue = [d for d in team["supervisor"].get(case_id).get_json()["deadlines"] if d["overdue"]]
    assert [d["label"] for d in overdue] == ["货运源头单位：查明当事人期限"]
    officer = team["officer"]
    officer.step(case_id, "service", {"method": "direct"})
    officer.step(case_id, "payment", {"amount_yuan": 2000})
    assert officer.step(case_id, "close").get_json()["status"] == "matters_open"
    close_the_other_matters(client, officer, team["supervisor"], case_id)
    assert officer.get(case_id).get_json()["status"] == "closed"


def test_the_fourth_decision_adds_the_r_veh_3_measure(app, client, make_site, team, registered, run_worker):
    from tests.conftest import ago

    _, device = make_site()
    earlier = [reading(record_id=f"E-{i}", gross_weight_kg=60000, captured_at=ago(days=20 + 20 * i)) for i in range(3)]
    results = client.post("/api/v1/readings", headers=device, json={"readings": earlier}).get_json()["results"]
    mark_decided(app, [r["case_id"] for r in results])
    case_id = decided_case(client, make_site, team, run_worker, record="L-2")
    measures = [m for m in team["officer"].get(case_id).get_json()["matters"] if m["basis"]["rule_id"] == "R-VEH-3"]
    assert len(measures) == 1 and "吊销车辆营运证" in measures[0]["basis"]["text"]
    assert measures[0]["authority"] == "transport_authority" and measures[0]["party"] == "vehicle"


def test_the_investigator_names_the_source_from_the_sources_page(app, client, make_site, team, registered, run_worker):
    from tests.console.test_console import _csrf, sign_in

    case_id = decided_case(client, make_site, team, run_worker)
    quarry = post(
        client, team["admin"], "enterprises", {"uscc": QUARRY, "name": "吉林市丰满区恒基砂石料场", "kind": "source"}
    )
    sign_in(client, app, role="investigator", username="console-investigator")
    page = client.get("/sources").get_data(as_text=True)
    assert "待查明当事人" in page and "吉林市丰满区恒基砂石料场" in page
    source = by_party(team["officer"].get(case_id).get_json())["source_enterprise"][0]
    res = client.post(
        f"/sources/matters/{source['id']}/identify", data={"csrf_token": _csrf(page), "enterprise_id": quarry["id"]}
    )
    assert res.status_code == 302
    assert "已查明：吉林市丰满区恒基砂石料场" in client.get("/sources").get_data(as_text=True)
