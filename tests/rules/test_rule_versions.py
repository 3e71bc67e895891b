"""Rule versions keyed on the act's date (行政处罚法 Art 37; domain-rules §12)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from service.rules import VERSIONS, NoRuleInForce, ReadingFacts, SiteFacts, classify

CST = timezone(timedelta(hours=8))
STATIC = SiteFacts(kind="static")
V62 = VERSIONS[0]


def reading(when, gross=49_001, **facts):
    return ReadingFacts(captured_at=when, axle_count=6, gross_weight_kg=gross, **facts)


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(
            datetime(2016, 9, 20, 23, 59, 59, tzinfo=CST),
            id="62号令@2016-09-21 not yet in force 2016-09-20 23:59:59 +08",
        ),
        pytest.param(
            datetime(2016, 9, 20, 15, 59, tzinfo=UTC),
            id="62号令@2016-09-21 UTC 15:59 is still 09-20 in Beijing",
        ),
        pytest.param(
            datetime(2010, 1, 1, tzinfo=CST),
            id="62号令@2016-09-21 earlier (2000号令 era) not implemented",
        ),
    ],
)
def test_acts_before_the_earliest_version_are_refused_naming_the_date(when):
    with pytest.raises(NoRuleInForce) as caught:
        classify(reading(when), STATIC)
    local = when.astimezone(CST).date().isoformat()
    assert local in str(caught.value) and "2016-09-21" in str(caught.value)


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(
            datetime(2016, 9, 21, 0, 0, tzinfo=CST),
            id="62号令@2016-09-21 in force from 00:00 Beijing",
        ),
        pytest.param(
            datetime(2016, 9, 20, 16, 0, tzinfo=UTC),
            id="62号令@2016-09-21 UTC 16:00 is 09-21 in Beijing",
        ),
    ],
)
def test_first_day_of_62_is_classified(when):
    c = classify(reading(when), STATIC)
    assert (c.rule_version, c.limit_kg, c.overlimit) == (
        "62号令@2016-09-21",
        49_000,
        True,
    )


def _later(key, start, six_axle_kg=None, height_mm=None):
    """A hypothetical later version: 62号令's data with one value changed."""
    rows = tuple(
        replace(r, limit_kg=six_axle_kg) if six_axle_kg and r.rule_id == "L-6AX-C" else r for r in V62.mass_rows
    )
    dims = tuple(replace(d, limit_mm=height_mm) if height_mm and d.axis == "height" else d for d in V62.dimension_rows)
    return replace(V62, key=key, in_force_from=start, mass_rows=rows, dimension_rows=dims)


ACT = datetime(2024, 5, 6, 10, 0, tzinfo=CST)
LENIENT = _later("future@2030-01-01", date(2030, 1, 1), six_axle_kg=50_000, height_mm=4_200)
STRICTER = _later("stricter@2030-01-01", date(2030, 1, 1), six_axle_kg=48_000)


@pytest.mark.parametrize(
    "later, decided_on, limit, version, art37",
    [
        pytest.param(
            LENIENT,
            date(2030, 6, 1),
            50_000,
            "future@2030-01-01",
            True,
            id="行政处罚法 Art37 later more lenient version in force at decision applies",
        ),
        pytest.param(
            LENIENT,
            date(2029, 12, 31),
            49_000,
            "62号令@2016-09-21",
            False,
            id="行政处罚法 Art37 later version not yet in force at decision",
        ),
        pytest.param(
            STRICTER,
            date(2030, 6, 1),
            49_000,
            "62号令@2016-09-21",
            False,
            id="行政处罚法 Art37 stricter later version never applies backwards",
        ),
    ],
)
def test_more_lenient_later_version_applies(later, decided_on, limit, version, art37):
    c = classify(reading(ACT, gross=49_500), STATIC, decided_on=decided_on, versions=(V62, later))
    assert (c.limit_kg, c.rule_version, c.overlimit) == (limit, version, limit < 49_500)
    assert any("第三十七条" in n for n in c.notes) is art37


def test_more_lenient_later_dimension_limit_applies():
    act = reading(ACT, gross=30_000, height_mm=4_100)
    before = classify(act, STATIC, decided_on=date(2029, 1, 1), versions=(V62, LENIENT))
    after = classify(act, STATIC, decided_on=date(2030, 6, 1), versions=(V62, LENIENT))
    assert before.dimension_overlimit == ["height"]
    assert after.dimension_overlimit == [] and after.overlimit is False


def test_act_after_a_new_version_uses_it_directly():
    act = reading(datetime(2031, 1, 1, tzinfo=CST), gross=49_500)
    c = classify(act, STATIC, decided_on=date(2031, 2, 1), versions=(V62, STRICTER))
    assert (c.limit_kg, c.rule_version, c.overlimit) == (
        48_000,
        "stricter@2030-01-01",
        True,
    )
