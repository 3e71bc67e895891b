"""未识别: a plate the camera did not read is entered by the reviewing officer from the images,
with the reason, audited; the case then links to the registry and counts its plate's earlier
cases like any other, and only then can it be confirmed (审核 checks the plate, §6.2)."""

from __future__ import annotations

from models import AuditEvent
from service.extensions import db
from tests.api.review.test_procedure import CHECKLIST
from tests.conftest import ago, reading
from tests.evidence_kit import give_evidence


def _cases(client, device, *items) -> list[int]:
    res = client.post("/api/v1/readings", headers=device, json={"readings": list(items)})
    return [r["case_id"] for r in res.get_json()["results"]]


def test_an_unread_plate_is_entered_from_the_images_and_the_case_links_and_counts(
    app, client, make_site, team, registered, run_worker
):
    _, device = make_site()
    earlier = reading(record_id="E-1", gross_weight_kg=60000, captured_at=ago(days=3))
    unread = reading(record_id="U-1", plate=None, plate_color=None, gross_weight_kg=56000)
    _, case_id = _cases(client, device, earlier, unread)
    run_worker()
    give_evidence(client.application, case_id)
    officer = team["officer"]
    detail = officer.get(case_id).get_json()
    assert detail["plate"] is None and detail["vehicle_id"] is None and detail["prior_case_count"] == 0
    barred = {a["step"]: a["reason"] for a in detail["barred_actions"]}
    assert "号牌未识别" in barred["confirm"]
    assert "plate" in {a["step"] for a in detail["actions"]}

    bad = officer.step(case_id, "plate", {"plate": "吉A1234", "reason": "据图像"})
    assert bad.status_code == 422 and "号牌" in bad.get_json()["message"]
    no_reason = officer.step(case_id, "plate", {"plate": "吉A12345", "reason": " "})
    assert no_reason.status_code == 422 and no_reason.get_json()["errors"]["reason"]

    entered = officer.step(case_id, "plate", {"plate": "吉a 12345", "reason": "据车牌特写图像辨认"})
    assert entered.status_code == 200, entered.get_json()
    after = entered.get_json()
    assert after["plate"] == "吉A12345" and after["vehicle_id"] and after["enterprise_id"] == registered
    assert after["prior_case_count"] == 1  # the earlier case of 吉A12345
    assert "plate" not in {a["step"] for a in after["actions"] + after["barred_actions"]}
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(action="case.plate").one()
        assert event.reason == "据车牌特写图像辨认" and event.data["plate"] == "吉A12345"
        assert event.actor == "law-officer"
    assert officer.step(case_id, "confirm", {"checklist": CHECKLIST}).status_code == 200


def test_a_read_plate_is_not_offered_for_entry_and_cannot_be_overwritten(client, make_site, team):
    _, device = make_site()
    (case_id,) = _cases(client, device, reading(gross_weight_kg=56000))
    officer = team["officer"]
    detail = officer.get(case_id).get_json()
    assert "plate" not in {a["step"] for a in detail["actions"] + detail["barred_actions"]}
    refused = officer.step(case_id, "plate", {"plate": "吉B54321", "reason": "改号"})
    assert refused.status_code == 409 and "已识别" in refused.get_json()["message"]
    assert officer.get(case_id).get_json()["plate"] == "吉A12345"


def test_the_console_offers_the_plate_form_for_an_unread_plate(app, client, make_site):
    from tests.console.test_console import _csrf, sign_in

    _, device = make_site()
    (case_id,) = _cases(client, device, reading(plate=None, gross_weight_kg=56000))
    give_evidence(app, case_id)
    sign_in(client, app, "officer", "plate-officer")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="plate-form"' in page and 'id="confirm-form"' not in page
    import re

    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    form = {"csrf_token": _csrf(page), "version": version, "plate": "吉C23456", "reason": "据车牌特写图像辨认"}
    assert client.post(f"/cases/{case_id}/act/plate", data=form).status_code == 302
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "吉C23456" in page and "执法人员据图像录入" in page and 'id="confirm-form"' in page
    assert "录入号牌（未识别）" in page  # the timeline
