"""POST /api/v1/readings and GET /api/v1/readings/<id> — CONTRACT §4."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from models import Case, OutboxEvent, Reading
from service.extensions import db
from tests.conftest import ago, reading


def post(client, headers, *items, **kw):
    return client.post("/api/v1/readings", json={"readings": list(items)}, headers=headers, **kw)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def device(make_site):
    return make_site("JL-WIM-01", "wim")[1]


def test_legal_reading_is_accepted_with_its_classification_and_no_case(app, client, device):
    res = post(client, device, reading(gross_weight_kg=42000))
    assert res.status_code == 200
    body = res.get_json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 0, 0)
    result = body["results"][0]
    assert result["status"] == "accepted" and result["index"] == 0
    assert result["limit_kg"] == 49000  # 62号令 Art 3(八)
    assert result["overlimit_kg"] == 0 and result["overlimit"] is False
    assert result["case_id"] is None
    assert count(app, Case) == 0


def test_overlimit_reading_opens_a_pending_review_case(app, client, device, login):
    # Class-5 WIM: 5 % of the measured gross is deducted (domain-rules §1.7).
    res = post(client, device, reading(gross_weight_kg=56000))
    result = res.get_json()["results"][0]
    assert result["overlimit_kg"] == 7000 and result["tolerance_kg"] == 2800
    assert result["overlimit"] is True and result["case_id"] is not None
    case = client.get(f"/api/v1/cases/{result['case_id']}", headers=login("officer")).get_json()
    assert case["status"] == "pending_review"
    assert case["reading_id"] == result["reading_id"]
    assert case["rule_id"] == "L-6AX-C" and "第三条" in case["rule_article"]
    assert case["penalty_usable"] is True


def test_within_device_tolerance_is_not_overlimit(client, device):
    # 51000 kg: 2000 kg over 49 t but within the 2550 kg MPE of a class-5 device.
    result = post(client, device, reading(gross_weight_kg=51000)).get_json()["results"][0]
    assert result["overlimit_kg"] == 2000 and result["tolerance_kg"] == 2550
    assert result["overlimit"] is False and result["case_id"] is None


def test_baidunwang_cases_come_first_in_the_queue(client, device, login):
    post(
        client,
        device,
        reading(record_id="a", gross_weight_kg=80000),
        reading(record_id="b", gross_weight_kg=100000),
        reading(record_id="c", gross_weight_kg=60000),
    )
    cases = client.get("/api/v1/cases", headers=login("officer")).get_json()
    assert [c["baidunwang"] for c in cases] == [True, False, False]
    assert cases[0]["gross_weight_kg"] == 100000
    assert cases[1]["excess_pct"] > cases[2]["excess_pct"]


def test_replay_is_a_duplicate_and_changes_nothing(app, client, device):
    first = post(client, device, reading(gross_weight_kg=60000)).get_json()["results"][0]
    changed = reading(gross_weight_kg=30000, plate="吉B99999")  # same key, other figures
    res = post(client, device, changed).get_json()
    assert (res["accepted"], res["duplicates"]) == (0, 1)
    dup = res["results"][0]
    assert dup["status"] == "duplicate"
    for key in ("reading_id", "limit_kg", "tolerance_kg", "overlimit_kg", "overlimit", "baidunwang", "case_id"):
        assert dup[key] == first[key], key
    assert count(app, Reading) == 1 and count(app, Case) == 1
    with app.app_context():
        assert db.session.scalar(select(Reading.gross_weight_kg)) == 60000


def test_repeat_inside_one_batch_is_a_duplicate(app, client, device):
    res = post(client, device, reading(), reading()).get_json()
    assert [r["status"] for r in res["results"]] == ["accepted", "duplicate"]
    assert res["results"][0]["reading_id"] == res["results"][1]["reading_id"]
    assert count(app, Reading) == 1


def test_same_record_id_at_two_sites_is_two_readings(app, client, make_site, login):
    _, a = make_site("A-1")
    _, b = make_site("B-1")
    post(client, a, reading(site_code="A-1"))
    res = post(client, b, reading(site_code="B-1")).get_json()
    assert res["accepted"] == 1
    assert count(app, Reading) == 2


BAD_FIELDS = [
    pytest.param({"axle_count": 1}, "axle_count", id="axle_count below 2"),
    pytest.param({"axle_count": 9}, "axle_count", id="axle_count above 8"),
    pytest.param({"axle_count": "6"}, "axle_count", id="axle_count as text"),
    pytest.param({"axle_count": 5.5}, "axle_count", id="axle_count fractional"),
    pytest.param({"gross_weight_kg": 0}, "gross_weight_kg", id="gross zero"),
    pytest.param({"gross_weight_kg": 300001}, "gross_weight_kg", id="gross above 300 t"),
    pytest.param({"gross_weight_kg": "49t"}, "gross_weight_kg", id="gross as text"),
    pytest.param({"captured_at": "2026-11-20T09:30:00"}, "captured_at", id="captured_at without offset"),
    pytest.param({"captured_at": "yesterday"}, "captured_at", id="captured_at not a time"),
    pytest.param({"captured_at": ago(hours=-1)}, "captured_at", id="captured_at an hour in the future"),
    pytest.param({"captured_at": "2015-01-01T08:00:00+08:00"}, "captured_at", id="before 62号令 in force"),
    pytest.param({"record_id": "x" * 65}, "record_id", id="record_id over 64"),
    pytest.param({"record_id": ""}, "record_id", id="record_id empty"),
    pytest.param({"plate_color": "purple"}, "plate_color", id="plate_color unknown"),
    pytest.param({"vehicle_type": "bus"}, "vehicle_type", id="vehicle_type unknown"),
    pytest.param({"axle_weights_kg": [7000, 9000]}, "axle_weights_kg", id="axle weights count differs"),
    pytest.param({"axle_weights_kg": "7000;9000"}, "axle_weights_kg", id="axle weights not a list"),
    pytest.param({"speed_kmh": -1}, "speed_kmh", id="negative speed"),
    pytest.param({"lane": 0}, "lane", id="lane zero"),
    pytest.param({"height_mm": 0}, "height_mm", id="height zero"),
    pytest.param({"single_drive_axle": "yes"}, "single_drive_axle", id="single_drive_axle not boolean"),
    pytest.param({"colour": "yellow"}, "colour", id="unknown field"),
    pytest.param({"site_code": "NOWHERE"}, "site_code", id="unknown site"),
    pytest.param({"site_code": ["JL-WIM-01"]}, "site_code", id="site_code a list"),
    pytest.param({"site_code": {"code": "JL-WIM-01"}}, "site_code", id="site_code an object"),
    pytest.param({"axle_count": ...}, "axle_count", id="axle_count missing"),
    pytest.param({"gross_weight_kg": ...}, "gross_weight_kg", id="gross missing"),
    pytest.param({"record_id": ...}, "record_id", id="record_id missing"),
    pytest.param({"captured_at": ...}, "captured_at", id="captured_at missing"),
]


@pytest.mark.parametrize("override, field", BAD_FIELDS)
def test_bad_item_is_rejected_alone_naming_its_field(app, client, device, override, field):
    bad = reading(**({"record_id": "bad"} | override))
    res = post(client, device, reading(record_id="good-1"), bad, reading(record_id="good-2"))
    assert res.status_code == 200
    body = res.get_json()
    assert (body["accepted"], body["rejected"]) == (2, 1)
    rejected = body["results"][1]
    assert rejected["status"] == "rejected" and rejected["index"] == 1
    assert field in rejected["errors"] and rejected["errors"][field][0]
    assert "reading_id" not in rejected
    assert count(app, Reading) == 2


def test_every_bad_field_of_an_item_is_named(client, device):
    bad = reading(axle_count=12, gross_weight_kg=-5, captured_at="soon", lane=0, site_code=...)
    errors = post(client, device, bad).get_json()["results"][0]["errors"]
    assert set(errors) == {"axle_count", "gross_weight_kg", "captured_at", "lane", "site_code"}


def test_malformed_plate_is_kept_and_flagged(app, client, device, login):
    res = post(
        client, device, reading(record_id="p1", plate="吉AO1234"), reading(record_id="p2", plate=None)
    ).get_json()
    assert res["accepted"] == 2
    assert res["results"][0]["plate_valid"] is False
    officer = login("officer")
    stored = client.get(f"/api/v1/readings/{res['results'][0]['reading_id']}", headers=officer).get_json()
    assert stored["plate"] == "吉AO1234" and stored["plate_valid"] is False
    unread = client.get(f"/api/v1/readings/{res['results'][1]['reading_id']}", headers=officer).get_json()
    assert unread["plate"] is None and unread["plate_valid"] is False


def test_a_nul_character_rejects_only_its_item_and_a_plate_with_one_is_kept_flagged(client, device):
    """PostgreSQL text cannot hold NUL: without these checks the whole batch failed there."""
    res = post(
        client,
        device,
        reading(record_id="n\u00001"),
        reading(record_id="n2", plate="吉A\u000012345"),
        reading(record_id="n3"),
    )

    assert res.status_code == 200
    body = res.get_json()
    assert (body["accepted"], body["rejected"]) == (2, 1)
    assert list(body["results"][0]["errors"]) == ["record_id"]
    assert body["results"][1]["status"] == "accepted" and body["results"][1]["plate_valid"] is False


def test_plate_is_normalised_and_chinese_colour_accepted(client, device, login):
    res = post(client, device, reading(plate=" 吉ａ·12345 ", plate_color="黄")).get_json()
    stored = client.get(f"/api/v1/readings/{res['results'][0]['reading_id']}", headers=login("officer")).get_json()
    assert stored["plate"] == "吉A12345" and stored["plate_valid"] is True
    assert stored["plate_color"] == "yellow"


def test_unknown_configuration_gets_the_higher_limit(client, device):
    # 3 axles, type unknown: the combination's 27 t applies, not the truck's (⚖). A truck's drive
    # axle is not reported: twin tyres + air suspension are assumed, 26 t (L-AIR+1, ⚖); 4 axles of
    # unknown type may be the articulated 37 t cell (L-4AX-ART-37, ⚖).
    res = post(
        client,
        device,
        reading(record_id="t", axle_count=3, vehicle_type="truck", gross_weight_kg=20000),
        reading(record_id="u", axle_count=3, vehicle_type=..., gross_weight_kg=20000),
        reading(record_id="v", axle_count=4, vehicle_type=..., gross_weight_kg=20000),
    ).get_json()
    assert res["results"][0]["limit_kg"] == 26000
    assert res["results"][1]["limit_kg"] == 27000
    assert res["results"][2]["limit_kg"] == 37000 and res["results"][2]["rule_id"] == "L-4AX-ART-37"


def test_single_drive_axle_six_axle_limit_is_46t(client, device):
    result = post(client, device, reading(single_drive_axle=True)).get_json()["results"][0]
    assert result["limit_kg"] == 46000 and result["rule_id"] == "L-6AX-C-SD"


def test_over_height_alone_opens_a_case(client, device):
    result = post(client, device, reading(height_mm=4300)).get_json()["results"][0]
    assert result["overlimit_kg"] == 0
    assert result["dimension_overlimit"] == ["height"]
    assert result["overlimit"] is True and result["case_id"] is not None


def test_toll_entry_allows_105_percent(client, make_site):
    _, token = make_site("JL-ENT-01", "toll_entry")
    res = post(
        client,
        token,
        reading(site_code="JL-ENT-01", record_id="in", gross_weight_kg=51450),
        reading(site_code="JL-ENT-01", record_id="over", gross_weight_kg=51451),
    ).get_json()
    assert [r["overlimit"] for r in res["results"]] == [False, True]
    assert res["results"][0]["tolerance_kg"] == 2450  # T-ENTRY-105


def test_static_scale_has_no_deduction(client, make_site):
    _, token = make_site("JL-STA-01", "static")
    result = post(client, token, reading(site_code="JL-STA-01", gross_weight_kg=49001)).get_json()["results"][0]
    assert result["tolerance_kg"] == 0 and result["overlimit"] is True


def test_lapsed_calibration_case_is_not_usable_for_a_penalty(client, make_site, login):
    from datetime import date, timedelta

    _, token = make_site("JL-WIM-09", "wim", calibrated_until=date.today() - timedelta(days=10))
    result = post(client, token, reading(site_code="JL-WIM-09", gross_weight_kg=70000)).get_json()["results"][0]
    assert result["overlimit"] is True  # still stored and counted
    case = client.get(f"/api/v1/cases/{result['case_id']}", headers=login("officer")).get_json()
    assert case["penalty_usable"] is False
    assert [b["code"] for b in case["penalty_bars"]] == ["calibration_lapsed"]
    assert case["penalty_bars"][0]["reason"] and case["penalty_bars"][0]["article"]


def test_reading_older_than_two_years_is_barred_by_limitation(client, device, login):
    old = reading(captured_at=ago(days=2 * 365 + 5), gross_weight_kg=70000)
    result = post(client, device, old).get_json()["results"][0]
    case = client.get(f"/api/v1/cases/{result['case_id']}", headers=login("officer")).get_json()
    assert case["penalty_usable"] is False
    bar = case["penalty_bars"][0]
    assert bar["code"] == "limitation_expired" and "第三十六条" in bar["article"]


def test_get_reading_returns_the_stored_classification(client, device, login):
    result = post(
        client, device, reading(gross_weight_kg=56000, axle_weights_kg=[7000, 9000, 10000, 10000, 10000, 10000])
    ).get_json()["results"][0]
    stored = client.get(f"/api/v1/readings/{result['reading_id']}", headers=login("supervisor")).get_json()
    for key in ("limit_kg", "tolerance_kg", "overlimit_kg", "overlimit", "baidunwang", "case_id"):
        assert stored[key] == result[key], key
    assert stored["site_code"] == "JL-WIM-01" and stored["record_id"] == "R-0001"
    assert stored["rule_version"].startswith("62号令") and stored["tolerance_rule"] == "T-WIM-MPE"
    assert stored["axle_weights_kg"] == [7000, 9000, 10000, 10000, 10000, 10000]


def test_unknown_reading_is_404(client, login):
    res = client.get("/api/v1/readings/999", headers=login("officer"))
    assert res.status_code == 404 and res.get_json()["message"]


def test_body_that_is_not_json_is_400_and_stores_nothing(app, client, device):
    res = client.post("/api/v1/readings", data="readings=1", headers=device, content_type="application/json")
    assert res.status_code == 400
    assert set(res.get_json()) >= {"code", "status", "message"}
    assert count(app, Reading) == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"readings": "x"}, {"readings": []}, [reading()]],
    ids=["no readings", "readings not a list", "empty list", "bare list"],
)
def test_body_without_a_readings_list_is_422(app, client, device, body):
    res = client.post("/api/v1/readings", json=body, headers=device)
    assert res.status_code == 422 and "readings" in res.get_json()["errors"]
    assert count(app, Reading) == 0


def test_more_than_1000_items_is_422_and_stores_nothing(app, client, device):
    items = [reading(record_id=f"r{i}") for i in range(1001)]
    res = post(client, device, *items)
    assert res.status_code == 422
    assert count(app, Reading) == 0


def test_exactly_1000_items_are_accepted(app, client, device):
    res = post(client, device, *[reading(record_id=f"r{i}") for i in range(1000)])
    assert res.get_json()["accepted"] == 1000


def test_oversize_body_is_413_and_stores_nothing(app, client, device):
    app.config["MAX_JSON_BODY_BYTES"] = 10_000
    try:
        items = [reading(record_id=f"r{i}") for i in range(100)]
        res = client.post(
            "/api/v1/readings", data=json.dumps({"readings": items}), headers=device, content_type="application/json"
        )
    finally:
        app.config["MAX_JSON_BODY_BYTES"] = 2 * 1024 * 1024
    assert res.status_code == 413 and res.get_json()["message"]
    assert count(app, Reading) == 0


def test_each_accepted_batch_writes_one_outbox_row(app, client, device):
    post(client, device, *[reading(record_id=f"r{i}", gross_weight_kg=60000) for i in range(20)])
    with app.app_context():
        events = db.session.scalars(select(OutboxEvent)).all()
    assert len(events) == 1
    assert len(events[0].payload["reading_ids"]) == 20 and len(events[0].payload["case_ids"]) == 20


def test_documented_fields_are_the_checked_fields():
    """The OpenAPI schema and the hot-path validator describe the same READING."""
    from service.ingest.schemas import ReadingSchema
    from service.ingest.validation import FIELDS, REQUIRED

    schema = ReadingSchema()
    assert set(schema.fields) == set(FIELDS)
    assert {n for n, f in schema.fields.items() if f.required} == set(REQUIRED)


def test_a_renewed_certificate_does_not_cure_readings_from_the_lapsed_gap(client, make_site, login):
    """Calibration is judged on the capture date: lapsed gap stays lapsed, later readings are usable."""
    from datetime import date, timedelta

    today = date.today()
    _, token = make_site("JL-WIM-05", "wim", calibrated_until=today - timedelta(days=20))
    admin = login("admin")
    renewed = client.post(
        "/api/v1/sites/JL-WIM-05/calibrations",
        headers=admin,
        json={
            "valid_from": (today - timedelta(days=5)).isoformat(),
            "valid_until": (today + timedelta(days=360)).isoformat(),
            "certificate_no": "JL-JD-2026-0117",
        },
    )
    assert renewed.status_code == 201
    res = post(
        client,
        token,
        reading(site_code="JL-WIM-05", record_id="gap", captured_at=ago(days=10), gross_weight_kg=70000),
        reading(site_code="JL-WIM-05", record_id="now", captured_at=ago(days=1), gross_weight_kg=70000),
    ).get_json()
    officer = login("officer")
    gap, fresh = (client.get(f"/api/v1/cases/{r['case_id']}", headers=officer).get_json() for r in res["results"])
    assert gap["penalty_usable"] is False and gap["penalty_bars"][0]["code"] == "calibration_lapsed"
    assert fresh["penalty_usable"] is True
    periods = client.get("/api/v1/sites/JL-WIM-05/calibrations", headers=admin).get_json()
    assert [p["certificate_no"] for p in periods] == [None, "JL-JD-2026-0117"]


def test_wim_site_without_any_certificate_cannot_support_a_penalty(client, make_site, login):
    _, token = make_site("JL-WIM-06", "wim", calibrated_until=None)
    result = post(client, token, reading(site_code="JL-WIM-06", gross_weight_kg=70000)).get_json()["results"][0]
    case = client.get(f"/api/v1/cases/{result['case_id']}", headers=login("officer")).get_json()
    assert [b["code"] for b in case["penalty_bars"]] == ["calibration_unknown"]


def test_device_clock_may_run_up_to_five_minutes_ahead(client, device):
    """CONTRACT §4: captured_at not more than 5 minutes in the future (times taken now, not at collection)."""
    res = post(
        client,
        device,
        reading(record_id="ahead-4", captured_at=ago(minutes=-4)),
        reading(record_id="ahead-6", captured_at=ago(minutes=-6)),
    ).get_json()
    assert [r["status"] for r in res["results"]] == ["accepted", "rejected"]
    assert "captured_at" in res["results"][1]["errors"]


def test_whole_and_fractional_numbers_mix_in_one_batch(app, client, device):
    """Devices send 60 and 60.5 alike; the batch is stored on every database."""
    res = post(
        client,
        device,
        reading(record_id="a", speed_kmh=60, gross_weight_kg=56000),
        reading(record_id="b", speed_kmh=60.5, gross_weight_kg=56500.5),
    )
    assert res.status_code == 200 and res.get_json()["accepted"] == 2


def test_error_messages_are_readable_chinese_in_raw_json(client, device):
    res = post(client, device, reading(axle_count=9))
    assert "须在 2 到 8 之间" in res.get_data(as_text=True)
