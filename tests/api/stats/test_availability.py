"""在线率: a site's expected and actual online days and hours come from its readings and its
device's heartbeats (a quiet night counts as online when the device says so); a site silent
longer than SITE_SILENCE_HOURS raises an alert to the administrator, cleared when it is heard
from again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.conftest import reading

NOW = datetime(2026, 11, 19, 4, 0, tzinfo=UTC)  # 12:00 Beijing time


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=True) as t:
        yield t


def test_online_days_and_hours_from_readings_and_heartbeats(client, make_site, login, run_worker, traveller):
    _, device = make_site("JL-WIM-01", "wim")
    make_site("JL-WIM-02", "wim")  # never heard from
    body = [reading(record_id=f"r{h}", captured_at=f"2026-11-18T{h:02d}:10:00+08:00") for h in (8, 9)]
    body.append(reading(record_id="r9b", captured_at="2026-11-18T09:50:00+08:00"))
    assert client.post("/api/v1/readings", headers=device, json={"readings": body}).status_code == 200
    beat = client.post("/api/v1/devices/heartbeat", headers=device)
    assert beat.status_code == 200 and beat.get_json()["site_code"] == "JL-WIM-01"
    run_worker()
    boss = login("supervisor", username="zx-boss")
    rows = client.get("/api/v1/stats/availability", headers=boss,
                      query_string={"from": "2026-11-17", "to": "2026-11-19"}).get_json()  # fmt: skip
    first, never = rows
    assert (first["went_live"], first["expected_days"], first["online_days"], first["online_rate_pct"]) == (
        "2026-11-18",
        2,
        2,
        100.0,
    )
    # 11-18: hours 8 and 9; 11-19: hour 12 (the heartbeat). Expected: 24 + 13 hours begun today.
    assert (first["online_hours"], first["expected_hours"]) == (3, 37)
    assert (never["expected_days"], never["online_days"], never["online_rate_pct"]) == (0, 0, None)
    # A device may only beat; a person may not beat for a device.
    assert client.get("/api/v1/stats/summary?from=2026-11-18&to=2026-11-18", headers=device).status_code == 403
    assert client.post("/api/v1/devices/heartbeat", headers=boss).status_code == 403


def test_a_silent_site_raises_an_alert_until_it_is_heard_from(app, client, make_site, login, traveller):
    from service.stats.availability import check_silent_sites

    _, device = make_site("JL-WIM-01", "wim")
    admin = login("admin", username="zx-admin")
    assert client.post("/api/v1/devices/heartbeat", headers=device).status_code == 200
    with app.app_context():
        assert check_silent_sites() == []
    traveller.move_to(NOW + timedelta(hours=6, minutes=30))  # the default setting: 6 hours
    with app.app_context():
        assert len(check_silent_sites()) == 1
        assert check_silent_sites() == []  # raised once
    (alert,) = client.get("/api/v1/stats/site-alerts", headers=admin).get_json()
    assert alert["site_code"] == "JL-WIM-01" and alert["last_heard_at"].startswith("2026-11-19T04:00")
    boss = login("supervisor", username="zx-boss2")
    assert client.post(f"/api/v1/stats/site-alerts/{alert['id']}/ack", headers=boss).status_code == 403
    acked = client.post(f"/api/v1/stats/site-alerts/{alert['id']}/ack", headers=admin)
    assert acked.status_code == 200 and acked.get_json()["acknowledged_at"]
    assert client.post("/api/v1/devices/heartbeat", headers=device).status_code == 200
    with app.app_context():
        check_silent_sites()
    assert client.get("/api/v1/stats/site-alerts", headers=admin).get_json() == []
