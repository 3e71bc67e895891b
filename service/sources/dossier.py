"""A source enterprise's dossier (源头单位档案): its weighbridges and their status, its exit
weighings over time and the share over the limit, the roadside cases traced to it, its own
source cases (S-NO-EXIT) with their penalties, and the weighbridge-integrity flags — and the
same as a workbook (Chinese headers, real dates and numbers).

R-ENT-10 (a transport enterprise's share of over-limit vehicles) is not a source unit's rule,
so it is not shown here; an enterprise that is both keeps it on its registry dossier.
"""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from sqlalchemy import case, func, select

from models import Case, CaseTrace, Enterprise, Loading, PartyMatter
from service import clock
from service.extensions import db
from service.sources.integrity import enterprise_flags

DAYS = 30
RECENT = 30  # on the page; the workbook carries up to EXPORT_LOADINGS
EXPORT_LOADINGS = 5000


def weighbridge_status(enterprise_id: int | None = None) -> list[dict]:
    """Each weighbridge with its last record and how long it has been silent."""
    from service.sources.queries import weighbridge_rows

    now, today = clock.now(), clock.today()
    rows = weighbridge_rows(enterprise_id)
    for r in rows:
        last = r["last_weighed_at"]
        r["silent_hours"] = None if last is None else round((now - last).total_seconds() / 3600, 1)
        r["calibration_lapsed"] = r["calibrated_until"] is not None and r["calibrated_until"] < today
    return rows


def _series(enterprise_id: int) -> list[dict]:
    today = clock.today()
    start = datetime.combine(today - timedelta(days=DAYS - 1), time.min, clock.CST)
    rows = db.session.execute(
        select(Loading.weighed_at, Loading.overlimit).where(
            Loading.enterprise_id == enterprise_id, Loading.weighed_at >= start
        )
    )
    days = {today - timedelta(days=i): [0, 0] for i in range(DAYS)}
    for at, over in rows:
        day = clock.local_date(at)
        if day in days:
            days[day][0] += 1
            days[day][1] += int(bool(over))
    return [{"day": d, "loadings": n, "overlimit": o} for d, (n, o) in sorted(days.items())]


def _traced_cases(enterprise_id: int) -> list[dict]:
    rows = db.session.execute(
        select(Case, CaseTrace)
        .join(CaseTrace, CaseTrace.case_id == Case.id)
        .where(CaseTrace.enterprise_id == enterprise_id, CaseTrace.status == "confirmed")
        .order_by(Case.captured_at.desc())
        .limit(200)
    )
    return [{"case": c, "trace": t} for c, t in rows]


def _source_cases(enterprise_id: int) -> list[dict]:
    rows = db.session.execute(
        select(Case, Loading, PartyMatter)
        .join(Loading, Loading.id == Case.loading_id)
        .outerjoin(PartyMatter, (PartyMatter.case_id == Case.id) & (PartyMatter.party == "source_enterprise"))
        .where(Loading.enterprise_id == enterprise_id)
        .order_by(Case.captured_at.desc())
        .limit(200)
    )
    return [{"case": c, "loading": lo, "matter": m} for c, lo, m in rows]


def source_dossier(enterprise: Enterprise) -> dict:
    totals = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((Loading.overlimit.is_(True), 1), else_=0)), 0)).where(
            Loading.enterprise_id == enterprise.id
        )
    ).one()
    total, over = int(totals[0]), int(totals[1])
    recent = db.session.scalars(
        select(Loading).where(Loading.enterprise_id == enterprise.id).order_by(Loading.weighed_at.desc()).limit(RECENT)
    ).all()
    source_cases = _source_cases(enterprise.id)
    fined = sum((r["matter"].decision_amount_yuan or 0) for r in source_cases if r["matter"] is not None)
    return {
        "enterprise": enterprise,
        "weighbridges": weighbridge_status(enterprise.id),
        "loading_total": total,
        "loading_overlimit": over,
        "overlimit_share_pct": round(100 * over / total, 1) if total else None,
        "series": _series(enterprise.id),
        "recent_loadings": recent,
        "traced_cases": _traced_cases(enterprise.id),
        "source_cases": source_cases,
        "fined_yuan": fined,
        "flags": enterprise_flags(enterprise.id),
        "supervision": _supervision(enterprise),
    }


def _supervision(enterprise: Enterprise) -> list[dict]:
    from service.registry.dossier import _supervision as history

    return history(enterprise)


def workbook(d: dict) -> bytes:
    """The dossier as a workbook: Chinese headers, real dates and numbers."""
    from openpyxl import Workbook

    book = Workbook()
    e = d["enterprise"]
    sheet = book.active
    sheet.title = "概况"
    for row in (
        ("单位名称", e.name), ("统一社会信用代码", e.uscc), ("地址", e.address or ""),
        ("重点货运源头单位", "是" if e.key_source else "否"), ("出场称重（条）", d["loading_total"]),
        ("其中超限（条）", d["loading_overlimit"]), ("超限占比（%）", d["overlimit_share_pct"]),
        ("倒查认定的路面案件（起）", len(d["traced_cases"])), ("源头超限装载案件（起）", len(d["source_cases"])),
        ("已决定罚款（元）", d["fined_yuan"]),
    ):  # fmt: skip
        sheet.append(list(row))
    loadings = book.create_sheet("出场称重")
    loadings.append(
        [
            "称重时间",
            "车牌",
            "轴数",
            "毛重（kg）",
            "皮重（kg）",
            "限值（kg）",
            "超限量（kg）",
            "是否超限",
            "货物",
            "运单号",
            "目的地",
        ]
    )
    rows = db.session.scalars(
        select(Loading).where(Loading.enterprise_id == e.id).order_by(Loading.weighed_at.desc()).limit(EXPORT_LOADINGS)
    )
    for lo in rows:
        loadings.append([_naive(lo.weighed_at), lo.plate, lo.axle_count, lo.gross_weight_kg, lo.tare_weight_kg,
                         lo.limit_kg, lo.overlimit_kg, "是" if lo.overlimit else "否", lo.cargo, lo.waybill_no,
                         lo.destination])  # fmt: skip
    traced = book.create_sheet("倒查案件")
    traced.append(
        ["案件编号", "车牌", "检测时间", "总质量（kg）", "超限量（kg）", "百吨王", "认定得分", "认定理由", "认定时间"]
    )
    for r in d["traced_cases"]:
        c, t = r["case"], r["trace"]
        traced.append([c.case_number, c.plate, _naive(c.captured_at), c.gross_weight_kg, c.excess_kg,
                       "是" if c.baidunwang else "否", t.score, t.reason, _naive(t.decided_at)])  # fmt: skip
    own = book.create_sheet("源头案件")
    own.append(["案件编号", "车牌", "出场时间", "毛重（kg）", "超限量（kg）", "依据", "事项状态", "罚款（元）"])
    for r in d["source_cases"]:
        c, lo, m = r["case"], r["loading"], r["matter"]
        own.append([c.case_number, lo.plate, _naive(lo.weighed_at), lo.gross_weight_kg, c.excess_kg,
                    (m.basis or {}).get("rule_id") if m else None, m.status_label if m else None,
                    m.decision_amount_yuan if m else None])  # fmt: skip
    flags = book.create_sheet("核查提示")
    flags.append(["地磅", "提示", "说明", "涉及记录数"])
    for f in d["flags"]:
        flags.append([f["weighbridge_code"], f["label"], f["text"], len(f["trips"])])
    for ws, cols in ((loadings, "A"), (traced, "CI"), (own, "C")):
        for col in cols:
            for cell in ws[col][1:]:
                cell.number_format = "yyyy-mm-dd hh:mm"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _naive(moment):
    """Beijing time without its offset: Excel cells hold no time zone."""
    return moment.astimezone(clock.CST).replace(tzinfo=None) if moment else None
