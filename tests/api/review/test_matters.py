"""Party matters (当事人事项) and the one step table they all run through.

The vehicle owner's matter carries the procedure the case used to; the same engine runs an
enterprise's own penalty (its band from the matter's basis) and tracks a matter another
authority handles (移送 → 签收 → 结果). A case closes only when every matter has.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import Case, PartyMatter
from service.extensions import db
from tests.api.review.test_procedure import CHECKLIST, Officer
from tests.conftest import reading
from tests.evidence_kit import give_evidence

# 道路运输条例 (2023) Art 70 ¶2: a freight station releasing an overloaded vehicle, 3 000–30 000 yuan.
STATION_BASIS = {
    "rule_id": "SP-NAT-STATION",
    "article": "《中华人民共和国道路运输条例》(2023) 第七十条第二款",
    "text": "货运站经营者对超限、超载车辆配载，放行出站",
    "kind": "fine",
    "min_yuan": 3000,
    "max_yuan": 30000,
    "proposed_yuan": 3000,
    "items": [
        {
            "rule_id": "SP-NAT-STATION",
            "article": "《中华人民共和国道路运输条例》(2023) 第七十条第二款",
            "min_yuan": 3000,
            "max_yuan": 30000,
            "basis_text": "货运站放行超载车辆出站，处3000元以上3万元以下罚款",
        }
    ],
}


@pytest.fixture
def team(client, login):
    return {
        "officer": Officer(client, login("officer", username="officer-a")),
        "supervisor": Officer(client, login("supervisor", username="sup-a")),
        "supervisor_b": Officer(client, login("supervisor", username="sup-b")),
        "police": login("police", username="jiaojing"),
    }


@pytest.fixture
def confirmed(client, make_site, team):
    _, device = make_site()
    res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]})
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    assert team["officer"].step(case_id, "confirm", {"checklist": CHECKLIST}).status_code == 200
    return case_id


def open_station_matter(app, case_id: int) -> int:
    from service.procedure.case_ops import open_matter

    with app.app_context():
        case = db.session.get(Case, case_id)
        matter = open_matter(case, "source_enterprise", "agency", STATION_BASIS, name="长春北货运站")
        case.version += 1
        db.session.commit()
        return matter.id


def matter_step(client, officer: Officer, matter_id: int, path: str, body=None):
    etag = client.get(f"/api/v1/matters/{matter_id}", headers=officer.headers).headers["ETag"]
    return client.post(
        f"/api/v1/matters/{matter_id}/{path}", json=body or {}, headers={**officer.headers, "If-Match": etag}
    )


def close_the_other_matters(client, officer: Officer, supervisor: Officer, case_id: int) -> None:
    """Take every open matter besides the owner's to its end: the tracked ones are sent and their
    outcome recorded by hand, a party that could not be found is closed as such by a supervisor."""
    today = date.today().isoformat()
    for matter in officer.get(case_id).get_json()["matters"]:
        if matter["party"] == "vehicle" and matter["authority"] == "agency":
            continue
        mid = matter["id"]
        if matter["status"] == "unidentified":
            res = matter_step(client, supervisor, mid, "unidentifiable", {"reason": "经倒查运单、轨迹，无法查明"})
            assert res.status_code == 200, res.get_json()
            continue
        if matter["status"] == "pending":
            assert matter_step(client, officer, mid, "refer").status_code == 200
        if matter["status"] != "closed":
            body = {"decision_number": f"抄告回执-{mid}", "decided_on": today}
            assert matter_step(client, officer, mid, "outcome", body).status_code == 200


def decide_owner(team, case_id: int) -> None:
    officer = team["officer"]
    assert officer.step(case_id, "notice").status_code == 201
    assert officer.step(case_id, "statements", {"kind": "waiver"}).status_code == 200
    assert officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000}).status_code == 200
    assert team["supervisor"].step(case_id, "decision/approve").status_code == 200


def test_confirmation_opens_the_owners_matter_and_the_case_lists_it(client, team, confirmed):
    detail = team["officer"].get(confirmed).get_json()
    (owner,) = detail["matters"]
    assert owner["party"] == "vehicle" and owner["authority"] == "agency" and owner["handling"] == "procedure"
    assert owner["status"] == "pending" and "第四十三条" in owner["basis"]["article"]
    parties = client.get(f"/api/v1/cases/{confirmed}/parties", headers=team["officer"].headers).get_json()
    assert [p["party"] for p in parties["parties"]] == ["vehicle"]
    assert {"party", "status", "authority", "basis", "due_on"} <= parties["parties"][0].keys()


def test_get_lists_the_steps_this_user_may_take_and_why_others_wait(client, team, confirmed):
    officer = team["officer"]
    steps = {a["step"] for a in officer.get(confirmed).get_json()["actions"]}
    assert {"notice", "dismissal", "driver", "refer_police"} <= steps
    assert "approve_decision" not in steps and "confirm" not in steps
    officer.step(confirmed, "notice")
    detail = officer.get(confirmed).get_json()
    barred = {a["step"]: a["reason"] for a in detail["barred_actions"]}
    assert "陈述申辩期限" in barred["decision"]  # offered only once the period ends or is waived
    assert "decision" not in {a["step"] for a in detail["actions"]}


def test_an_enterprise_matter_runs_the_procedure_within_its_own_band(app, client, team, confirmed):
    matter_id = open_station_matter(app, confirmed)
    officer, boss = team["officer"], team["supervisor"]
    notice = matter_step(client, officer, matter_id, "notice")
    assert notice.status_code == 201, notice.get_json()
    assert notice.get_json()["notice_number"].endswith(f"-{matter_id}")
    assert matter_step(client, officer, matter_id, "statements", {"kind": "waiver"}).status_code == 200
    too_high = matter_step(client, officer, matter_id, "decision", {"kind": "fine", "amount_yuan": 3500})
    assert too_high.status_code == 422 and "告知书" in too_high.get_json()["message"]  # 行政处罚法 第四十五条
    assert matter_step(client, officer, matter_id, "decision", {"kind": "fine", "amount_yuan": 3000}).status_code == 200
    own = matter_step(client, boss, matter_id, "decision/approve")
    assert own.status_code == 200 and own.get_json()["decision_number"].endswith(f"-{matter_id}")
    assert matter_step(client, officer, matter_id, "service", {"method": "post"}).status_code == 200
    assert matter_step(client, officer, matter_id, "payment", {"amount_yuan": 3000}).status_code == 200
    closed = matter_step(client, officer, matter_id, "close")
    assert closed.get_json()["status"] == "closed"
    # The owner's matter is still open, so the case is too.
    assert team["officer"].get(confirmed).get_json()["status"] == "confirmed"


def test_a_case_closes_only_when_every_matter_has(app, client, team, confirmed):
    officer = team["officer"]
    assert officer.step(confirmed, "referral", {"reason": "百吨王，须由公安机关依法处罚记分"}).status_code == 200
    decide_owner(team, confirmed)
    assert officer.step(confirmed, "service", {"method": "direct"}).status_code == 200
    assert officer.step(confirmed, "payment", {"amount_yuan": 2000}).status_code == 200
    after_owner = officer.step(confirmed, "close").get_json()
    assert after_owner["status"] == "matters_open" and after_owner["status_label"] == "其他当事人事项办理中"
    police_matter = next(m for m in after_owner["matters"] if m["authority"] == "police")
    assert police_matter["status"] == "referred" and police_matter["due_on"]

    police = Officer(client, team["police"])
    ack = matter_step(client, police, police_matter["id"], "ack")
    assert ack.status_code == 200 and ack.get_json()["status"] == "acknowledged"
    outcome = {
        "decision_number": "吉公交决字〔2026〕001号",
        "decided_on": date.today().isoformat(),
        "fine_yuan": 2000,
        "points": 6,
    }
    done = matter_step(client, police, police_matter["id"], "outcome", outcome)
    assert done.status_code == 200 and done.get_json()["outcome"]["points"] == 6
    assert officer.get(confirmed).get_json()["status"] == "matters_open"  # the enterprises' matters are open
    close_the_other_matters(client, officer, team["supervisor"], confirmed)
    closed = officer.get(confirmed).get_json()
    assert closed["status"] == "closed" and closed["closed_at"]
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_the_police_see_and_act_on_what_was_referred_to_them_only(app, client, team, confirmed):
    station_matter = open_station_matter(app, confirmed)
    police = team["police"]
    assert client.get(f"/api/v1/cases/{confirmed}", headers=police).status_code == 403
    assert client.get(f"/api/v1/matters/{station_matter}", headers=police).status_code == 404
    team["officer"].step(confirmed, "referral", {"reason": "涉嫌超载，移交公安"})
    with app.app_context():
        referred = db.session.scalar(select(PartyMatter.id).where(PartyMatter.authority == "police"))
    seen = client.get(f"/api/v1/matters/{referred}", headers=police)
    assert seen.status_code == 200 and [a["step"] for a in seen.get_json()["actions"]] == ["acknowledge", "outcome"]
    # The police cannot take an agency step on their matter, nor on another.
    assert matter_step(client, Officer(client, police), referred, "notice").status_code == 403


def test_a_late_outcome_date_and_a_missing_number_are_refused(app, client, team, confirmed):
    team["officer"].step(confirmed, "referral", {"reason": "百吨王"})
    with app.app_context():
        referred = db.session.scalar(select(PartyMatter.id).where(PartyMatter.authority == "police"))
    police = Officer(client, team["police"])
    future = (date.today() + timedelta(days=2)).isoformat()
    res = matter_step(client, police, referred, "outcome", {"decision_number": "X-1", "decided_on": future})
    assert res.status_code == 422 and "不能晚于今天" in res.get_json()["message"]
    twice = team["officer"].step(confirmed, "referral", {"reason": "再次移交"})
    assert twice.status_code == 409 and "无需重复移交" in twice.get_json()["message"]


def test_dismissal_withdraws_every_open_matter(app, client, team, confirmed):
    team["officer"].step(confirmed, "referral", {"reason": "百吨王"})
    assert team["officer"].step(confirmed, "dismissal", {"reason": "车牌与图像不符"}).status_code == 200
    paused = team["officer"].get(confirmed).get_json()
    police = next(m for m in paused["matters"] if m["authority"] == "police")
    refused = matter_step(client, Officer(client, team["police"]), police["id"], "ack")
    assert refused.status_code == 409  # nothing moves while the dismissal awaits approval
    done = team["supervisor"].step(confirmed, "dismissal/approve").get_json()
    assert done["status"] == "dismissed" and {m["status"] for m in done["matters"]} == {"withdrawn"}


def test_the_console_shows_the_matters_and_runs_their_steps(app, client, team, confirmed):
    from tests.console.test_console import _csrf, sign_in

    matter_id = open_station_matter(app, confirmed)
    sign_in(client, app, username="console-officer")
    page = client.get(f"/cases/{confirmed}").get_data(as_text=True)
    assert "当事人事项（2）" in page and "长春北货运站" in page and "第七十条" in page
    version = team["officer"].get(confirmed).get_json()["version"]
    client.post(
        f"/cases/{confirmed}/act/notice",
        data={"csrf_token": _csrf(page), "version": version, "matter_id": matter_id},
    )
    after = client.get(f"/cases/{confirmed}").get_data(as_text=True)
    assert "已发出告知书 GZ" in after
    with app.app_context():
        assert db.session.get(PartyMatter, matter_id).status == "notice_issued"
    doc = client.get(f"/matters/{matter_id}/documents/notice").get_data(as_text=True)
    assert "长春北货运站（货运源头单位）" in doc and "3,000" in doc


def test_the_police_console_lists_their_referrals_and_records_receipt(app, client, team, confirmed):
    from tests.console.test_console import _csrf, sign_in

    team["officer"].step(confirmed, "referral", {"reason": "百吨王，须由公安机关依法处罚"})
    sign_in(client, app, username="jj2", role="police")
    page = client.get("/referrals").get_data(as_text=True)
    assert "百吨王，须由公安机关依法处罚" in page and "登记签收" in page
    assert client.get("/cases").status_code == 403
    with app.app_context():
        referred = db.session.scalar(select(PartyMatter).where(PartyMatter.authority == "police"))
        version = referred.case.version
    res = client.post(f"/referrals/{referred.id}/act/acknowledge", data={"csrf_token": _csrf(page), "version": version})
    assert res.status_code == 302
    with app.app_context():
        assert db.session.get(PartyMatter, referred.id).status == "acknowledged"
