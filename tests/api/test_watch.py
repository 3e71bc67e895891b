"""布控: watched plates raise alerts within seconds; every 百吨王 is watched; hotspots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import ago, reading


def post(client, headers, *items):
    return client.post("/api/v1/readings", headers=headers, json={"readings": list(items)}).get_json()


def test_detection_of_a_watched_plate_raises_an_alert_officers_acknowledge(client, make_site, login, run_worker):
    _, device = make_site()
    boss, officer = login("supervisor"), login("officer")
    until = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    res = client.post(
        "/api/v1/watchlist", headers=boss, json={"plate": "吉A77777", "reason": "多次闯卡", "ends_at": until}
    )
    assert res.status_code == 201
    post(
        client,
        device,
        reading(record_id="1", plate="吉A77777", gross_weight_kg=30000),
        reading(record_id="2", plate="吉A88888", gross_weight_kg=30000),
    )
    run_worker()
    alerts = client.get("/api/v1/alerts?open=true", headers=officer).get_json()
    assert [(a["plate"], a["reason"]) for a in alerts] == [("吉A77777", "多次闯卡")]
    ack = client.post(f"/api/v1/alerts/{alerts[0]['id']}/ack", headers=officer, json={"note": "已通知路面拦截"})
    assert ack.status_code == 200 and ack.get_json()["acknowledged_at"]
    assert client.get("/api/v1/alerts?open=true", headers=officer).get_json() == []


def test_only_supervisors_put_plates_under_watch(client, login):
    until = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    res = client.post(
        "/api/v1/watchlist", headers=login("officer"), json={"plate": "吉A1", "reason": "x", "ends_at": until}
    )
    assert res.status_code == 403


def test_every_baidunwang_vehicle_is_watched_and_its_next_pass_alerts(client, make_site, login, run_worker):
    _, device = make_site()
    post(client, device, reading(record_id="1", plate="吉H81866", captured_at=ago(hours=5), gross_weight_kg=104000))
    run_worker()
    watch = client.get("/api/v1/watchlist", headers=login("officer")).get_json()
    assert [(w["plate"], w["source"]) for w in watch] == [("吉H81866", "baidunwang")]
    assert (
        client.get("/api/v1/alerts", headers=login("officer", username="o2")).get_json() == []
    )  # its own pass is no news
    post(client, device, reading(record_id="2", plate="吉H81866", captured_at=ago(hours=1), gross_weight_kg=45000))
    run_worker()
    assert len(client.get("/api/v1/alerts", headers=login("officer", username="o3")).get_json()) == 1


def test_an_expired_or_lifted_watch_raises_nothing(client, make_site, login, run_worker):
    _, device = make_site()
    boss = login("supervisor")
    until = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    entry = client.post(
        "/api/v1/watchlist", headers=boss, json={"plate": "吉A77777", "reason": "x", "ends_at": until}
    ).get_json()
    assert client.delete(f"/api/v1/watchlist/{entry['id']}", headers=boss).status_code == 204
    post(client, device, reading(plate="吉A77777"))
    run_worker()
    assert client.get("/api/v1/alerts", headers=boss).get_json() == []


def test_baidunwang_hotspots_by_site_and_hour(client, make_site, login, run_worker):
    _, a = make_site("JL-WIM-01")
    _, b = make_site("JL-WIM-02")
    now = datetime.now(UTC)
    night = now.replace(hour=18, minute=30) - timedelta(days=1)  # 02:30 Beijing time
    items_a = [
        reading(
            site_code="JL-WIM-01",
            record_id=f"a{i}",
            plate=f"吉A1000{i}",
            gross_weight_kg=101000,
            captured_at=(night - timedelta(days=i)).isoformat(),
        )
        for i in range(3)
    ]
    post(client, a, *items_a)
    post(
        client,
        b,
        reading(
            site_code="JL-WIM-02",
            record_id="b1",
            gross_weight_kg=100000,
            captured_at=(night - timedelta(days=60)).isoformat(),
        ),
    )
    officer = login("officer")
    month = client.get("/api/v1/stats/baidunwang-hotspots?days=30", headers=officer).get_json()
    assert [(s["site_code"], s["count"], s["peak_hours"]) for s in month["sites"]] == [("JL-WIM-01", 3, [2])]
    assert month["hours"][2]["count"] == 3 and month["total"] == 3
    quarter = client.get("/api/v1/stats/baidunwang-hotspots?days=90", headers=officer).get_json()
    assert quarter["total"] == 4
    assert client.get("/api/v1/stats/baidunwang-hotspots?days=7", headers=officer).status_code == 422
