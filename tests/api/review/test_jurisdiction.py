"""Jurisdiction (管辖), as a matrix: agencies are province (220000) → city detachment (长春 220100,
四平 220300) → county detachment (长春 朝阳区 220104). An officer sees and acts on their own
agency's cases; a supervisor on their agency's and those below; a provincial user on all — in the
API, the console and the lists and exports. Another agency's case is not found, and its steps are
refused."""

from __future__ import annotations

import pytest

from tests.conftest import reading

SITES = {"CC": "220100", "CC-CY": "220104", "SP": "220300"}
USERS = {
    "officer-cc": ("officer", "220100"),
    "officer-sp": ("officer", "220300"),
    "boss-cc": ("supervisor", "220100"),
    "boss-sp": ("supervisor", "220300"),
    "boss-jl": ("supervisor", "220000"),  # the province
    "boss-all": ("supervisor", None),
}
# Whose cases each user sees (sites by their key above).
SEES = {
    "officer-cc": {"CC"},
    "officer-sp": {"SP"},
    "boss-cc": {"CC", "CC-CY"},
    "boss-sp": {"SP"},
    "boss-jl": {"CC", "CC-CY", "SP"},
    "boss-all": {"CC", "CC-CY", "SP"},
}
PASSWORD = "correct-horse-9"


@pytest.fixture
def world(app, client, make_site):
    from service.admin.operations import create_user
    from service.extensions import db

    cases = {}
    for key, region in SITES.items():
        code = f"JL-{key}"
        _, device = make_site(code, region_code=region)
        body = {
            "readings": [
                reading(site_code=code, record_id=f"{key}-1", plate=f"吉A1{len(cases)}345", gross_weight_kg=56000)
            ]
        }
        cases[key] = client.post("/api/v1/readings", headers=device, json=body).get_json()["results"][0]["case_id"]
    heads = {}
    with app.app_context():
        for name, (role, region) in USERS.items():
            create_user(name, role, PASSWORD, region_code=region)
        db.session.commit()
    for name in USERS:
        token = client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD}).get_json()
        heads[name] = {"Authorization": f"Bearer {token['access_token']}"}
    return cases, heads


@pytest.mark.parametrize("user", list(USERS))
def test_each_user_sees_and_acts_on_their_jurisdiction_only(client, world, user):
    cases, heads = world
    listed = {c["id"] for c in client.get("/api/v1/cases?status=", headers=heads[user]).get_json()}
    assert listed == {cases[k] for k in SEES[user]}
    for key, case_id in cases.items():
        visible = key in SEES[user]
        res = client.get(f"/api/v1/cases/{case_id}", headers=heads[user])
        assert res.status_code == (200 if visible else 404), (user, key)
        step = client.post(
            f"/api/v1/cases/{case_id}/dismissal", json={"reason": "测试"}, headers={**heads[user], "If-Match": '"1"'}
        )
        assert step.status_code == (200 if visible else 404), (user, key, step.get_json())


def test_the_console_and_its_exports_keep_to_the_jurisdiction(app, client, world):
    from io import BytesIO

    from openpyxl import load_workbook

    from tests.console.test_console import _csrf

    cases, _ = world
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "officer-sp", "password": PASSWORD, "csrf_token": _csrf(page)})
    assert client.get(f"/cases/{cases['CC']}").status_code == 404  # 四平's officer cannot open 长春's case
    assert client.get(f"/cases/{cases['SP']}").status_code == 200
    form = {
        "csrf_token": _csrf(client.get(f"/cases/{cases['SP']}").get_data(as_text=True)),
        "version": "1",
        "reason": "越权",
    }
    assert client.post(f"/cases/{cases['CC']}/act/dismissal", data=form).status_code == 404
    queue = client.get("/cases?status=").get_data(as_text=True)
    assert "JL-SP" in queue and "JL-CC" not in queue
    sheet = load_workbook(BytesIO(client.get("/cases?status=&format=xlsx").data)).active
    assert [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["JL-SP"]


def test_another_agencys_evidence_is_not_served(app, client, world):
    from tests.console.test_console import _csrf
    from tests.evidence_kit import give_evidence

    cases, _ = world
    give_evidence(app, cases["CC"])
    with app.app_context():
        from models import Case, EvidenceImage
        from service.extensions import db

        reading_id = db.session.get(Case, cases["CC"]).reading_id
        image = db.session.query(EvidenceImage).filter_by(reading_id=reading_id).first().id
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "officer-sp", "password": PASSWORD, "csrf_token": _csrf(page)})
    assert client.get(f"/evidence/{image}/thumb").status_code == 404
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "officer-cc", "password": PASSWORD, "csrf_token": _csrf(page)})
    assert client.get(f"/evidence/{image}/thumb").status_code == 200


def test_copy_notices_keep_to_the_jurisdiction(app, client, world):
    from datetime import UTC, datetime

    from models import Case
    from service.copynotices.operations import open_for
    from service.extensions import db

    cases, heads = world
    with app.app_context():
        for key in ("CC", "SP"):
            case = db.session.get(Case, cases[key])
            case.status, case.closed_at = "closed", datetime.now(UTC)
            open_for(case)
        db.session.commit()
    seen = lambda user: {n["case_id"] for n in client.get("/api/v1/copy-notices", headers=heads[user]).get_json()}  # noqa: E731
    assert seen("officer-sp") == {cases["SP"]}
    assert seen("boss-all") == {cases["CC"], cases["SP"]}
