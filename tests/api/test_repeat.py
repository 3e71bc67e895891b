"""Repeat offenders from decided cases (公路安全保护条例 第六十六条, R-VEH-3)."""

from __future__ import annotations

import pytest

from tests.api.test_case_driver import decide
from tests.conftest import ago, reading
from tests.evidence_kit import give_evidence


def decided_cases(app, client, device, plate: str, count: int):
    items = [
        reading(record_id=f"{plate}-{i}", plate=plate, gross_weight_kg=60000, captured_at=ago(days=10 + 20 * i))
        for i in range(count)
    ]
    ids = [
        r["case_id"]
        for r in client.post("/api/v1/readings", headers=device, json={"readings": items}).get_json()["results"]
    ]
    decide(app, ids)
    return ids


@pytest.mark.parametrize(
    "count, triggered",
    [
        pytest.param(3, False, id="R-VEH-3 公路安全保护条例 Art66 exactly 3: not more than 3"),
        pytest.param(4, True, id="R-VEH-3 公路安全保护条例 Art66 the 4th decided violation triggers"),
    ],
)
def test_vehicle_with_more_than_three_decided_violations_is_listed(app, client, make_site, login, count, triggered):
    _, device = make_site()
    decided_cases(app, client, device, "吉A66666", count)
    officer = login("officer")
    status = client.get("/api/v1/repeat-offenders/plates/吉A66666", headers=officer).get_json()
    assert status["statutory_count"] == count and status["triggered"] is triggered
    listed = client.get("/api/v1/repeat-offenders?kind=vehicle", headers=officer).get_json()
    assert [i["plate"] for i in listed] == (["吉A66666"] if triggered else [])
    if triggered:
        item = listed[0]
        assert "营运证" in item["consequence"] and "第六十六条" in item["article"] and item["authority"]
        assert "B-1" in item["blacklist"]
        # The cases behind the count, each with its number, act date and decision.
        assert len(item["cases"]) == count and all(c["counted"] for c in item["cases"])
        assert all(c["case_number"].startswith("ZC") and c["decision_kind"] == "fine" for c in item["cases"])


def test_an_unread_or_malformed_plate_is_never_a_repeat_offender(app, client, make_site, login):
    """ "无牌" is what a device sends when it cannot read the plate: many vehicles, not one."""
    _, device = make_site()
    decided_cases(app, client, device, "无牌", 5)
    officer = login("officer")

    status = client.get("/api/v1/repeat-offenders/plates/无牌", headers=officer).get_json()
    listed = client.get("/api/v1/repeat-offenders?kind=vehicle", headers=officer).get_json()

    assert status["statutory_count"] == 0 and status["triggered"] is False
    assert listed == []


def test_the_console_list_names_the_cases_behind_the_count(app, client, make_site):
    from tests.console.test_console import sign_in

    _, device = make_site()
    ids = decided_cases(app, client, device, "吉A66666", 4)
    sign_in(client, app)

    page = client.get("/repeat-offenders?kind=vehicle").get_data(as_text=True)

    assert "吉A66666" in page and all(f"/cases/{i}" in page for i in ids)


def test_the_count_at_decision_is_stored_with_the_decision(app, client, make_site, login):
    from tests.api.review.test_procedure import CHECKLIST, Officer

    _, device = make_site()
    decided_cases(app, client, device, "吉A12345", 2)
    case_id = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(record_id="new", gross_weight_kg=60000)]}
    ).get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    officer = Officer(client, login("officer"))
    officer.step(case_id, "confirm", {"checklist": CHECKLIST})
    officer.step(case_id, "notice")
    officer.step(case_id, "statements", {"kind": "waiver"})
    proposal = officer.get(case_id).get_json()["penalty_proposal"]
    officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": proposal["proposed_yuan"]})
    decided = Officer(client, login("supervisor")).step(case_id, "decision/approve").get_json()
    assert decided["repeat_at_decision"]["vehicle"]["statutory_count"] == 2
