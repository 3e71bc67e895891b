"""Console: the vehicle's record page registers the configuration facts that change the limit,
and a change re-classifies the vehicle's cases not yet noticed."""

from __future__ import annotations

from models import AuditEvent, Case
from service.extensions import db
from tests.conftest import reading
from tests.console.test_console import sign_in
from tests.console.test_registry_pages import form_of, register


def test_the_vehicle_page_registers_air_suspension_and_the_open_case_follows(app, client, make_site, run_worker):
    ids = register(app, plates=("吉B22222",))
    _, device = make_site("JL-ST-01", kind="static")
    body = reading(site_code="JL-ST-01", plate="吉B22222", axle_count=3, vehicle_type="truck", gross_weight_kg=26500)
    case_id = client.post("/api/v1/readings", headers=device, json={"readings": [body]}).get_json()["results"][0][
        "case_id"
    ]
    run_worker()  # links the case to the record, which registers nothing that changes the limit
    with app.app_context():
        assert db.session.get(Case, case_id).limit_kg == 26000  # ⚖ tyres and suspension unknown
    sign_in(client, app, role="admin", username="zhao")
    url = f"/registry/vehicles/{ids['吉B22222']}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "驱动轴双轮胎+空气悬架" in page and '<option value="" selected>未登记</option>' in page
    assert 'id="config-note"' in page

    data = {**form_of(page, "record-form"), "drive_axle_air_suspension": "false", "axle_spacing_mm": "1.5"}
    refused = client.post(url, data=data)
    assert refused.status_code == 422 and "须为整数" in refused.get_data(as_text=True)
    saved = client.post(url, data={**data, "axle_spacing_mm": ""}, follow_redirects=True).get_data(as_text=True)

    assert "已保存：驱动轴双轮胎+空气悬架" in saved
    assert '<option value="false" selected>否</option>' in saved
    assert "驱动轴双轮胎+空气悬架 （空） → 否" in saved  # the record's own history
    assert "1 件尚未告知的案件按登记簿重新认定" in saved
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.limit_kg, case.rule_id) == (25000, "L-3AX-T")
        event = db.session.query(AuditEvent).filter_by(action="case.configuration", object_id=str(case_id)).one()
        assert event.actor == "zhao" and "26000 → 25000" in event.reason


def test_the_vehicle_list_and_its_export_show_the_registered_configuration(app, client):
    from io import BytesIO

    from openpyxl import load_workbook

    from models import Vehicle

    ids = register(app, plates=("吉B33333", "吉B44444"))
    with app.app_context():
        v = db.session.get(Vehicle, ids["吉B33333"])
        v.vehicle_type, v.articulated, v.axle_spacing_mm, v.drive_axle_air_suspension = "combination", True, 1850, False
        db.session.commit()
    sign_in(client, app, role="admin", username="zhao")
    page = client.get("/registry?kind=vehicles").get_data(as_text=True)
    assert '<td data-label="配置">汽车列车 · 铰接 · 非空气悬架 · 轴距 1,850 mm</td>' in page
    export = client.get("/registry?kind=vehicles&format=xlsx")
    sheet = load_workbook(BytesIO(export.data)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    head = next(r for r in rows if r and r[0] == "车牌")
    by_plate = {r[0]: dict(zip(head, r, strict=False)) for r in rows if r and r[0] in ids}
    assert (by_plate["吉B33333"]["铰接列车"], by_plate["吉B33333"]["半挂车轴距（mm）"]) == ("是", 1850)
    assert by_plate["吉B33333"]["驱动轴双轮胎+空气悬架"] == "否"
    assert by_plate["吉B44444"]["铰接列车"] == "未登记"  # ⚖ not registered: the party's limit applies
