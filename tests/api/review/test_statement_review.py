"""Every statement (陈述申辩) is reviewed (复核, 行政处罚法 第四十五条): the officer on the case is
told of it, records the outcome and its reasons, and no decision is proposed while one waits."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from models import AuditEvent, PartyMatter
from service.extensions import db
from tests.api.review import test_procedure as procedure
from tests.api.review.test_procedure import walk_to_notice

people, case_id = procedure.people, procedure.case_id  # the procedure tests' fixtures


def _past_statement_period(app, case: int) -> None:
    with app.app_context():
        db.session.execute(
            update(PartyMatter)
            .where(PartyMatter.case_id == case)
            .values(statement_due=date.today() - timedelta(days=1))
        )
        db.session.commit()


def test_a_statement_is_reviewed_before_the_decision(app, client, people, case_id):
    officer, _ = walk_to_notice(client, people, case_id)
    said = officer.step(case_id, "statements", {"kind": "statement", "text": "车辆超载系货主所致，请求从轻"})
    assert said.status_code == 200
    (statement,) = said.get_json()["statements"]
    assert statement["awaits_review"] is True
    assert "review_statement" in {a["step"] for a in said.get_json()["actions"]}
    _past_statement_period(app, case_id)

    refused = officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000})
    assert refused.status_code == 409 and "尚待复核" in refused.get_json()["message"]
    assert "第四十五条" in refused.get_json()["message"]
    barred = {a["step"]: a["reason"] for a in officer.get(case_id).get_json()["barred_actions"]}
    assert "尚待复核" in barred["decision"]

    no_reasons = officer.step(
        case_id, "statement-review", {"statement_id": statement["id"], "outcome": "rejected", "reasons": ""}
    )
    assert no_reasons.status_code == 422
    body = {
        "statement_id": statement["id"],
        "outcome": "rejected",
        "reasons": "货主指使不免除车辆所有人的责任；已按最低幅度",
    }
    reviewed = officer.step(case_id, "statement-review", body)
    assert reviewed.status_code == 200, reviewed.get_json()
    after = reviewed.get_json()["statements"][0]
    assert after["awaits_review"] is False and after["review_outcome"] == "rejected"
    assert after["review_reasons"].startswith("货主指使")
    assert "review_statement" not in {
        a["step"] for a in reviewed.get_json()["actions"] + reviewed.get_json()["barred_actions"]
    }
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(action="case.review_statement").one()
        assert event.reason.startswith("不予采纳：") and event.actor == "officer-a"
    assert officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000}).status_code == 200


def test_a_waiver_needs_no_review(client, people, case_id):
    officer, _ = walk_to_notice(client, people, case_id)
    waived = officer.step(case_id, "statements", {"kind": "waiver"}).get_json()
    assert waived["statements"][0]["awaits_review"] is False
    assert officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000}).status_code == 200


def test_the_officer_who_gave_notice_is_told_of_the_statement_on_my_cases(app, client, people, case_id):
    from tests.console.test_console import _csrf

    officer, notice = walk_to_notice(client, people, case_id)
    party = app.test_client()
    page = party.get("/party/").get_data(as_text=True)
    party.post("/party/", data={"plate": "吉A12345", "code": notice["party_code"], "csrf_token": _csrf(page)})
    record = party.get("/party/record").get_data(as_text=True)
    form = {"csrf_token": _csrf(record), "text": "当天称重设备有误，请复核", "kind": "statement"}
    assert party.post("/party/record/statement", data=form).status_code == 303
    desk = app.test_client()
    page = desk.get("/login").get_data(as_text=True)
    desk.post("/login", data={"username": "officer-a", "password": "correct-horse-9", "csrf_token": _csrf(page)})
    mine = desk.get("/my-cases").get_data(as_text=True)
    assert "当事人陈述申辩待您复核（1 项）" in mine
    case_page = desk.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "当天称重设备有误" in case_page and "记录复核结果" in case_page and "待复核" in case_page
