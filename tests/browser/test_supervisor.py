"""In a real browser: the supervisor finds a proposed decision in 待办 (its count in the
navigation), approves it on the case page; an officer of another agency cannot open the case;
the queue reads as cards on a 390×844 phone."""

from __future__ import annotations

import pytest

from tests.api.review.test_procedure import CHECKLIST, Officer
from tests.conftest import reading
from tests.evidence_kit import give_evidence

PASSWORD = "browser-pass-1"


@pytest.fixture
def proposed(app, client, make_site):
    """A decision proposed on a case of 长春's site; 长春's supervisor and 四平's officer (agencies:
    吉林省 → 长春, 四平; tests/api/review/test_jurisdiction.py)."""
    if app.config["DB_BACKEND"] != "sqlite":
        pytest.skip("browser flows run once, on SQLite; the procedure itself is tested on both databases")
    from service.admin.operations import create_user
    from service.extensions import db
    from tests.api.review.test_jurisdiction import make_agencies

    agencies = make_agencies(app)
    _, device = make_site("CC-WIM-09", region_code="220100")  # joins 长春's detachment
    res = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(site_code="CC-WIM-09", gross_weight_kg=56000)]}
    )
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(app, case_id)
    with app.app_context():
        create_user("cc-officer", "officer", PASSWORD, display_name="长春执法", agency_id=agencies["220100"])
        create_user("boss-cc", "supervisor", PASSWORD, display_name="李负责", agency_id=agencies["220100"])
        create_user("officer-sp", "officer", PASSWORD, display_name="四平执法", agency_id=agencies["220300"])
        db.session.commit()
    token = client.post("/api/v1/auth/token", json={"username": "cc-officer", "password": PASSWORD}).get_json()
    officer = Officer(client, {"Authorization": f"Bearer {token['access_token']}"})
    officer.step(case_id, "confirm", {"checklist": CHECKLIST})
    officer.step(case_id, "notice")
    officer.step(case_id, "statements", {"kind": "waiver"})
    assert officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000}).status_code == 200
    return case_id


def _sign_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_the_supervisor_approves_from_the_inbox(page, proposed):
    _sign_in(page, "boss-cc")
    assert page.locator("#inbox-count").inner_text() == "1"
    page.click("text=待办")
    page.locator("#inbox-decisions a").first.click()
    with page.expect_navigation():
        page.click("button:text-is('批准决定')")
    assert "已作出决定" in page.locator("h1").inner_text()
    assert page.locator("#inbox-count").count() == 0


def test_an_officer_of_another_agency_cannot_open_the_case(page, proposed):
    _sign_in(page, "officer-sp")
    response = page.goto(f"/cases/{proposed}")
    assert response.status == 404
    page.goto("/cases?status=")
    assert page.locator("table.queue tbody td:has-text('CC-WIM-09')").count() == 0


def test_the_queue_reads_as_cards_on_a_phone(page, proposed):
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, "boss-cc")
    page.goto("/cases?status=")
    assert page.locator("table.queue thead").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    label = page.evaluate("getComputedStyle(document.querySelector('table.queue td[data-label]'), '::before').content")
    assert "车牌" in label
