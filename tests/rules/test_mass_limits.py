"""超限认定 total-mass limits: 62号令 Art 3 ¶1 (四)–(八) and the 2016 认定标准 notes.

Readings are taken at a static site (0 % deduction) so the limit alone decides.
"""

import json
from datetime import datetime, timedelta, timezone

import pytest

from service.rules import ReadingFacts, SiteFacts, classify

CST = timezone(timedelta(hours=8))
WHEN = datetime(2024, 5, 6, 10, 30, tzinfo=CST)
STATIC = SiteFacts(kind="static")
V62 = "62号令@2016-09-21"


# What the officer has found: single-tyre or steel-sprung drive axle, not an articulated
# combination. With these known, each configuration gets its plain Art 3 table value.
PLAIN = {"drive_axle_air_suspension": False, "articulated": False}


def weigh(axles, gross, **facts):
    return classify(
        ReadingFacts(captured_at=WHEN, axle_count=axles, gross_weight_kg=gross, **facts),
        STATIC,
    )


# (rule id, Art 3 ¶1 item, axles, vehicle_type, limit) — straight from the table in §1.1.
TABLE = [
    ("L-2AX", "四", 2, "truck", 18_000),
    ("L-3AX-T", "五", 3, "truck", 25_000),
    ("L-3AX-C", "五", 3, "combination", 27_000),
    ("L-4AX-T", "六", 4, "truck", 31_000),
    ("L-4AX-C", "六", 4, "combination", 36_000),
    ("L-5AX-C", "七", 5, "combination", 43_000),
    ("L-6AX-C", "八", 6, "combination", 49_000),
]


def _boundary_params():
    for rule, item, axles, vtype, limit in TABLE:
        base = f"{rule} 62号令 Art3({item}) {vtype}"
        yield pytest.param(
            rule,
            item,
            axles,
            vtype,
            limit,
            limit,
            False,
            id=f"{base} {limit} at limit not over",
        )
        yield pytest.param(
            rule,
            item,
            axles,
            vtype,
            limit,
            limit + 1,
            True,
            id=f"{base} {limit + 1} over",
        )


@pytest.mark.parametrize("rule, item, axles, vtype, limit, gross, over", list(_boundary_params()))
def test_table_limit_is_strictly_greater(rule, item, axles, vtype, limit, gross, over):
    c = weigh(axles, gross, vehicle_type=vtype, **PLAIN)
    assert (c.limit_kg, c.rule_id, c.rule_version) == (limit, rule, V62)
    assert f"第三条第一款第（{item}）项" in c.article and "交通运输部令2016年第62号" in c.article
    assert (c.mass_overlimit, c.overlimit) == (over, over)
    assert c.overlimit_kg == (1 if over else 0)


@pytest.mark.parametrize(
    "axles, limit, rule, favourable_note",
    [
        pytest.param(2, 18_000, "L-2AX", False, id="L-2AX 62号令 Art3(四) type unknown 18000"),
        pytest.param(
            3,
            27_000,
            "L-3AX-C",
            True,
            id="⚖ L-3AX-C 62号令 Art3(五) type unknown → combination 27000",
        ),
        pytest.param(
            4,
            37_000,
            "L-4AX-ART-37",
            True,
            id="⚖ L-4AX-ART-37 认定标准 type unknown → articulated 37000",
        ),
        pytest.param(5, 43_000, "L-5AX-C", False, id="L-5AX-C 62号令 Art3(七) type unknown 43000"),
        pytest.param(6, 49_000, "L-6AX-C", False, id="L-6AX-C 62号令 Art3(八) type unknown 49000"),
    ],
)
def test_unknown_vehicle_type_takes_the_higher_limit(axles, limit, rule, favourable_note):
    at_limit = weigh(axles, limit)
    assert (at_limit.limit_kg, at_limit.rule_id, at_limit.overlimit) == (
        limit,
        rule,
        False,
    )
    assert weigh(axles, limit + 1).overlimit is True
    assert any("车型未申报" in n for n in at_limit.notes) is favourable_note


@pytest.mark.parametrize(
    "axles, single_drive, gross, limit, rule, over",
    [
        pytest.param(
            6,
            True,
            46_000,
            46_000,
            "L-6AX-C-SD",
            False,
            id="L-6AX-C-SD 62号令 Art3(八) single drive 46000 not over",
        ),
        pytest.param(
            6,
            True,
            46_001,
            46_000,
            "L-6AX-C-SD",
            True,
            id="L-6AX-C-SD 62号令 Art3(八) single drive 46001 over",
        ),
        pytest.param(
            6,
            False,
            49_000,
            49_000,
            "L-6AX-C",
            False,
            id="L-6AX-C 62号令 Art3(八) tandem drive 49000 not over",
        ),
        pytest.param(
            6,
            None,
            49_000,
            49_000,
            "L-6AX-C",
            False,
            id="⚖ L-6AX-C 62号令 Art3(八) drive axle unknown 49000 not over",
        ),
        pytest.param(
            7,
            None,
            49_000,
            49_000,
            "L-6AX-C",
            False,
            id="L-6AX-C 62号令 Art3(八) 7 axles use 6+ row 49000 not over",
        ),
        pytest.param(
            7,
            None,
            49_001,
            49_000,
            "L-6AX-C",
            True,
            id="L-6AX-C 62号令 Art3(八) 7 axles use 6+ row 49001 over",
        ),
        pytest.param(
            8,
            None,
            49_001,
            49_000,
            "L-6AX-C",
            True,
            id="L-6AX-C 62号令 Art3(八) 8 axles use 6+ row 49001 over",
        ),
        pytest.param(
            8,
            True,
            46_001,
            46_000,
            "L-6AX-C-SD",
            True,
            id="L-6AX-C-SD 62号令 Art3(八) 8 axles single drive 46001 over",
        ),
    ],
)
def test_six_plus_axles_and_single_drive_axle(axles, single_drive, gross, limit, rule, over):
    c = weigh(axles, gross, single_drive_axle=single_drive)
    assert (c.limit_kg, c.rule_id, c.overlimit) == (limit, rule, over)
    assert "第三条第一款第（八）项" in c.article


def test_unknown_drive_axle_is_noted_as_favourable():
    c = weigh(6, 48_000, single_drive_axle=None)
    assert any(n.startswith("⚖") and "单轴" in n for n in c.notes)


@pytest.mark.parametrize(
    "axles, vtype, air, gross, limit, rule, over",
    [
        pytest.param(
            3,
            "truck",
            True,
            26_000,
            26_000,
            "L-AIR+1",
            False,
            id="L-AIR+1 认定标准 3-axle truck air 26000 not over",
        ),
        pytest.param(
            3,
            "truck",
            True,
            26_001,
            26_000,
            "L-AIR+1",
            True,
            id="L-AIR+1 认定标准 3-axle truck air 26001 over",
        ),
        pytest.param(
            4,
            "truck",
            True,
            32_000,
            32_000,
            "L-AIR+1",
            False,
            id="L-AIR+1 认定标准 4-axle truck air 32000 not over",
        ),
        pytest.param(
            4,
            "truck",
            True,
            32_001,
            32_000,
            "L-AIR+1",
            True,
            id="L-AIR+1 认定标准 4-axle truck air 32001 over",
        ),
        pytest.param(
            3,
            "truck",
            False,
            25_001,
            25_000,
            "L-3AX-T",
            True,
            id="L-3AX-T 62号令 Art3(五) no air suspension 25001 over",
        ),
        pytest.param(
            3,
            "truck",
            None,
            26_000,
            26_000,
            "L-AIR+1",
            False,
            id="⚖ L-AIR+1 认定标准 air suspension unknown → 26000 not over",
        ),
        pytest.param(
            4,
            "truck",
            None,
            32_001,
            32_000,
            "L-AIR+1",
            True,
            id="⚖ L-AIR+1 认定标准 4-axle truck air suspension unknown → 32000",
        ),
        pytest.param(
            5,
            "combination",
            True,
            43_001,
            43_000,
            "L-5AX-C",
            True,
            id="L-5AX-C 62号令 Art3(七) 5 axles get no L-AIR+1",
        ),
        pytest.param(
            3,
            None,
            True,
            27_000,
            27_000,
            "L-3AX-C",
            False,
            id="⚖ L-3AX-C type unknown beats L-AIR+1 truck 26000",
        ),
    ],
)
def test_air_suspension_raises_three_and_four_axle_trucks(axles, vtype, air, gross, limit, rule, over):
    c = weigh(axles, gross, vehicle_type=vtype, drive_axle_air_suspension=air)
    assert (c.limit_kg, c.rule_id, c.overlimit) == (limit, rule, over)
    if rule == "L-AIR+1":
        assert "认定标准" in c.article and "空气悬架" in c.article


@pytest.mark.parametrize(
    "axles, licence, gross, limit, rule, over",
    [
        pytest.param(
            2,
            16_000,
            16_000,
            16_000,
            "L-2AX-LIC",
            False,
            id="L-2AX-LIC 认定标准 licence 16000 at limit not over",
        ),
        pytest.param(
            2,
            16_000,
            16_001,
            16_000,
            "L-2AX-LIC",
            True,
            id="L-2AX-LIC 认定标准 licence 16000 → 16001 over",
        ),
        pytest.param(
            2,
            20_000,
            18_001,
            18_000,
            "L-2AX",
            True,
            id="L-2AX 62号令 Art3(四) licence 20000 above table → 18000",
        ),
        pytest.param(
            2,
            18_000,
            18_000,
            18_000,
            "L-2AX",
            False,
            id="L-2AX 62号令 Art3(四) licence equal to table 18000",
        ),
        pytest.param(
            3,
            16_000,
            25_000,
            25_000,
            "L-3AX-T",
            False,
            id="L-3AX-T 62号令 Art3(五) licence cap is 2-axle only",
        ),
    ],
)
def test_two_axle_licence_mass_caps_the_limit(axles, licence, gross, limit, rule, over):
    c = weigh(axles, gross, vehicle_type="truck", licence_total_mass_kg=licence, **PLAIN)
    assert (c.limit_kg, c.rule_id, c.overlimit) == (limit, rule, over)


@pytest.mark.parametrize(
    "gross, flag",
    [
        pytest.param(99_999, False, id="百吨王 §5.4 99999 kg not 百吨王"),
        pytest.param(100_000, True, id="百吨王 §5.4 100000 kg inclusive"),
        pytest.param(100_000.5, True, id="百吨王 §5.4 above 100 t"),
    ],
)
def test_baidunwang_threshold_is_inclusive(gross, flag):
    assert weigh(6, gross).baidunwang is flag


@pytest.mark.parametrize(
    "axles, gross, pct, excess",
    [
        pytest.param(
            6,
            106_180,
            116.69,
            57_180,
            id="超限率 §1.5 Jiangsu 106.18 t 6-axle → 116.69%",
        ),
        pytest.param(6, 52_000, 6.12, 3_000, id="超限率 §1.5 52000 vs 49000 → 6.12%"),
        pytest.param(
            6,
            51_453,
            5.0,
            2_453,
            id="⚖ 超限率 §1.5 5.0061% truncated to 5.00 not rounded up",
        ),
        pytest.param(6, 98_000, 100.0, 49_000, id="超限率 §1.5 double the limit → 100%"),
        pytest.param(6, 49_000, 0.0, 0, id="超限率 §1.5 at limit → 0"),
        pytest.param(6, 30_000, 0.0, 0, id="超限量 §1.5 under limit → 0 not negative"),
        pytest.param(6, 49_000.5, 0.0, 0.5, id="超限量 §1.5 fractional kg kept"),
    ],
)
def test_overlimit_mass_and_rate(axles, gross, pct, excess):
    c = weigh(axles, gross)
    assert c.overlimit_pct == pct
    assert c.overlimit_kg == excess


def test_every_decision_cites_rule_article_and_version_and_is_json_ready():
    c = weigh(3, 30_000, vehicle_type="truck", height_mm=4_100, **PLAIN)
    data = json.loads(json.dumps(c.to_dict(), ensure_ascii=False))
    assert data["rule_id"] == "L-3AX-T" and data["rule_version"] == V62
    assert data["tolerance_rule"] == "T-STATIC" and data["tolerance_basis"]
    assert data["dimension_findings"][0]["rule_id"] == "L-H"
    assert data["overlimit_kg"] == 5_000 and data["overlimit"] is True


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param({"axle_count": 1}, id="one axle has no Art 3 row"),
        pytest.param({"gross_weight_kg": -1}, id="negative gross"),
        pytest.param({"vehicle_type": "bus"}, id="unknown vehicle_type"),
        pytest.param({"captured_at": datetime(2024, 5, 6, 10, 30)}, id="naive captured_at"),
        pytest.param({"licence_total_mass_kg": 0}, id="licence mass zero"),
    ],
)
def test_facts_the_law_cannot_be_applied_to_are_refused(facts):
    base = {"captured_at": WHEN, "axle_count": 2, "gross_weight_kg": 10_000}
    with pytest.raises(ValueError):
        ReadingFacts(**{**base, **facts})


@pytest.mark.parametrize(
    "facts, gross, limit, rule, over",
    [
        pytest.param(
            {
                "vehicle_type": "combination",
                "articulated": True,
                "drive_axle_air_suspension": True,
                "axle_spacing_mm": 1_800,
            },
            37_000,
            37_000,
            "L-4AX-ART-37",
            False,
            id="L-4AX-ART-37 认定标准 d 1800 → 37000 not over",
        ),
        pytest.param(
            {
                "vehicle_type": "combination",
                "articulated": True,
                "drive_axle_air_suspension": True,
                "axle_spacing_mm": 1_800,
            },
            37_001,
            37_000,
            "L-4AX-ART-37",
            True,
            id="L-4AX-ART-37 认定标准 37001 over",
        ),
        pytest.param(
            {
                "vehicle_type": "combination",
                "articulated": True,
                "drive_axle_air_suspension": True,
                "axle_spacing_mm": 1_799,
            },
            36_001,
            36_000,
            "L-4AX-C",
            True,
            id="L-4AX-C 62号令 Art3(六) d 1799 → 36000",
        ),
        pytest.param(
            {
                "vehicle_type": "combination",
                "articulated": True,
                "drive_axle_air_suspension": False,
                "axle_spacing_mm": 2_000,
            },
            36_001,
            36_000,
            "L-4AX-C",
            True,
            id="L-4AX-C 62号令 Art3(六) no air suspension → 36000",
        ),
        pytest.param(
            {"vehicle_type": "combination", "articulated": False},
            36_001,
            36_000,
            "L-4AX-C",
            True,
            id="L-4AX-C 62号令 Art3(六) drawbar train → 36000",
        ),
        pytest.param(
            {"vehicle_type": "combination"},
            37_000,
            37_000,
            "L-4AX-ART-37",
            False,
            id="⚖ L-4AX-ART-37 认定标准 configuration unknown → 37000",
        ),
    ],
)
def test_four_axle_articulated_combination_gets_37_t(facts, gross, limit, rule, over):
    c = weigh(4, gross, **facts)
    assert (c.limit_kg, c.rule_id, c.overlimit) == (limit, rule, over)
    if rule == "L-4AX-ART-37":
        assert "认定标准" in c.article and "1800" in c.article
        assert any("未查明" in n for n in c.notes) is (len(facts) == 1)


@pytest.mark.parametrize(
    "axles, vtype",
    [
        pytest.param(3, "truck", id="⚖ 3-axle truck"),
        pytest.param(4, "truck", id="⚖ 4-axle truck"),
        pytest.param(4, "combination", id="⚖ 4-axle combination"),
        pytest.param(4, None, id="⚖ 4 axles type unknown"),
        pytest.param(3, None, id="⚖ 3 axles type unknown"),
        pytest.param(6, None, id="⚖ 6 axles drive axle unknown"),
    ],
)
def test_an_unknown_fact_never_gives_a_lower_limit_than_any_finding_of_it(axles, vtype):
    """Consistency of the ⚖ reading: the limit with facts unknown is the highest any finding
    of them could give (domain-rules §1.1, §1.4; the unknown favours the party)."""
    unknown = weigh(axles, 1, vehicle_type=vtype).limit_kg
    findings = [
        weigh(
            axles,
            1,
            vehicle_type=t,
            drive_axle_air_suspension=air,
            articulated=art,
            axle_spacing_mm=d,
            single_drive_axle=sd,
        ).limit_kg
        for t in ((vtype,) if vtype else ("truck", "combination"))
        for air in (True, False)
        for art in (True, False)
        for d in (1_500, 2_000)
        for sd in (True, False)
    ]
    assert unknown == max(findings)
