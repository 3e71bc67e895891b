"""The investigators' console: the trace queue, the candidate review (roadside and exit weighing
side by side), confirming from the page, the source list with weighbridge status, the dossier and
its workbook (opened back with openpyxl); R-ENT-10 is not shown for a source enterprise."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from models import Enterprise
from service.extensions import db
from tests.api.sources.conftest import QUARRY
from tests.api.sources.test_loadings import loading
from tests.api.sources.test_tracing import load, road, two_sources  # noqa: F401  (fixtures)
from tests.console.test_console import _csrf, sign_in


def quarry_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == QUARRY))


def test_an_investigator_lands_on_the_trace_queue_and_confirms_a_candidate(app, client, road, two_sources):  # noqa: F811
    load(client, two_sources[0], "JS-WB-01", "L1", hours_ago=4)
    load(client, two_sources[1], "HJ-WB-01", "L2", hours_ago=20)
    giant, plain = road(104000), road(60000, plate="吉A99999")
    assert sign_in(client, app, role="investigator", username="inv").status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/sources/trace")
    queue = client.get("/sources/trace").get_data(as_text=True)
    assert queue.index(f"/sources/cases/{giant}") < queue.index(f"/sources/cases/{plain}")
    assert "百吨王" in queue and "无线索" in queue
    page = client.get(f"/sources/cases/{giant}").get_data(as_text=True)
    assert "路面称重" in page and "出场地磅 JS-WB-01" in page and "104,000" in page and "61,000" in page
    assert "该地磅未上传图像" in page and "四平市铁东区金石采石有限公司" in page
    res = client.post(
        f"/sources/cases/{giant}/confirm", data={"csrf_token": _csrf(page), "enterprise_id": quarry_id(app)}
    )
    assert res.status_code == 302
    after = client.get(f"/sources/cases/{giant}").get_data(as_text=True)
    assert "已查明：四平市铁东区金石采石有限公司" in after
    assert f"/sources/cases/{giant}" not in client.get("/sources/trace").get_data(as_text=True)


def test_the_dossier_shows_loadings_cases_and_flags_and_exports_a_workbook(app, client, weighbridge, road):  # noqa: F811
    _, bridge = weighbridge()
    client.post("/api/v1/loadings", headers=bridge, json={"loadings": [
        loading(record_id="a", gross_weight_kg=45000), loading(record_id="b", gross_weight_kg=62000, plate="吉C77777"),
    ]})  # fmt: skip
    assert sign_in(client, app, role="investigator", username="inv").status_code == 302
    page = client.get(f"/sources/{quarry_id(app)}").get_data(as_text=True)
    assert "出场称重" in page and "源头超限装载案件（S-NO-EXIT，1）" in page and "无罚款数额依据" in page
    assert "R-ENT-10" not in page and "50.0" in page  # one of two loadings over the limit
    registry = client.get(f"/registry/enterprises/{quarry_id(app)}")
    assert registry.status_code == 302 and registry.headers["Location"].endswith(f"/sources/{quarry_id(app)}")
    res = client.get(f"/sources/{quarry_id(app)}?format=xlsx")
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(res.data))
    assert book.sheetnames == ["概况", "出场称重", "倒查案件", "源头案件", "核查提示"]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True)}
    assert summary["出场称重（条）"] == 2 and summary["其中超限（条）"] == 1 and summary["超限占比（%）"] == 50.0
    rows = list(book["出场称重"].iter_rows(values_only=True))
    assert rows[0][0] == "称重时间" and hasattr(rows[1][0], "year") and isinstance(rows[1][3], int | float)


def test_the_source_list_shows_each_weighbridge_status(app, client, weighbridge):
    weighbridge()
    assert sign_in(client, app, role="investigator", username="inv").status_code == 302
    page = client.get("/sources").get_data(as_text=True)
    assert "JS-WB-01" in page and "从未上报" in page


def test_officers_and_police_do_not_reach_the_investigators_pages(app, client, road):  # noqa: F811
    case_id = road()
    for role in ("officer", "police"):
        other = app.test_client()
        assert sign_in(other, app, role=role, username=f"u-{role}").status_code == 302
        assert other.get("/sources/trace").status_code == 403
        assert other.get(f"/sources/cases/{case_id}").status_code == 403


def test_a_weighbridge_whose_trucks_the_road_weighs_far_heavier_is_flagged_with_its_trips(
    app,
    client,
    weighbridge,
    login,
    road,  # noqa: F811
):
    _, bridge = weighbridge()
    for i in range(3):  # 46 t at the exit, 60 t on the road an hour later: beyond both devices' errors
        plate = f"吉C3000{i}"
        client.post("/api/v1/loadings", headers=bridge,
                    json={"loadings": [loading(record_id=f"g{i}", plate=plate, gross_weight_kg=46000)]})  # fmt: skip
        road(60000, plate=plate, hours_ago=0.5)
    assert sign_in(client, app, role="investigator", username="inv").status_code == 302
    page = client.get(f"/sources/{quarry_id(app)}").get_data(as_text=True)
    assert "疑似称重数据不实" in page and "3 趟可比对的运输中有 3 趟" in page
    book = load_workbook(io.BytesIO(client.get(f"/sources/{quarry_id(app)}?format=xlsx").data))
    flags = list(book["核查提示"].iter_rows(values_only=True))
    assert flags[1][:2] == ("JS-WB-01", "疑似称重数据不实") and flags[1][3] == 3
    api = client.get("/api/v1/weighbridges/JS-WB-01/flags", headers=login("supervisor")).get_json()
    assert [f["code"] for f in api] == ["under_reported"] and len(api[0]["trips"]) == 3
    assert api[0]["trips"][0]["road_gross_kg"] == 60000
