"""Console: correct and remove registry records, and the enterprise dossier (企业档案)."""

from __future__ import annotations

import re

from sqlalchemy import select

from models import Case, Enterprise, Vehicle
from service.extensions import db
from service.registry import operations as ops
from tests.api.test_registry import USCC, valid_id_number
from tests.api.test_registry_edit import decide, open_cases
from tests.console.test_console import _csrf, sign_in

ID_NO = valid_id_number("22010219800101123")


def register(app, enterprise: bool = True, plates: tuple[str, ...] = ()) -> dict:
    with app.app_context():
        ids = {}
        if enterprise:
            ids["enterprise"] = ops.create_enterprise(
                {"uscc": USCC, "name": "长春顺达运输有限公司", "declared_fleet_size": 5, "kind": "transport"}
            ).id
        for plate in plates:
            ids[plate] = ops.create_vehicle({"plate": plate, "enterprise_uscc": USCC if enterprise else None}).id
            ops.link_plate(plate)
        db.session.commit()
        return ids


def form_of(page: str, form_id: str) -> dict:
    """The named form's text inputs, selects and checked boxes, as a browser would send them."""
    html = re.search(rf'<form[^>]*id="{form_id}".*?</form>', page, re.S).group(0)
    inputs = [i for i in re.findall(r"<input[^>]*>", html) if 'type="checkbox"' not in i]
    data = dict(m for i in inputs for m in re.findall(r'name="([^"]+)" value="([^"]*)"', i))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        data[name] = chosen.group(1) if chosen else ""
    for name in re.findall(r'type="checkbox"[^>]*name="([^"]+)" value="1" checked', html):
        data[name] = "1"
    return data


def test_a_supervisor_corrects_an_enterprise_and_sees_the_change_in_its_history(client, app):
    ids = register(app)
    sign_in(client, app, role="supervisor", username="liu")
    url = f"/registry/enterprises/{ids['enterprise']}/edit"
    data = form_of(client.get(url).get_data(as_text=True), "record-form")
    assert data["uscc"] == USCC and data["name"] == "长春顺达运输有限公司"

    res = client.post(
        url, data={**data, "name": "长春顺达物流有限公司", "declared_fleet_size": "8"}, follow_redirects=True
    )

    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "已保存：名称、申报货运车辆数</p>" in page  # only what was changed
    assert "企业档案" in page and "长春顺达物流有限公司" in page  # back on the dossier
    history = client.get(url).get_data(as_text=True)
    assert "修改登记" in history and "名称 长春顺达运输有限公司 → 长春顺达物流有限公司；申报货运车辆数 5 → 8" in history
    assert "长春顺达物流有限公司" in client.get("/registry?kind=enterprises").get_data(as_text=True)


def test_a_bad_correction_is_shown_on_the_form_and_nothing_is_saved(client, app):
    ids = register(app)
    sign_in(client, app, role="admin", username="zhao")
    url = f"/registry/enterprises/{ids['enterprise']}/edit"
    data = form_of(client.get(url).get_data(as_text=True), "record-form")

    res = client.post(url, data={**data, "uscc": USCC[:-1] + "1", "name": "改名公司"})

    page = res.get_data(as_text=True)
    assert res.status_code == 422 and "数据校验未通过" in page and "校验码不符" in page
    assert 'value="改名公司"' in page  # what was typed stays in the form
    with app.app_context():
        assert db.session.get(Enterprise, ids["enterprise"]).name == "长春顺达运输有限公司"


def test_a_form_from_before_someone_elses_edit_is_refused(client, app):
    ids = register(app)
    sign_in(client, app, role="admin", username="zhao")
    url = f"/registry/enterprises/{ids['enterprise']}/edit"
    data = form_of(client.get(url).get_data(as_text=True), "record-form")
    with app.app_context():
        db.session.get(Enterprise, ids["enterprise"]).address = "长春市南关区"
        db.session.commit()

    res = client.post(url, data={**data, "name": "改名公司"})

    assert res.status_code == 409 and "已被他人修改" in res.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Enterprise, ids["enterprise"]).name == "长春顺达运输有限公司"


def test_a_driver_form_shows_identity_numbers_only_masked_and_keeps_them_when_left_blank(client, app):
    with app.app_context():
        driver_id = ops.create_driver({"name": "王强", "licence_no": ID_NO, "identity_number": ID_NO}).id
        db.session.commit()
    sign_in(client, app, role="supervisor", username="liu")
    url = f"/registry/drivers/{driver_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert ID_NO not in page and ID_NO[:3] + "*" * 11 + ID_NO[-4:] in page

    res = client.post(
        url, data={**form_of(page, "record-form"), "qualification_no": "220100777"}, follow_redirects=True
    )

    after = res.get_data(as_text=True)
    assert "已保存：从业资格证号" in after and 'value="220100777"' in after
    assert ID_NO[:3] + "*" * 11 + ID_NO[-4:] in after  # identity number unchanged


def test_an_officer_sees_the_record_but_cannot_change_or_remove_it(client, app):
    ids = register(app, plates=("吉A12345",))
    sign_in(client, app, role="officer")
    url = f"/registry/vehicles/{ids['吉A12345']}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "登记信息" in page and "保存修改" not in page and 'id="delete-form"' not in page
    data = form_of(page, "record-form")

    assert client.post(url, data={**data, "axle_count": "6"}).status_code == 403
    delete = client.post(
        f"/registry/vehicles/{ids['吉A12345']}/delete", data={"csrf_token": data["csrf_token"], "confirm": "1"}
    )
    assert delete.status_code == 403


def test_removing_a_vehicle_with_cases_is_refused_with_the_cases_named(client, app, make_site):
    _, device = make_site()
    case_ids = open_cases(client, device, "吉A12345", 1)
    ids = register(app, plates=("吉A12345", "吉A99999"))
    with app.app_context():
        number = db.session.get(Case, case_ids[0]).case_number
    sign_in(client, app, role="admin", username="zhao")
    page = client.get(f"/registry/vehicles/{ids['吉A12345']}/edit").get_data(as_text=True)
    assert f"1 件案件（{number}）" in page  # shown before anyone tries
    token = _csrf(page)

    refused = client.post(
        f"/registry/vehicles/{ids['吉A12345']}/delete",
        data={"csrf_token": token, "confirm": "1"},
        follow_redirects=True,
    )
    assert "不能删除车辆“吉A12345”" in refused.get_data(as_text=True) and number in refused.get_data(as_text=True)

    unconfirmed = client.post(
        f"/registry/vehicles/{ids['吉A99999']}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "请勾选“确认删除”" in unconfirmed.get_data(as_text=True)
    removed = client.post(
        f"/registry/vehicles/{ids['吉A99999']}/delete",
        data={"csrf_token": token, "confirm": "1"},
        follow_redirects=True,
    )
    assert "已删除车辆 吉A99999" in removed.get_data(as_text=True)
    with app.app_context():
        assert set(db.session.scalars(select(Vehicle.plate))) == {"吉A12345"}


def test_the_dossier_shows_fleet_repeat_status_cases_and_the_r_ent_10_consequence(client, app, make_site):
    _, device = make_site()
    decide(app, open_cases(client, device, "吉A12345", 4))
    ids = register(app, plates=("吉A12345", "吉A22222"))
    with app.app_context():
        ops.create_permit(
            {
                "number": "JL-DJ-2026-001",
                "plate": "吉A22222",
                "valid_from": "2026-01-01",
                "valid_until": "2026-12-31",
                "permitted_gross_kg": 70000,
                "route": "JL-WIM-01",
            }
        )
        db.session.commit()
    sign_in(client, app, role="investigator", username="sun")

    page = client.get(f"/registry/enterprises/{ids['enterprise']}").get_data(as_text=True)

    assert "长春顺达运输有限公司" in page and USCC in page
    vehicles = re.search(r'<table id="vehicles">.*?</table>', page, re.S).group(0)
    assert "吉A12345" in vehicles and "吉A22222" in vehicles and "车辆屡犯" in vehicles and "营运证" in vehicles
    cases = re.search(r'<table id="cases">.*?</table>', page, re.S).group(0)
    assert cases.count("已作出决定") == 4 and 'href="/cases/' not in cases  # investigators do not open case pages
    assert "JL-DJ-2026-001" in page
    status = re.search(r'<section id="ent-status".*?</section>', page, re.S).group(0)
    assert "20.0%" in status and "已达到法定条件" in status and "停业整顿" in status and "第六十六条" in status
    assert "修改登记信息" in page  # investigators keep enterprise dossiers


def test_registry_list_and_case_page_link_to_the_dossier(client, app, make_site):
    _, device = make_site()
    case_id = open_cases(client, device, "吉A12345", 1)[0]
    ids = register(app, plates=("吉A12345",))
    sign_in(client, app, role="officer")
    dossier = f'href="/registry/enterprises/{ids["enterprise"]}"'

    assert dossier in client.get("/registry?kind=enterprises").get_data(as_text=True)
    assert dossier in client.get("/registry?kind=vehicles").get_data(as_text=True)
    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert dossier in case_page and "长春顺达运输有限公司" in case_page
