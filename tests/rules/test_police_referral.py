"""Automatic police referrals (domain-rules §5.3, §5.4, §3.1): each trigger, with its rule and
article, the 30 % and 50 % boundaries, the 2022-04-01 points switch and the denominators (§5.2 ⚖).

Test vehicle: 核定载质量 10 000 kg, 行驶证总质量 = 最大允许总质量 18 000 kg.
Art 92 fine %: (gross − 18 000) / 10 000; 2022 points %: (gross − 18 000) / 18 000.
"""

from dataclasses import replace
from datetime import date

import pytest

from service.rules import RuleSettings
from service.rules.referral import ReferralFacts, confirm_reasons, decision_reasons, merge_reasons, police_figures

NEW = date(2024, 5, 6)
OLD = date(2022, 3, 31)
VEHICLE = {"rated_load_kg": 10_000, "licence_total_mass_kg": 18_000, "max_total_mass_kg": 18_000}


def facts(gross=17_000, act_date=NEW, **kw):
    return ReferralFacts(act_date=act_date, gross_kg=gross, **{"plate": "吉A12345", "axle_count": 2, **VEHICLE, **kw})


def triggers(f, settings=None):
    return [r.trigger for r in confirm_reasons(f, settings or RuleSettings())]


@pytest.mark.parametrize(
    "f, expected",
    [
        pytest.param(facts(), [], id="legal load, valid plate → nothing to refer"),
        pytest.param(facts(100_000, baidunwang=True), ["baidunwang", "overload"], id="X-POLICE-BDW §5.4 every 百吨王"),
        pytest.param(
            facts(100_000, baidunwang=True, rated_load_kg=None), ["baidunwang"], id="百吨王 without a registry entry"
        ),
        pytest.param(facts(18_001), ["overload"], id="P-FINE-1 Art92 over the rated load"),
        pytest.param(facts(evasion=True), ["evasion"], id="X-POLICE-EVASION 冲卡闯岗"),
        pytest.param(
            facts(plate="吉A1234", plate_valid=False), ["plate"], id="X-POLICE-PLATE Art95-96 not a GA36 plate"
        ),
        pytest.param(facts(plate=None, plate_valid=False), [], id="⚖ unread plate is no plate anomaly"),
        pytest.param(
            facts(registered_axle_count=3), ["licence_mismatch"], id="X-POLICE-GB1589 axles differ from 行驶证"
        ),
        pytest.param(facts(registered_axle_count=None), [], id="no registered axle count, no mismatch"),
    ],
)
def test_each_confirm_trigger(f, expected):
    assert triggers(f) == expected


def test_each_reason_carries_its_rule_and_article():
    f = facts(100_000, baidunwang=True, evasion=True, plate="X1", plate_valid=False, registered_axle_count=3)
    by = {r.trigger: r for r in confirm_reasons(f)}
    assert by["baidunwang"].rule_id == "X-POLICE-BDW" and "交公路发〔2017〕173号" in by["baidunwang"].article
    assert by["overload"].rule_id == "P-FINE-2" and "第九十二条" in by["overload"].article
    assert by["evasion"].rule_id == "X-POLICE-EVASION" and "B-8" in by["evasion"].article
    assert by["plate"].rule_id == "X-POLICE-PLATE" and "第九十五条" in by["plate"].article
    assert by["licence_mismatch"].rule_id == "X-POLICE-GB1589" and "行驶证" in by["licence_mismatch"].article
    assert "100,000 千克" in by["baidunwang"].text


def test_a_baidunwang_is_stated_with_the_gross_as_weighed_and_after_the_deduction():
    """§5.4: a 百吨王 is a total mass ≥ 100 t as weighed; the text states that figure (not the
    lower one after the measurement deduction, which read "97,375 千克（≥ 100 吨）"), the deducted
    one beside it, and does not repeat the label the page shows next to it."""
    f = ReferralFacts(act_date=NEW, gross_kg=97_375, weighed_gross_kg=102_500, baidunwang=True)
    text = {r.trigger: r for r in confirm_reasons(f)}["baidunwang"].text
    assert text.startswith("检测车货总质量 102,500 千克（≥ 100 吨，扣除计量误差后 97,375 千克）")
    assert "百吨王" not in text
    station = ReferralFacts(act_date=NEW, gross_kg=101_000, weighed_gross_kg=101_000, baidunwang=True)
    assert "扣除" not in {r.trigger: r for r in confirm_reasons(station)}["baidunwang"].text


@pytest.mark.parametrize(
    "gross, rule_id, fine_band, points",
    [
        pytest.param(18_000, None, None, None, id="at the 行驶证 figure: not over, no referral"),
        pytest.param(20_999, "P-FINE-1", (200, 500), 1, id="P-FINE-1 29.99 % → 200–500, 1 point"),
        pytest.param(21_000, "P-FINE-1", (200, 500), 1, id="⚖ P-FINE-1 Art92 exactly 30 % is not 超过30%"),
        pytest.param(21_001, "P-FINE-2", (500, 2_000), 1, id="P-FINE-2 Art92 超过30 % → 500–2000"),
        pytest.param(23_399, "P-FINE-2", (500, 2_000), 1, id="P-PTS-1 points 29.99 % of 最大允许总质量 → 1"),
        pytest.param(23_400, "P-FINE-2", (500, 2_000), 3, id="P-PTS-3 记分办法 Art11(九) exactly 30 % → 3"),
        pytest.param(26_999, "P-FINE-2", (500, 2_000), 3, id="P-PTS-3 49.99 % → 3"),
        pytest.param(27_000, "P-FINE-2", (500, 2_000), 6, id="P-PTS-6 记分办法 Art10(四) exactly 50 % → 6"),
    ],
)
def test_overload_boundaries_at_30_and_50_percent(gross, rule_id, fine_band, points):
    reasons = confirm_reasons(facts(gross))
    figures = police_figures(facts(gross))
    if rule_id is None:
        assert reasons == [] and figures["fine"]["status"] == "not_over"
        return
    (reason,) = reasons
    assert reason.rule_id == rule_id
    assert (figures["fine"]["min_yuan"], figures["fine"]["max_yuan"]) == fine_band
    assert figures["points"]["points"] == points
    assert f"罚款 {fine_band[0]}–{fine_band[1]} 元" in reason.text and f"记 {points} 分" in reason.text


@pytest.mark.parametrize(
    "act_date, gross, points, rule_id",
    [
        pytest.param(OLD, 20_999, 3, "P-PTS-OLD-3", id="2022-03-31 old table: <30 % of 核定载质量 → 3"),
        pytest.param(OLD, 21_000, 6, "P-PTS-OLD-6", id="2022-03-31 old table: 30 % of 核定载质量 → 6"),
        pytest.param(date(2022, 4, 1), 20_999, 1, "P-PTS-1", id="2022-04-01 记分办法 in force: 16.7 % → 1"),
        pytest.param(date(2022, 4, 1), 21_000, 1, "P-PTS-1", id="2022-04-01 30 % of 核定载质量 is 16.7 % → 1"),
    ],
)
def test_points_switch_on_2022_04_01(act_date, gross, points, rule_id):
    figures = police_figures(facts(gross, act_date=act_date))
    assert (figures["points"]["points"], figures["points"]["rule_id"]) == (points, rule_id)


def test_each_figure_names_its_denominator():
    figures = police_figures(facts(21_001))
    assert figures["fine"]["denominator"] == "核定载质量"  # Art 92 (§5.2 ⚖)
    assert figures["points"]["denominator"] == "最大允许总质量"  # 记分办法 2022
    changed = police_figures(facts(21_001), RuleSettings(police_points_base="licence_total_mass"))
    assert changed["points"]["denominator"] == "行驶证总质量"


def test_without_the_licence_total_mass_the_points_measure_refers():
    """The registry holds 核定载质量 and 最大允许总质量 but not the 行驶证总质量: the fine is left to
    the police, the points' measure still shows the overload."""
    f = facts(23_400, licence_total_mass_kg=None)
    (reason,) = confirm_reasons(f)
    assert reason.rule_id == "P-PTS-3" and "罚款由公安机关核定" in reason.text
    assert police_figures(f)["fine"]["status"] == "cannot_assess"


def test_overload_referral_is_a_setting_for_joint_enforcement():
    off = RuleSettings(police_refer_overload=False)
    assert triggers(facts(21_001), off) == []
    assert triggers(facts(100_000, baidunwang=True), off) == ["baidunwang"]  # every 百吨王 still


@pytest.mark.parametrize(
    "vehicle_repeat, driver_repeat, expected",
    [
        pytest.param(False, False, [], id="no repeat offender"),
        pytest.param(True, False, ["R-VEH-3"], id="R-VEH-3 Art66 vehicle more than 3"),
        pytest.param(False, True, ["R-DRV-3"], id="R-DRV-3 Art66 driver more than 3"),
        pytest.param(True, True, ["R-VEH-3", "R-DRV-3"], id="both"),
    ],
)
def test_decision_reasons(vehicle_repeat, driver_repeat, expected):
    f = replace(facts(), vehicle_repeat=vehicle_repeat, driver_repeat=driver_repeat, decided_on=NEW)
    reasons = decision_reasons(f)
    assert [r.rule_id for r in reasons] == expected
    assert all("第六十六条" in r.article for r in reasons)


def test_reasons_merge_once_each():
    first = [r.to_dict() for r in confirm_reasons(facts(100_000, baidunwang=True))]
    again = merge_reasons(first, confirm_reasons(facts(100_000, baidunwang=True)))
    assert again == first
    more = merge_reasons(first, decision_reasons(replace(facts(), vehicle_repeat=True)))
    assert [r["trigger"] for r in more] == ["baidunwang", "overload", "vehicle_repeat"]


@pytest.mark.parametrize(
    "gross, points",
    [
        pytest.param(100_000, 6, id="⚖ P-PTS-6 百吨王 unregistered: ≥ 50 % over even of the 49 t limit → 6"),
        pytest.param(73_500, 6, id="P-PTS-6 exactly 50 % over the 49 t limit → 6"),
        pytest.param(73_499, None, id="⚖ below 50 % of the limit: the true rate is unknown, not stated"),
    ],
)
def test_points_of_an_unregistered_truck_are_stated_only_when_certain(gross, points):
    f = ReferralFacts(act_date=NEW, gross_kg=gross, baidunwang=gross >= 100_000, legal_limit_kg=49_000)
    figures = police_figures(f)
    assert figures["points"]["points"] == points
    if points:
        assert figures["points"]["rule_id"] == "P-PTS-6" and "未登记" in figures["points"]["denominator"]
    else:
        assert figures["points"]["status"] == "cannot_assess"
