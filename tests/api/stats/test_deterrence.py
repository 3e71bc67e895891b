"""威慑效果: a new point's weekly over-limit rate and 百吨王 since it went live, the periods before
and after a date an officer picks, and a nearby site's traffic rising in the same weeks (绕行)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from tests.conftest import reading

NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # Monday 2026-11-16, 10:00 Beijing time
LIVE = date(2026, 11, 2)  # a Monday


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=True) as t:
        yield t


def test_a_new_point_deters_and_its_neighbour_sees_the_detour(client, make_site, login, run_worker, traveller):
    _, new = make_site("JL-WIM-09", "wim", region_code="220102")
    _, old = make_site("JL-WIM-01", "wim", region_code="220104")  # same city, no coordinates
    make_site("SP-WIM-01", "wim", region_code="220301")  # another city: not a neighbour
    posts = {"JL-WIM-09": [], "JL-WIM-01": []}
    for i in range(14):
        day = LIVE + timedelta(days=i)
        first_week = i < 7
        for n, gross in enumerate(
            (60000, 101000) if first_week and i == 0 else (60000, 60000) if first_week else (42000, 42000)
        ):
            posts["JL-WIM-09"].append(reading(site_code="JL-WIM-09", record_id=f"n{i}-{n}", gross_weight_kg=gross,
                                              captured_at=f"{day}T09:0{n}:00+08:00", plate=f"吉A1{i:02d}{n}5"))  # fmt: skip
        for n in range(1 if first_week else 3):
            posts["JL-WIM-01"].append(reading(site_code="JL-WIM-01", record_id=f"o{i}-{n}",
                                              captured_at=f"{day}T10:0{n}:00+08:00", plate=f"吉B1{i:02d}{n}5"))  # fmt: skip
    for code, device in (("JL-WIM-09", new), ("JL-WIM-01", old)):
        assert client.post("/api/v1/readings", headers=device, json={"readings": posts[code]}).status_code == 200
    run_worker()
    boss = login("supervisor", username="wz-boss")
    res = client.get(
        "/api/v1/stats/deterrence", headers=boss, query_string={"site": "JL-WIM-09", "pivot": "2026-11-09"}
    )
    assert res.status_code == 200, res.get_json()
    d = res.get_json()
    assert d["went_live"] == "2026-11-02" and d["pivot"] == "2026-11-09"
    assert [(w["week"], w["checked"], w["overlimit_rate_pct"], w["baidunwang"]) for w in d["weeks"]] == [
        ("2026-11-02", 14, 100.0, 1),
        ("2026-11-09", 14, 0.0, 0),
        ("2026-11-16", 0, None, 0),
    ]  # fmt: skip (the week begun today: the cases opened today are counted on it)
    assert (d["before"]["overlimit_rate_pct"], d["after"]["overlimit_rate_pct"]) == (100.0, 0.0)
    assert (d["before"]["baidunwang_per_week"], d["after"]["baidunwang_per_week"]) == (1.0, 0.0)
    (neighbour,) = d["nearby"]
    assert neighbour["site_code"] == "JL-WIM-01" and neighbour["weekly_checked"] == [7, 21, 0]
    # 1 a day before; after: 21 in the week of the 9th over the 8 days to today (Monday 16th).
    assert (neighbour["checked_per_day_before"], neighbour["checked_per_day_after"]) == (1.0, 2.6)
    assert neighbour["change_pct"] == 160.0
    assert client.get("/api/v1/stats/deterrence?site=XX", headers=boss).status_code == 404


def test_the_deterrence_page_draws_from_the_same_figures(app, client, make_site, run_worker, traveller):
    from tests.console.test_console import sign_in

    _, device = make_site("JL-WIM-09", "wim")
    body = [reading(site_code="JL-WIM-09", record_id="x1", captured_at="2026-11-03T09:00:00+08:00")]
    assert client.post("/api/v1/readings", headers=device, json={"readings": body}).status_code == 200
    run_worker()
    sign_in(client, app, role="supervisor", username="wz-page")
    html = client.get("/stats/deterrence?site=JL-WIM-09").get_data(as_text=True)
    assert "2026-11-03 上线" in html and html.count("<summary>查看数据</summary>") == 2
    assert "vendor/echarts/echarts.min.js" in html
