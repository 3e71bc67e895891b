"""The blacklist (严重违法失信超限超载运输当事人名单, domain-rules §3.2): B-1 a vehicle with more than 3
violations in the cycle, listed on the day of its 4th decision, for 2 years ([PROV Shitai])."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from service import clock
from tests.conftest import ago, mark_decided, reading


def decided(app, client, device, plate: str, count: int) -> None:
    items = [
        reading(record_id=f"{plate}-{i}", plate=plate, gross_weight_kg=60000, captured_at=ago(days=10 + 20 * i))
        for i in range(count)
    ]
    ids = [
        r["case_id"]
        for r in client.post("/api/v1/readings", headers=device, json={"readings": items}).get_json()["results"]
    ]
    mark_decided(app, ids, days_ago=2)


@pytest.mark.parametrize(
    "count, listed",
    [
        pytest.param(3, False, id="B-1 交办公路〔2017〕8号 3 violations: not listed"),
        pytest.param(4, True, id="B-1 交办公路〔2017〕8号 the 4th decided violation lists the vehicle"),
    ],
)
def test_a_vehicle_is_listed_on_its_fourth_decision_for_two_years(app, client, make_site, login, count, listed):
    _, device = make_site()
    decided(app, client, device, "吉A12345", count)
    rows = client.get("/api/v1/blacklist", headers=login("supervisor")).get_json()
    if not listed:
        assert rows == []
        return
    (row,) = rows
    listed_on = clock.today() - timedelta(days=2)
    assert row["code"] == "B-1" and row["name"] == "吉A12345" and row["subject"] == "vehicle"
    assert row["listed_on"] == listed_on.isoformat()
    assert row["ends_on"] == listed_on.replace(year=listed_on.year + 2).isoformat()
    assert len(row["case_numbers"]) == 4


def test_the_list_is_shown_and_exported(app, client, make_site):
    from tests.console.test_console import sign_in

    _, device = make_site()
    decided(app, client, device, "吉A54321", 4)
    sign_in(client, app, role="investigator", username="bl-investigator")
    page = client.get("/blacklist").get_data(as_text=True)
    assert "吉A54321" in page and "B-1" in page and "交办公路〔2017〕8号" in page
    sheet = load_workbook(io.BytesIO(client.get("/blacklist?format=xlsx").data)).active
    assert [c.value for c in sheet[1]][:5] == ["情形", "说明", "对象", "名称", "列入日期"]
    row = [c.value for c in sheet[2]]
    assert (
        row[0] == "B-1"
        and row[3] == "吉A54321"
        and row[4] is not None
        and row[4].date() == clock.today() - timedelta(days=2)
    )


REVOCATION = {"name": "长春市宏达汽车修理厂", "decision_number": "长交执罚〔2026〕17号", "authority": "长春市交通运输局",
              "note": "为12辆货车加高栏板、加装副簧"}  # fmt: skip


def test_a_repairer_whose_licence_was_revoked_is_listed_from_the_decision(client, login):
    """B-4 (交办公路〔2017〕8号): listed on the day of the revocation a supervisor recorded, for 2 years."""
    boss = login("supervisor", username="bl-boss")
    decided = clock.today() - timedelta(days=5)
    body = {**REVOCATION, "decided_on": decided.isoformat()}
    for role in ("officer", "investigator"):
        res = client.post(
            "/api/v1/supervision/repairer-revocations", headers=login(role, username=f"bl-{role}"), json=body
        )
        assert res.status_code == 403
    assert [r for r in client.get("/api/v1/blacklist", headers=boss).get_json() if r["code"] == "B-4"] == []
    res = client.post("/api/v1/supervision/repairer-revocations", headers=boss, json=body)
    assert res.status_code == 201 and res.get_json()["decision_number"] == "长交执罚〔2026〕17号"
    (row,) = [r for r in client.get("/api/v1/blacklist", headers=boss).get_json() if r["code"] == "B-4"]
    assert row["subject"] == "repairer" and row["name"] == "长春市宏达汽车修理厂"
    assert row["listed_on"] == decided.isoformat()
    assert row["ends_on"] == decided.replace(year=decided.year + 2).isoformat()
    assert "长春市交通运输局 长交执罚〔2026〕17号" in row["reason"]
    again = client.post("/api/v1/supervision/repairer-revocations", headers=boss, json=body)
    assert again.status_code == 409
    future = {**body, "decision_number": "X-1", "decided_on": (clock.today() + timedelta(days=1)).isoformat()}
    refused = client.post("/api/v1/supervision/repairer-revocations", headers=boss, json=future)
    assert refused.status_code == 422 and "decided_on" in refused.get_json()["errors"]


def test_a_supervisor_records_a_revocation_on_the_list_page(app, client):
    from sqlalchemy import select

    from models import AuditEvent
    from service.extensions import db
    from tests.console.test_console import _csrf, sign_in

    sign_in(client, app, role="supervisor", username="bl-console")
    page = client.get("/blacklist").get_data(as_text=True)
    assert "登记维修企业被吊销资质" in page
    form = {**REVOCATION, "csrf_token": _csrf(page), "decided_on": clock.today().isoformat()}
    assert client.post("/supervision/repairer-revocations", data=form).status_code == 302
    after = client.get("/blacklist").get_data(as_text=True)
    assert "B-4" in after and "维修企业" in after and "长春市宏达汽车修理厂" in after and "列入失信名单（B-4）" in after
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "repairer.revocation"))
        assert event is not None and event.actor == "bl-console"
    sheet = load_workbook(io.BytesIO(client.get("/blacklist?format=xlsx").data)).active
    assert [c.value for c in sheet[2]][:4] == ["B-4", SITUATION_B4, "维修企业", "长春市宏达汽车修理厂"]
    sign_in(client, app, role="officer", username="bl-officer-console")
    assert "登记维修企业被吊销资质" not in client.get("/blacklist").get_data(as_text=True)


SITUATION_B4 = "非法改装车辆情节严重被吊销资质的维修企业（依执法负责人登记的吊销资质决定）"
