"""Transport-side fines: 62号令 Art 43 (domain-rules §2.1) and 行政处罚法 Art 32/33/38/51."""

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from service.rules import (
    NoRuleInForce,
    ReadingFacts,
    RuleSettings,
    SiteFacts,
    check_decision,
    classify,
    propose_penalty,
    simple_procedure_allowed,
)

CST = timezone(timedelta(hours=8))
ACT = date(2024, 5, 6)
CEIL = RuleSettings(fine_rounding="ceil")


def propose(excess_kg, settings=None, **dims):
    if settings is None:
        return propose_penalty(excess_kg, act_date=ACT, **dims)
    return propose_penalty(excess_kg, act_date=ACT, settings=settings, **dims)


def summary(proposal):
    return (proposal.kind, proposal.min_yuan, proposal.max_yuan, proposal.proposed_yuan)


@pytest.mark.parametrize(
    "excess, expected, rule_ids",
    [
        pytest.param(0, ("none", 0, 0, 0), [], id="not over 0 kg → no penalty"),
        pytest.param(-300, ("none", 0, 0, 0), [], id="under the limit → no penalty"),
        pytest.param(1, ("warning", 0, 0, 0), ["F-MASS-WARN"], id="F-MASS-WARN 62号令 Art43(二) 1 kg → 警告"),
        pytest.param(
            1_000,
            ("warning", 0, 0, 0),
            ["F-MASS-WARN"],
            id="F-MASS-WARN 62号令 Art43(二) 1000 kg 未超过1000千克 → 警告",
        ),
        pytest.param(1_001, ("fine", 500, 500, 500), ["F-MASS"], id="F-MASS 62号令 Art43(二) 1001 kg → 500"),
        pytest.param(1_999, ("fine", 500, 500, 500), ["F-MASS"], id="F-MASS 62号令 Art43(二) 1999 kg floor → 500"),
        pytest.param(2_000, ("fine", 1_000, 1_000, 1_000), ["F-MASS"], id="F-MASS 62号令 Art43(二) 2000 kg → 1000"),
        pytest.param(
            2_000.0000001, ("fine", 1_000, 1_000, 1_000), ["F-MASS"], id="F-MASS 2000.0000001 kg no float slip → 1000"
        ),
        pytest.param(
            51_000, ("fine", 25_500, 25_500, 25_500), ["F-MASS"], id="F-MASS 62号令 Art43(二) 51000 kg → 25500"
        ),
        pytest.param(
            59_999, ("fine", 29_500, 29_500, 29_500), ["F-MASS"], id="F-MASS 62号令 Art43(二) 59999 kg → 29500"
        ),
        pytest.param(
            60_000, ("fine", 30_000, 30_000, 30_000), ["F-MASS"], id="F-MASS 62号令 Art43(二) 60000 kg → cap 30000"
        ),
        pytest.param(
            61_000,
            ("fine", 30_000, 30_000, 30_000),
            ["F-MASS"],
            id="F-MASS 62号令 Art43(二) 最高不得超过30000元 61000 kg → 30000",
        ),
    ],
)
def test_mass_fine_floor_reading(excess, expected, rule_ids):
    proposal = propose(excess)
    assert summary(proposal) == expected
    assert [item.rule_id for item in proposal.items] == rule_ids
    # The item's own amount is the tier (capped by F-MASS itself, not only by F-SUM).
    assert [(item.min_yuan, item.max_yuan) for item in proposal.items] == [expected[1:3]] * len(rule_ids)
    assert proposal.rounding == "floor"
    assert proposal.rule_version == "62号令@2016-09-21"


@pytest.mark.parametrize(
    "excess, fine",
    [
        pytest.param(1_000, 0, id="F-MASS-WARN ceil 1000 kg still 警告"),
        pytest.param(1_001, 1_000, id="F-MASS §13.1 ceil 1001 kg → 1000"),
        pytest.param(1_999, 1_000, id="F-MASS §13.1 ceil 1999 kg → 1000"),
        pytest.param(2_000, 1_000, id="F-MASS §13.1 ceil 2000 kg → 1000"),
        pytest.param(2_001, 1_500, id="F-MASS §13.1 ceil 2001 kg → 1500"),
        pytest.param(59_001, 30_000, id="F-MASS §13.1 ceil 59001 kg → cap 30000"),
    ],
)
def test_mass_fine_ceil_setting(excess, fine):
    proposal = propose(excess, CEIL)
    assert proposal.proposed_yuan == fine
    assert proposal.rounding == "ceil"


def test_hundred_tonne_six_axle_is_51_t_over_and_fined_25500():
    """§5.4: a 6-axle truck at 100 t is 51 t over the 49 t limit → 25 500 yuan (floor)."""
    when = datetime(2024, 5, 6, 10, 30, tzinfo=CST)
    reading = ReadingFacts(captured_at=when, axle_count=6, gross_weight_kg=100_000, vehicle_type="combination")
    excess = classify(reading, SiteFacts(kind="static")).overlimit_kg
    proposal = propose_penalty(excess, act_date=when.date())
    assert excess == 51_000
    assert (proposal.kind, proposal.proposed_yuan) == ("fine", 25_500)
    assert "51 个1000千克" in proposal.items[0].basis_text


def test_mass_fine_cites_article_and_records_reading():
    proposal = propose(1_999)
    item = proposal.items[0]
    assert "第四十三条" in item.article and "每超1000千克罚款500元" in item.article
    assert any("floor" in note and "UNCONFIRMED" in note for note in proposal.notes)
    as_json = json.loads(json.dumps(proposal.to_dict(), ensure_ascii=False))
    assert as_json["items"][0]["rule_id"] == "F-MASS"
    assert as_json["rounding"] == "floor"


@pytest.mark.parametrize(
    "dims, rule_id, band",
    [
        pytest.param({"height_mm": 4_200}, "F-DIM-1", (0, 200), id="F-DIM-1 Art43(一) height 4.2 m 未超过 → ≤200"),
        pytest.param({"height_mm": 4_201}, "F-DIM-2", (200, 1_000), id="F-DIM-2 Art43(一) height 4.201 m → 200–1000"),
        pytest.param({"height_mm": 4_500}, "F-DIM-2", (200, 1_000), id="F-DIM-2 Art43(一) height 4.5 m → 200–1000"),
        pytest.param(
            {"height_mm": 4_501}, "F-DIM-3", (1_000, 3_000), id="F-DIM-3 Art43(一) height 4.501 m → 1000–3000"
        ),
        pytest.param({"width_mm": 3_000}, "F-DIM-1", (0, 200), id="F-DIM-1 Art43(一) width 3 m → ≤200"),
        pytest.param({"width_mm": 3_001}, "F-DIM-2", (200, 1_000), id="F-DIM-2 Art43(一) width 3.001 m → 200–1000"),
        pytest.param({"width_mm": 3_750}, "F-DIM-2", (200, 1_000), id="F-DIM-2 Art43(一) width 3.75 m → 200–1000"),
        pytest.param({"width_mm": 3_751}, "F-DIM-3", (1_000, 3_000), id="F-DIM-3 Art43(一) width 3.751 m → 1000–3000"),
        pytest.param({"length_mm": 20_000}, "F-DIM-1", (0, 200), id="F-DIM-1 Art43(一) length 20 m → ≤200"),
        pytest.param({"length_mm": 20_001}, "F-DIM-2", (200, 1_000), id="F-DIM-2 Art43(一) length 20.001 m → 200–1000"),
        pytest.param({"length_mm": 28_000}, "F-DIM-2", (200, 1_000), id="F-DIM-2 Art43(一) length 28 m → 200–1000"),
        pytest.param(
            {"length_mm": 28_001}, "F-DIM-3", (1_000, 3_000), id="F-DIM-3 Art43(一) length 28.001 m → 1000–3000"
        ),
        pytest.param(
            {"height_mm": 4_100, "width_mm": 3_100, "length_mm": 19_000},
            "F-DIM-2",
            (200, 1_000),
            id="F-DIM-1 needs all three (且): width 3.1 m alone → F-DIM-2",
        ),
        pytest.param(
            {"height_mm": 4_400, "width_mm": 2_600, "length_mm": 28_500},
            "F-DIM-3",
            (1_000, 3_000),
            id="F-DIM-3 any one (或者): length 28.5 m → F-DIM-3",
        ),
        pytest.param({}, "F-DIM-1", (0, 200), id="⚖ F-DIM unmeasured dimensions → lowest band"),
    ],
)
def test_dimension_bands(dims, rule_id, band):
    proposal = propose(0, dimension_over=True, **dims)
    assert [item.rule_id for item in proposal.items] == [rule_id]
    assert (proposal.min_yuan, proposal.max_yuan) == band
    assert proposal.proposed_yuan == band[0]  # ⚖ the band's lower bound
    assert proposal.kind == ("none" if band[0] == 0 else "fine")
    assert "第四十三条第一款第（一）项" in proposal.items[0].article


def test_dimension_f_dim_1_is_a_may_fine():
    proposal = propose(0, dimension_over=True, height_mm=4_100)
    assert "可以处200元以下罚款" in proposal.items[0].article
    assert any("F-DIM-1" in note for note in proposal.notes)


def test_dimension_measurement_beyond_f_dim_1_without_finding_is_refused():
    with pytest.raises(ValueError, match="dimension_over"):
        propose(0, height_mm=4_300)


def test_dimensions_ignored_when_not_over():
    assert propose(0, height_mm=3_900, width_mm=2_500, length_mm=18_000).items == ()


@pytest.mark.parametrize(
    "excess, dims, expected, capped",
    [
        pytest.param(
            20_000,
            {"height_mm": 4_300},
            ("fine", 10_200, 11_000, 10_200),
            False,
            id="F-SUM Art43¶2 F-MASS 10000 + F-DIM-2 200–1000 → 10200–11000",
        ),
        pytest.param(
            59_000,
            {"height_mm": 4_600},
            ("fine", 30_000, 30_000, 30_000),
            True,
            id="F-SUM Art43¶2 累计最高不得超过30000元 29500 + F-DIM-3 → 30000",
        ),
        pytest.param(
            55_000,
            {"width_mm": 3_800},
            ("fine", 28_500, 30_000, 28_500),
            True,
            id="F-SUM Art43¶2 27500 + F-DIM-3 1000–3000 → 28500–30000",
        ),
        pytest.param(
            800,
            {"height_mm": 4_100},
            ("warning", 0, 200, 0),
            False,
            id="F-MASS-WARN + F-DIM-1 → 警告, fine up to 200 lawful",
        ),
        pytest.param(
            800,
            {"height_mm": 4_300},
            ("fine", 200, 1_000, 200),
            False,
            id="F-MASS-WARN + F-DIM-2 → fine 200–1000",
        ),
    ],
)
def test_fines_add_up_capped_at_30000(excess, dims, expected, capped):
    proposal = propose(excess, dimension_over=True, **dims)
    assert summary(proposal) == expected
    assert any(note.startswith("F-SUM") and "第四十三条第二款" in note for note in proposal.notes) is capped


def test_act_before_62_is_not_implemented():
    with pytest.raises(NoRuleInForce):
        propose_penalty(5_000, act_date=date(2016, 9, 20))


def test_fine_rounding_setting_is_validated():
    with pytest.raises(ValueError, match="fine_rounding"):
        RuleSettings(fine_rounding="round")


FINE_25500 = propose(51_000)
WARN_800 = propose(800)
DIM_2 = propose(0, dimension_over=True, height_mm=4_300)
DIM_1 = propose(0, dimension_over=True, height_mm=4_100)
SUM_CAP = propose(59_000, dimension_over=True, height_mm=4_600)
NOT_OVER = propose(0)


@pytest.mark.parametrize(
    "proposal, kind, amount, reason, refusal",
    [
        pytest.param(FINE_25500, "fine", 25_500, None, None, id="F-MASS exact tier 25500 stands"),
        pytest.param(FINE_25500, "fine", 26_000, None, "超过法定上限 25500", id="F-MASS 26000 above tier refused"),
        pytest.param(FINE_25500, "fine", 25_000, None, "第三十二条", id="F-MASS 25000 below without reason refused"),
        pytest.param(FINE_25500, "fine", 25_000, "主动卸载，减轻处罚", None, id="行政处罚法 Art32 below with reason"),
        pytest.param(FINE_25500, "warning", 0, None, "低于法定处罚幅度", id="F-MASS 警告 instead of fine needs reason"),
        pytest.param(FINE_25500, "warning", 0, "   ", "低于法定处罚幅度", id="F-MASS blank reason is no reason"),
        pytest.param(FINE_25500, "none", 0, "初次违法、及时改正", None, id="行政处罚法 Art33 不予处罚 with reason"),
        pytest.param(WARN_800, "warning", 0, None, None, id="F-MASS-WARN 警告 stands"),
        pytest.param(WARN_800, "fine", 100, None, "只能予以警告", id="F-MASS-WARN ≤1000 kg fine refused"),
        pytest.param(WARN_800, "fine", 100, "理由", "只能予以警告", id="F-MASS-WARN fine refused even with reason"),
        pytest.param(WARN_800, "none", 0, None, "第三十三条", id="F-MASS-WARN no penalty needs Art33 reason"),
        pytest.param(DIM_2, "fine", 200, None, None, id="F-DIM-2 200 lower bound stands"),
        pytest.param(DIM_2, "fine", 1_000, None, None, id="F-DIM-2 1000 upper bound stands"),
        pytest.param(DIM_2, "fine", 1_001, None, "超过法定上限 1000", id="F-DIM-2 1001 refused"),
        pytest.param(DIM_2, "fine", 199, None, "最低为罚款 200 元", id="F-DIM-2 199 without reason refused"),
        pytest.param(DIM_1, "none", 0, None, None, id="F-DIM-1 可以: no fine stands"),
        pytest.param(DIM_1, "warning", 0, None, None, id="F-DIM-1 警告 within band"),
        pytest.param(DIM_1, "fine", 201, None, "超过法定上限 200", id="F-DIM-1 201 refused"),
        pytest.param(SUM_CAP, "fine", 30_000, None, None, id="F-SUM 30000 stands"),
        pytest.param(SUM_CAP, "fine", 30_001, None, "第四十三条第二款", id="F-SUM Art43¶2 30001 refused"),
        pytest.param(NOT_OVER, "fine", 100, None, "第三十八条", id="行政处罚法 Art38 no violation → fine refused"),
        pytest.param(NOT_OVER, "warning", 0, None, "第三十八条", id="行政处罚法 Art38 no violation → 警告 refused"),
        pytest.param(NOT_OVER, "none", 0, None, None, id="no violation → no penalty stands"),
        pytest.param(FINE_25500, "fine", 0, None, "大于 0 元", id="a fine of 0 yuan is refused"),
        pytest.param(WARN_800, "warning", 100, None, "不得载明罚款金额", id="警告 with an amount is refused"),
    ],
)
def test_check_decision(proposal, kind, amount, reason, refusal):
    errors = check_decision(proposal, kind, amount, reason=reason)
    if refusal is None:
        assert errors == []
    else:
        assert len(errors) == 1 and refusal in errors[0]


def test_check_decision_rejects_unknown_kind():
    with pytest.raises(ValueError):
        check_decision(FINE_25500, "revoke", 0)


@pytest.mark.parametrize(
    "kind, amount, organisation, allowed",
    [
        pytest.param("warning", 0, False, True, id="行政处罚法 Art51 警告 on the spot"),
        pytest.param("fine", 200, False, True, id="行政处罚法 Art51 citizen 200 (二百元以下) on the spot"),
        pytest.param("fine", 201, False, False, id="行政处罚法 Art51 citizen 201 → ordinary procedure"),
        pytest.param("fine", 3_000, True, True, id="行政处罚法 Art51 organisation 3000 (三千元以下) on the spot"),
        pytest.param("fine", 3_001, True, False, id="行政处罚法 Art51 organisation 3001 → ordinary procedure"),
        pytest.param("fine", 500, False, False, id="行政处罚法 Art51 F-MASS 500 citizen → ordinary procedure"),
        pytest.param("none", 0, False, False, id="no penalty is no simple-procedure decision"),
        pytest.param("fine", 0, True, False, id="a fine of 0 is not a decision"),
    ],
)
def test_simple_procedure_threshold(kind, amount, organisation, allowed):
    assert simple_procedure_allowed(kind, amount, organisation) is allowed
