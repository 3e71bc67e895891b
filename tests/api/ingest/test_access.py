"""Who may post and read readings (CONTRACT §3)."""

from __future__ import annotations

import pytest

from tests.conftest import reading


def post(client, headers, *items):
    return client.post("/api/v1/readings", json={"readings": list(items)}, headers=headers)


def test_missing_token_is_401(client, make_site):
    make_site()
    res = client.post("/api/v1/readings", json={"readings": [reading()]})
    assert res.status_code == 401 and res.get_json()["message"]


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer dev_forged", "Basic YWRtaW46YWRtaW4=", "Bearer "])
def test_invalid_token_is_401(client, make_site, header):
    make_site()
    assert post(client, {"Authorization": header}, reading()).status_code == 401


def test_device_token_cannot_post_for_another_site(client, make_site):
    make_site("JL-WIM-01")
    _, other = make_site("JL-WIM-02")
    res = post(
        client,
        other,
        reading(site_code="JL-WIM-01", record_id="x"),
        reading(site_code="JL-WIM-02", record_id="y"),
        reading(site_code="JL-WIM-77", record_id="z"),
    ).get_json()
    assert [r["status"] for r in res["results"]] == ["rejected", "accepted", "rejected"]
    assert res["results"][0]["errors"]["site_code"] == ["设备令牌只能上报本点位的记录"]
    assert res["results"][2]["errors"]["site_code"] == ["未知点位编码：JL-WIM-77"]


def test_revoked_device_token_is_401(app, client, make_site, login):
    _, device = make_site("JL-WIM-01")
    admin = login("admin")
    tokens = client.get("/api/v1/sites/JL-WIM-01/tokens", headers=admin).get_json()
    assert client.delete(f"/api/v1/sites/JL-WIM-01/tokens/{tokens[0]['id']}", headers=admin).status_code == 204
    assert post(client, device, reading()).status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/readings/1", "/api/v1/cases", "/api/v1/sites"])
def test_device_token_can_do_nothing_but_post(client, make_site, path):
    _, device = make_site()
    post(client, device, reading())
    assert client.get(path, headers=device).status_code == 403


@pytest.mark.parametrize("role", ["officer", "supervisor", "investigator", "police"])
def test_people_other_than_admin_cannot_post_readings(client, make_site, login, role):
    make_site()
    assert post(client, login(role), reading()).status_code == 403


def test_police_cannot_read_raw_readings(client, make_site, login):
    _, device = make_site()
    reading_id = post(client, device, reading()).get_json()["results"][0]["reading_id"]
    assert client.get(f"/api/v1/readings/{reading_id}", headers=login("police")).status_code == 403
    assert client.get(f"/api/v1/readings/{reading_id}", headers=login("officer")).status_code == 200


def test_admin_creates_a_site_and_gets_its_token_once(client, login):
    admin = login("admin")
    res = client.post(
        "/api/v1/sites",
        headers=admin,
        json={
            "code": "JL-WIM-77",
            "name": "G1 长春北 非现场执法点",
            "kind": "wim",
            "calibrated_until": "2027-06-30",
            "accuracy_class": "5",
        },
    )
    assert res.status_code == 201
    body = res.get_json()
    assert body["device_token"].startswith("dev_") and body["calibrated_until"] == "2027-06-30"
    listed = client.get("/api/v1/sites/JL-WIM-77/tokens", headers=admin).get_json()
    assert "device_token" not in listed[0]
    extra = client.post("/api/v1/sites/JL-WIM-77/tokens", headers=admin, json={"label": "备用"})
    assert extra.status_code == 201 and extra.get_json()["device_token"] != body["device_token"]
