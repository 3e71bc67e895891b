"""Every list an officer, supervisor or investigator uses exports its filtered rows to xlsx, with
Chinese headers, real dates and numbers (queue, my cases, deadlines, repeat offenders, registry,
alerts)."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from openpyxl import load_workbook

from tests.conftest import reading
from tests.console.test_console import sign_in


def _sheet(res):
    assert res.status_code == 200, res.status_code
    assert res.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''" in res.headers["Content-Disposition"]
    return list(load_workbook(BytesIO(res.data)).active.iter_rows(values_only=True))


def test_the_queue_exports_every_filtered_row_with_real_types(app, client, make_site):
    _, device = make_site()
    items = [reading(record_id=f"X-{i}", plate=f"吉A1234{i}", gross_weight_kg=56000 + 1000 * i) for i in range(3)]
    items.append(reading(record_id="Y", plate="吉B99999", gross_weight_kg=60000))
    client.post("/api/v1/readings", headers=device, json={"readings": items})
    sign_in(client, app)
    from service.review import console

    old, console.PAGE_SIZE = console.PAGE_SIZE, 1  # the export is not the page
    try:
        page = client.get("/cases?plate=a1234").get_data(as_text=True)
        assert "导出 Excel" in page and "plate=a1234&amp;format=xlsx" in page
        rows = _sheet(client.get("/cases?plate=a1234&format=xlsx"))
    finally:
        console.PAGE_SIZE = old
    header, *data = rows
    assert header[:5] == ("案件编号", "车牌", "点位", "检测时间", "车货总质量（kg）")
    assert len(data) == 3 and {r[1] for r in data} == {"吉A12340", "吉A12341", "吉A12342"}
    assert isinstance(data[0][3], datetime) and isinstance(data[0][4], (int, float)) and data[0][8] > 0
    assert data[0][9] in ("是", "否")


def test_my_cases_deadlines_registry_repeat_and_alerts_export(app, client, make_site):
    _, device = make_site()
    client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=60000)]})
    sign_in(client, app, "supervisor", "export-boss")
    assert _sheet(client.get("/my-cases?format=xlsx"))[0][0] == "案件编号"
    assert _sheet(client.get("/deadlines?format=xlsx"))[0][-1] == "期限"
    assert _sheet(client.get("/registry?kind=vehicles&format=xlsx"))[0][0] == "车牌"
    assert _sheet(client.get("/registry?kind=enterprises&format=xlsx"))[0][0] == "统一社会信用代码"
    assert _sheet(client.get("/repeat-offenders?kind=driver&format=xlsx"))[0][0] == "驾驶人"
    assert _sheet(client.get("/alerts?format=xlsx"))[0][:2] == ("告警时间", "车牌")
