"""In a real browser: an administrator issues a device token for a site; it is shown once, works
for the device at once, and is never shown again (on a desktop and on a 390×844 phone)."""

from __future__ import annotations

import pytest

from tests.conftest import reading

PASSWORD = "browser-pass-1"


@pytest.fixture
def site(app, make_site):
    if app.config["DB_BACKEND"] != "sqlite":
        pytest.skip("browser flows run once, on SQLite")
    from service.admin.operations import create_user
    from service.extensions import db

    make_site("JL-WIM-07")
    with app.app_context():
        create_user("root-admin", "admin", PASSWORD, display_name="赵管理")
        db.session.commit()
    return "JL-WIM-07"


@pytest.mark.parametrize("viewport", [(1440, 900), (390, 844)], ids=["desktop", "phone"])
def test_an_admin_issues_a_token_shown_once(page, site, client, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto("/login")
    page.fill("input[name=username]", "root-admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/admin/sites/{site}")
    page.fill("#token-issue input[name=label]", "更换主机")
    with page.expect_navigation():
        page.click("#token-issue button[type=submit]")
    token = page.locator("#device-token").inner_text().strip()
    assert token and "只显示这一次" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0] + 1
    posted = client.post(
        "/api/v1/readings",
        headers={"Authorization": f"Bearer {token}"},
        json={"readings": [reading(site_code=site, record_id="T-1")]},
    )
    assert posted.status_code == 200 and posted.get_json()["accepted"] == 1
    page.goto(f"/admin/sites/{site}")
    assert token not in page.content() and "更换主机" in page.content()
