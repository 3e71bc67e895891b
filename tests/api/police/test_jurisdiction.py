"""Referrals keep to the agency tree (CONTRACT §5 unchanged): a police user of 四平's agency sees,
exports and acknowledges only the referrals of 四平's cases; a police user with no agency (the
police's own systems) sees all; 长春's officer sees 长春's. A package holding another area's
referral does not exist for a scoped user."""

from __future__ import annotations

import pytest

from tests.api.review.test_jurisdiction import make_agencies
from tests.conftest import reading

PASSWORD = "correct-horse-9"


def _user(app, client, name: str, role: str, agency_id: int | None) -> dict:
    from service.admin.operations import create_user
    from service.extensions import db

    with app.app_context():
        create_user(name, role, PASSWORD, agency_id=agency_id)
        db.session.commit()
    token = client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {token['access_token']}"}


@pytest.fixture
def two_cities(app, client, make_site, people):
    """A 百吨王 at 长春's station and one at 四平's, confirmed by the province's officer: both referred."""
    from models import User
    from service.extensions import db

    agencies = make_agencies(app)
    with app.app_context():
        db.session.query(User).filter_by(username="zf-officer").update({"agency_id": agencies["220000"]})
        db.session.commit()
    cases = {}
    for key, region in (("CC", "220100"), ("SP", "220300")):
        _, device = make_site(f"{key}-STA-01", kind="static", region_code=region)
        body = reading(
            site_code=f"{key}-STA-01", record_id=f"{key}-1", plate=f"吉{key[0]}54321", gross_weight_kg=100_500
        )
        case_id = client.post("/api/v1/readings", headers=device, json={"readings": [body]}).get_json()["results"][0][
            "case_id"
        ]
        assert people["officer"].step(case_id, "confirm", {}).status_code == 200
        cases[key] = case_id
    heads = {
        "police-sp": _user(app, client, "police-sp", "police", agencies["220300"]),
        "officer-cc": _user(app, client, "officer-cc", "officer", agencies["220100"]),
    }
    return cases, heads


def _seen(client, headers) -> set[int]:
    res = client.get("/api/v1/referrals", headers=headers)
    assert res.status_code == 200, res.get_json()
    return {r["case_id"] for r in res.get_json()}


def test_a_police_user_of_an_agency_sees_its_areas_referrals_only(client, people, two_cities):
    cases, heads = two_cities
    assert _seen(client, people["police"]) == {cases["CC"], cases["SP"]}  # no agency: all
    assert _seen(client, heads["police-sp"]) == {cases["SP"]}
    assert _seen(client, heads["officer-cc"]) == {cases["CC"]}
    theirs = client.get("/api/v1/referrals", headers=people["police"]).get_json()
    other = next(r["id"] for r in theirs if r["case_id"] == cases["CC"])
    assert client.get(f"/api/v1/referrals/{other}", headers=heads["police-sp"]).status_code == 404
    assert client.post(f"/api/v1/referrals/{other}/ack", json={}, headers=heads["police-sp"]).status_code == 404


def test_packages_keep_to_the_area(client, people, two_cities, run_worker):
    cases, heads = two_cities
    ids = {r["case_id"]: r["id"] for r in client.get("/api/v1/referrals", headers=people["police"]).get_json()}
    # 四平's police export "everything not yet exported": only 四平's referral goes in.
    mine = client.post("/api/v1/referrals/exports", json={}, headers=heads["police-sp"])
    assert mine.status_code == 202 and mine.get_json()["referral_ids"] == [ids[cases["SP"]]]
    refused = client.post(
        "/api/v1/referrals/exports", json={"referral_ids": [ids[cases["CC"]]]}, headers=heads["police-sp"]
    )
    assert refused.status_code == 422  # another area's referral does not exist for them
    both = client.post("/api/v1/referrals/exports", json={"referral_ids": list(ids.values())}, headers=people["police"])
    assert both.status_code == 202
    run_worker()
    listed = {e["id"] for e in client.get("/api/v1/referrals/exports", headers=heads["police-sp"]).get_json()}
    assert listed == {mine.get_json()["id"]}
    both_id = both.get_json()["id"]
    assert client.get(f"/api/v1/referrals/exports/{both_id}", headers=heads["police-sp"]).status_code == 404
    assert client.get(f"/api/v1/referrals/exports/{both_id}/file", headers=heads["police-sp"]).status_code == 404
    assert client.post(f"/api/v1/referrals/exports/{both_id}/ack", headers=heads["police-sp"]).status_code == 404
    ack = client.post(f"/api/v1/referrals/exports/{mine.get_json()['id']}/ack", headers=heads["police-sp"])
    assert ack.status_code == 200 and ack.get_json()["acknowledged"] == 1


def test_the_police_console_keeps_to_the_area(app, client, people, two_cities):
    from tests.console.test_console import _csrf

    cases, _ = two_cities
    numbers = {}
    with app.app_context():
        from models import Case
        from service.extensions import db

        numbers = {k: db.session.get(Case, i).case_number for k, i in cases.items()}
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "police-sp", "password": PASSWORD, "csrf_token": _csrf(page)})
    page = client.get("/referrals").get_data(as_text=True)
    assert numbers["SP"] in page and numbers["CC"] not in page
