"""An officer logs in, reviews a case with its evidence images, confirms it and
issues the notice — in a real browser."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.conftest import reading


def _jpeg(color) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def flagged_case(app, client, make_site, run_worker):
    if app.config["DB_BACKEND"] != "sqlite":
        pytest.skip("browser flow runs once, on SQLite; the procedure itself is tested on both databases")
    _, device = make_site()
    res = client.post(
        "/api/v1/readings",
        headers=device,
        json={
            "readings": [
                reading(record_id="B-1", plate="吉A54321", gross_weight_kg=56000),
                reading(record_id="B-2", plate="吉B11111", gross_weight_kg=58000),
            ]
        },
    )
    for kind, color in (("plate", (200, 180, 40)), ("overview", (40, 90, 160))):
        client.post(
            "/api/v1/evidence",
            headers=device,
            content_type="multipart/form-data",
            data={
                "site_code": "JL-WIM-01",
                "record_id": "B-1",
                "kind": kind,
                "file": (io.BytesIO(_jpeg(color)), f"{kind}.jpg"),
            },
        )
    run_worker(), run_worker()
    from service.admin.operations import create_user
    from service.extensions import db

    with app.app_context():
        create_user("zhangli", "officer", "review-pass-1", display_name="张丽")
        db.session.commit()
    return res.get_json()["results"][0]["case_id"]


def test_officer_reviews_confirms_and_issues_the_notice(page, flagged_case, tmp_path):
    page.goto("/")
    assert page.url.endswith("/login?next=/%3F") or "/login" in page.url
    page.fill("input[name=username]", "zhangli")
    page.fill("input[name=password]", "review-pass-1")
    page.click("button[type=submit]")
    assert page.locator(".who").inner_text().startswith("张丽")

    page.goto("/cases")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.locator("tr.cursor").count() == 1
    page.click(f"a[href='/cases/{flagged_case}']")
    assert "56,000 kg" in page.content()
    assert page.locator(".evidence img").count() == 2
    # Awaited through evaluate: wait_for_function polls with eval, which the page's CSP refuses.
    widths = page.locator(".evidence img").evaluate_all(
        "imgs => Promise.all(imgs.map(i => i.decode().then(() => i.naturalWidth)))"
    )
    assert len(widths) == 2 and all(w > 0 for w in widths)

    for box in page.locator("#confirm-form input[type=checkbox]").all():
        box.check()
    # Confirm and stay: this test follows the same case, so drop the jump to the next one.
    page.evaluate("document.querySelector('#confirm-form input[name=next_in_queue]').remove()")
    with page.expect_navigation():
        page.keyboard.press("c")
    assert "已审核确认" in page.locator("h1").inner_text()

    page.click("text=发出告知书")
    flash = page.locator(".flash.ok").inner_text()
    assert "已发出告知书 GZ" in flash and "查询码" in flash
    assert "已告知" in page.locator("h1").inner_text()
    page.screenshot(path=str(tmp_path / "case.png"), full_page=True)

    with page.expect_popup() as popup:
        page.click("#actions a:text-is('打印')")
    notice = popup.value
    notice.wait_for_load_state()
    assert "行政处罚告知书" in notice.content() and "吉A54321" in notice.content()
