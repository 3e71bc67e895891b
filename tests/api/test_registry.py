"""Registry: enterprises, vehicles, drivers and permits; permits decide whether a case opens."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from service.rules import uscc_check_digit
from tests.conftest import reading

USCC = "91350100M000100Y43"


def valid_id_number(body17: str = "22010219800101123") -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


@pytest.fixture
def admin(login):
    return login("admin")


def test_enterprise_needs_a_valid_credit_code(client, admin):
    bad = client.post(
        "/api/v1/registry/enterprises", headers=admin, json={"uscc": USCC[:-1] + "0", "name": "长春某运输公司"}
    )
    assert bad.status_code == 422 and "uscc" in bad.get_json()["errors"]
    good = client.post(
        "/api/v1/registry/enterprises",
        headers=admin,
        json={"uscc": USCC, "name": "长春某运输有限公司", "kind": "transport", "declared_fleet_size": 20},
    )
    assert good.status_code == 201
    assert (
        client.post("/api/v1/registry/enterprises", headers=admin, json={"uscc": USCC, "name": "x"}).status_code == 409
    )


def test_driver_identity_number_is_stored_protected_and_shown_masked(app, client, admin):
    id_no = valid_id_number()
    res = client.post(
        "/api/v1/registry/drivers",
        headers=admin,
        json={"name": "王强", "licence_no": "220102198001011234", "identity_number": id_no},
    )
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert "identity_number" not in body and body["identity_masked"].startswith(id_no[:3])
    assert id_no not in res.get_data(as_text=True)
    from sqlalchemy import select, text

    from service.extensions import db

    with app.app_context():
        raw = db.session.execute(text("SELECT identity_encrypted, identity_masked FROM drivers")).one()
        assert id_no not in raw[0] and "*" in raw[1]
        from models import Driver
        from service.registry.crypto import decrypt

        assert decrypt(db.session.scalar(select(Driver.identity_encrypted))) == id_no


def test_cases_link_to_the_registered_vehicle_and_its_enterprise(client, admin, make_site, run_worker, login):
    client.post("/api/v1/registry/enterprises", headers=admin, json={"uscc": USCC, "name": "长春某运输有限公司"})
    client.post(
        "/api/v1/registry/vehicles",
        headers=admin,
        json={"plate": "吉A12345", "enterprise_uscc": USCC, "rated_load_kg": 31000, "axle_count": 6},
    )
    _, device = make_site()
    case_id = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=60000)]}
    ).get_json()["results"][0]["case_id"]
    run_worker()
    from models import Case
    from service.extensions import db

    with client.application.app_context():
        case = db.session.get(Case, case_id)
        assert case.vehicle_id is not None and case.enterprise_id is not None


def _permit(client, admin, **overrides):
    body = {
        "number": "JL-DJ-2026-001",
        "plate": "吉A12345",
        "valid_from": (date.today() - timedelta(days=5)).isoformat(),
        "valid_until": (date.today() + timedelta(days=5)).isoformat(),
        "permitted_gross_kg": 70000,
        "route": ["JL-WIM-01", "JL-WIM-02"],
    }
    body.update(overrides)
    return client.post("/api/v1/registry/permits", headers=admin, json=body)


@pytest.mark.parametrize(
    "site, gross, status, opens_case",
    [
        pytest.param("JL-WIM-01", 65000, "permitted", False, id="F-DEEMED-大件 on route within figures: no case"),
        pytest.param("JL-WIM-01", 75000, "over_permit", True, id="F-DEEMED-大件 车证不符: over the permitted gross"),
        pytest.param("JL-WIM-03", 65000, "off_route", True, id="F-DEEMED-大件 未按许可路线行驶: off route"),
    ],
)
def test_valid_permit_decides_whether_a_case_opens(client, admin, make_site, login, site, gross, status, opens_case):
    for code in ("JL-WIM-01", "JL-WIM-02", "JL-WIM-03"):
        make_site(code)
    assert _permit(client, admin).status_code == 201

    token = client.post(f"/api/v1/sites/{site}/tokens", headers=admin, json={"label": "t"}).get_json()["device_token"]
    res = client.post(
        "/api/v1/readings",
        headers={"Authorization": f"Bearer {token}"},
        json={"readings": [reading(site_code=site, gross_weight_kg=gross)]},
    ).get_json()["results"][0]
    assert res["overlimit"] is True and res["permit_status"] == status
    assert (res["case_id"] is not None) is opens_case
    if opens_case:
        case = client.get(f"/api/v1/cases/{res['case_id']}", headers=login("officer")).get_json()
        assert case["permit_issue"]["rule_id"] == "F-DEEMED-大件"


def test_expired_permit_does_not_cover(client, admin, make_site):
    make_site("JL-WIM-01")
    _permit(
        client,
        admin,
        valid_from=(date.today() - timedelta(days=30)).isoformat(),
        valid_until=(date.today() - timedelta(days=2)).isoformat(),
    )
    token = client.post("/api/v1/sites/JL-WIM-01/tokens", headers=admin, json={}).get_json()["device_token"]
    res = client.post(
        "/api/v1/readings",
        headers={"Authorization": f"Bearer {token}"},
        json={"readings": [reading(gross_weight_kg=65000)]},
    ).get_json()["results"][0]
    assert res["permit_status"] is None and res["case_id"] is not None


def test_permit_route_must_name_known_sites(client, admin):
    res = _permit(client, admin, route=["NOWHERE"])
    assert res.status_code == 422 and "route" in res.get_json()["errors"]


def test_registry_csv_import_reports_rows_and_adds_nothing_twice(client, admin, run_worker):
    second = USCC[:-1]
    other = "91220101MA0000000" + uscc_check_digit("91220101MA0000000")
    text = (
        "uscc,name,kind,declared_fleet_size\n"
        f"{USCC},长春某运输有限公司,transport,20\n"
        f"{second}X,坏代码公司,transport,5\n"
        f"{other},吉林某砂石场,source,\n"
    )

    def upload():
        res = client.post(
            "/api/v1/registry/imports",
            headers=admin,
            content_type="multipart/form-data",
            data={"kind": "enterprises", "file": (io.BytesIO(text.encode()), "e.csv")},
        )
        assert res.status_code == 202
        run_worker(), run_worker()
        return client.get(f"/api/v1/registry/imports/{res.get_json()['id']}", headers=admin).get_json()

    first = upload()
    assert (first["status"], first["accepted"], first["rejected"]) == ("done", 2, 1)
    assert first["errors"][0]["line"] == 3 and "uscc" in first["errors"][0]["errors"]
    again = upload()
    assert (again["accepted"], again["duplicates"]) == (0, 2)
