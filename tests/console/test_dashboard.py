"""统计分析: the dashboard shows the period's figures with their definitions, draws its charts
with the ECharts copy the service serves itself (nothing from another host), keeps the numbers
of each chart one click away, and shows an officer the sites of their region only."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import time_machine

from tests.conftest import reading
from tests.console.test_console import sign_in

NOW = datetime(2026, 11, 19, 4, 0, tzinfo=UTC)  # 12:00 Beijing time


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def two_cities(client, make_site, run_worker):
    for code, region, grosses in (("JL-WIM-01", "220100", (42000, 60000, 61000)), ("SP-WIM-01", "220300", (42000,))):
        _, device = make_site(code, "wim", region_code=region)
        body = [
            reading(site_code=code, record_id=f"{code}-{i}", gross_weight_kg=g, captured_at="2026-11-19T08:00:00+08:00")
            for i, g in enumerate(grosses)
        ]
        assert client.post("/api/v1/readings", headers=device, json={"readings": body}).status_code == 200
    run_worker()


def page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_the_supervisor_sees_the_figures_their_definitions_and_local_charts(app, client, two_cities):
    sign_in(client, app, role="supervisor", username="boss")
    res = client.get("/stats?from=2026-11-19&to=2026-11-19")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    data = page_data(html)
    headline = {f["key"]: f["value"] for f in data["headline"]}
    assert (headline["checked"], headline["overlimit"], headline["overlimit_rate_pct"]) == (4, 2, 50.0)
    assert {r["code"]: r["overlimit"] for r in data["sites"]["rows"]} == {"JL-WIM-01": 2, "SP-WIM-01": 0}
    # Every figure carries its definition, as a tooltip and in the 口径说明 footnote.
    assert 'title="超限率（%）：超限车辆数 ÷ 检测车辆数' in html and "口径说明" in html
    # The numbers behind each chart are in a table one click (a <details>) away.
    assert html.count('class="echart"') == html.count("<summary>查看数据</summary>") == 4
    # Scripts come from this service only; the library it serves is a real ECharts build.
    sources = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources)
    lib = client.get("/static/vendor/echarts/echarts.min.js")
    assert lib.status_code == 200 and b"echarts" in lib.data[:5000] and len(lib.data) > 500_000


def test_an_officer_sees_the_sites_of_their_region_only(app, client, two_cities):
    from models import User
    from service.extensions import db

    sign_in(client, app, role="officer", username="sp-officer")
    with app.app_context():
        db.session.query(User).filter_by(username="sp-officer").one().region_code = "220300"
        db.session.commit()
    data = page_data(client.get("/stats?from=2026-11-19&to=2026-11-19").get_data(as_text=True))
    assert [r["code"] for r in data["sites"]["rows"]] == ["SP-WIM-01"]
    assert {f["key"]: f["value"] for f in data["headline"]}["checked"] == 1


def test_the_police_have_no_dashboard(app, client):
    sign_in(client, app, role="police", username="jj")
    assert client.get("/stats").status_code == 403


def test_a_bad_date_says_so_and_shows_the_last_30_days(app, client):
    sign_in(client, app, role="supervisor", username="boss2")
    html = client.get("/stats?from=2026-13-01").get_data(as_text=True)
    assert "日期格式应为 YYYY-MM-DD" in html and "2026-10-21 至 2026-11-19" in html


def test_each_site_is_shown_against_its_target(app, client, two_cities):
    """Targets come from the jurisdiction's settings: per site first, else per road class."""
    from dataclasses import replace

    from service.rules.settings import RuleSettingsError, settings_from_mapping

    app.config["RULE_SETTINGS"] = replace(
        app.config["RULE_SETTINGS"], stats_overlimit_target_pct_by_site=(("SP-WIM-01", 0.2),)
    )
    sign_in(client, app, role="supervisor", username="boss3")
    data = page_data(client.get("/stats?from=2026-11-19&to=2026-11-19").get_data(as_text=True))
    targets = {t["site_code"]: (t["rate_pct"], t["target_pct"], t["basis"], t["met"]) for t in data["targets"]}
    assert targets == {"JL-WIM-01": (66.67, 1.0, "普通公路", False), "SP-WIM-01": (0.0, 0.2, "点位目标", True)}
    with pytest.raises(RuleSettingsError) as bad:
        settings_from_mapping({"stats_overlimit_target_pct_by_road_class": {"ordinary": 120}})
    assert "stats_overlimit_target_pct_by_road_class" in bad.value.errors
