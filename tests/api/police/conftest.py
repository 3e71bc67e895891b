"""Fixtures for the police referral tests: a weigh station (no non-site checklist), the people,
a registered truck with its 行驶证 figures, and cases confirmed with their evidence images."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import time_machine
from PIL import Image

from tests.api.review.test_procedure import Officer
from tests.api.test_registry import USCC
from tests.api.test_registry_edit import post
from tests.conftest import reading

SITE = "JL-STA-01"
# Every test runs on a fixed Wednesday in Beijing (2026-06-17 10:00 CST), whatever the hour of CI:
# working days, the repeat-offender year and the receipt's due date do not move with the wall clock.
NOW = datetime(2026, 6, 17, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def people(client, login):
    return {
        "officer": Officer(client, login("officer", username="zf-officer")),
        "supervisor": Officer(client, login("supervisor", username="zf-boss")),
        "supervisor_b": Officer(client, login("supervisor", username="zf-boss-b")),
        "police": login("police", username="jiaojing"),
        "admin": login("admin", username="zf-admin"),
        "investigator": login("investigator", username="zf-inv"),
    }


@pytest.fixture
def station(make_site):
    _, device = make_site(SITE, kind="static")
    return device


@pytest.fixture
def truck(client, people):
    """吉A12345: 6 axles, 核定载质量 31 000 kg, 最大允许总质量 49 000 kg."""
    admin = people["admin"]
    post(client, admin, "enterprises", {"uscc": USCC, "name": "长春顺达运输有限公司", "kind": "transport"})
    body = {"plate": "吉A12345", "enterprise_uscc": USCC, "axle_count": 6, "rated_load_kg": 31000,
            "max_total_mass_kg": 49000}  # fmt: skip
    return post(client, admin, "vehicles", body)


def jpeg(seed: int, size: int = 64) -> bytes:
    img = Image.new("RGB", (size, size), (seed * 37 % 256, seed * 91 % 256, seed * 13 % 256))
    out = io.BytesIO()
    img.save(out, "JPEG")
    return out.getvalue()


def weigh(client, station, run_worker, record: str, *, images: int = 2, **fields) -> int:
    """A reading at the station (with `images` evidence images), linked to the registry: its case id."""
    from service.extensions import db
    from service.ingest.evidence import store_evidence

    body = reading(site_code=SITE, record_id=record, **fields)
    res = client.post("/api/v1/readings", headers=station, json={"readings": [body]})
    result = res.get_json()["results"][0]
    assert result["status"] == "accepted" and result["case_id"], result
    app = client.application
    with app.app_context():
        from models import Reading

        site_id = db.session.get(Reading, result["reading_id"]).site_id
        for i, kind in enumerate(("plate", "overview", "side")[:images]):
            store_evidence(site_id, record, kind, f"{kind}.jpg", jpeg(hash((record, i)) % 250))
        db.session.commit()
    run_worker()  # links the case to the registry, processes the images
    return result["case_id"]


def confirmed(client, people, station, run_worker, record: str, **fields) -> int:
    case_id = weigh(client, station, run_worker, record, **fields)
    res = people["officer"].step(case_id, "confirm", {})
    assert res.status_code == 200, res.get_json()
    return case_id


def referrals(client, headers, **query) -> list[dict]:
    res = client.get("/api/v1/referrals", headers=headers, query_string=query)
    assert res.status_code == 200, res.get_json()
    return res.get_json()
