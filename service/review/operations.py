"""Reading cases for the review queue, the deadline list and the case page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import Select, and_, or_, select

from models import Case, Reading, Site
from models.case import CASE_STATUS_LABELS


def _base() -> Select:
    return (
        select(Case, Reading, Site.code)
        .join(Reading, Reading.id == Case.reading_id)
        .join(Site, Site.id == Case.site_id)
    )


def case_query(args: dict, user_id: int | None = None) -> Select:
    """The review queue order: 百吨王 first, then by over-limit %, then oldest."""
    stmt = _base()
    if args.get("status"):
        stmt = stmt.where(Case.status == args["status"])
    if args.get("site_code"):
        stmt = stmt.where(Site.code == args["site_code"])
    if args.get("plate"):
        stmt = stmt.where(Case.plate == args["plate"].strip().upper())
    if "baidunwang" in args:
        stmt = stmt.where(Case.baidunwang.is_(args["baidunwang"]))
    if "penalty_usable" in args:
        stmt = stmt.where(Case.penalty_usable.is_(args["penalty_usable"]))
    if args.get("mine") and user_id is not None:
        stmt = stmt.where(
            or_(
                Case.assigned_to_id == user_id,
                Case.reviewed_by_id == user_id,
                Case.notice_issued_by_id == user_id,
                Case.decision_proposed_by_id == user_id,
            )
        )
    return stmt.order_by(Case.baidunwang.desc(), Case.overlimit_pct.desc(), Case.id)


def deadline_query(within_days: int = 3) -> Select:
    """Open cases whose running deadline is overdue or due within `within_days` (local dates)."""
    from service.ingest.operations import CST
    from service.review.procedure import _today

    horizon = _today() + timedelta(days=within_days)
    horizon_dt = datetime.combine(horizon + timedelta(days=1), time(0), tzinfo=CST)
    running = or_(
        and_(
            Case.status.in_(("pending_review", "confirmed", "notice_issued", "hearing_requested", "decision_proposed")),
            Case.decide_by < horizon_dt,
        ),
        and_(Case.status == "decided", Case.service_due <= horizon),
        and_(Case.status == "served", Case.payment_due <= horizon),
    )
    return _base().where(running).order_by(Case.decide_by, Case.id)


def case_view(case: Case, reading: Reading, site_code: str) -> dict:
    return {
        "id": case.id,
        "case_number": case.case_number,
        "status": case.status,
        "status_label": CASE_STATUS_LABELS.get(case.status, case.status),
        "reading_id": case.reading_id,
        "site_code": site_code,
        "plate": case.plate,
        "captured_at": case.captured_at,
        "opened_at": case.opened_at,
        "decide_by": case.decide_by,
        "gross_weight_kg": reading.gross_weight_kg,
        "limit_kg": reading.limit_kg,
        "tolerance_kg": reading.tolerance_kg,
        "overlimit_kg": reading.overlimit_kg,
        "overlimit_pct": case.overlimit_pct,
        "baidunwang": case.baidunwang,
        "rule_id": reading.rule_id,
        "rule_article": reading.rule_article,
        "penalty_usable": case.penalty_usable,
        "penalty_bars": case.penalty_bars,
        "prior_case_count": case.prior_case_count,
        "version": case.version,
    }


def driver_view(driver_id: int | None) -> dict | None:
    """The case's driver as officers see it: name and masked numbers only."""
    from models import Driver
    from service.extensions import db

    driver = db.session.get(Driver, driver_id) if driver_id else None
    if driver is None:
        return None
    return {
        "id": driver.id,
        "name": driver.name,
        "licence_masked": driver.licence_masked,
        "qualification_no": driver.qualification_no,
        "identity_masked": driver.identity_masked,
    }


def case_detail(case: Case) -> dict:
    from service.extensions import db
    from service.review.procedure import ProcedureError, deadline_view, proposal_for

    reading = db.session.get(Reading, case.reading_id)
    site = db.session.get(Site, case.site_id)
    view = case_view(case, reading, site.code)
    for name in (
        "review_checklist",
        "reviewed_at",
        "assigned_to_id",
        "dismissal_reason",
        "notice_number",
        "statement_due",
        "hearing_request_due",
        "notified_penalty",
        "decision_kind",
        "decision_amount_yuan",
        "decision_number",
        "decision_basis",
        "service_method",
        "served_at",
        "payment_due",
        "paid_amount_yuan",
        "late_fee_yuan",
        "closed_at",
        "permit_issue",
        "vehicle_id",
        "enterprise_id",
        "driver_id",
        "repeat_at_decision",
        "merged_into_id",
    ):
        view[name] = getattr(case, name)
    view["deadlines"] = deadline_view(case)
    view["driver"] = driver_view(case.driver_id)
    from service.registry.repeat import repeat_flags

    view["repeat_flags"] = repeat_flags([case])[case.id]
    from models import EvidenceImage
    from service.ingest.evidence import evidence_view

    evidence = db.session.scalars(
        select(EvidenceImage).where(EvidenceImage.reading_id == case.reading_id).order_by(EvidenceImage.id)
    )
    view["evidence"] = [evidence_view(e) for e in evidence]
    view["statements"] = [
        {
            "id": s.id,
            "kind": s.kind,
            "channel": s.channel,
            "text": s.text,
            "contact": s.contact,
            "submitted_at": s.submitted_at,
        }
        for s in case.statements
    ]
    try:
        view["penalty_proposal"] = proposal_for(case).to_dict() if case.penalty_usable else None
    except (ProcedureError, ValueError):
        view["penalty_proposal"] = None
    return view
