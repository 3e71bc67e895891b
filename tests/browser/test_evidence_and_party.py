"""In a real browser: a WIM case without its evidence offers no confirmation, only the reason and
an unread-plate form when it applies; once decided, the party page shows the decision, its
document and how to pay — on a desktop and on a 390×844 phone."""

from __future__ import annotations

import pytest

from tests.api.review.test_procedure import CHECKLIST, Officer
from tests.conftest import reading
from tests.evidence_kit import give_evidence

PASSWORD = "browser-pass-1"


@pytest.fixture
def desk(app, client, make_site, login):
    if app.config["DB_BACKEND"] != "sqlite":
        pytest.skip("browser flows run once, on SQLite; the procedure itself is tested on both databases")
    from service.admin.operations import create_user
    from service.extensions import db

    _, device = make_site()
    items = [
        reading(record_id="N-1", gross_weight_kg=56000),
        reading(record_id="N-2", plate=None, gross_weight_kg=57000),
    ]
    ids = [
        r["case_id"]
        for r in client.post("/api/v1/readings", headers=device, json={"readings": items}).get_json()["results"]
    ]
    with app.app_context():
        create_user("wangli", "officer", PASSWORD, display_name="王丽")
        db.session.commit()
    return ids


def _sign_in(page, username: str = "wangli") -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_no_confirmation_without_the_evidence_and_an_unread_plate_is_entered(page, desk, app):
    complete, unread = desk
    _sign_in(page)
    page.goto(f"/cases/{complete}")
    assert page.locator("#confirm-form").count() == 0
    barred = page.locator("p.barred[data-step=confirm]").inner_text()
    assert "车牌特写" in barred and "车辆外观" in barred
    give_evidence(app, unread)
    page.goto(f"/cases/{unread}")
    assert page.locator(".evidence img").count() == 2
    assert "号牌未识别" in page.locator("p.barred[data-step=confirm]").inner_text()
    page.fill("#plate-form input[name=plate]", "吉c23456")
    with page.expect_navigation():
        page.click("#plate-form button[type=submit]")
    assert "吉C23456" in page.content() and page.locator("#confirm-form").count() == 1


@pytest.mark.parametrize("viewport", [(1440, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_party_sees_the_decision_its_document_and_how_to_pay(page, desk, app, client, login, viewport, tmp_path):
    case_id, _ = desk
    give_evidence(app, case_id)
    officer = Officer(client, login("officer", username="party-officer"))
    boss = Officer(client, login("supervisor", username="party-boss"))
    officer.step(case_id, "confirm", {"checklist": CHECKLIST})
    code = officer.step(case_id, "notice").get_json()["party_code"]
    officer.step(case_id, "statements", {"kind": "waiver"})
    officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000})
    number = boss.step(case_id, "decision/approve").get_json()["decision_number"]
    officer.step(case_id, "service", {"method": "post"})

    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto("/party/")
    page.fill("input[name=plate]", "吉a12345")
    page.fill("input[name=code]", code.lower())
    page.click("button[type=submit]")
    section = page.locator("#decision")
    assert number in section.inner_text() and "罚款人民币 2,000 元" in section.inner_text()
    assert "缴款期限" in section.inner_text() and "百分之三" in section.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport[0] + 1  # nothing wider than the screen
    page.screenshot(path=str(tmp_path / f"party-{viewport[0]}.png"), full_page=True)
    with page.expect_popup() as popup:
        page.click("#decision a:text-is('查看')")
    document = popup.value
    document.wait_for_load_state()
    assert "交通运输行政处罚决定书" in document.content() and number in document.content()
