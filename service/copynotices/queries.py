"""Reads for the copy-notice list, its exports and the API."""

from __future__ import annotations

from sqlalchemy import Select, select

from models import CopyNotice
from service import clock
from service.rules import is_overdue

STATUSES = ("due", "overdue", "sent")
# The columns of the list and the workbook, in Chinese: the Art 44 fields one per column.
COLUMNS = (
    ("case_number", "案件编号"),
    ("plate", "号牌"),
    ("vehicle_type", "车辆类型"),
    ("enterprise", "所属企业"),
    ("transport_cert_no", "道路运输证号"),
    ("driver", "驾驶人"),
    ("qualification_no", "从业资格证号"),
    ("source", "货运源头单位"),
    ("decision_number", "处罚决定书文号"),
    ("decision", "处罚决定"),
    ("decided_on", "决定日期"),
    ("site", "检测点位"),
    ("captured_at", "检测时间"),
    ("gross_weight_kg", "车货总质量（千克）"),
    ("excess_kg", "扣除误差后超限（千克）"),
    ("excess_pct", "超限率（%）"),
    ("to", "抄告机关"),
    ("due_on", "抄告期限"),
    ("status", "状态"),
    ("reference", "文号 / 回执"),
)


def notice_query(status: str | None = None, viewer=None) -> Select:
    """Copy notices, the most urgent first; `overdue` is due and past its date (Beijing dates).
    Within `viewer`'s jurisdiction (service/review/jurisdiction.py)."""
    from service.review.jurisdiction import case_clause

    stmt = select(CopyNotice)
    clause = case_clause(viewer)
    if clause is not None:
        from models import Case

        stmt = stmt.where(CopyNotice.case_id.in_(select(Case.id).where(clause)))
    if status in ("due", "overdue"):
        stmt = stmt.where(CopyNotice.status == "due")
        if status == "overdue":
            stmt = stmt.where(CopyNotice.due_on < clock.today())
    elif status == "sent":
        stmt = stmt.where(CopyNotice.status == "sent")
    return stmt.order_by(CopyNotice.status, CopyNotice.due_on, CopyNotice.id)


def notice_view(notice: CopyNotice) -> dict:
    c = notice.content
    decision = c.get("decision") or {}
    kind = {"fine": f"罚款 {decision.get('amount_yuan') or 0:,} 元", "warning": "警告"}.get(decision.get("kind"), "—")
    overdue = notice.status == "due" and is_overdue(notice.due_on, clock.today())
    return {
        "id": notice.id,
        "case_id": notice.case_id,
        "case_number": c.get("case_number"),
        "plate": c.get("plate"),
        "vehicle_type": c.get("vehicle_type"),
        "enterprise": (c.get("enterprise") or {}).get("name"),
        "transport_cert_no": c.get("transport_cert_no"),
        "driver": (c.get("driver") or {}).get("name"),
        "qualification_no": (c.get("driver") or {}).get("qualification_no"),
        "source": (c.get("source") or {}).get("name"),
        "decision_number": decision.get("number"),
        "decision": kind,
        "decided_on": decision.get("decided_on"),
        "site": c["act"]["site"],
        "captured_at": c["act"]["captured_at"],
        "gross_weight_kg": c["act"]["gross_weight_kg"],
        "excess_kg": c["act"]["excess_kg"],
        "excess_pct": c["act"]["excess_pct"],
        "to": notice.sent_to or c.get("to"),
        "due_on": notice.due_on,
        "status": notice.status,
        "status_label": "已逾期" if overdue else notice.status_label,
        "overdue": overdue,
        "sent_at": notice.sent_at,
        "reference": notice.reference,
        "content": c,
    }
