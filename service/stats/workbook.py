"""The monthly report (月报) as a workbook: one sheet per table, Chinese headers, numbers as
numbers and dates as dates, a 合计 row under each table, and the definitions last. The same
tables make the printable page (templates/stats/report_print.html)."""

from __future__ import annotations

import calendar
import io
from collections.abc import Callable
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from service.stats.dashboard import AXLES, BANDS, TABLE, column
from service.stats.definitions import BY_KEY, FIGURES
from service.stats.queries import SiteRef, grouped, summary

SUMMARY_KEYS = (
    *TABLE[:6], "over_gt100", "over_lt55t", "over_55_100t", "over_ge100t", "unloaded_vehicles", "unloaded_tonnes",
    "transferred_vehicles", "transferred_tonnes", "turned_back", *TABLE[11:],
)  # fmt: skip
HEAD = Font(bold=True)
TOTAL = PatternFill("solid", fgColor="EEF2F7")


def month_range(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def tables(month: date, sites: list[SiteRef]) -> dict:
    """The report's tables: the month's figures, per site, per day, by band and axle count."""
    start, end = month_range(month)
    total = summary(start, end, sites)
    by_site = {g["key"]: g for g in grouped(start, end, sites, "site")}
    by_day = {g["key"]: g for g in grouped(start, end, sites, "day")}
    days = [date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1)]
    zero = dict.fromkeys(TABLE, 0)
    over = total["overlimit"]
    return {
        "month": start,
        "start": start,
        "end": end,
        "total": total,
        "summary": [{**column(k), "value": total[k]} for k in SUMMARY_KEYS],
        "columns": [column(k) for k in TABLE],
        "sites": [
            {
                "code": s.code,
                "name": s.name,
                "region": s.region_code or "",
                **{k: by_site.get(s.code, zero)[k] for k in TABLE},
            }
            for s in sites
        ],
        "days": [{"day": d, **{k: by_day.get(d.isoformat(), zero)[k] for k in TABLE}} for d in days],
        "shares": [
            {**column(k), "value": total[k], "share_pct": round(total[k] * 100 / over, 2) if over else None}
            for k in (*BANDS, *AXLES)
        ],
    }


def build(data: dict, region_label: str, progress: Callable[[int], None] = lambda pct: None) -> bytes:
    wb = Workbook()
    title = f"{data['start']:%Y年%m月} 治超统计月报（{region_label}）"
    ws = wb.active
    ws.title = "汇总"
    rows = [[f["label"], f["unit"], f["value"]] for f in data["summary"]]
    standing = data.get("standing") or {}
    for key in ("enterprises_over_10pct", "enterprises_over_10pct_share_pct", "blacklist_entries"):
        if key in standing:
            f = BY_KEY[key]
            rows.append([f"{f.label}（生成时）", f.unit, standing[key]])
    _table(ws, title, ["指标", "单位", "本月"], rows)
    progress(20)
    cols = data["columns"]
    heads = ["点位编码", "点位名称", "行政区划"] + [f"{c['label']}（{c['unit']}）" for c in cols]
    rows = [[s["code"], s["name"], s["region"], *[s[c["key"]] for c in cols]] for s in data["sites"]]
    _table(wb.create_sheet("各点位"), title, heads, rows, ["合计", "", "", *[data["total"][c["key"]] for c in cols]])
    progress(40)
    heads = ["日期"] + [f"{c['label']}（{c['unit']}）" for c in cols]
    rows = [[d["day"], *[d[c["key"]] for c in cols]] for d in data["days"]]
    _table(wb.create_sheet("逐日"), title, heads, rows, ["合计", *[data["total"][c["key"]] for c in cols]])
    progress(60)
    rows = [[s["label"].replace("超限车辆：", ""), s["value"], s["share_pct"]] for s in data["shares"]]
    _table(wb.create_sheet("超限分布"), title, ["类别", "超限车辆（辆次）", "占超限车辆（%）"], rows)
    progress(80)
    rows = [[f.label, f.unit, f.definition] for f in FIGURES]
    _table(wb.create_sheet("口径说明"), title, ["指标", "单位", "定义（北京时间日期，含首尾两日）"], rows)
    out = io.BytesIO()
    wb.save(out)
    progress(100)
    return out.getvalue()


def _table(ws, title: str, heads: list[str], rows: list[list], total: list | None = None) -> None:
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(heads)
    for cell in ws[2]:
        cell.font, cell.alignment = HEAD, Alignment(wrap_text=True, vertical="center")
    for row in rows:
        ws.append([v if v is not None else "" for v in row])
    if total is not None:
        ws.append([v if v is not None else "" for v in total])
        for cell in ws[ws.max_row]:
            cell.font, cell.fill = HEAD, TOTAL
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "B3"
    for i, head in enumerate(heads, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(head) * 2 + 2))
