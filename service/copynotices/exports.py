"""Copy notices as a workbook (xlsx: Chinese headers, real dates and numbers) and as a PDF each."""

from __future__ import annotations

import io
from datetime import date

from flask import current_app

from service.copynotices.queries import COLUMNS
from service.review.documents import Document, render_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows: list[dict]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "抄告"
    sheet.append([label for _, label in COLUMNS])
    for row in rows:
        values = []
        for key, _ in COLUMNS:
            value = row["status_label"] if key == "status" else row.get(key)
            if key == "decided_on" and value:
                value = date.fromisoformat(value)
            values.append(value)
        sheet.append(values)
    for i, (key, _) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = 14 if key not in ("enterprise", "source", "site", "to") else 28
        if key in ("due_on", "decided_on"):
            for cell in sheet[letter][1:]:
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(row: dict) -> bytes:
    """One copy notice: the fields of 62号令 Art 44, addressed to the vehicle's home authority."""
    c = row["content"]
    vehicle = [
        f"号牌：{c.get('plate') or '未识别'}（{c.get('plate_color') or '—'}牌），车辆类型：{c.get('vehicle_type')}",
        f"所属企业：{row['enterprise'] or '未登记'}，道路运输证号：{row['transport_cert_no'] or '未登记'}",
    ]
    driver = [f"驾驶人：{row['driver'] or '未查明'}，从业资格证号：{row['qualification_no'] or '—'}"]
    source = [f"货运源头单位：{row['source'] or '未查明'}；货物装载单：{c.get('loading_record') or '无'}"]
    decision = [f"处罚决定书 {row['decision_number'] or '—'}（{row['decided_on'] or '—'}）：{row['decision']}"]
    act = c["act"]
    facts = [
        f"{act['captured_at']} 于 {act['site']} 检测，车货总质量 {act['gross_weight_kg']:,.0f} 千克，限定标准 "
        f"{act['limit_kg']:,} 千克，扣除计量误差后超限 {act['excess_kg']:,.0f} 千克，超限率 {act['excess_pct']:.2f}%。"
    ]
    matters = [f"{m['party']}（{m['authority']}）：{m['status']}" for m in c.get("matters", [])] or ["无"]
    doc = Document(
        title="违法超限运输案件抄告单",
        number=f"抄告 {row['case_number']}",
        agency=current_app.config["AGENCY_NAME"],
        addressee=f"{row['to']}：",
        sections=[
            ("车辆", vehicle),
            ("驾驶人", driver),
            ("货运源头单位及货物装载单", source),
            ("处罚决定", decision),
            ("违法事实", facts),
            ("其他当事人事项", matters),
            (
                "依据",
                [
                    "《超限运输车辆行驶公路管理规定》第四十四条：案件处理完毕后七个工作日内抄告车籍所在地道路运输管理机构。"
                ],
            ),
        ],
        footer=[current_app.config["AGENCY_NAME"], f"抄告期限：{row['due_on']}"],
    )
    return render_pdf(doc)
