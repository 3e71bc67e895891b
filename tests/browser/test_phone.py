"""A field officer's day on a 390×844 phone, in a real browser: open a case from the queue, look at
its evidence full size and enlarged, confirm it with the checklist, enter an unread plate, see a
布控 alert and acknowledge it; the supervisor's 待办 on the same phone. No page is wider than the
screen (document.scrollingElement.scrollWidth ≤ 390) and the controls used are at least 40 px
tall. One server and one browser for the whole module's flow."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import reading
from tests.evidence_kit import give_evidence

PASSWORD = "phone-pass-1"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def field(app, client, make_site, login, run_worker):
    """A 长春 WIM site with three cases (one complete, one with an unread plate, one whose
    dismissal awaits the supervisor), a watched plate seen at the site, and the people."""
    if app.config["DB_BACKEND"] != "sqlite":
        pytest.skip("browser flows run once, on SQLite; the procedure itself is tested on both databases")
    from service.admin.operations import create_user
    from service.extensions import db
    from tests.api.review.test_procedure import Officer

    _, device = make_site("CC-WIM-08", region_code="220100")
    items = [
        reading(site_code="CC-WIM-08", record_id="P-1", gross_weight_kg=58000),
        reading(site_code="CC-WIM-08", record_id="P-2", plate=None, gross_weight_kg=57000),
        reading(site_code="CC-WIM-08", record_id="P-3", plate="吉A55555", gross_weight_kg=56000),
    ]
    res = client.post("/api/v1/readings", headers=device, json={"readings": items})
    complete, unread, dismissed = (r["case_id"] for r in res.get_json()["results"])
    for case_id in (complete, unread, dismissed):
        give_evidence(app, case_id)
    with app.app_context():
        create_user("field", "officer", PASSWORD, display_name="赵外勤", region_code="220100")
        create_user("boss-field", "supervisor", PASSWORD, display_name="钱负责", region_code="220100")
        create_user("cc-desk", "officer", PASSWORD, display_name="孙内勤", region_code="220100")
        db.session.commit()
    token = client.post("/api/v1/auth/token", json={"username": "cc-desk", "password": PASSWORD}).get_json()
    other = Officer(client, {"Authorization": f"Bearer {token['access_token']}"})
    assert other.step(dismissed, "dismissal", {"reason": "跨道行驶，轴重不可信"}).status_code == 200
    boss = login("supervisor", username="watch-boss")
    until = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    client.post("/api/v1/watchlist", headers=boss, json={"plate": "吉A77777", "reason": "多次闯卡", "ends_at": until})
    client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(site_code="CC-WIM-08", plate="吉A77777")]}
    )
    run_worker()
    return {"complete": complete, "unread": unread, "dismissed": dismissed}


def _sign_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _fits(page, what: str) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{what}: the page is {width} px wide on a {PHONE['width']} px phone"


def _tall_enough(locator, what: str) -> None:
    box = locator.bounding_box()
    assert box and box["height"] >= 40, f"{what}: {box and box['height']} px tall, too small to tap"


def test_a_field_officer_works_a_case_on_a_phone(page, field, live_server):
    page.set_viewport_size(PHONE)
    _sign_in(page, "field")

    page.goto("/cases")
    _fits(page, "审核队列")
    link = page.locator(f"table.queue a[href='/cases/{field['complete']}']")
    _tall_enough(link, "the case number in the queue")
    with page.expect_navigation():
        link.click()
    _fits(page, "案件")
    _tall_enough(page.locator("#confirm-form button[type=submit]"), "审核确认")
    _tall_enough(page.locator("#confirm-form label.check").first, "a checklist line")

    # evidence: thumbnails side by side within the screen, a tap opens the image in the page
    thumbs = page.locator(".evidence a[data-evidence] img")
    assert thumbs.count() == 2
    assert all(thumbs.nth(i).bounding_box()["width"] <= PHONE["width"] / 2 for i in range(2))
    hash_shown = page.locator(".evidence .hash").first.inner_text()
    thumbs.first.click()
    viewer = page.locator("#evidence-viewer")
    assert viewer.is_visible() and page.url.endswith(f"/cases/{field['complete']}")  # no new tab, no new page
    full = page.locator("[data-viewer-img]")
    # Awaited through evaluate: wait_for_function polls with eval, which the page's CSP refuses.
    full.evaluate("img => img.decode()")
    fitted = full.bounding_box()["width"]
    assert 0 < fitted <= PHONE["width"]
    assert re.fullmatch(r"[0-9a-f]{64}", page.locator("[data-viewer-hash]").inner_text())
    assert hash_shown.removeprefix("SHA-256 ").rstrip("…") in page.locator("[data-viewer-hash]").inner_text()
    _tall_enough(page.locator("[data-viewer-close]"), "关闭")
    full.click()  # a tap on the image enlarges it, to pan over
    assert full.bounding_box()["width"] >= 2 * fitted - 1
    _fits(page, "证据图像放大")  # the enlarged image scrolls inside its frame, not the page
    page.click("[data-viewer-next]")
    assert "2/2" in page.locator("[data-viewer-title]").inner_text()
    page.click("[data-viewer-close]")
    assert not viewer.is_visible()

    # the step: tick the checklist by tapping its lines, confirm
    checks = page.locator("#confirm-form label.check")
    for i in range(checks.count()):
        checks.nth(i).click()
    with page.expect_navigation():
        page.click("#confirm-form button[type=submit]")
    page.goto(f"/cases/{field['complete']}")
    assert "已审核确认" in page.locator("h1").inner_text()
    _fits(page, "已确认的案件")

    # an unread plate, entered from the close-up on the phone
    page.goto(f"/cases/{field['unread']}")
    _fits(page, "号牌未识别的案件")
    plate = page.locator("#plate-form input[name=plate]")
    assert plate.bounding_box()["width"] >= PHONE["width"] * 0.7  # a full-width field, not a stub
    assert (
        page.evaluate("parseFloat(getComputedStyle(document.querySelector('#plate-form input[name=plate]')).fontSize)")
        >= 16
    )
    plate.fill("吉c23456")
    with page.expect_navigation():
        page.click("#plate-form button[type=submit]")
    assert "吉C23456" in page.locator(".grid").inner_text() and page.locator("#confirm-form").count() == 1

    # the alert: a card in the list (no toast over it), acknowledged from the phone
    page.goto("/alerts")
    _fits(page, "布控告警")
    assert page.locator(".live-alert").count() == 0
    card = page.locator("#alerts tr[data-alert]").first
    assert "吉A77777" in card.inner_text() and card.bounding_box()["width"] <= PHONE["width"]
    card.locator("input[name=note]").fill("已拦截，移交检测站")
    _tall_enough(card.locator("button[type=submit]"), "确认告警")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert "告警已确认" in page.locator(".flash").first.inner_text()
    assert "已拦截，移交检测站" in page.locator("#alerts tr[data-alert]").first.inner_text()

    for path, what in (
        ("/deadlines", "期限提醒"),
        ("/referrals", "移交公安"),
        ("/watchlist", "布控名单"),
        ("/my-cases", "我的案件"),
        ("/registry", "登记簿"),
    ):
        page.goto(path)
        _fits(page, what)

    # the supervisor's 待办 on the same phone: the dismissal to approve, as a card
    context = page.context.browser.new_context(base_url=live_server, locale="zh-CN", viewport=PHONE)
    boss = context.new_page()
    _sign_in(boss, "boss-field")
    boss.goto("/inbox")
    _fits(boss, "待办")
    row = boss.locator("#inbox-dismissals tbody tr").first
    assert "跨道行驶" in row.inner_text() and row.bounding_box()["width"] <= PHONE["width"]
    with boss.expect_navigation():
        row.locator("a").click()
    _fits(boss, "待批撤销的案件")
    approve = boss.locator("#actions button:text-is('批准撤销')")
    _tall_enough(approve, "批准撤销")
    context.close()
