"""The running deadlines of a case and of its matters, with overdue and due-soon flags."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, or_, select

from models import Case, PartyMatter
from service import clock
from service.rules import due_soon, is_overdue

# Before the owner's decision the 90-day clock of 立案 runs (行政处罚法 第六十条).
BEFORE_DECISION = ("pending_review", "confirmed", "notice_issued", "hearing_requested", "decision_proposed")


WAITING = {"unidentified": "查明当事人期限", "referred": "签收期限"}


def _matter_items(matter: PartyMatter) -> list[tuple[str, str, date | None, bool]]:
    if matter.status in WAITING:
        label = WAITING[matter.status] if matter.status == "unidentified" else f"{matter.authority_label}签收期限"
        return [("due_on", label, matter.due_on, True)]
    if not matter.handled_here:
        return [("due_on", f"移送{matter.authority_label}期限", matter.due_on, matter.status == "pending")]
    return [
        (
            "due_on",
            "作出处罚决定期限（立案后九十日）",
            matter.due_on,
            matter.status == "pending" and matter.party != "vehicle",
        ),
        ("statement_due", "当事人陈述申辩期限", matter.statement_due, matter.status == "notice_issued"),
        ("hearing_request_due", "听证申请期限", matter.hearing_request_due, matter.status == "notice_issued"),
        ("service_due", "送达决定书期限", matter.service_due, matter.status == "decided"),
        ("payment_due", "缴纳罚款期限", matter.payment_due, matter.status == "served"),
    ]


def deadline_view(case: Case, today: date | None = None) -> list[dict]:
    """The case's deadlines: the decision's 90 days, then each matter's (the owner's first)."""
    today = today or clock.today()
    items = [
        (
            None,
            (
                "decide_by",
                "作出处罚决定（立案后九十日）",
                clock.local_date(case.decide_by),
                case.status in BEFORE_DECISION,
            ),
        )
    ]
    for matter in sorted(case.matters, key=lambda m: (m.party != "vehicle", m.id)):
        items += [(matter, item) for item in _matter_items(matter)]
    out = []
    for matter, (code, label, due, running) in items:
        if due is None:
            continue
        if matter is not None and matter.party != "vehicle":
            label = f"{matter.party_label}：{label}"
        out.append(
            {
                "code": code,
                "label": label,
                "due": due,
                "matter_id": matter.id if matter is not None else None,
                "running": running,
                "overdue": running and is_overdue(due, today),
                "due_soon": running and due_soon(due, today),
            }
        )
    return out


def deadline_query(base: Select, within_days: int = 3) -> Select:
    """Cases of `base` with a running deadline overdue or due within `within_days` (local dates)."""
    horizon = clock.today() + timedelta(days=within_days)
    horizon_dt = datetime.combine(horizon + timedelta(days=1), time(0), tzinfo=clock.CST)
    m = PartyMatter
    matter_due = (
        select(m.case_id)
        .where(
            or_(
                and_(m.status == "decided", m.service_due <= horizon),
                and_(m.status == "served", m.payment_due <= horizon),
                and_(m.status.in_(("unidentified", "pending", "referred")), m.due_on <= horizon),
            )
        )
        .scalar_subquery()
    )
    running = or_(and_(Case.status.in_(BEFORE_DECISION), Case.decide_by < horizon_dt), Case.id.in_(matter_due))
    return base.where(running).order_by(Case.decide_by, Case.id)
