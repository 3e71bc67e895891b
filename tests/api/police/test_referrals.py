"""Referrals queued by the rules at 审核确认 and at the decision, by hand, and withdrawn
(domain-rules §5.3, §5.4, §3.1): what the police find in their inbox, with reasons and articles."""

from __future__ import annotations

from tests.api.police.conftest import confirmed, referrals, weigh
from tests.conftest import mark_decided


def test_a_baidunwang_is_referred_at_confirmation_with_its_reason(client, people, station, run_worker):
    case_id = confirmed(client, people, station, run_worker, "B-1", plate="吉B54321", gross_weight_kg=100_500)
    (ref,) = referrals(client, people["police"])
    assert ref["case_id"] == case_id and ref["status"] == "queued" and ref["origin"] == "auto"
    assert [r["rule_id"] for r in ref["reasons"]] == ["X-POLICE-BDW"]
    assert "交公路发〔2017〕173号" in ref["reasons"][0]["article"] and ref["reasons"][0]["label"] == "百吨王"
    assert ref["due_on"] and ref["overdue"] is False  # receipt due in 3 working days
    # The case's police matter is the driver's, sent (移送) at once.
    parties = client.get(f"/api/v1/cases/{case_id}/parties", headers=people["officer"].headers).get_json()
    police = [p for p in parties["parties"] if p["authority"] == "police"]
    assert [(p["party"], p["status"]) for p in police] == [("driver", "referred")]


def test_an_overload_against_the_rated_load_carries_the_police_figures(client, people, station, truck, run_worker):
    confirmed(client, people, station, run_worker, "O-1", gross_weight_kg=60_000)
    (ref,) = referrals(client, people["police"])
    assert [r["trigger"] for r in ref["reasons"]] == ["overload"]
    points = ref["assessment"]["points"]
    # (60 000 − 49 000) / 49 000 = 22.44 % of the 最大允许总质量 → 1 point (记分办法 Art 12(六))
    assert (points["points"], points["rule_id"], points["denominator"]) == (1, "P-PTS-1", "最大允许总质量")
    assert ref["assessment"]["fine"]["denominator"] == "核定载质量"
    assert ref["rated_load_kg"] == 31000 and ref["max_total_mass_kg"] == 49000


def test_an_ordinary_overlimit_case_is_not_referred(client, people, station, run_worker):
    confirmed(client, people, station, run_worker, "N-1", plate="吉C11111", gross_weight_kg=56_000)
    assert referrals(client, people["police"]) == []
    assert referrals(client, people["officer"].headers) == []


def test_an_axle_count_differing_from_the_licence_is_referred(client, people, station, truck, run_worker):
    confirmed(client, people, station, run_worker, "M-1", axle_count=5, gross_weight_kg=45_000)
    (ref,) = referrals(client, people["officer"].headers)
    assert [r["rule_id"] for r in ref["reasons"]] == ["X-POLICE-GB1589"]


def test_a_repeat_offender_is_referred_when_the_decision_makes_the_count(client, people, station, run_worker, app):
    plate = {"plate": "吉D22222", "gross_weight_kg": 56_000}
    earlier = [
        weigh(client, station, run_worker, f"R-{i}", images=0, captured_at=f"2026-0{i + 2}-10T09:00:00+08:00", **plate)
        for i in range(3)
    ]
    mark_decided(app, earlier, days_ago=20)  # three decided acts this year: the fourth decision makes the count
    case_id = confirmed(client, people, station, run_worker, "R-9", **plate)
    assert referrals(client, people["police"]) == []  # not yet: the count is of decisions
    officer, boss = people["officer"], people["supervisor"]
    assert officer.step(case_id, "notice").status_code == 201
    assert officer.step(case_id, "statements", {"kind": "waiver"}).status_code == 200
    proposed = officer.get(case_id).get_json()["penalty_proposal"]["proposed_yuan"]
    assert officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": proposed}).status_code == 200
    assert boss.step(case_id, "decision/approve").status_code == 200
    (ref,) = referrals(client, people["police"])
    assert ref["case_id"] == case_id and [r["rule_id"] for r in ref["reasons"]] == ["R-VEH-3"]
    assert "第六十六条" in ref["reasons"][0]["article"]
    police = [m for m in officer.get(case_id).get_json()["matters"] if m["authority"] == "police"]
    assert len(police) == 1 and police[0]["status"] == "referred"  # one act, one police matter


def test_an_officer_refers_by_hand_with_a_reason(client, people, station, run_worker):
    case_id = confirmed(client, people, station, run_worker, "H-1", plate="吉E33333", gross_weight_kg=56_000)
    res = people["officer"].step(case_id, "referral", {"reason": "驾驶人拒不停车接受检查，移交公安"})
    assert res.status_code == 200
    (ref,) = referrals(client, people["police"])
    assert ref["origin"] == "manual" and ref["reasons"][0]["text"] == "驾驶人拒不停车接受检查，移交公安"


def test_a_supervisor_withdraws_a_referral_before_it_goes_out(client, people, station, run_worker):
    confirmed(client, people, station, run_worker, "W-1", plate="吉B54321", gross_weight_kg=101_000)
    (ref,) = referrals(client, people["officer"].headers)
    url = f"/api/v1/referrals/{ref['id']}/withdraw"
    assert client.post(url, json={"reason": "x"}, headers=people["officer"].headers).status_code == 403
    assert client.post(url, json={}, headers=people["supervisor"].headers).status_code == 422
    res = client.post(url, json={"reason": "复核称重不足百吨，误报"}, headers=people["supervisor"].headers)
    assert res.status_code == 200 and res.get_json()["status"] == "withdrawn"
    assert res.get_json()["withdrawal_reason"] == "复核称重不足百吨，误报"
    assert referrals(client, people["police"]) == []  # the police never see it
    assert client.get(f"/api/v1/referrals/{ref['id']}", headers=people["police"]).status_code == 404
    assert [r["status"] for r in referrals(client, people["officer"].headers)] == ["withdrawn"]


def test_evasion_recorded_at_the_station_is_referred(client, people, station, run_worker):
    case_id = confirmed(client, people, station, run_worker, "E-1", plate="吉F44444", gross_weight_kg=56_000)
    assert referrals(client, people["police"]) == []
    res = people["officer"].step(case_id, "station-actions", {"kind": "evasion", "note": "未按指示进站，强行驶离"})
    assert res.status_code in (200, 201), res.get_json()
    (ref,) = referrals(client, people["police"])
    assert [r["rule_id"] for r in ref["reasons"]] == ["X-POLICE-EVASION"] and ref["reasons"][0]["label"] == "冲卡闯岗"
