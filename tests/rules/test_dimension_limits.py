"""Outline dimensions: 62号令 Art 3 ¶1 (一) height > 4 m, (二) width > 2.55 m, (三) length > 18.1 m."""

from datetime import datetime, timedelta, timezone

import pytest

from service.rules import ReadingFacts, SiteFacts, classify

WHEN = datetime(2024, 5, 6, 10, 30, tzinfo=timezone(timedelta(hours=8)))


def measure(**dims):
    reading = ReadingFacts(captured_at=WHEN, axle_count=6, gross_weight_kg=30_000, **dims)
    return classify(reading, SiteFacts(kind="static"))


@pytest.mark.parametrize(
    "dims, over, rule, item",
    [
        pytest.param(
            {"height_mm": 4_000},
            [],
            "L-H",
            "一",
            id="L-H 62号令 Art3(一) height 4000 not over",
        ),
        pytest.param(
            {"height_mm": 4_001},
            ["height"],
            "L-H",
            "一",
            id="L-H 62号令 Art3(一) height 4001 over",
        ),
        pytest.param(
            {"width_mm": 2_550},
            [],
            "L-W",
            "二",
            id="L-W 62号令 Art3(二) width 2550 not over",
        ),
        pytest.param(
            {"width_mm": 2_551},
            ["width"],
            "L-W",
            "二",
            id="L-W 62号令 Art3(二) width 2551 over",
        ),
        pytest.param(
            {"length_mm": 18_100},
            [],
            "L-L",
            "三",
            id="L-L 62号令 Art3(三) length 18100 not over",
        ),
        pytest.param(
            {"length_mm": 18_101},
            ["length"],
            "L-L",
            "三",
            id="L-L 62号令 Art3(三) length 18101 over",
        ),
    ],
)
def test_each_dimension_is_over_only_when_strictly_greater(dims, over, rule, item):
    c = measure(**dims)
    assert c.dimension_overlimit == over
    assert c.overlimit is bool(over)  # the mass (30 t on 6 axles) is well under 49 t
    assert c.mass_overlimit is False
    if over:
        (finding,) = c.dimension_findings
        assert finding.rule_id == rule and f"第（{item}）项" in finding.article
        assert finding.rule_version == "62号令@2016-09-21"


def test_all_three_over_are_listed_height_width_length():
    c = measure(length_mm=20_000, width_mm=3_000, height_mm=4_500)
    assert c.dimension_overlimit == ["height", "width", "length"]
    assert [f.rule_id for f in c.dimension_findings] == ["L-H", "L-W", "L-L"]


def test_unmeasured_dimensions_are_never_presumed_over():
    c = measure()
    assert c.dimension_overlimit == [] and c.overlimit is False
