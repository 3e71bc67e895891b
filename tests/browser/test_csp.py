"""The console's scripts run under its Content-Security-Policy (issue 16 item 9): no page logs a
CSP violation, the queue's keyboard shortcuts (console.js) and the print button (print.js) work."""

from __future__ import annotations

import pytest

from tests.conftest import reading
from tests.evidence_kit import give_evidence


def test_console_pages_run_their_scripts_and_break_no_policy(app, page, client, make_site, login):
    if app.config["DB_BACKEND"] != "sqlite":
        pytest.skip("browser flows run once, on SQLite")
    from tests.api.review.test_procedure import CHECKLIST, Officer

    _, device = make_site()
    items = [reading(gross_weight_kg=56000), reading(record_id="R-2", plate="吉B54321", gross_weight_kg=58000)]
    res = client.post("/api/v1/readings", headers=device, json={"readings": items})
    case_id, pending = (r["case_id"] for r in res.get_json()["results"])
    give_evidence(app, case_id)  # a notice needs the evidence set
    officer = Officer(client, login("officer"))
    officer.step(case_id, "confirm", {"checklist": CHECKLIST})
    officer.step(case_id, "notice")
    login("supervisor", username="li")

    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(str(e)))
    page.goto("/login")
    page.fill("input[name=username]", "li")
    page.fill("input[name=password]", "correct-horse-9")
    page.click("button[type=submit]")
    for path in ("/", "/cases", f"/cases/{case_id}", "/hotspots", "/registry", "/repeat-offenders"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto("/cases")
    page.keyboard.press("j")  # console.js: the next row of the queue
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/cases/{pending}")
    page.goto(f"/cases/{case_id}/documents/notice")
    page.evaluate("window.print = () => { document.body.dataset.printed = '1'; }")
    page.click("button[data-print]")
    assert page.locator("body").get_attribute("data-printed") == "1"
    assert violations == []
