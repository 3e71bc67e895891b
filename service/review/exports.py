"""Excel (xlsx) exports of the lists officers, supervisors and investigators use: the rows the
page's filters select (not just the page shown), Chinese headers, dates as dates and figures as
numbers, so a spreadsheet can sort and sum them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from io import BytesIO
from urllib.parse import quote

from flask import Response

from service.clock import CST

MAX_ROWS = 100_000  # one sheet holds ~1M rows; an export this long is a job, not a click


def _cell(value):
    if isinstance(value, datetime):  # Excel has no time zone: Beijing time, as the pages show
        return value.astimezone(CST).replace(tzinfo=None)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def xlsx(filename: str, columns: list[tuple[str, Callable]], rows: Iterable) -> Response:
    """A one-sheet workbook: `columns` are (Chinese header, value of a row)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = filename[:31]
    ws.append([title for title, _ in columns])
    ws.freeze_panes = "A2"
    for n, row in enumerate(rows):
        if n >= MAX_ROWS:
            break
        ws.append([_cell(get(row)) for _, get in columns])
    for i, (title, _) in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(10, len(title) * 2 + 2)
        for cell in ws[letter][1:]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
                ws.column_dimensions[letter].width = 20
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    out = BytesIO()
    wb.save(out)
    name = f"{filename}.xlsx"
    disposition = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": disposition},
    )


# The case lists (queue, my cases, deadlines): rows are case views (service/review/queries.rows_view).
CASE_COLUMNS: list[tuple[str, Callable]] = [
    ("案件编号", lambda c: c["case_number"]),
    ("车牌", lambda c: c["plate"] or "未识别"),
    ("点位", lambda c: c["site_code"]),
    ("检测时间", lambda c: c["captured_at"]),
    ("车货总质量（kg）", lambda c: c["gross_weight_kg"]),
    ("限值（kg）", lambda c: c["limit_kg"]),
    ("计量误差扣除（kg）", lambda c: c["tolerance_kg"]),
    ("超限量（kg，扣除后）", lambda c: c["excess_kg"]),
    ("超限率（%，扣除后）", lambda c: c["excess_pct"]),
    ("百吨王", lambda c: c["baidunwang"]),
    ("可作为处罚依据", lambda c: c["penalty_usable"]),
    ("此前案件数", lambda c: c["prior_case_count"]),
    ("屡犯标记", lambda c: "、".join(f["label"] for f in c.get("repeat_flags") or [])),
    ("状态", lambda c: c["status_label"]),
    ("认定规则", lambda c: c["rule_id"]),
    ("决定期限", lambda c: c["decide_by"].astimezone(CST).date() if c["decide_by"] else None),
]
