"""One poisoned item rejects that item only (CONTRACT §4, issue 16 item 1).

Each of these values reached the database or a float conversion and answered HTTP 500 with
nothing of the batch stored. Now the other 999 readings are stored and the bad field named.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from models import Reading
from service.extensions import db
from tests.conftest import ago, reading

HUGE = 10**400  # a 400-digit integer: valid JSON, beyond any float
BIG = 2**63  # one past the largest 64-bit integer a database column holds


def batch_with(poison: dict, size: int = 1000) -> list[dict]:
    """`size - 1` valid readings and, last, one with `poison` applied."""
    when = ago(hours=1)
    items = [reading(record_id=f"P-{i:04d}", captured_at=when) for i in range(size - 1)]
    items.append(reading(**{"record_id": "P-POISON", "captured_at": when, **poison}))
    return items


def post_raw(client, headers, items):
    # json.dumps keeps a lone surrogate as the escape "\ud800", as a device's JSON library would.
    body = json.dumps({"readings": items})
    return client.post("/api/v1/readings", data=body, content_type="application/json", headers=headers)


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Reading))


@pytest.fixture
def device(make_site):
    return make_site("JL-WIM-01", "wim")[1]


POISONS = {
    "record_id lone surrogate": ({"record_id": "\ud800"}, "record_id"),
    "record_id surrogate inside": ({"record_id": "R-\udfff-1"}, "record_id"),
    "site_code lone surrogate": ({"site_code": "\ud800"}, "site_code"),
    "axle_count 400 digits": ({"axle_count": HUGE}, "axle_count"),
    "gross_weight_kg 400 digits": ({"gross_weight_kg": HUGE}, "gross_weight_kg"),
    "gross_weight_kg -400 digits": ({"gross_weight_kg": -HUGE}, "gross_weight_kg"),
    "lane 2^63": ({"lane": BIG}, "lane"),
    "lane 400 digits": ({"lane": HUGE}, "lane"),
    "length_mm 2^63": ({"length_mm": BIG}, "length_mm"),
    "width_mm 2^63": ({"width_mm": BIG}, "width_mm"),
    "height_mm 2^63": ({"height_mm": BIG}, "height_mm"),
    "height_mm 1e300": ({"height_mm": 1e300}, "height_mm"),
    "captured_at year 1 at +14:00": ({"captured_at": "0001-01-01T00:00:00+14:00"}, "captured_at"),
    "captured_at year 1 in UTC": ({"captured_at": "0001-01-01T00:00:00Z"}, "captured_at"),
    "captured_at year 9999 at -14:00": ({"captured_at": "9999-12-31T23:59:59-14:00"}, "captured_at"),
    "speed_kmh 1e308": ({"speed_kmh": 1e308}, "speed_kmh"),
    "speed_kmh 400 digits": ({"speed_kmh": HUGE}, "speed_kmh"),
    "axle weight 1e308": ({"axle_weights_kg": [7000, 9000, 8000, 8000, 8000, 1e308]}, "axle_weights_kg"),
    "axle weight 400 digits": ({"axle_weights_kg": [7000, 9000, 8000, 8000, 8000, HUGE]}, "axle_weights_kg"),
    "unknown field named by a lone surrogate": ({"\ud800": 1}, "\\ud800"),
}


@pytest.mark.parametrize("poison,field", POISONS.values(), ids=POISONS.keys())
def test_poisoned_item_is_rejected_alone_and_the_other_999_are_stored(app, client, device, poison, field):
    res = post_raw(client, device, batch_with(poison))
    assert res.status_code == 200, res.get_data(as_text=True)[:500]
    body = res.get_json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (999, 0, 1)
    bad = body["results"][-1]
    assert bad["status"] == "rejected" and bad["index"] == 999
    assert field in bad["errors"], bad
    assert all(m for m in bad["errors"][field])  # a message a person can read
    assert stored(app) == 999


def test_a_plate_with_a_lone_surrogate_is_kept_flagged_like_any_misread_plate(app, client, device):
    """CONTRACT §4: a plate is stored as read and flagged, never rejected — the weighing counts.
    The broken character is stored as U+FFFD, as a NUL is."""
    res = post_raw(client, device, batch_with({"plate": "吉A\ud8001234"}, size=3))
    body = res.get_json()
    assert res.status_code == 200 and body["accepted"] == 3
    assert body["results"][-1]["plate_valid"] is False
    with app.app_context():
        plate = db.session.scalar(select(Reading.plate).where(Reading.record_id == "P-POISON"))
    assert plate == "吉A\ufffd1234"


def test_a_plate_longer_than_the_column_is_kept_cut_to_its_width_and_flagged(app, client, device):
    """A 30-character plate exceeded the 16-character column on PostgreSQL: 500, nothing stored."""
    body = post_raw(client, device, batch_with({"plate": "吉A" + "1" * 28}, size=3)).get_json()
    assert body["accepted"] == 3 and body["results"][-1]["plate_valid"] is False
    with app.app_context():
        plate = db.session.scalar(select(Reading.plate).where(Reading.record_id == "P-POISON"))
    assert plate == ("吉A" + "1" * 28)[:16]


BOUNDS = {
    # the largest value a device may report is accepted; one beyond it is refused
    "speed_kmh": (300, 300.5),
    "lane": (999, 1000),
    "length_mm": (100_000, 100_001),
    "width_mm": (20_000, 20_001),
    "height_mm": (20_000, 20_001),
}


@pytest.mark.parametrize("name", BOUNDS)
def test_every_number_has_an_upper_bound_a_device_cannot_exceed(client, device, name):
    largest, beyond = BOUNDS[name]
    items = [reading(record_id="B-1", **{name: largest}), reading(record_id="B-2", **{name: beyond})]
    results = post_raw(client, device, items).get_json()["results"]
    assert results[0]["status"] == "accepted", results[0]
    assert results[1]["status"] == "rejected" and name in results[1]["errors"]
    assert str(largest) in results[1]["errors"][name][0]  # the message states the bound


def test_an_axle_cannot_weigh_more_than_a_vehicle_may(client, device):
    weights = [7000, 9000, 8000, 8000, 8000, 300_001]
    result = post_raw(client, device, [reading(axle_weights_kg=weights)]).get_json()["results"][0]
    assert result["status"] == "rejected" and "axle_weights_kg" in result["errors"]


def test_whole_numbers_sent_as_floats_are_still_accepted(client, device):
    item = reading(lane=2.0, length_mm=18000.0, width_mm=2550.0, height_mm=4000.0, axle_count=6.0)
    assert post_raw(client, device, [item]).get_json()["results"][0]["status"] == "accepted"


def test_the_spec_states_the_bounds_the_validator_enforces(client):
    """A device's developer reads the bounds in the OpenAPI spec; they are the ones enforced."""
    props = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Reading"]["properties"]
    assert props["speed_kmh"]["maximum"] == 300
    assert props["lane"]["maximum"] == 999
    assert props["length_mm"]["maximum"] == 100_000
    assert (props["width_mm"]["maximum"], props["height_mm"]["maximum"]) == (20_000, 20_000)
    assert props["axle_weights_kg"]["items"]["maximum"] == 300_000
