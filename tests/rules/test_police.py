"""Police side (domain-rules §5): 道路交通安全法 Art 92 fines and detention, 记分 by version.

Test vehicle: 行驶证 total mass 18 000 kg, 核定载质量 10 000 kg, 最大允许总质量 18 000 kg.
Art 92 %: (gross − 18 000) / 10 000; 2022 points %: (gross − 18 000) / 18 000.
"""

from datetime import date

import pytest

from service.rules import RuleSettings, police_assessment

NEW = date(2024, 5, 6)
OLD = date(2022, 3, 31)
FIGURES = {"rated_load_kg": 10_000, "licence_total_mass_kg": 18_000, "max_total_mass_kg": 18_000}


def assess(gross, act_date=NEW, settings=None, **figures):
    figures = {**FIGURES, **figures}
    if settings is None:
        return police_assessment(gross, act_date=act_date, **figures)
    return police_assessment(gross, act_date=act_date, settings=settings, **figures)


@pytest.mark.parametrize(
    "gross, rule_id, band",
    [
        pytest.param(18_000, None, None, id="Art92 at the licence figure → no fine"),
        pytest.param(18_001, "P-FINE-1", (200, 500), id="P-FINE-1 Art92¶2 超过核定载质量 → 200–500"),
        pytest.param(21_000, "P-FINE-1", (200, 500), id="⚖ P-FINE-1 Art92¶2 exactly 30 % is not 超过30% → 200–500"),
        pytest.param(21_001, "P-FINE-2", (500, 2_000), id="P-FINE-2 Art92¶2 超过核定载质量百分之三十 → 500–2000"),
    ],
)
def test_art_92_fine_bands(gross, rule_id, band):
    result = assess(gross)
    assert result.fine.rule_id == rule_id
    assert (result.fine.min_yuan, result.fine.max_yuan) == (band or (None, None))
    assert result.fine.status == ("fine" if rule_id else "not_over")
    # P-DETAIN Art92¶3: either fine band means the vehicle is held until unloaded
    assert result.detain is (rule_id is not None)
    assert result.detain_rule_id == ("P-DETAIN" if rule_id else "")
    if rule_id:
        assert "第九十二条" in result.fine.article
        assert "扣留机动车至违法状态消除" in result.detain_article


@pytest.mark.parametrize(
    "gross, rule_id, points",
    [
        pytest.param(18_000, None, 0, id="记分办法 2022 not over → 0"),
        pytest.param(23_399, "P-PTS-1", 1, id="P-PTS-1 记分办法 Art12(六) 29.99 % → 1"),
        pytest.param(23_400, "P-PTS-3", 3, id="⚖ P-PTS-3 记分办法 Art11(九) exactly 30 % 以上 → 3"),
        pytest.param(26_999, "P-PTS-3", 3, id="P-PTS-3 记分办法 Art11(九) 49.99 % 未达到50% → 3"),
        pytest.param(27_000, "P-PTS-6", 6, id="⚖ P-PTS-6 记分办法 Art10(四) exactly 50 % 以上 → 6"),
    ],
)
def test_points_from_2022_04_01(gross, rule_id, points):
    result = assess(gross)
    assert (result.points.rule_id, result.points.points) == (rule_id, points)
    assert result.points.rule_version == "记分办法@2022-04-01"
    assert result.points.base == "max_total_mass"


def test_exactly_30_percent_both_ways():
    """§5.2 ⚖: at exactly 30 % the points rule gives 3 but the fine stays 200–500."""
    both = assess(13_000, rated_load_kg=10_000, licence_total_mass_kg=10_000, max_total_mass_kg=10_000)
    assert (both.fine.rule_id, both.fine.over_pct) == ("P-FINE-1", 30.0)
    assert (both.points.points, both.points.over_pct) == (3, 30.0)


@pytest.mark.parametrize(
    "gross, act_date, rule_id, points, version",
    [
        pytest.param(
            20_999, OLD, "P-PTS-OLD-3", 3, "记分分值(公安部令第123号)@2013-01-01", id="pre-2022 核定载质量 <30 % → 3"
        ),
        pytest.param(
            21_000, OLD, "P-PTS-OLD-6", 6, "记分分值(公安部令第123号)@2013-01-01", id="⚖ pre-2022 exactly 30 % 以上 → 6"
        ),
        pytest.param(
            21_000, date(2022, 4, 1), "P-PTS-1", 1, "记分办法@2022-04-01", id="记分办法 2022-04-01 same load → 1"
        ),
    ],
)
def test_points_version_by_act_date(gross, act_date, rule_id, points, version):
    result = assess(gross, act_date=act_date)
    assert (result.points.rule_id, result.points.points, result.points.rule_version) == (rule_id, points, version)


def test_later_lighter_points_table_applies_when_decided_after_2022():
    """⚖ 行政处罚法 Art 37 by analogy: act on 2022-03-31 (6 points), decided 2022-04-15 (1 point)."""
    as_of_act = assess(21_000, act_date=OLD)
    decided_later = police_assessment(21_000, **FIGURES, act_date=OLD, decided_on=date(2022, 4, 15))
    assert as_of_act.points.points == 6 and as_of_act.notes == ()
    assert (decided_later.points.points, decided_later.points.rule_id) == (1, "P-PTS-1")
    assert any("第三十七条" in note for note in decided_later.notes)


def test_later_table_not_lighter_keeps_the_act_time_table():
    """90 % over the 核定载质量 (old: 6) and 50 % over the 最大允许总质量 (new: 6): no change."""
    result = police_assessment(27_000, **FIGURES, act_date=OLD, decided_on=date(2022, 4, 15))
    assert (result.points.rule_id, result.points.points, result.notes) == ("P-PTS-OLD-6", 6, ())


def test_fine_before_the_road_traffic_safety_law_cannot_be_assessed():
    result = assess(25_000, act_date=date(2004, 4, 30))
    assert (result.fine.status, result.fine.min_yuan, result.detain) == ("cannot_assess", None, False)
    assert assess(25_000, act_date=date(2004, 5, 1)).fine.rule_id == "P-FINE-2"


def test_points_before_the_configured_old_table_cannot_be_assessed():
    result = assess(21_000, act_date=date(2012, 12, 31))
    assert result.points.status == "cannot_assess" and result.points.points is None
    assert result.fine.rule_id == "P-FINE-1"  # Art 92 has applied since 2004-05-01


@pytest.mark.parametrize(
    "missing, fine_status, points_status, reason_in",
    [
        pytest.param(
            {"licence_total_mass_kg": None},
            "cannot_assess",
            "points",
            "行驶证总质量",
            id="no 行驶证 total → fine unassessed",
        ),
        pytest.param(
            {"rated_load_kg": None}, "cannot_assess", "points", "核定载质量", id="no 核定载质量 → fine unassessed"
        ),
        pytest.param(
            {"max_total_mass_kg": None},
            "fine",
            "cannot_assess",
            "最大允许总质量",
            id="no 最大允许总质量 → points unassessed",
        ),
    ],
)
def test_missing_licence_figures_are_not_guessed(missing, fine_status, points_status, reason_in):
    result = assess(25_000, **missing)
    assert (result.fine.status, result.points.status) == (fine_status, points_status)
    unassessed = result.fine if fine_status == "cannot_assess" else result.points
    assert reason_in in unassessed.reason
    assert result.assessable is False
    assert result.detain is (fine_status == "fine")
    assert result.to_dict()["assessable"] is False


@pytest.mark.parametrize(
    "settings, gross, fine_rule, points",
    [
        pytest.param(
            RuleSettings(police_fine_base="licence_total_mass"),
            24_000,
            "P-FINE-2",
            3,
            id="§13.3 fine % of 行驶证总质量: 6000/18000 = 33 % → P-FINE-2",
        ),
        pytest.param(
            RuleSettings(police_fine_base="licence_total_mass"),
            23_000,
            "P-FINE-1",
            1,
            id="§13.3 fine % of 行驶证总质量: 5000/18000 = 27 % → P-FINE-1",
        ),
        pytest.param(
            RuleSettings(police_points_base="licence_total_mass"),
            27_000,
            "P-FINE-2",
            6,
            id="§13.3 points % of 行驶证总质量 (no 最大允许总质量 needed)",
        ),
    ],
)
def test_denominators_are_settings(settings, gross, fine_rule, points):
    figures = {"max_total_mass_kg": None} if settings.police_points_base == "licence_total_mass" else {}
    result = assess(gross, settings=settings, **figures)
    assert (result.fine.rule_id, result.points.points) == (fine_rule, points)


def test_hundred_tonne_six_axle_is_six_points():
    """§5.4: a 百吨王 is always ≥ 50 % over → 6 points and detention."""
    result = police_assessment(
        100_000, rated_load_kg=31_000, licence_total_mass_kg=49_000, max_total_mass_kg=49_000, act_date=NEW
    )
    assert (result.fine.rule_id, result.points.points, result.detain) == ("P-FINE-2", 6, True)


def test_invalid_inputs_and_settings_are_refused():
    with pytest.raises(ValueError):
        police_assessment(-1, act_date=NEW)
    with pytest.raises(ValueError):
        police_assessment(20_000, rated_load_kg=0, act_date=NEW)
    with pytest.raises(ValueError, match="police_fine_base"):
        RuleSettings(police_fine_base="curb_mass")
    with pytest.raises(ValueError, match="police_points_base"):
        RuleSettings(police_points_base="rated_load")
