"""系统管理 → 执法机构: administrators build the agency tree (province → city detachment → county
detachment), rename an agency, and place sites in one from a select; the API lists and creates
them. Every change is audited; a code outside its parent's area or a county without a parent is
refused naming the field."""

from __future__ import annotations

import re

from sqlalchemy import select

from models import Agency, AuditEvent, Site
from service.extensions import db
from tests.console.test_admin_console import admin  # noqa: F401  (the fixture)
from tests.console.test_console import _csrf, sign_in


def agency_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Agency.id).where(Agency.code == code))


def test_an_admin_builds_the_tree_and_renames_an_agency(client, app, admin, make_site):  # noqa: F811
    make_site("CC-WIM-01", region_code="220104")  # placed before any agency exists
    token = admin("/admin/agencies")
    assert client.post("/admin/agencies", data={"csrf_token": token, "code": "220000"}).status_code == 302
    form = {"csrf_token": token, "code": "220100", "parent_id": agency_id(app, "220000")}
    assert client.post("/admin/agencies", data=form).status_code == 302
    form = {"csrf_token": token, "code": "220300", "parent_id": agency_id(app, "220000"), "name": "四平支队"}
    assert client.post("/admin/agencies", data=form).status_code == 302
    form = {"csrf_token": token, "code": "220104", "parent_id": agency_id(app, "220100")}
    assert client.post("/admin/agencies", data=form).status_code == 302

    page = client.get("/admin/agencies").get_data(as_text=True)
    names = re.findall(r'<span class="tree-indent"[^>]*>(?:└ )?([^<]+)</span>', page)
    assert names == [  # each under its parent
        "吉林省交通运输综合行政执法局",
        "长春市交通运输综合行政执法支队",
        "长春市朝阳区交通运输综合行政执法大队",
        "四平支队",
    ]
    county = re.search(rf'<tr id="agency-{agency_id(app, "220104")}">.*?</tr>', page, re.S).group(0)
    assert '<td class="n" data-label="点位">1</td>' in county  # the 朝阳区 site joined its new detachment

    sp = agency_id(app, "220300")
    assert (
        client.post(
            f"/admin/agencies/{sp}/name", data={"csrf_token": token, "name": "四平市交通运输综合行政执法支队"}
        ).status_code
        == 302
    )
    assert "四平市交通运输综合行政执法支队" in client.get("/admin/agencies").get_data(as_text=True)
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "agency"))]
        assert actions == ["agency.create"] * 4 + ["agency.rename"]
        rename = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "agency.rename")).one()
        assert rename.data == {"before": "四平支队", "after": "四平市交通运输综合行政执法支队"}


def test_a_wrong_agency_is_refused_naming_the_field(client, app, admin):  # noqa: F811
    token = admin("/admin/agencies")
    client.post("/admin/agencies", data={"csrf_token": token, "code": "220000"})
    cases = [
        ({"code": "220104"}, "市级、县级机构须选择上级机构"),
        ({"code": "210100", "parent_id": agency_id(app, "220000")}, "不在上级机构"),
        ({"code": "220000"}, "已有执法机构"),
        ({"code": "22AB00"}, "6 位行政区划代码"),
    ]
    for form, message in cases:
        res = client.post("/admin/agencies", data={"csrf_token": token, **form}, follow_redirects=True)
        assert message in res.get_data(as_text=True), form
    with app.app_context():
        assert db.session.scalar(select(Agency.code).where(Agency.code != "220000")) is None


def test_sites_choose_their_agency_from_a_select(client, app, admin):  # noqa: F811
    from tests.api.review.test_jurisdiction import make_agencies

    agencies = make_agencies(app)
    page = client.get("/admin/sites").get_data(as_text=True)
    assert '<select name="agency_id">' in page and 'name="region_code"' not in page
    form = {"csrf_token": _csrf(page), "code": "SP-WIM-01", "name": "四平 G1 K900", "kind": "wim",
            "agency_id": agencies["220300"]}  # fmt: skip
    assert client.post("/admin/sites", data=form).status_code == 200
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "SP-WIM-01"))
        assert (site.agency_id, site.region_code) == (agencies["220300"], "220300")
    assert "四平市交通运输综合行政执法支队" in client.get("/admin/sites").get_data(as_text=True)
    page = client.get("/admin/sites/SP-WIM-01").get_data(as_text=True)
    move = {"csrf_token": _csrf(page), "agency_id": agencies["220104"]}
    assert client.post("/admin/sites/SP-WIM-01/agency", data=move).status_code == 302
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "SP-WIM-01"))
        assert (site.agency_id, site.region_code) == (agencies["220104"], "220104")
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "site.agency")).one()
        assert event.data["before"]["agency_id"] == agencies["220300"]


def test_the_api_lists_and_creates_agencies_for_admins_only(client, app, login):
    admin_head, officer = login("admin"), login("officer")
    res = client.post("/api/v1/agencies", json={"code": "220000"}, headers=admin_head)
    assert res.status_code == 201 and res.get_json()["name"] == "吉林省交通运输综合行政执法局"
    root = res.get_json()["id"]
    res = client.post("/api/v1/agencies", json={"code": "220200", "parent_id": root}, headers=admin_head)
    assert res.status_code == 201 and res.get_json()["level"] == "city" and res.get_json()["parent_code"] == "220000"
    bad = client.post("/api/v1/agencies", json={"code": "220202"}, headers=admin_head)
    assert bad.status_code == 422 and "parent_id" in str(bad.get_json())
    listed = client.get("/api/v1/agencies", headers=admin_head).get_json()
    assert [a["code"] for a in listed] == ["220000", "220200"]
    res = client.patch(f"/api/v1/agencies/{root}", json={"name": "吉林省交通运输厅执法局"}, headers=admin_head)
    assert res.status_code == 200 and res.get_json()["name"] == "吉林省交通运输厅执法局"
    assert client.get("/api/v1/agencies", headers=officer).status_code == 403
    user = client.post(
        "/api/v1/users", headers=admin_head,
        json={"username": "jl-officer", "password": "correct-horse-9", "role": "officer", "agency_id": root},
    )  # fmt: skip
    assert user.status_code == 201 and user.get_json()["agency_id"] == root
    city = listed[1]["id"]
    moved = client.patch(f"/api/v1/users/{user.get_json()['id']}", json={"agency_id": city}, headers=admin_head)
    assert moved.status_code == 200 and (moved.get_json()["agency_id"], moved.get_json()["region_code"]) == (
        city,
        "220200",
    )
    assert client.patch(f"/api/v1/users/{user.get_json()['id']}", json={}, headers=admin_head).status_code == 422
    site = client.post("/api/v1/sites", json={"code": "JL-W-1", "name": "吉林 K1", "kind": "wim", "region_code": "220202"},
                       headers=admin_head)  # fmt: skip
    assert site.status_code == 201 and site.get_json()["agency_id"] == city  # 昌邑区: no 大队 → 吉林's
    res = client.put("/api/v1/sites/JL-W-1/agency", json={"agency_id": root}, headers=admin_head)
    assert res.status_code == 200 and res.get_json()["agency_id"] == root
    assert client.put("/api/v1/sites/JL-W-1/agency", json={"agency_id": 999}, headers=admin_head).status_code == 422


def test_only_admins_reach_the_agency_page(client, app):
    sign_in(client, app, role="officer", username="plain")
    assert client.get("/admin/agencies").status_code in (302, 403)
