"""A detection of a watched plate shows up on an open console page within seconds, without a reload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import reading


def test_alert_appears_on_an_open_page(app, page, client, make_site, login, run_worker):
    if app.config["DB_BACKEND"] != "sqlite":
        pytest.skip("browser flows run once, on SQLite")
    _, device = make_site()
    boss = login("supervisor")
    until = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    client.post("/api/v1/watchlist", headers=boss, json={"plate": "吉A77777", "reason": "多次闯卡", "ends_at": until})
    from service.admin.operations import create_user
    from service.extensions import db

    with app.app_context():
        create_user("liu", "officer", "watch-pass-1")
        db.session.commit()
    page.goto("/login")
    page.fill("input[name=username]", "liu")
    page.fill("input[name=password]", "watch-pass-1")
    page.click("button[type=submit]")
    page.goto("/cases")
    assert page.locator(".live-alert").count() == 0

    client.post("/api/v1/readings", headers=device, json={"readings": [reading(plate="吉A77777")]})
    run_worker()
    page.wait_for_selector(".live-alert", timeout=10_000)  # no reload: the page polls
    assert "吉A77777" in page.locator(".live-alert").first.inner_text()
    assert page.locator("#alert-count").inner_text() == "1"
