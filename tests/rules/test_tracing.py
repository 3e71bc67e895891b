"""Trace candidates (倒查, domain-rules §7.4) as tables: none, one, two competing, window and
tolerance edges. Fixed instants; no clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from service.rules.settings import CST, RuleSettings
from service.rules.tracing import (
    Detection,
    LoadingLead,
    Sighting,
    Source,
    assessment,
    distance_km,
    gross_agrees,
    score_candidates,
)

AT = datetime(2026, 11, 20, 14, 0, tzinfo=CST)
QUARRY = Source(1, "四平市铁东区金石采石有限公司", "四平市铁东区山门镇", 43.10, 124.45)
SAND = Source(2, "吉林市丰满区恒基砂石料场", "吉林市丰满区旺起镇", 43.72, 126.60)
SOURCES = [QUARRY, SAND]
ROAD = Detection(AT, gross_kg=62000, tolerance_kg=3100, places=("长春", "绿园区"))


def lead(enterprise=1, hours=3.0, gross=61000, **kw) -> LoadingLead:
    return LoadingLead(100 + enterprise, enterprise, AT - timedelta(hours=hours), gross, **kw)


def test_no_lead_no_candidate_and_it_is_said_plainly():
    assert score_candidates(ROAD, SOURCES, [], [], {}) == []
    verdict, text = assessment([])
    assert verdict == "none" and "现场调查" in text


@pytest.mark.parametrize(
    ("hours", "found"),
    [(0, True), (23.99, True), (24, True), (24.01, False), (-0.5, False)],
    ids=["at-detection", "inside", "window-edge-24h", "just-outside", "after-detection"],
)
def test_the_loading_window_edges(hours, found):
    cands = score_candidates(ROAD, SOURCES, [lead(hours=hours)], [], {})
    assert bool(cands) is found
    if found:
        assert cands[0].loading_id == 101 and cands[0].enterprise_id == 1


def test_the_window_is_a_setting():
    wide = RuleSettings(trace_window_hours=48)
    assert score_candidates(ROAD, SOURCES, [lead(hours=30)], [], {}, wide)
    assert not score_candidates(ROAD, SOURCES, [lead(hours=30)], [], {})


@pytest.mark.parametrize(
    ("exit_gross", "agrees"),
    [(62000, True), (58900, True), (57000, False), (66000, False)],
    ids=["equal", "road-device-error-only", "far-below", "road-lighter-beyond-errors"],
)
def test_gross_agreement_within_both_devices_errors(exit_gross, agrees):
    # Road: 62 000 kg with a 3 100 kg error (class-5 WIM); exit: 1 % of its gross (a setting).
    assert gross_agrees(62000, 3100, exit_gross) is agrees


def test_tolerance_edge_exactly():
    # |62000 − x| = 3100 + 0.01x  →  x = 58900 / 1.01 ≈ 58316.8: just above agrees, just below does not.
    assert gross_agrees(62000, 3100, 58317)
    assert not gross_agrees(62000, 3100, 58316)


def test_one_loading_that_agrees_and_is_on_the_way_is_a_clear_candidate():
    (c,) = score_candidates(ROAD, SOURCES, [lead(destination="长春市绿园区西新镇")], [], {})
    assert c.score == 55 + 5 + 20 + 10
    assert any("误差之内" in r for r in c.reasons) and any("途中" in r for r in c.reasons)
    assert assessment([c])[0] == "one"


def test_a_loading_far_lighter_than_the_road_still_leads_but_says_why_it_is_weaker():
    (c,) = score_candidates(ROAD, SOURCES, [lead(gross=45000)], [], {})
    assert c.score == 60 and any("超出两台设备误差之和" in r for r in c.reasons)


def test_two_loadings_of_the_plate_at_two_enterprises_compete_latest_first():
    cands = score_candidates(ROAD, SOURCES, [lead(1, hours=5), lead(2, hours=2)], [], {})
    assert [c.enterprise_id for c in cands] == [2, 1]
    assert cands[0].score - cands[1].score == 5  # only "latest" separates them
    verdict, text = assessment(cands)
    assert verdict == "competing" and "不得径行认定" in text


def test_a_loading_outweighs_every_weaker_lead_together():
    sighting = Sighting(AT - timedelta(hours=10), "四平东站", 43.11, 124.46)  # ~1.4 km from the quarry
    road = Detection(AT, 62000, 3100, origin="金石采石", cargo="砂石")
    cands = score_candidates(road, SOURCES, [lead(2, hours=2)], [sighting], {1: 5})
    by_id = {c.enterprise_id: c for c in cands}
    assert by_id[1].score == 25 + 20 + 25  # sighting, history capped at 20, origin in the name
    assert by_id[2].score == 55 + 5 + 20 + 10  # sand yard: loading + latest + agrees + cargo 砂石 in its name
    assert cands[0].enterprise_id == 2
    assert assessment(cands)[0] == "clear"  # 90 against 70: beyond the 15-point margin


@pytest.mark.parametrize(("lat", "near"), [(43.10, True), (43.144, True), (43.15, False)], ids=["at", "4.9km", "5.6km"])
def test_an_earlier_sighting_counts_within_the_distance_setting(lat, near):
    s = Sighting(AT - timedelta(hours=20), "检测点", lat, 124.45)
    cands = score_candidates(ROAD, SOURCES, [], [s], {})
    assert bool(cands) is near
    if near:
        assert cands[0].score == 25 and "公里" in cands[0].reasons[0]


def test_a_sighting_older_than_the_horizon_or_after_the_detection_is_ignored():
    old = Sighting(AT - timedelta(hours=73), "检测点", 43.10, 124.45)
    later = Sighting(AT + timedelta(hours=1), "检测点", 43.10, 124.45)
    assert score_candidates(ROAD, SOURCES, [], [old, later], {}) == []


def test_the_recorded_waybill_matching_an_exit_record_is_strong():
    road = Detection(AT, 62000, 3100, waybill_no="YD-77")
    (c,) = score_candidates(road, SOURCES, [lead(waybill_no="YD-77")], [], {})
    assert c.score == 100  # 55 + 5 + 20 + 30, capped at 100
    assert any("运单号" in r for r in c.reasons)


def test_recorded_origin_matches_the_address_when_not_the_name():
    (c,) = score_candidates(Detection(AT, 62000, 3100, origin="旺起镇"), SOURCES, [], [], {})
    assert c.enterprise_id == 2 and c.score == 15 and "地址" in c.reasons[0]


def test_scores_stay_within_0_and_100_and_reasons_are_chinese():
    road = Detection(AT, 62000, 3100, places=("长春",), origin="金石", cargo="采石", waybill_no="W1")
    s = Sighting(AT - timedelta(hours=1), "点", 43.10, 124.45)
    cands = score_candidates(road, SOURCES, [lead(destination="长春", waybill_no="W1")], [s], {1: 9})
    assert all(0 <= c.score <= 100 for c in cands) and cands[0].score == 100
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r) for c in cands for r in c.reasons)


def test_distance_is_the_great_circle():
    assert distance_km(43.10, 124.45, 43.10, 124.45) == 0
    assert distance_km(43.88, 125.32, 43.83, 126.55) == pytest.approx(98.8, abs=1)  # 长春 → 吉林
