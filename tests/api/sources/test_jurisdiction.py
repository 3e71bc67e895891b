"""The source investigators' pages keep to the agency tree: an investigator of 四平's agency sees
四平's source enterprises, their exit weighings, weighbridges and source cases, and the roadside
cases of 四平's sites in the trace queue — not 长春's; an investigator with no agency (the
province's 专班) sees all. Another area's enterprise, case or loading is not found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from models import Case, Enterprise
from service.extensions import db
from tests.api.review.test_jurisdiction import make_agencies
from tests.api.sources.conftest import CARRIER, QUARRY
from tests.api.sources.test_loadings import loading, post
from tests.conftest import reading
from tests.console.test_console import _csrf

PASSWORD = "correct-horse-9"
SP_NAME, CC_NAME = "四平市铁东区金石采石有限公司", "长春市朝阳区宏达砂石有限公司"


@pytest.fixture
def areas(app, client, enterprise, weighbridge, make_site):
    """A source enterprise, its source case and a confirmed roadside case in 四平 and in 长春 (朝阳区)."""
    from service.admin.operations import create_user

    agencies = make_agencies(app)
    enterprise(QUARRY, SP_NAME, region_code="220303")  # 铁东区: no 大队 of its own → 四平's
    enterprise(CARRIER, CC_NAME, region_code="220104")  # 朝阳区's 大队, under 长春's
    out = {}
    for key, code, uscc, plate in (("SP", "JS-WB-01", QUARRY, "吉C12345"), ("CC", "CC-WB-01", CARRIER, "吉A77777")):
        _, bridge = weighbridge(code, uscc)
        result = post(client, bridge, loading(weighbridge_code=code, record_id=f"{key}-L", plate=plate,
                                              gross_weight_kg=62000)).get_json()["results"][0]  # fmt: skip
        _, device = make_site(f"{key}-WIM-01", region_code="220300" if key == "SP" else "220100")
        road = reading(site_code=f"{key}-WIM-01", record_id=f"{key}-R", plate=plate, gross_weight_kg=62000)
        road_id = client.post("/api/v1/readings", json={"readings": [road]}, headers=device).get_json()["results"][0][
            "case_id"
        ]
        out[key] = {"source_case": result["source_case_id"], "loading": result["loading_id"], "road": road_id}
    with app.app_context():
        db.session.execute(update(Case).where(Case.loading_id.is_(None)).values(status="confirmed",
                           reviewed_at=datetime.now(UTC)))  # fmt: skip
        out["SP"]["enterprise"] = db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == QUARRY))
        out["CC"]["enterprise"] = db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == CARRIER))
        create_user("inv-sp", "investigator", PASSWORD, agency_id=agencies["220300"])
        create_user("inv-all", "investigator", PASSWORD)
        db.session.commit()
    return out


def _console(app, name):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": _csrf(page)})
    return client


def _api(client, name):
    token = client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_the_sources_console_keeps_to_the_investigators_area(app, areas):
    sp, cc = areas["SP"], areas["CC"]
    mine = _console(app, "inv-sp")
    page = mine.get("/sources").get_data(as_text=True)
    assert SP_NAME in page and CC_NAME not in page
    assert mine.get(f"/sources/{sp['enterprise']}").status_code == 200
    assert mine.get(f"/sources/{cc['enterprise']}").status_code == 404
    assert mine.get(f"/sources/{cc['enterprise']}?format=xlsx").status_code == 404
    assert mine.get(f"/sources/source-cases/{sp['source_case']}").status_code == 200
    assert mine.get(f"/sources/source-cases/{cc['source_case']}").status_code == 404
    queue = mine.get("/sources/trace").get_data(as_text=True)
    assert f"/sources/cases/{sp['road']}" in queue and f"/sources/cases/{cc['road']}" not in queue
    assert mine.get(f"/sources/cases/{cc['road']}").status_code == 404

    everyone = _console(app, "inv-all")  # the province's 专班, in no agency: all
    page = everyone.get("/sources").get_data(as_text=True)
    assert SP_NAME in page and CC_NAME in page
    queue = everyone.get("/sources/trace").get_data(as_text=True)
    assert f"/sources/cases/{sp['road']}" in queue and f"/sources/cases/{cc['road']}" in queue


def test_the_sources_api_keeps_to_the_investigators_area(app, client, areas):
    sp, cc = areas["SP"], areas["CC"]
    mine, everyone = _api(client, "inv-sp"), _api(client, "inv-all")
    assert {c["case_id"] for c in client.get("/api/v1/trace-queue", headers=mine).get_json()} == {sp["road"]}
    assert {c["case_id"] for c in client.get("/api/v1/trace-queue", headers=everyone).get_json()} == {
        sp["road"],
        cc["road"],
    }
    assert client.get(f"/api/v1/cases/{cc['road']}/trace", headers=mine).status_code == 404
    assert client.get(f"/api/v1/cases/{sp['road']}/trace", headers=mine).status_code == 200
    assert client.get(f"/api/v1/loadings/{cc['loading']}", headers=mine).status_code == 404
    assert client.get(f"/api/v1/loadings/{sp['loading']}", headers=mine).status_code == 200
    assert {w["code"] for w in client.get("/api/v1/weighbridges", headers=mine).get_json()} == {"JS-WB-01"}
    assert {w["code"] for w in client.get("/api/v1/weighbridges", headers=everyone).get_json()} == {
        "JS-WB-01",
        "CC-WB-01",
    }
