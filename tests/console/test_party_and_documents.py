"""The party's page (行政处罚法 第四十一条第三款) and the printable notice and decision."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from models import PartyMatter
from service.extensions import db
from tests.api.review.test_procedure import CHECKLIST, Officer
from tests.conftest import reading
from tests.evidence_kit import give_evidence


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def noticed(client, make_site, login):
    """A case with its notice issued; returns (case id, party code)."""
    _, device = make_site()
    res = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(plate="吉A12345", gross_weight_kg=56000)]}
    )
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    officer = Officer(client, login("officer"))
    officer.step(case_id, "confirm", {"checklist": CHECKLIST})
    notice = officer.step(case_id, "notice").get_json()
    return case_id, notice["party_code"]


def party_login(app, plate, code):
    browser = app.test_client()  # a separate visitor, no officer session
    page = browser.get("/party/").get_data(as_text=True)
    return browser, browser.post("/party/", data={"plate": plate, "code": code, "csrf_token": _csrf(page)})


def test_party_sees_the_record_and_states_a_case(app, noticed, login, client):
    case_id, code = noticed
    browser, res = party_login(app, "吉A12345", code.lower())  # codes are not case-sensitive
    assert res.status_code == 302
    page = browser.get("/party/record").get_data(as_text=True)
    assert "56,000 千克" in page and "陈述申辩期限" in page
    sent = browser.post(
        "/party/record/statement",
        data={
            "kind": "statement",
            "text": "当日称重时车辆跨道，数据有误",
            "contact": "13800000000",
            "csrf_token": _csrf(page),
        },
    )
    assert sent.status_code == 303
    detail = client.get(f"/api/v1/cases/{case_id}", headers=login("officer", username="o2")).get_json()
    assert detail["statements"][0]["channel"] == "party_page"
    assert "跨道" in detail["statements"][0]["text"]


@pytest.mark.parametrize(
    "plate, code", [("吉A12345", "WRONGCOD"), ("吉B99999", None)], ids=["wrong code", "wrong plate"]
)
def test_a_wrong_code_or_plate_reveals_nothing(app, noticed, plate, code):
    _, right = noticed
    browser, res = party_login(app, plate, code or right)
    assert res.status_code == 404
    body = res.get_data(as_text=True)
    assert "号牌或查询码不正确" in body and "56,000" not in body
    assert browser.get("/party/record").status_code == 302  # still nothing to see


def test_party_page_is_rate_limited(app, noticed):
    app.config["PARTY_ATTEMPTS_PER_15_MIN"] = 3
    try:
        codes = [party_login(app, "吉A12345", "XXXXXXXX")[1].status_code for _ in range(4)]
    finally:
        app.config["PARTY_ATTEMPTS_PER_15_MIN"] = 10
    assert codes == [404, 404, 404, 429]


def test_a_late_statement_is_refused_with_the_reason(app, noticed):
    case_id, code = noticed
    with app.app_context():
        db.session.execute(
            update(PartyMatter)
            .where(PartyMatter.case_id == case_id)
            .values(statement_due=date.today() - timedelta(days=1))
        )
        db.session.commit()
    browser, _ = party_login(app, "吉A12345", code)
    page = browser.get("/party/record").get_data(as_text=True)
    assert "陈述申辩期限已于" in page and "届满" in page
    sent = browser.post(
        "/party/record/statement", data={"kind": "statement", "text": "迟到的申辩", "csrf_token": _csrf(page)}
    )
    after = browser.get(sent.headers["Location"]).get_data(as_text=True)
    assert "届满" in after


def test_notice_prints_and_renders_to_a_pdf_with_the_facts(app, client, noticed):
    from tests.console.test_console import sign_in

    case_id, _ = noticed
    sign_in(client, app, username="printer")
    page = client.get(f"/cases/{case_id}/documents/notice").get_data(as_text=True)
    assert "行政处罚告知书" in page and "56,000 千克" in page and "第四十三条" in page and "陈述" in page
    pdf = client.get(f"/cases/{case_id}/documents/notice.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert b"/FontFile" in pdf.data  # the CJK font is embedded, not assumed on the reader's machine


def test_decision_document_needs_a_decision(app, client, noticed):
    from tests.console.test_console import sign_in

    case_id, _ = noticed
    sign_in(client, app, username="printer2")
    assert client.get(f"/cases/{case_id}/documents/decision").status_code == 404


def test_the_party_page_shows_the_proposal_then_the_decision_and_how_to_pay(app, noticed, login, client):
    """After the notice the party sees what is proposed; once decided and served, the decision with
    its document, the amount, the date to pay by and how to pay (行政处罚法 第六十七条、第七十二条)."""
    case_id, code = noticed
    browser, res = party_login(app, "吉a 12345", code.lower())  # a spaced, lower-case plate works too
    assert res.status_code == 302
    page = browser.get("/party/record").get_data(as_text=True)
    assert "拟作出的行政处罚" in page and "罚款人民币 2,000 元" in page and "不是决定" in page
    assert browser.get("/party/record/decision").status_code == 404  # nothing decided yet

    officer = Officer(client, login("officer", username="party-desk"))
    boss = Officer(client, login("supervisor", username="party-boss"))
    assert officer.step(case_id, "statements", {"kind": "waiver"}).status_code == 200
    assert officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000}).status_code == 200
    decided = boss.step(case_id, "decision/approve").get_json()
    assert officer.step(case_id, "service", {"method": "direct"}).status_code == 200
    due = officer.get(case_id).get_json()["payment_due"]

    page = browser.get("/party/record").get_data(as_text=True)
    assert decided["decision_number"] in page and "拟作出的行政处罚" not in page
    assert f"<b>{due}</b> 前" in page and app.config["PAYMENT_INSTRUCTIONS"] in page and "百分之三" in page
    document = browser.get("/party/record/decision").get_data(as_text=True)
    assert "交通运输行政处罚决定书" in document and "罚款人民币 2,000 元" in document
    assert "/party/evidence/" in document  # the party's own evidence links, not the console's
    pdf = browser.get("/party/record/decision.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    assert officer.step(case_id, "payment", {"amount_yuan": 2000}).status_code == 200
    page = browser.get("/party/record").get_data(as_text=True)
    assert "缴纳 2,000 元" in page and "缴款期限" not in page
