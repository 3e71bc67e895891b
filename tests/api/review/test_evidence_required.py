"""domain-rules §6.2: a non-site record is confirmed, noticed and decided only with its evidence —
at least the plate close-up and a view of the vehicle, processed and hashed. Without them the
step is refused with the reason in Chinese, and the case lists it among the barred steps."""

from __future__ import annotations

from sqlalchemy import update

from models import EvidenceImage
from service.extensions import db
from tests.api.review.test_procedure import CHECKLIST, Officer
from tests.conftest import reading
from tests.evidence_kit import give_evidence


def _post(client, device, **overrides) -> int:
    res = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000, **overrides)]}
    )
    return res.get_json()["results"][0]["case_id"]


def _barred(officer: Officer, case_id: int) -> dict:
    return {a["step"]: a["reason"] for a in officer.get(case_id).get_json()["barred_actions"]}


def test_a_wim_case_without_images_cannot_be_confirmed(client, make_site, login):
    _, device = make_site()
    case_id = _post(client, device)
    officer = Officer(client, login("officer"))
    assert "车牌特写" in _barred(officer, case_id)["confirm"]
    refused = officer.step(case_id, "confirm", {"checklist": CHECKLIST})
    body = refused.get_json()
    assert refused.status_code == 409
    assert "车牌特写" in body["message"] and "车辆外观" in body["message"] and "第四十一条" in body["message"]
    assert body["errors"]["evidence"] == ["plate", "vehicle"]
    assert officer.get(case_id).get_json()["status"] == "pending_review"


def test_a_plate_close_up_alone_is_not_enough_nor_an_image_still_processing(app, client, make_site, login):
    from service.evidence.samples import overview_image, plate_image
    from service.ingest.evidence import store_evidence

    site_id, device = make_site()
    case_id = _post(client, device)
    with app.app_context():
        store_evidence(site_id, "R-0001", "plate", "p.jpg", plate_image("吉A12345"))
        store_evidence(site_id, "R-0001", "overview", "o.jpg", overview_image("吉A12345", 6))
        db.session.commit()  # uploaded, not yet decoded by the worker
    officer = Officer(client, login("officer"))
    reason = _barred(officer, case_id)["confirm"]
    assert "车牌特写" in reason and "车辆外观" in reason
    with app.app_context():
        from service.evidence.processing import process_images

        plate = db.session.scalar(db.select(EvidenceImage.id).where(EvidenceImage.kind == "plate"))
        process_images([plate])
        db.session.commit()
    reason = _barred(officer, case_id)["confirm"]
    assert "车牌特写" not in reason and "车辆外观" in reason


def test_with_the_evidence_set_the_case_is_confirmed_noticed_and_decided(client, make_site, login):
    _, device = make_site()
    case_id = _post(client, device)
    give_evidence(client.application, case_id)
    officer = Officer(client, login("officer"))
    assert "confirm" not in _barred(officer, case_id)
    assert officer.step(case_id, "confirm", {"checklist": CHECKLIST}).status_code == 200
    assert officer.step(case_id, "notice").status_code == 201
    assert officer.step(case_id, "statements", {"kind": "waiver"}).status_code == 200
    assert officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": 2000}).status_code == 200


def test_an_image_found_defective_after_review_bars_the_notice_and_the_decision(app, client, make_site, login):
    _, device = make_site()
    case_id = _post(client, device)
    give_evidence(client.application, case_id)
    officer = Officer(client, login("officer"))
    assert officer.step(case_id, "confirm", {"checklist": CHECKLIST}).status_code == 200
    with app.app_context():
        db.session.execute(update(EvidenceImage).where(EvidenceImage.kind == "plate").values(status="defect"))
        db.session.commit()
    refused = officer.step(case_id, "notice")
    assert refused.status_code == 409 and "车牌特写" in refused.get_json()["message"]
    assert "车牌特写" in _barred(officer, case_id)["notice"]


def test_a_weigh_station_case_needs_no_camera_images(client, make_site, login):
    _, device = make_site("JL-ST-01", kind="static")
    case_id = _post(client, device, site_code="JL-ST-01")
    officer = Officer(client, login("officer"))
    assert officer.step(case_id, "confirm", {}).status_code == 200
    assert officer.step(case_id, "notice").status_code == 201


def test_the_console_offers_no_checklist_for_images_that_do_not_exist(client, make_site, app):
    from tests.console.test_console import sign_in

    _, device = make_site()
    case_id = _post(client, device)
    sign_in(client, app, "officer", "desk-officer")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="confirm-form"' not in page
    assert "审核确认：非现场记录缺少可用的证据图像" in page
    assert "尚无证据图像" in page
