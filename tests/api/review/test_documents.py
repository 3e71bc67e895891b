"""Notices and decisions carry what the law and the party need: the owner the registry knows, the
two enforcement officers with their certificate numbers (行政处罚法 第四十二条), a seal area, and the
party page as a full address and a QR code (PUBLIC_BASE_URL)."""

from __future__ import annotations

import re

from models import User
from service.extensions import db
from tests.api.review.test_procedure import CHECKLIST
from tests.conftest import reading
from tests.evidence_kit import give_evidence


def _certify(app, **numbers) -> None:
    with app.app_context():
        for username, number in numbers.items():
            user = db.session.query(User).filter_by(username=username).one()
            user.certificate_number, user.display_name = (
                number,
                {"law-officer": "王执法", "law-boss": "李负责"}[username],
            )
        db.session.commit()


def _browser(app, username: str):
    from tests.console.test_console import _csrf

    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    browser.post("/login", data={"username": username, "password": "correct-horse-9", "csrf_token": _csrf(page)})
    return browser


def test_notice_and_decision_name_owner_officers_certificates_and_the_party_page(
    app, client, make_site, team, registered, run_worker, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://zc.example.gov.cn")
    _, device = make_site()
    res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]})
    case_id = res.get_json()["results"][0]["case_id"]
    run_worker()
    give_evidence(client.application, case_id)
    _certify(app, **{"law-officer": "吉交执 22010001", "law-boss": "吉交执 22010009"})
    officer, boss = team["officer"], team["supervisor"]
    assert boss.step(case_id, "assign", {"user_id": _id(app, "law-boss")}).status_code == 200
    assert officer.step(case_id, "confirm", {"checklist": CHECKLIST}).status_code == 200
    assert officer.step(case_id, "notice").status_code == 201

    desk = _browser(app, "law-officer")
    notice = desk.get(f"/cases/{case_id}/documents/notice").get_data(as_text=True)
    assert "长春顺达运输有限公司（车辆所有人，号牌 吉A12345）" in notice  # the registry's owner
    assert "王执法（执法证号 吉交执 22010001）" in notice and "李负责（执法证号 吉交执 22010009）" in notice
    assert "https://zc.example.gov.cn/party/" in notice
    assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="当事人在线查询二维码"', notice)
    assert 'class="seal"' in notice and "（印章）" in notice
    pdf = desk.get(f"/cases/{case_id}/documents/notice.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and b"/Subtype /Image" in pdf.data

    assert officer.step(case_id, "statements", {"kind": "waiver"}).status_code == 200
    assert officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000}).status_code == 200
    assert boss.step(case_id, "decision/approve").status_code == 200
    decision = desk.get(f"/cases/{case_id}/documents/decision").get_data(as_text=True)
    assert "王执法（执法证号 吉交执 22010001）、李负责（执法证号 吉交执 22010009）" in decision
    assert "批准人：李负责" in decision and "https://zc.example.gov.cn/party/" in decision and "（印章）" in decision


def test_a_case_with_one_officer_says_a_second_is_needed(client, make_site, team):
    _, device = make_site()
    res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]})
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    officer = team["officer"]
    officer.step(case_id, "confirm", {"checklist": CHECKLIST})
    officer.step(case_id, "notice")
    notice = (
        _browser(client.application, "law-officer").get(f"/cases/{case_id}/documents/notice").get_data(as_text=True)
    )
    assert "执法证号 未登记" in notice and "不足两名" in notice
    assert "车辆所有人（号牌 吉A12345）" in notice  # no registry record: the owner by the plate
    assert "http://localhost/party/" in notice  # PUBLIC_BASE_URL unset: the address the request came in on


def _id(app, username: str) -> int:
    with app.app_context():
        return db.session.query(User).filter_by(username=username).one().id
