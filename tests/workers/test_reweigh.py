"""A static re-weigh (复核) of the same vehicle after a non-site case links to it."""

from __future__ import annotations

from datetime import date, timedelta

from tests.api.review.test_procedure import Officer
from tests.conftest import ago, reading


def _post(client, headers, **kw):
    return client.post("/api/v1/readings", headers=headers, json={"readings": [reading(**kw)]}).get_json()["results"][0]


def test_reweigh_links_its_figures_take_precedence_and_its_own_case_is_merged(client, make_site, login, run_worker):
    _, wim = make_site("JL-WIM-01", "wim")
    _, station = make_site("JL-STA-01", "static")
    first = _post(client, wim, site_code="JL-WIM-01", record_id="w1", captured_at=ago(hours=3), gross_weight_kg=56000)
    again = _post(
        client, station, site_code="JL-STA-01", record_id="s1", captured_at=ago(hours=1), gross_weight_kg=52000
    )
    run_worker()
    officer = Officer(client, login("officer"))
    case = officer.get(first["case_id"]).get_json()
    # Static: 3 000 kg over with no deduction, below the WIM's 4 200 kg effective excess → 1 500 yuan.
    assert case["penalty_proposal"]["proposed_yuan"] == 1500
    merged = officer.get(again["case_id"]).get_json()
    assert merged["status"] == "merged"
    queue = client.get("/api/v1/cases?status=pending_review", headers=login("officer", username="o2")).get_json()
    assert [c["id"] for c in queue] == [first["case_id"]]


def test_lower_valid_wim_figure_is_kept_over_a_heavier_reweigh(client, make_site, login, run_worker):
    _, wim = make_site("JL-WIM-01", "wim")
    _, station = make_site("JL-STA-01", "static")
    first = _post(client, wim, site_code="JL-WIM-01", record_id="w1", captured_at=ago(hours=3), gross_weight_kg=56000)
    _post(client, station, site_code="JL-STA-01", record_id="s1", captured_at=ago(hours=1), gross_weight_kg=60000)
    run_worker()
    case = Officer(client, login("officer")).get(first["case_id"]).get_json()
    assert case["penalty_proposal"]["proposed_yuan"] == 2000  # ⚖ the lower of two valid weighings


def test_reweigh_at_a_verified_station_cures_a_lapsed_wim_device(client, make_site, login, run_worker):
    _, wim = make_site("JL-WIM-09", "wim", calibrated_until=date.today() - timedelta(days=30))
    _, station = make_site("JL-STA-01", "static")
    first = _post(client, wim, site_code="JL-WIM-09", record_id="w1", captured_at=ago(hours=3), gross_weight_kg=56000)
    _post(client, station, site_code="JL-STA-01", record_id="s1", captured_at=ago(hours=2), gross_weight_kg=55000)
    run_worker()
    case = Officer(client, login("officer")).get(first["case_id"]).get_json()
    assert case["penalty_usable"] is True and case["penalty_proposal"]["proposed_yuan"] == 3000


def test_reweigh_outside_the_window_or_of_another_plate_is_not_linked(client, make_site, login, run_worker):
    _, wim = make_site("JL-WIM-01", "wim")
    _, station = make_site("JL-STA-01", "static")
    first = _post(client, wim, site_code="JL-WIM-01", record_id="w1", captured_at=ago(hours=30), gross_weight_kg=56000)
    _post(client, station, site_code="JL-STA-01", record_id="s1", captured_at=ago(hours=1), gross_weight_kg=52000)
    _post(
        client,
        station,
        site_code="JL-STA-01",
        record_id="s2",
        captured_at=ago(hours=29),
        gross_weight_kg=52000,
        plate="吉B99999",
    )
    run_worker()
    case = Officer(client, login("officer")).get(first["case_id"]).get_json()
    assert case["penalty_proposal"]["proposed_yuan"] == 2000
