"""Repeat offenders (domain-rules §3.1): 公路安全保护条例 Art 66, counted in the 62号令 Art 46 ¶2
cycle; blacklist situations B-1 … B-3 and the listing period (§3.2)."""

import json
from datetime import date, datetime

import pytest

from service.rules import (
    DecidedViolation,
    NoRuleInForce,
    RuleSettings,
    assess_driver,
    assess_enterprise,
    assess_vehicle,
    blacklist_listing_ends,
    counting_cycle,
    rolling_window,
)

ON = date(2024, 8, 1)
ANCHOR = date(2020, 5, 10)  # 道路运输证 first issued: the cycle containing ON is 2024-05-10 … 2025-05-09
IN_CYCLE = [date(2024, 5, 20), date(2024, 6, 1), date(2024, 6, 15), date(2024, 7, 1), date(2024, 7, 20)]


def vehicle(dates, anchor=ANCHOR, on=ON, settings=None):
    kwargs = {"settings": settings} if settings else {}
    return assess_vehicle(dates, licence_issued=anchor, on=on, **kwargs)


# --- the statutory cycle -------------------------------------------------------------------


@pytest.mark.parametrize(
    "anchor, on, expected",
    [
        pytest.param(
            ANCHOR, ANCHOR, (ANCHOR, date(2021, 5, 10)), id="62号令 Art46¶2 first cycle starts on the issue day"
        ),
        pytest.param(
            ANCHOR, date(2024, 5, 9), (date(2023, 5, 10), date(2024, 5, 10)), id="62号令 Art46¶2 day before anniversary"
        ),
        pytest.param(
            ANCHOR, date(2024, 5, 10), (date(2024, 5, 10), date(2025, 5, 10)), id="62号令 Art46¶2 anniversary day"
        ),
        pytest.param(
            date(2021, 10, 1),
            date(2024, 2, 1),
            (date(2023, 10, 1), date(2024, 10, 1)),
            id="62号令 Art46¶2 可跨自然年度",
        ),
        pytest.param(
            date(2024, 2, 29),
            date(2025, 2, 27),
            (date(2024, 2, 29), date(2025, 2, 28)),
            id="⚖ 62号令 Art46¶2 29 Feb anchor: common-year anniversary is 28 Feb",
        ),
        pytest.param(
            date(2024, 2, 29),
            date(2025, 2, 28),
            (date(2025, 2, 28), date(2026, 2, 28)),
            id="⚖ 62号令 Art46¶2 29 Feb anchor: 28 Feb opens the next cycle",
        ),
        pytest.param(
            date(2024, 2, 29),
            date(2028, 2, 28),
            (date(2027, 2, 28), date(2028, 2, 29)),
            id="62号令 Art46¶2 29 Feb anchor: leap-year anniversary is 29 Feb",
        ),
    ],
)
def test_anniversary_cycle(anchor, on, expected):
    assert counting_cycle(anchor, on) == expected


@pytest.mark.parametrize(
    "settings, expected",
    [
        pytest.param(None, (date(2024, 1, 1), date(2025, 1, 1)), id="⚖ R-VEH-3 unknown anchor → calendar year"),
        pytest.param(
            RuleSettings(repeat_fallback_window="rolling_12_months"),
            (date(2023, 8, 2), date(2024, 8, 2)),
            id="R-VEH-3 unknown anchor → rolling 12 months by setting",
        ),
    ],
)
def test_unknown_anchor_fallback_window(settings, expected):
    assert (counting_cycle(None, ON, settings=settings) if settings else counting_cycle(None, ON)) == expected


def test_licence_issued_after_the_assessment_day_is_refused():
    with pytest.raises(ValueError, match="after the assessment day"):
        counting_cycle(date(2024, 8, 2), ON)


@pytest.mark.parametrize(
    "on, months, expected",
    [
        pytest.param(date(2024, 6, 15), 12, (date(2023, 6, 16), date(2024, 6, 16)), id="rolling 12 months incl. on"),
        pytest.param(date(2024, 2, 29), 12, (date(2023, 3, 1), date(2024, 3, 1)), id="rolling from 29 Feb"),
        pytest.param(
            date(2024, 3, 31), 1, (date(2024, 3, 1), date(2024, 4, 1)), id="rolling 1 month clamps to Feb end"
        ),
    ],
)
def test_rolling_window(on, months, expected):
    assert rolling_window(on, months) == expected


def test_rolling_window_needs_a_month():
    with pytest.raises(ValueError):
        rolling_window(ON, 0)


# --- R-VEH-3 / R-DRV-3 thresholds ------------------------------------------------------------


@pytest.mark.parametrize(
    "assess, n, triggered, blacklist",
    [
        pytest.param(assess_vehicle, 3, False, (), id="R-VEH-3 Art66 3 times is not 超过3次"),
        pytest.param(assess_vehicle, 4, True, ("B-1",), id="R-VEH-3 B-1 Art66 4th time → 吊销车辆营运证"),
        pytest.param(assess_vehicle, 5, True, ("B-1",), id="R-VEH-3 B-1 Art66 5 times"),
        pytest.param(assess_driver, 3, False, (), id="R-DRV-3 Art66 3 times is not 超过3次"),
        pytest.param(assess_driver, 4, True, ("B-2",), id="R-DRV-3 B-2 Art66 4th time → 责令停止从事营业性运输"),
    ],
)
def test_more_than_three(assess, n, triggered, blacklist):
    result = assess(IN_CYCLE[:n], licence_issued=ANCHOR, on=ON)
    assert (result.statutory_count, result.triggered, result.blacklist) == (n, triggered, blacklist)
    assert result.counted == tuple(IN_CYCLE[:n])
    assert result.window_basis == "anniversary"


@pytest.mark.parametrize(
    "assess, rule_id, consequence, article",
    [
        pytest.param(
            assess_vehicle, "R-VEH-3", "吊销车辆营运证", "超过3次的货运车辆，由道路运输管理机构吊销其车辆营运证"
        ),
        pytest.param(
            assess_driver,
            "R-DRV-3",
            "责令停止从事营业性运输",
            "货运车辆驾驶人，由道路运输管理机构责令其停止从事营业性运输",
        ),
    ],
)
def test_decision_cites_rule_article_version_and_authority(assess, rule_id, consequence, article):
    result = assess(IN_CYCLE[:4], licence_issued=ANCHOR, on=ON)
    assert result.rule_id == rule_id
    assert consequence in result.consequence
    assert "《公路安全保护条例》第六十六条" in result.article and article in result.article
    assert "第四十六条第二款" in result.article and "可跨自然年度" in result.article
    assert "道路运输管理机构" in result.authority and "交通运输主管部门" in result.authority
    assert result.rule_version.startswith("公路安全保护条例@2011-07-01")
    assert "2024-05-10 至 2025-05-09" in result.reason and "超过3次" in result.reason


# --- windows at their edges --------------------------------------------------------------------

THREE = [date(2024, 6, 1), date(2024, 6, 15), date(2024, 7, 1)]


@pytest.mark.parametrize(
    "fourth, triggered",
    [
        pytest.param(date(2024, 5, 10), True, id="R-VEH-3 62号令 Art46¶2 anniversary day counts in the new cycle"),
        pytest.param(date(2024, 5, 9), False, id="R-VEH-3 62号令 Art46¶2 day before anniversary is the old cycle"),
    ],
)
def test_anniversary_boundary_decides_the_fourth(fourth, triggered):
    result = vehicle([*THREE, fourth])
    assert result.triggered is triggered
    assert (fourth in result.counted) is triggered


@pytest.mark.parametrize(
    "fourth, in_rolling",
    [
        pytest.param(date(2023, 7, 31), False, id="R-VEH-3 watch 12 months + 1 day before on not counted"),
        pytest.param(date(2023, 8, 1), False, id="⚖ R-VEH-3 watch exactly 12 months before on not counted"),
        pytest.param(date(2023, 8, 2), True, id="R-VEH-3 watch 12 months − 1 day before on counted"),
    ],
)
def test_rolling_window_edge(fourth, in_rolling):
    result = vehicle([*THREE, fourth])
    assert result.rolling_count == (4 if in_rolling else 3)
    assert result.watch is in_rolling
    # The statutory cycle began 2024-05-10: the old violation never triggers the consequence.
    assert (result.statutory_count, result.triggered) == (3, False)


def test_watch_is_never_the_legal_trigger():
    # Four decisions in 12 months, but split across the 2024-05-10 anniversary.
    result = vehicle([date(2023, 11, 1), date(2024, 3, 1), date(2024, 6, 1), date(2024, 7, 1)])
    assert (result.rolling_count, result.watch) == (4, True)
    assert (result.statutory_count, result.triggered, result.blacklist) == (2, False, ())
    assert "仅作预警" in result.reason


@pytest.mark.parametrize(
    "settings, basis, count, triggered",
    [
        pytest.param(None, "fallback_calendar_year", 3, False, id="⚖ R-VEH-3 no anchor: calendar year drops 2023"),
        pytest.param(
            RuleSettings(repeat_fallback_window="rolling_12_months"),
            "fallback_rolling_12_months",
            4,
            True,
            id="R-VEH-3 no anchor: rolling fallback by setting",
        ),
    ],
)
def test_unknown_anchor_is_labelled_fallback(settings, basis, count, triggered):
    result = vehicle([date(2023, 12, 20), *THREE], anchor=None, settings=settings)
    assert (result.window_basis, result.statutory_count, result.triggered) == (basis, count, triggered)
    assert "第四十六条第二款" not in result.article
    assert any("替代口径" in note for note in result.notes)
    assert "替代口径" in result.reason


def test_violations_before_the_first_licence_are_outside_every_cycle():
    result = vehicle([date(2024, 1, 5), date(2024, 1, 6), *THREE], anchor=date(2024, 2, 1))
    assert (result.statutory_count, result.triggered) == (3, False)


# --- what counts (§13.5) --------------------------------------------------------------------------

FINES = [DecidedViolation(d, "fine") for d in THREE]


@pytest.mark.parametrize(
    "fourth, count_warnings, triggered",
    [
        pytest.param(DecidedViolation(date(2024, 7, 10), "warning"), True, True, id="R-VEH-3 §13.5 warning counts"),
        pytest.param(
            DecidedViolation(date(2024, 7, 10), "warning"),
            False,
            False,
            id="R-VEH-3 §13.5 warning not counted by setting",
        ),
        pytest.param(date(2024, 7, 10), True, True, id="R-VEH-3 unknown kind counts when warnings do"),
        pytest.param(date(2024, 7, 10), False, False, id="⚖ R-VEH-3 unknown kind not counted without warnings"),
        pytest.param(DecidedViolation(date(2024, 7, 10), "fine"), False, True, id="R-VEH-3 a fine always counts"),
        pytest.param(DecidedViolation(date(2024, 7, 10), "none"), True, False, id="R-VEH-3 不予处罚 never counts"),
        pytest.param(
            DecidedViolation(date(2024, 7, 10), "fine", decided_on=date(2024, 8, 2)),
            True,
            False,
            id="R-VEH-3 decided after the assessment day not counted",
        ),
        pytest.param(
            DecidedViolation(date(2024, 7, 10), "fine", decided_on=ON),
            True,
            True,
            id="R-VEH-3 decided on the assessment day counted",
        ),
        pytest.param(
            DecidedViolation(date(2024, 8, 2), "fine"), True, False, id="R-VEH-3 act after the day not counted"
        ),
    ],
)
def test_only_decided_penalties_count(fourth, count_warnings, triggered):
    result = vehicle([*FINES, fourth], settings=RuleSettings(repeat_count_warnings=count_warnings))
    assert result.triggered is triggered
    assert result.statutory_count == (4 if triggered else 3)


def test_unknown_kinds_left_out_are_reported():
    result = vehicle(IN_CYCLE[:4], settings=RuleSettings(repeat_count_warnings=False))
    assert result.statutory_count == 0
    assert any("4 项处罚决定种类未知" in note for note in result.notes)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"kind": "penalty"}, id="unknown decision kind"),
        pytest.param({"decided_on": date(2024, 7, 9)}, id="decision before its act"),
    ],
)
def test_decided_violation_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        DecidedViolation(date(2024, 7, 10), **kwargs)


def test_datetimes_are_refused_not_compared():
    with pytest.raises(TypeError):
        vehicle([datetime(2024, 7, 1, 10, 0)])


def test_before_the_cycle_rule_no_assessment():
    with pytest.raises(NoRuleInForce):
        vehicle([], anchor=date(2015, 1, 1), on=date(2016, 9, 20))


# --- R-ENT-10 -----------------------------------------------------------------------------------


def fleet_with(violating: int, dates_each=1, when=date(2024, 6, 1)):
    return {f"豫A{i:05d}": [when] * dates_each for i in range(violating)}


def enterprise(per_vehicle, fleet_size, suspension_ordered=False, settings=None, anchor=ANCHOR):
    kwargs = {"settings": settings} if settings else {}
    return assess_enterprise(
        per_vehicle, fleet_size, licence_issued=anchor, on=ON, suspension_ordered=suspension_ordered, **kwargs
    )


@pytest.mark.parametrize(
    "violating, fleet, triggered, pct",
    [
        pytest.param(1, 10, False, 10.0, id="R-ENT-10 Art66 exactly 10 % is not 超过10%"),
        pytest.param(1000, 10_000, False, 10.0, id="R-ENT-10 Art66 1000/10000 = 10.00 % → no"),
        pytest.param(1001, 10_000, True, 10.01, id="R-ENT-10 Art66 1001/10000 = 10.01 % → 停业整顿"),
        pytest.param(2, 10, True, 20.0, id="R-ENT-10 Art66 20 %"),
        pytest.param(1, 9, True, 11.11, id="R-ENT-10 Art66 1/9 = 11.11 % (truncated)"),
    ],
)
def test_enterprise_share_strictly_above_ten_percent(violating, fleet, triggered, pct):
    result = enterprise(fleet_with(violating), fleet)
    assert (result.status, result.triggered, result.statutory_share_pct) == ("assessed", triggered, pct)
    assert result.statutory_count == violating and len(result.counted_vehicles) == violating


def test_enterprise_decision_cites_article_and_consequence():
    result = enterprise(fleet_with(2), 10)
    assert result.rule_id == "R-ENT-10" and result.subject == "enterprise"
    assert "超过本单位货运车辆总数10%" in result.article and "第四十六条第二款" in result.article
    assert "责令停业整顿" in result.consequence and "吊销道路运输经营许可证" in result.consequence
    assert "2 辆 / 货运车辆总数 10 辆 = 20.00%" in result.reason
    assert (result.fleet_basis, result.numerator) == ("declared_fleet", "vehicles")


@pytest.mark.parametrize(
    "numerator, count, triggered",
    [
        pytest.param("vehicles", 1, False, id="⚖ R-ENT-10 §13.6 one vehicle 5 times is 1 of 10"),
        pytest.param("violations", 5, True, id="R-ENT-10 §13.6 numerator = violations by setting"),
    ],
)
def test_enterprise_numerator_setting(numerator, count, triggered):
    result = enterprise(fleet_with(1, dates_each=5), 10, settings=RuleSettings(enterprise_share_numerator=numerator))
    assert (result.statutory_count, result.triggered) == (count, triggered)


def test_enterprise_counts_only_the_cycle():
    per_vehicle = {**fleet_with(1), "豫B00001": [date(2024, 5, 9)], "豫B00002": [date(2024, 5, 10)]}
    result = enterprise(per_vehicle, 10)
    assert result.counted_vehicles == ("豫A00000", "豫B00002")
    assert (result.statutory_count, result.triggered) == (2, True)
    # Rolling 12 months sees all three: a watch signal, not the trigger.
    assert (result.rolling_count, result.rolling_share_pct, result.watch) == (3, 30.0, True)


@pytest.mark.parametrize(
    "fleet",
    [
        pytest.param(None, id="R-ENT-10 fleet size unknown → cannot assess"),
        pytest.param(0, id="R-ENT-10 fleet size 0 → cannot assess"),
    ],
)
def test_enterprise_unknown_fleet_cannot_be_assessed(fleet):
    result = enterprise(fleet_with(5), fleet, suspension_ordered=True)
    assert (result.status, result.triggered, result.watch, result.blacklist) == ("cannot_assess", False, False, ())
    assert result.statutory_share_pct is None and result.statutory_count == 5
    assert "无法计算占比" in result.reason


def test_enterprise_negative_fleet_is_an_error():
    with pytest.raises(ValueError):
        enterprise(fleet_with(1), -1)


@pytest.mark.parametrize(
    "violating, suspension_ordered, blacklist",
    [
        pytest.param(2, True, ("B-3",), id="B-3 R-ENT-10 above 10 % and ordered to 停业整顿"),
        pytest.param(2, False, (), id="B-3 R-ENT-10 above 10 % without a suspension order → not listed"),
        pytest.param(1, True, (), id="B-3 R-ENT-10 suspension ordered but share not above 10 % → not listed"),
    ],
)
def test_b3_needs_the_suspension_order(violating, suspension_ordered, blacklist):
    result = enterprise(fleet_with(violating), 10, suspension_ordered=suspension_ordered)
    assert result.blacklist == blacklist
    assert any("B-3" in note for note in result.notes) is (violating == 2 and not suspension_ordered)


@pytest.mark.parametrize(
    "violating, revocation_pct, henan",
    [
        pytest.param(4, None, False, id="R-ENT-10 [PROV 河南] off by default"),
        pytest.param(3, 30, False, id="R-ENT-10 [PROV 河南] exactly 30 % is not above"),
        pytest.param(4, 30, True, id="R-ENT-10 [PROV 河南] above 30 % → 吊销经营许可证"),
    ],
)
def test_henan_revocation_setting(violating, revocation_pct, henan):
    result = enterprise(fleet_with(violating), 10, settings=RuleSettings(enterprise_revocation_pct=revocation_pct))
    assert result.triggered
    assert ("[PROV 河南]" in result.consequence) is henan


def test_enterprise_unknown_licence_date_falls_back():
    result = enterprise(fleet_with(2, when=date(2023, 12, 1)), 10, anchor=None)
    assert (result.window_basis, result.statutory_count, result.triggered) == ("fallback_calendar_year", 0, False)
    assert "第四十六条第二款" not in result.article


def test_to_dict_is_json_ready():
    data = enterprise(fleet_with(2), 10, suspension_ordered=True).to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["window_start"] == "2024-05-10" and data["window_end"] == "2025-05-10"
    assert data["counted"] == ["2024-06-01", "2024-06-01"] and data["blacklist"] == ["B-3"]


# --- settings and the listing period --------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"repeat_fallback_window": "fiscal_year"}, id="unknown fallback window"),
        pytest.param({"enterprise_share_numerator": "trips"}, id="unknown numerator"),
        pytest.param({"enterprise_fleet_basis": "guess"}, id="unknown fleet basis"),
        pytest.param({"enterprise_revocation_pct": 10}, id="[PROV] revocation at the national 10 %"),
        pytest.param({"blacklist_valid_years": 0}, id="listing of 0 years"),
    ],
)
def test_settings_reject_invalid_values(kwargs):
    with pytest.raises(ValueError):
        RuleSettings(**kwargs)


@pytest.mark.parametrize(
    "listed_on, settings, expected",
    [
        pytest.param(date(2024, 3, 1), None, date(2026, 3, 1), id="§3.2 [PROV 石台] listed 2 years"),
        pytest.param(date(2024, 2, 29), None, date(2026, 2, 28), id="⚖ §3.2 listed on 29 Feb ends 28 Feb"),
        pytest.param(date(2024, 3, 1), RuleSettings(blacklist_valid_years=3), date(2027, 3, 1), id="§3.2 3 years"),
        pytest.param(date(2024, 3, 1), RuleSettings(blacklist_valid_years=None), None, id="§13.12 no duration"),
    ],
)
def test_blacklist_listing_ends(listed_on, settings, expected):
    ends = blacklist_listing_ends(listed_on, settings) if settings else blacklist_listing_ends(listed_on)
    assert ends == expected
