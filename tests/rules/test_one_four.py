"""一超四罚 (domain-rules §4.2): which party matters a decided act calls for, as tables —
each kind of decision, each party known and unknown, each dated rule version."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from service.rules import DEFAULT
from service.rules.one_four import ActFacts, plan_matters, station_rule

KNOWN = ActFacts(
    act_date=date(2026, 11, 2),
    decided_on=date(2026, 11, 20),  # a Friday
    decision_kind="fine",
    gross_kg=56_000,
    driver_name="张建军",
    transport_enterprise="长春顺达运输有限公司",
    source_enterprise="吉林市丰满区恒基砂石料场",
    rated_load_kg=31_000,
    licence_total_mass_kg=49_000,
    max_total_mass_kg=49_000,
)


def parties(plans):
    return [(p.party, p.authority, p.rule_id) for p in plans]


@pytest.mark.parametrize(
    "kind, expected",
    [
        pytest.param("fine", 4, id="§4.2 a fine: driver, transport enterprise, source"),
        pytest.param("warning", 4, id="§4.2 a warning is a penalty (行政处罚法 Art 9): the same matters"),
        pytest.param("none", 0, id="行政处罚法 Art 33 不予处罚: nobody answers"),
        pytest.param("dismissed", 0, id="dismissal: nobody answers"),
    ],
)
def test_each_kind_of_decision(kind, expected):
    plans = plan_matters(replace(KNOWN, decision_kind=kind))
    assert len(plans) == (3 if expected else 0)  # the owner's matter is the decision itself
    if expected:
        assert parties(plans) == [
            ("driver", "police", "X-POLICE-JOINT"),
            ("transport_enterprise", "transport_authority", "R-ENT-10"),
            ("source_enterprise", "transport_authority", "S-NO-EXIT"),
        ]


def test_known_parties_are_named_and_due_to_be_sent_in_seven_working_days():
    plans = plan_matters(KNOWN)
    assert [p.name for p in plans] == ["张建军", "长春顺达运输有限公司", "吉林市丰满区恒基砂石料场"]
    assert all(p.identified for p in plans)
    # Friday 20 November + 7 working days (no holidays loaded) = Tuesday 1 December
    assert {p.due_on for p in plans} == {date(2026, 12, 1)}


@pytest.mark.parametrize(
    "field, party",
    [
        pytest.param("driver_name", "driver", id="§4.2 driver not yet named"),
        pytest.param("transport_enterprise", "transport_enterprise", id="§4.2 vehicle in no registered enterprise"),
        pytest.param("source_enterprise", "source_enterprise", id="§7.4 source not yet traced"),
    ],
)
def test_an_unknown_party_is_planned_as_not_yet_identified_with_its_date(field, party):
    plans = {p.party: p for p in plan_matters(replace(KNOWN, **{field: None}))}
    assert not plans[party].identified and plans[party].name is None
    assert plans[party].due_on == date(2026, 12, 20)  # 30 days (party_identification_days)
    others = [p for p in plans.values() if p.party != party]
    assert all(p.identified for p in others)


@pytest.mark.parametrize(
    "flag, rule_id, party, text",
    [
        pytest.param(
            "vehicle_repeat", "R-VEH-3", "vehicle", "吊销车辆营运证", id="R-VEH-3 公路安全保护条例 Art66 4th violation"
        ),
        pytest.param(
            "driver_repeat",
            "R-DRV-3",
            "driver",
            "停止从事营业性运输",
            id="R-DRV-3 公路安全保护条例 Art66 4th violation",
        ),
    ],
)
def test_a_repeat_offence_adds_the_transport_authoritys_measure(flag, rule_id, party, text):
    plans = plan_matters(replace(KNOWN, **{flag: True}))
    (measure,) = [p for p in plans if p.rule_id == rule_id]
    assert measure.party == party and measure.authority == "transport_authority" and text in measure.text
    assert "第六十六条" in measure.article


def test_the_enterprise_over_ten_percent_is_to_be_suspended():
    plans = {p.party: p for p in plan_matters(replace(KNOWN, enterprise_share_over=True))}
    assert "停业整顿" in plans["transport_enterprise"].text and "R-ENT-10" in plans["transport_enterprise"].text
    assert "停业整顿" not in {p.party: p for p in plan_matters(KNOWN)}["transport_enterprise"].text


def test_the_drivers_matter_carries_the_polices_fine_and_points():
    (driver,) = [p for p in plan_matters(KNOWN) if p.party == "driver"]
    # 56 000 − 49 000 = 7 000 kg over the 行驶证 total mass = 22.58 % of the 31 000 kg rated load.
    assert driver.police["fine"]["rule_id"] == "P-FINE-1" and "200–500" in driver.text
    assert driver.police["points"]["points"] == 1 and "扣留" in driver.text  # 14.28 % of 49 t: 1 point (2022)


def test_without_the_vehicle_licence_the_police_assess_it_themselves():
    [driver] = [
        p for p in plan_matters(replace(KNOWN, rated_load_kg=None, licence_total_mass_kg=None)) if p.party == "driver"
    ]
    assert "待核对行驶证" in driver.text and driver.police["assessable"] is False


@pytest.mark.parametrize(
    "act, decided, low, version",
    [
        pytest.param(date(2024, 5, 1), date(2024, 6, 1), 3_000, "@2023-07-20", id="道路运输条例 2023 Art70 3000–30000"),
        pytest.param(
            date(2021, 5, 1), date(2021, 6, 1), 10_000, "2022年修订前", id="道路运输条例 Art71 before: 10000–30000"
        ),
        pytest.param(
            date(2021, 5, 1), date(2026, 6, 1), 3_000, "@2023-07-20", id="行政处罚法 Art37 the later, lighter rule"
        ),
    ],
)
def test_a_freight_station_source_is_fined_within_the_dated_band(act, decided, low, version):
    facts = replace(KNOWN, act_date=act, decided_on=decided, source_is_freight_station=True)
    (source,) = [p for p in plan_matters(facts) if p.party == "source_enterprise"]
    assert source.authority == "agency" and source.rule_id == "SP-NAT-STATION"
    assert (source.band["min_yuan"], source.band["max_yuan"], source.band["proposed_yuan"]) == (low, 30_000, low)
    assert version in source.rule_version and (
        ("第三十七条" in " ".join(source.notes)) == (act.year == 2021 and decided.year == 2026)
    )
    assert station_rule(act, decided)[0].min_yuan == low


def test_a_provincial_loading_band_is_used_only_when_configured():
    henan = replace(DEFAULT, source_loading_fine_min_yuan=10_000, source_loading_fine_max_yuan=30_000)
    (source,) = [p for p in plan_matters(KNOWN, henan) if p.party == "source_enterprise"]
    assert source.rule_id == "SP-PROV-LOADING" and source.band["min_yuan"] == 10_000 and source.authority == "agency"
    (national,) = [p for p in plan_matters(KNOWN) if p.party == "source_enterprise"]
    assert national.band is None and "未设定" in national.text  # no amount is invented (§7.3)


def test_the_source_penalty_can_be_the_transport_authoritys():
    elsewhere = replace(DEFAULT, source_matter_authority="transport_authority")
    facts = replace(KNOWN, source_is_freight_station=True)
    (source,) = [p for p in plan_matters(facts, elsewhere) if p.party == "source_enterprise"]
    assert source.authority == "transport_authority" and source.due_on == date(2026, 12, 1)


def test_the_send_date_skips_holidays_loaded_in_the_settings():
    holidays = replace(DEFAULT, public_holidays=frozenset({date(2026, 11, 23), date(2026, 11, 24)}))
    assert {p.due_on for p in plan_matters(KNOWN, holidays)} == {date(2026, 12, 3)}
