"""The loop closes: the police acknowledge receipt (one referral or a whole package) and record
the outcome, which shows on the case and completes the driver's matter; a receipt overdue past
TRACKED_ACK_WORKING_DAYS working days is flagged to the supervisor."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from tests.api.police.conftest import confirmed, referrals
from tests.api.police.test_packages import export

OUTCOME = {"decision_number": "吉公交决字〔2026〕第0615号", "decided_on": "2026-06-16", "fine_yuan": 2000, "points": 6}


def token(client, username: str) -> dict:
    res = client.post("/api/v1/auth/token", json={"username": username, "password": "correct-horse-9"})
    return {"Authorization": f"Bearer {res.get_json()['access_token']}"}


def test_receipt_and_outcome_of_one_referral_close_the_drivers_matter(client, people, station, run_worker):
    case_id = confirmed(client, people, station, run_worker, "L-1", plate="吉B54321", gross_weight_kg=100_500)
    (ref,) = referrals(client, people["police"])
    police = people["police"]
    ack = client.post(f"/api/v1/referrals/{ref['id']}/ack", json={"note": "已收到"}, headers=police)
    assert ack.status_code == 200 and ack.get_json()["status"] == "acknowledged"
    assert client.post(f"/api/v1/referrals/{ref['id']}/ack", json={}, headers=police).status_code == 409
    bad = client.post(f"/api/v1/referrals/{ref['id']}/outcome", json={**OUTCOME, "decided_on": "2026-06-18"},
                      headers=police)  # fmt: skip
    assert bad.status_code == 422 and "decided_on" in bad.get_json()["errors"]
    done = client.post(f"/api/v1/referrals/{ref['id']}/outcome", json=OUTCOME, headers=police)
    assert done.status_code == 200 and done.get_json()["status"] == "closed"
    assert done.get_json()["outcome"]["points"] == 6
    # On the case: the driver's matter is closed with the police's decision.
    matters = people["officer"].get(case_id).get_json()["matters"]
    (driver,) = [m for m in matters if m["authority"] == "police"]
    assert driver["party"] == "driver" and driver["status"] == "closed"
    assert driver["outcome"]["decision_number"] == OUTCOME["decision_number"]
    assert [r["id"] for r in referrals(client, police, status="closed")] == [ref["id"]]


def test_a_whole_package_is_acknowledged_at_once(client, people, station, truck, run_worker):
    confirmed(client, people, station, run_worker, "K-1", plate="吉B54321", gross_weight_kg=100_500)
    confirmed(client, people, station, run_worker, "K-2", gross_weight_kg=60_000)
    police = people["police"]
    package = export(client, police, run_worker)
    assert client.post(f"/api/v1/referrals/exports/{package['id']}/ack", headers=people["admin"]).status_code == 403
    res = client.post(f"/api/v1/referrals/exports/{package['id']}/ack", headers=police)
    assert res.status_code == 200 and res.get_json()["acknowledged"] == 2 and res.get_json()["acknowledged_at"]
    assert {r["status"] for r in referrals(client, police)} == {"acknowledged"}


def test_an_overdue_receipt_is_flagged_to_the_supervisor(app, client, people, station, run_worker):
    from tests.console.test_console import sign_in

    confirmed(client, people, station, run_worker, "D-1", plate="吉B54321", gross_weight_kg=100_500)
    (ref,) = referrals(client, people["supervisor"].headers)
    assert ref["due_on"] == "2026-06-22"  # Wed 17 June + 3 working days (the weekend skipped)
    assert referrals(client, people["supervisor"].headers, overdue="true") == []
    with time_machine.travel(datetime(2026, 6, 23, 2, 0, tzinfo=UTC), tick=True):
        boss, police = token(client, "zf-boss"), token(client, "jiaojing")  # yesterday's tokens have expired
        (late,) = referrals(client, boss, overdue="true")
        assert late["overdue"] is True
        sign_in(client, app, username="zf-boss-console", role="supervisor")
        page = client.get("/referrals").get_data(as_text=True)
        assert "签收逾期 1" in page and 'class="tag warn">签收逾期' in page
        assert client.post(f"/api/v1/referrals/{ref['id']}/ack", json={}, headers=police).status_code == 200
        assert referrals(client, boss, overdue="true") == []
