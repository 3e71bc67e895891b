"""月报: a workbook per month and region built by a background job with its progress, with Chinese
headers, numbers as numbers, dates as dates and a 合计 row agreeing with the summary API; made
once on its own after each month ends; a printable page of the same tables."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from openpyxl import load_workbook

from tests.conftest import reading

NOW = datetime(2026, 11, 19, 4, 0, tzinfo=UTC)


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=True) as t:
        yield t


@pytest.fixture
def october(client, make_site, run_worker, traveller):
    for code, region in (("JL-WIM-01", "220100"), ("SP-WIM-01", "220300")):
        _, device = make_site(code, "wim", region_code=region)
        body = [
            reading(
                site_code=code,
                record_id=f"{code}-{d}-{g}",
                gross_weight_kg=g,
                captured_at=f"2026-10-{d:02d}T08:00:00+08:00",
            )  # fmt: skip
            for d in (1, 15, 31)
            for g in (42000, 60000)
        ]
        assert client.post("/api/v1/readings", headers=device, json={"readings": body}).status_code == 200
    run_worker()


def test_a_monthly_workbook_is_built_in_the_background_and_agrees_with_the_summary(client, login, october, run_worker):
    boss = login("supervisor", username="yb-boss")
    res = client.post("/api/v1/stats/reports", json={"month": "2026-10", "region": "220100"}, headers=boss)
    assert res.status_code == 202 and res.get_json()["status"] == "queued"
    report_id = res.get_json()["id"]
    assert client.get(f"/api/v1/stats/reports/{report_id}/file", headers=boss).status_code == 409
    run_worker()
    done = client.get(f"/api/v1/stats/reports/{report_id}", headers=boss).get_json()
    assert (done["status"], done["progress"]) == ("done", 100)
    file = client.get(f"/api/v1/stats/reports/{report_id}/file", headers=boss)
    assert file.status_code == 200 and file.data[:2] == b"PK"
    wb = load_workbook(io.BytesIO(file.data))
    assert wb.sheetnames == ["汇总", "各点位", "逐日", "超限分布", "口径说明"]
    summary = client.get("/api/v1/stats/summary", headers=boss,
                         query_string={"from": "2026-10-01", "to": "2026-10-31", "region": "220100"}).get_json()  # fmt: skip
    sites = wb["各点位"]
    heads = [c.value for c in sites[2]]
    assert heads[:4] == ["点位编码", "点位名称", "行政区划", "检测车辆数（辆次）"]
    rows = list(sites.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == ["JL-WIM-01", "合计"]  # 四平's site is outside 220100
    assert rows[-1][3] == summary["checked"] == 6 and rows[-1][4] == summary["overlimit"] == 3
    assert rows[-1][5] == summary["overlimit_rate_pct"] == 50.0
    days = list(wb["逐日"].iter_rows(min_row=3, values_only=True))
    assert len(days) == 32 and isinstance(days[0][0], datetime) and days[0][0].date() == date(2026, 10, 1)
    assert days[14][1] == 2 and days[-1][0] == "合计" and days[-1][1] == 6
    assert any("超限率" in (r[0] or "") for r in wb["口径说明"].iter_rows(values_only=True))


def test_a_month_not_begun_and_a_bad_month_are_refused(client, login, traveller):
    boss = login("supervisor", username="yb-boss2")
    res = client.post("/api/v1/stats/reports", json={"month": "2026-12"}, headers=boss)
    assert res.status_code == 422 and "month" in res.get_json()["errors"]
    res = client.post("/api/v1/stats/reports", json={"month": "2026-13"}, headers=boss)
    assert res.status_code == 422 and "month" in res.get_json()["errors"]["json"]


def test_the_month_that_ended_gets_its_report_once_by_itself(app, client, login, october, traveller, run_worker):
    from workers.relay import relay_once

    traveller.move_to(datetime(2026, 10, 31, 15, 30, tzinfo=UTC))  # 23:30 on 31 October, Beijing time
    boss = login("supervisor", username="yb-boss3")
    relay_once(app)
    assert [r["month"] for r in client.get("/api/v1/stats/reports", headers=boss).get_json()] == ["2026-09"]
    traveller.move_to(datetime(2026, 10, 31, 16, 30, tzinfo=UTC))  # 00:30 on 1 November
    relay_once(app)
    relay_once(app)  # a second relay (another worker) makes no second one
    run_worker()
    reports = client.get("/api/v1/stats/reports", headers=boss).get_json()
    assert [(r["month"], r["requested_by"], r["status"]) for r in reports] == [
        ("2026-10", "自动", "done"), ("2026-09", "自动", "done")
    ]  # fmt: skip


def test_the_printable_page_has_the_same_tables(app, client, october):
    from tests.console.test_console import sign_in

    sign_in(client, app, role="supervisor", username="yb-print")
    html = client.get("/stats/reports/print?month=2026-10").get_data(as_text=True)
    assert "2026年10月治超统计月报" in html and "合计" in html and "口径说明" in html
    page = client.get("/stats/reports").get_data(as_text=True)
    assert "生成月报（Excel）" in page


def test_how_things_stand_today_is_in_the_api_and_the_report(client, login, traveller):
    from tests.api.test_registry import USCC
    from tests.api.test_registry_edit import post

    admin = login("admin", username="yb-admin")
    post(client, admin, "enterprises", {"uscc": USCC, "name": "长春顺达运输有限公司", "kind": "transport"})
    got = client.get("/api/v1/stats/standing", headers=admin).get_json()
    assert got["transport_enterprises"] == 1 and got["enterprises_over_10pct"] == 0
    assert got["enterprises_over_10pct_share_pct"] == 0.0 and got["blacklist_entries"] == 0


def test_a_report_whose_job_redis_lost_is_queued_again_and_one_whose_job_died_says_so(
    app, client, login, october, traveller, run_worker
):
    """Redis restarted without its data (or was down when the report was asked for): the row
    stayed 排队中 for ever. The workers' relay now queues its job again, once; a job that failed
    for good without saying so on its row marks the report failed."""
    from rq.job import Job, JobStatus
    from rq.serializers import JSONSerializer

    from service.queueing import get_queue, get_redis
    from workers import queues
    from workers.relay import resume_exports

    boss = login("supervisor", username="yb-boss5")
    lost = client.post("/api/v1/stats/reports", json={"month": "2026-10"}, headers=boss).get_json()["id"]
    died = client.post("/api/v1/stats/reports", json={"month": "2026-09"}, headers=boss).get_json()["id"]
    with app.app_context():
        job = Job.fetch(f"stats-report-{died}", connection=get_redis(app), serializer=JSONSerializer)
        get_queue(app, queues.EXPORTS).remove(job)
        job.set_status(JobStatus.FAILED)  # the work horse was killed, its retries used up
        get_queue(app, queues.EXPORTS).empty()  # and Redis lost the other one
        assert resume_exports(app) == []  # just asked for: its request queues it itself
    traveller.shift(120)
    with app.app_context():
        assert resume_exports(app) == [f"stats-report-{lost}"]
        assert resume_exports(app) == []  # queued once, however many relays look
    run_worker()
    reports = {r["id"]: r for r in client.get("/api/v1/stats/reports", headers=boss).get_json()}
    assert (reports[lost]["status"], reports[lost]["progress"]) == ("done", 100)
    assert reports[died]["status"] == "failed" and "月报生成中断" in reports[died]["message"]
