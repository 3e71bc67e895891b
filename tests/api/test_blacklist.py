"""The blacklist (严重违法失信超限超载运输当事人名单, domain-rules §3.2): B-1 a vehicle with more than 3
violations in the cycle, listed on the day of its 4th decision, for 2 years ([PROV Shitai])."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

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
    listed_on = date.today() - timedelta(days=2)
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
        and row[4].date() == date.today() - timedelta(days=2)
    )
