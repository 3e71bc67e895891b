"""The case procedure through the API: 审核 → 告知 → 陈述申辩 → 决定 → 送达 → 执行 → 结案.

Transitions allowed and refused per role, version checks (ETag / If-Match), the
legal band of the decision and the audit chain.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import select, update

from models import Case, PartyMatter
from service.extensions import db
from tests.conftest import reading
from tests.evidence_kit import give_evidence

CHECKLIST = {
    "plate_matches_image": True,
    "axle_count_matches_image": True,
    "speed_in_verified_range": True,
    "no_lane_straddling": True,
}


@pytest.fixture
def people(login):
    return {
        "officer": login("officer", username="officer-a"),
        "officer_b": login("officer", username="officer-b"),
        "supervisor": login("supervisor", username="sup-a"),
        "supervisor_b": login("supervisor", username="sup-b"),
    }


@pytest.fixture
def case_id(client, make_site):
    """A WIM case with its evidence set (plate close-up and overview, domain-rules §6.2)."""
    _, device = make_site()
    # 56 000 kg on 6 axles, class-5 WIM: 7 000 over, 2 800 tolerance → 4 200 kg effective excess.
    res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]})
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    return case_id


class Officer:
    """Sends a step with the ETag the client last saw, like the console does."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def get(self, case_id):
        res = self.client.get(f"/api/v1/cases/{case_id}", headers=self.headers)
        assert res.status_code == 200
        return res

    def step(self, case_id, path, body=None, etag=None):
        etag = etag or self.get(case_id).headers["ETag"]
        return self.client.post(
            f"/api/v1/cases/{case_id}/{path}", json=body or {}, headers={**self.headers, "If-Match": etag}
        )


def walk_to_notice(client, people, case_id):
    officer = Officer(client, people["officer"])
    assert officer.step(case_id, "confirm", {"checklist": CHECKLIST}).status_code == 200
    notice = officer.step(case_id, "notice")
    assert notice.status_code == 201
    return officer, notice.get_json()


def test_a_fine_runs_from_review_to_closure(app, client, people, case_id):
    officer, notice = walk_to_notice(client, people, case_id)
    assert len(notice["party_code"]) == 8 and notice["notice_number"].startswith("GZ")
    detail = officer.get(case_id).get_json()
    assert detail["penalty_proposal"]["proposed_yuan"] == 2000  # 500 × floor(4200 / 1000), 62号令 Art 43
    assert detail["status"] == "notice_issued" and detail["statement_due"]
    assert officer.step(case_id, "statements", {"kind": "waiver"}).status_code == 200
    assert officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000}).status_code == 200
    boss = Officer(client, people["supervisor"])
    decided = boss.step(case_id, "decision/approve")
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["decision_number"].startswith("JD")
    assert officer.step(case_id, "service", {"method": "post"}).status_code == 200
    assert officer.get(case_id).get_json()["payment_due"]
    assert officer.step(case_id, "payment", {"amount_yuan": 2000}).status_code == 200
    owner_closed = officer.step(case_id, "close")
    assert owner_closed.status_code == 200 and owner_closed.get_json()["status"] == "matters_open"
    from tests.api.review.test_matters import close_the_other_matters

    close_the_other_matters(client, officer, boss, case_id)  # 一超四罚: every party answers
    closed = officer.get(case_id)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"

    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_missing_if_match_is_428_and_a_stale_one_is_412(client, people, case_id):
    officer = Officer(client, people["officer"])
    res = client.post(f"/api/v1/cases/{case_id}/confirm", json={"checklist": CHECKLIST}, headers=people["officer"])
    assert res.status_code == 428
    stale = officer.get(case_id).headers["ETag"]
    other = Officer(client, people["officer_b"])
    assert other.step(case_id, "dismissal", {"reason": "车牌与图像不符"}).status_code == 200
    res = officer.step(case_id, "confirm", {"checklist": CHECKLIST}, etag=stale)
    assert res.status_code == 412 and "已被他人修改" in res.get_json()["message"]


def test_non_site_record_needs_every_check_ticked(client, people, case_id):
    officer = Officer(client, people["officer"])
    res = officer.step(case_id, "confirm", {"checklist": {**CHECKLIST, "no_lane_straddling": False}})
    assert res.status_code == 422 and "跨道" in res.get_json()["message"]


def test_nobody_approves_their_own_dismissal(client, people, case_id):
    boss = Officer(client, people["supervisor"])
    assert boss.step(case_id, "dismissal", {"reason": "设备故障"}).status_code == 200
    own = boss.step(case_id, "dismissal/approve")
    assert own.status_code == 403 and "本人" in own.get_json()["message"]
    other = Officer(client, people["supervisor_b"]).step(case_id, "dismissal/approve")
    assert other.status_code == 200 and other.get_json()["status"] == "dismissed"


def test_officer_cannot_approve_a_dismissal_and_a_reason_is_required(client, people, case_id):
    officer = Officer(client, people["officer"])
    res = officer.step(case_id, "dismissal", {"reason": ""})
    assert res.status_code == 422
    assert officer.step(case_id, "dismissal", {"reason": "重复记录"}).status_code == 200
    assert Officer(client, people["officer_b"]).step(case_id, "dismissal/approve").status_code == 403


def test_decision_outside_the_legal_band_is_refused(client, people, case_id):
    officer, _ = walk_to_notice(client, people, case_id)
    officer.step(case_id, "statements", {"kind": "waiver"})
    too_high = officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 5000})
    assert too_high.status_code == 422 and too_high.get_json()["message"]
    below = officer.step(case_id, "decision", {"kind": "warning"})
    assert below.status_code == 422  # below the band needs a stated reason (Art 32/33)
    with_reason = officer.step(case_id, "decision", {"kind": "warning", "reason": "初次违法且及时卸载改正"})
    assert with_reason.status_code == 200


def test_no_decision_before_the_statement_period_ends(client, people, case_id):
    officer, _ = walk_to_notice(client, people, case_id)
    res = officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000})
    assert res.status_code == 409 and "陈述申辩期限" in res.get_json()["message"]


def test_officer_cannot_approve_a_decision_nor_a_supervisor_their_own(client, people, case_id):
    boss = Officer(client, people["supervisor"])
    boss.step(case_id, "confirm", {"checklist": CHECKLIST})
    boss.step(case_id, "notice")
    boss.step(case_id, "statements", {"kind": "waiver"})
    assert boss.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000}).status_code == 200
    assert Officer(client, people["officer"]).step(case_id, "decision/approve").status_code == 403
    assert boss.step(case_id, "decision/approve").status_code == 403
    assert Officer(client, people["supervisor_b"]).step(case_id, "decision/approve").status_code == 200


def test_late_statement_is_refused_with_the_deadline(app, client, people, case_id):
    officer, _ = walk_to_notice(client, people, case_id)
    with app.app_context():
        db.session.execute(
            update(PartyMatter)
            .where(PartyMatter.case_id == case_id)
            .values(
                statement_due=date.today() - timedelta(days=1), hearing_request_due=date.today() - timedelta(days=20)
            )
        )
        db.session.commit()
    res = officer.step(case_id, "statements", {"kind": "statement", "text": "车辆超载系货主所致"})
    assert res.status_code == 409 and "届满" in res.get_json()["message"]


def test_lapsed_calibration_case_cannot_get_a_notice(client, make_site, people):
    _, device = make_site("JL-WIM-09", calibrated_until=date.today() - timedelta(days=3))
    res = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(site_code="JL-WIM-09", gross_weight_kg=70000)]}
    )
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    officer = Officer(client, people["officer"])
    # No dead end: the record that cannot support a penalty is not confirmed and then refused its
    # notice; confirmation is barred with the reason, and dismissal is offered.
    detail = officer.get(case_id).get_json()
    barred = {a["step"]: a["reason"] for a in detail["barred_actions"]}
    assert "不能作为处罚依据" in barred["confirm"] and "应申请撤销" in barred["confirm"]
    assert "dismissal" in {a["step"] for a in detail["actions"]}
    refused = officer.step(case_id, "confirm", {"checklist": CHECKLIST})
    assert refused.status_code == 409 and "不能作为处罚依据" in refused.get_json()["message"]


def test_station_unloading_is_recorded_with_tonnes(client, people, case_id):
    officer = Officer(client, people["officer"])
    assert officer.step(case_id, "station-actions", {"kind": "unloading", "kg": 7500}).status_code == 200
    assert officer.step(case_id, "station-actions", {"kind": "unloading"}).status_code == 422


def test_overdue_and_nearly_due_cases_are_listed(app, client, people, case_id, make_site):
    from datetime import datetime

    with app.app_context():
        db.session.execute(
            update(Case).where(Case.id == case_id).values(decide_by=datetime.now(UTC) - timedelta(days=1))
        )
        db.session.commit()
    listed = client.get("/api/v1/cases/deadlines", headers=people["officer"]).get_json()
    assert [c["id"] for c in listed] == [case_id]
    detail = Officer(client, people["officer"]).get(case_id).get_json()
    overdue = [d for d in detail["deadlines"] if d["overdue"]]
    assert overdue and overdue[0]["code"] == "decide_by"


def test_my_cases_are_those_assigned_to_me(client, people, case_id, app):
    from models import User

    with app.app_context():
        officer_b = db.session.scalar(select(User).where(User.username == "officer-b"))
    boss = Officer(client, people["supervisor"])
    assert boss.step(case_id, "assign", {"user_id": officer_b.id}).status_code == 200
    mine = client.get("/api/v1/cases?mine=true&status=pending_review", headers=people["officer_b"]).get_json()
    others = client.get("/api/v1/cases?mine=true", headers=people["officer"]).get_json()
    assert [c["id"] for c in mine] == [case_id] and others == []


def test_tampering_with_a_transition_breaks_the_audit_chain(app, client, people, case_id):
    from models import AuditEvent

    walk_to_notice(client, people, case_id)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "case.confirm"))
        db.session.execute(update(AuditEvent).where(AuditEvent.id == event).values(actor="someone-else"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and f"#{event}" in result.output
