"""Deductions before a reading counts as over the mass limit (domain-rules §1.7)."""

from datetime import datetime, timedelta, timezone

import pytest

from service.rules import ReadingFacts, RuleSettings, SiteFacts, classify

CST = timezone(timedelta(hours=8))
WHEN = datetime(2024, 5, 6, 10, 30, tzinfo=CST)


def weigh(site, gross, axles=6, when=WHEN, settings=None, **facts):
    reading = ReadingFacts(captured_at=when, axle_count=axles, gross_weight_kg=gross, **facts)
    return classify(reading, site, settings) if settings else classify(reading, site)


WIM5 = SiteFacts(kind="wim", accuracy_class="5")


@pytest.mark.parametrize(
    "gross, tolerance, excess, over",
    [
        pytest.param(
            52_000,
            2_600,
            3_000,
            True,
            id="T-WIM-MPE JJG907 class 5 52000 vs 49000 tol 2600 excess 3000 over",
        ),
        pytest.param(
            51_000,
            2_550,
            2_000,
            False,
            id="T-WIM-MPE JJG907 class 5 51000 vs 49000 tol 2550 excess 2000 not over",
        ),
        pytest.param(
            51_579,
            2_579,
            2_579,
            False,
            id="⚖ T-WIM-MPE class 5 51579 tol 2578.95 rounded up to 2579 = excess not over",
        ),
        pytest.param(
            51_580,
            2_579,
            2_580,
            True,
            id="T-WIM-MPE class 5 51580 tol 2579 excess 2580 over",
        ),
    ],
)
def test_wim_class_5_deducts_5_percent_of_measured_gross(gross, tolerance, excess, over):
    c = weigh(WIM5, gross)
    assert (c.tolerance_kg, c.overlimit_kg, c.mass_overlimit, c.overlimit) == (
        tolerance,
        excess,
        over,
        over,
    )
    assert c.tolerance_rule == "T-WIM-MPE"
    assert "5 级" in c.tolerance_basis and "±5%" in c.tolerance_basis and "实测总质量" in c.tolerance_basis


@pytest.mark.parametrize(
    "accuracy_class, tolerance, unconfirmed",
    [
        pytest.param("5级", 2_600, False, id="T-WIM-MPE class written 5级"),
        pytest.param("2", 1_040, True, id="T-WIM-MPE class 2 → ±2% UNCONFIRMED general rule"),
        pytest.param("10", 5_200, True, id="T-WIM-MPE class 10 → ±10% UNCONFIRMED general rule"),
        pytest.param("0.5", 260, True, id="T-WIM-MPE class 0.5 → ±0.5% UNCONFIRMED general rule"),
    ],
)
def test_wim_other_classes_follow_the_configurable_general_rule(accuracy_class, tolerance, unconfirmed):
    c = weigh(SiteFacts(kind="wim", accuracy_class=accuracy_class), 52_000)
    assert c.tolerance_kg == tolerance
    assert any("UNCONFIRMED" in n for n in c.notes) is unconfirmed


@pytest.mark.parametrize(
    "accuracy_class",
    [
        pytest.param(None, id="⚖ T-WIM-MPE class unknown → 10% default"),
        pytest.param("X", id="⚖ T-WIM-MPE unreadable class → 10% default"),
    ],
)
def test_wim_unknown_class_uses_the_favourable_default(accuracy_class):
    c = weigh(SiteFacts(kind="wim", accuracy_class=accuracy_class), 52_000)
    assert (c.tolerance_kg, c.mass_overlimit) == (5_200, False)
    assert "未知" in c.tolerance_basis and any(n.startswith("⚖") for n in c.notes)


@pytest.mark.parametrize(
    "settings, accuracy_class, tolerance",
    [
        pytest.param(
            RuleSettings(wim_unknown_class_pct=5.0),
            None,
            2_600,
            id="settings unknown-class default 5%",
        ),
        pytest.param(
            RuleSettings(wim_mpe_pct_equals_class=False),
            "2",
            5_200,
            id="settings general rule off → class 2 treated as unknown",
        ),
        pytest.param(
            RuleSettings(wim_mpe_pct_by_class=(("5", 4.0),)),
            "5",
            2_080,
            id="settings class 5 MPE overridden to 4%",
        ),
    ],
)
def test_unconfirmed_wim_values_are_overridable(settings, accuracy_class, tolerance):
    c = weigh(SiteFacts(kind="wim", accuracy_class=accuracy_class), 52_000, settings=settings)
    assert c.tolerance_kg == tolerance


def test_site_tolerance_overrides_the_wim_class():
    c = weigh(SiteFacts(kind="wim", accuracy_class="5", tolerance_pct=3.0), 52_000)
    assert (c.tolerance_kg, c.tolerance_rule, c.mass_overlimit) == (
        1_560,
        "T-SITE",
        True,
    )


@pytest.mark.parametrize(
    "site, settings, gross, tolerance, over, rule",
    [
        pytest.param(
            SiteFacts(kind="static"),
            None,
            49_001,
            0,
            True,
            "T-STATIC",
            id="T-STATIC static scale 0% 49001 over",
        ),
        pytest.param(
            SiteFacts(kind="static"),
            None,
            49_000,
            0,
            False,
            "T-STATIC",
            id="T-STATIC static scale 0% 49000 not over",
        ),
        pytest.param(
            SiteFacts(kind="static", tolerance_pct=2.0),
            None,
            50_000,
            1_000,
            False,
            "T-SITE",
            id="T-SITE static site 2% 50000 not over",
        ),
        pytest.param(
            SiteFacts(kind="static"),
            RuleSettings(static_default_pct=1.0),
            49_600,
            496,
            True,
            "T-STATIC",
            id="T-STATIC settings 1% 49600 over",
        ),
    ],
)
def test_static_scale(site, settings, gross, tolerance, over, rule):
    c = weigh(site, gross, settings=settings)
    assert (c.tolerance_kg, c.mass_overlimit, c.tolerance_rule) == (
        tolerance,
        over,
        rule,
    )


ENTRY = SiteFacts(kind="toll_entry")


@pytest.mark.parametrize(
    "gross, when, tolerance, over, rule",
    [
        pytest.param(
            51_450,
            WHEN,
            2_450,
            False,
            "T-ENTRY-105",
            id="T-ENTRY-105 交办公路明电〔2019〕117号 6-axle 51450 = 105% not over",
        ),
        pytest.param(
            51_451,
            WHEN,
            2_450,
            True,
            "T-ENTRY-105",
            id="T-ENTRY-105 交办公路明电〔2019〕117号 6-axle 51451 over",
        ),
        pytest.param(
            51_450,
            datetime(2019, 12, 17, 0, 0, tzinfo=CST),
            2_450,
            False,
            "T-ENTRY-105",
            id="T-ENTRY-105 in force 2019-12-17 00:00 +08",
        ),
        pytest.param(
            49_001,
            datetime(2019, 12, 16, 23, 59, tzinfo=CST),
            0,
            True,
            "T-ENTRY-NONE",
            id="T-ENTRY-105 not yet in force 2019-12-16 → 0",
        ),
    ],
)
def test_toll_entry_105_percent_of_the_limit(gross, when, tolerance, over, rule):
    c = weigh(ENTRY, gross, when=when)
    assert (c.tolerance_kg, c.mass_overlimit, c.tolerance_rule) == (
        tolerance,
        over,
        rule,
    )


def test_toll_entry_rounds_5_percent_of_the_limit_up():
    # L-2AX-LIC limit 16001 kg → 5 % = 800.05 kg → 801 kg (⚖ round up).
    c = weigh(ENTRY, 16_802, axles=2, licence_total_mass_kg=16_001)
    assert (c.limit_kg, c.tolerance_kg, c.mass_overlimit) == (16_001, 801, False)


@pytest.mark.parametrize(
    "site_pct, tolerance, rule",
    [
        pytest.param(
            10.0,
            5_200,
            "T-SITE",
            id="⚖ T-ENTRY-105 vs site 10% of 52000 → greater 5200",
        ),
        pytest.param(
            1.0,
            2_450,
            "T-ENTRY-105",
            id="⚖ T-ENTRY-105 2450 vs site 1% 520 → greater 2450",
        ),
    ],
)
def test_toll_entry_with_site_tolerance_takes_the_greater(site_pct, tolerance, rule):
    c = weigh(SiteFacts(kind="toll_entry", tolerance_pct=site_pct), 52_000)
    assert (c.tolerance_kg, c.tolerance_rule) == (tolerance, rule)
    assert any("取较大者" in n for n in c.notes)


def test_toll_entry_site_tolerance_applies_before_2019_12_17():
    before = datetime(2019, 1, 1, tzinfo=CST)
    c = weigh(SiteFacts(kind="toll_entry", tolerance_pct=2.0), 50_000, when=before)
    assert (c.tolerance_kg, c.tolerance_rule, c.mass_overlimit) == (
        1_000,
        "T-SITE",
        False,
    )


def test_toll_entry_start_date_is_overridable():
    settings = RuleSettings(toll_entry_from=datetime(2025, 1, 1).date())
    assert weigh(ENTRY, 49_001, settings=settings).tolerance_kg == 0


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"static_default_pct": -1.0}, id="negative static deduction"),
        pytest.param({"wim_unknown_class_pct": -5.0}, id="negative unknown-class deduction"),
        pytest.param({"limitation_years": 0}, id="zero limitation period"),
        pytest.param({"calibration_required_kinds": ("scale",)}, id="unknown site kind"),
    ],
)
def test_invalid_settings_are_refused(settings):
    with pytest.raises(ValueError):
        RuleSettings(**settings)


def test_baidunwang_threshold_is_overridable():
    assert weigh(WIM5, 99_000, settings=RuleSettings(baidunwang_kg=99_000)).baidunwang is True
