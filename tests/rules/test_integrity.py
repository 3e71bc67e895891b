"""Weighbridge integrity flags as tables: under-reporting (疑似称重数据不实) and silence
(称重设备离线), at their threshold edges. Fixed instants; no clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from service.rules.integrity import Trip, silence, under_reporting
from service.rules.settings import CST, RuleSettings

AT = datetime(2026, 11, 20, 8, 0, tzinfo=CST)


def trip(i: int, exit_kg=48000, road_kg=60000, exit_over=False, road_over=True, tol=3000) -> Trip:
    return Trip(i, 1000 + i, f"吉C1000{i}", AT + timedelta(hours=i), AT + timedelta(hours=i, minutes=90),
                exit_kg, exit_over, road_kg, tol, road_over)  # fmt: skip


@pytest.mark.parametrize(
    ("gaps", "honest", "flagged"),
    [(0, 5, False), (2, 0, False), (3, 0, True), (3, 3, True), (3, 4, False)],
    ids=["none", "two-below-min-trips", "three-of-three", "three-of-six-50pct", "three-of-seven-below-share"],
)
def test_a_consistent_gap_beyond_both_errors_is_flagged(gaps, honest, flagged):
    trips = [trip(i) for i in range(gaps)] + [trip(100 + i, road_kg=48500, road_over=False) for i in range(honest)]
    flag = under_reporting(trips)
    assert (flag is not None) is flagged
    if flag:
        assert flag.label == "疑似称重数据不实" and len(flag.trips) == gaps
        assert f"有 {gaps} 趟" in flag.text


def test_a_gap_within_both_devices_errors_is_no_sign():
    # 48 000 at the exit, 51 400 on the road: 3 400 ≤ 3 000 + 480 — the same load.
    assert under_reporting([trip(i, road_kg=51400) for i in range(5)]) is None


def test_a_truck_over_the_limit_at_the_exit_is_the_enterprise_s_own_case_not_a_false_weighing():
    assert under_reporting([trip(i, exit_kg=55000, exit_over=True, road_kg=70000) for i in range(5)]) is None


def test_thresholds_are_settings():
    strict = RuleSettings(integrity_min_trips=2, integrity_min_share_pct=25)
    assert under_reporting([trip(0), trip(1), *[trip(10 + i, road_kg=48000, road_over=False) for i in range(5)]],
                           strict) is not None  # fmt: skip


@pytest.mark.parametrize(
    ("hours_silent", "sightings", "flagged"),
    [(47, 5, False), (48, 3, True), (48, 2, False), (200, 10, True)],
    ids=["47h", "48h-3-sightings", "48h-2-sightings", "long-silence"],
)
def test_a_weighbridge_silent_while_its_trucks_keep_running_is_flagged(hours_silent, sightings, flagged):
    now = AT + timedelta(hours=hours_silent)
    seen = [(AT + timedelta(hours=1 + i), f"吉C2000{i % 2}", "长春西") for i in range(sightings)]
    flag = silence(AT, seen, now)
    assert (flag is not None) is flagged
    if flag:
        assert flag.label == "称重设备离线" and f"{hours_silent} 小时" in flag.text and len(flag.trips) == sightings


def test_a_weighbridge_that_never_reported_is_not_called_silent():
    assert silence(None, [(AT, "吉C1", "x")] * 5, AT + timedelta(days=9)) is None
