"""Reads that build the review pages and API answers: the queue, the deadline list and the
case detail. The case detail is built here once; the API serialises it and the console
renders it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, exists, or_, select

from models import Case, EvidenceImage, PartyMatter, Reading, Site, User
from models.case import CASE_STATUS_LABELS
from service import clock
from service.errors import DomainError
from service.extensions import db
from service.procedure import actions_for
from service.procedure.deadlines import deadline_query, deadline_view


def _base(viewer: User | None = None) -> Select:
    """Cases with their site's code, within `viewer`'s jurisdiction (service/review/jurisdiction.py)."""
    from service.review.jurisdiction import site_clause

    stmt = select(Case, Site.code).join(Site, Site.id == Case.site_id)
    clause = site_clause(viewer)
    return stmt if clause is None else stmt.where(clause)


def case_query(args: dict, user_id: int | None = None, viewer: User | None = None) -> Select:
    """The review queue order: 百吨王 first, then by the over-limit rate, then oldest."""
    stmt = _base(viewer)
    if args.get("status"):
        stmt = stmt.where(Case.status == args["status"])
    if args.get("site_code"):
        stmt = stmt.where(Site.code == args["site_code"])
    if args.get("plate"):
        stmt = stmt.where(Case.plate.contains(plate_fragment(args["plate"]), autoescape=True))
    if "baidunwang" in args:
        stmt = stmt.where(Case.baidunwang.is_(args["baidunwang"]))
    if "penalty_usable" in args:
        stmt = stmt.where(Case.penalty_usable.is_(args["penalty_usable"]))
    for key, op in (("from", "ge"), ("to", "lt")):
        if args.get(key):
            moment = datetime.combine(args[key] + timedelta(days=1 if key == "to" else 0), time(0), tzinfo=clock.CST)
            stmt = stmt.where(Case.captured_at >= moment if op == "ge" else Case.captured_at < moment)
    if args.get("mine") and user_id is not None:
        handled = exists().where(
            PartyMatter.case_id == Case.id,
            or_(PartyMatter.notice_issued_by_id == user_id, PartyMatter.decision_proposed_by_id == user_id),
        )
        stmt = stmt.where(or_(Case.assigned_to_id == user_id, Case.reviewed_by_id == user_id, handled))
    return stmt.order_by(Case.baidunwang.desc(), Case.excess_pct.desc(), Case.id)


def plate_fragment(text: str) -> str:
    """What an officer types for a plate, as stored: `ax1641`, `吉 AX-1641`, full-width letters
    all find 吉AX1641 (GA 36-2018 normalisation, then any part of the plate)."""
    from service.rules.plates import normalise_plate

    return normalise_plate(text.replace("-", "")) or ""


def deadline_list(viewer: User | None = None) -> Select:
    """Open cases with a running deadline overdue or due within 3 days, most urgent first."""
    return deadline_query(_base(viewer))


def case_view(case: Case, site_code: str) -> dict:
    """A case as the queue lists it: the figures of the weighing it stands on, after the deduction."""
    return {
        "id": case.id,
        "case_number": case.case_number,
        "status": case.status,
        "status_label": CASE_STATUS_LABELS.get(case.status, case.status),
        "reading_id": case.reading_id,
        "weighing_reading_id": case.weighing_reading_id,
        "site_code": site_code,
        "plate": case.plate,
        "captured_at": case.captured_at,
        "opened_at": case.opened_at,
        "decide_by": case.decide_by,
        "gross_weight_kg": case.gross_weight_kg,
        "limit_kg": case.limit_kg,
        "tolerance_kg": case.tolerance_kg,
        "excess_kg": case.excess_kg,
        "excess_pct": case.excess_pct,
        "baidunwang": case.baidunwang,
        "rule_id": case.rule_id,
        "rule_article": case.rule_article,
        "rule_version": case.rule_version,
        "penalty_usable": case.penalty_usable,
        "penalty_bars": case.penalty_bars,
        "prior_case_count": case.prior_case_count,
        "version": case.version,
    }


def rows_view(rows) -> list[dict]:
    """Queue rows with their 屡犯 flags (one grouped read for the page)."""
    from service.registry.repeat import repeat_flags

    flags = repeat_flags([c for c, _ in rows])
    return [{**case_view(c, code), "repeat_flags": flags[c.id]} for c, code in rows]


def driver_view(driver_id: int | None) -> dict | None:
    """The case's driver as officers see it: name and masked numbers only."""
    from models import Driver

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


MATTER_FIELDS = (
    "notice_number",
    "notice_issued_at",
    "statement_due",
    "hearing_request_due",
    "hearing_requested_at",
    "hearing_held_at",
    "hearing_record",
    "notified_penalty",
    "decision_kind",
    "decision_amount_yuan",
    "decision_reason",
    "decision_number",
    "decided_at",
    "decision_basis",
    "repeat_at_decision",
    "service_due",
    "service_method",
    "served_at",
    "payment_due",
    "paid_at",
    "paid_amount_yuan",
    "late_fee_yuan",
    "referred_at",
    "acknowledged_at",
    "outcome",
    "closed_at",
)


def matter_view(matter: PartyMatter) -> dict:
    """One party's matter (CONTRACT §7 `parties`): its party, authority, basis, state, dates."""
    from service.procedure.matter_ops import proposal_for

    view = {
        "id": matter.id,
        "case_id": matter.case_id,
        "party": matter.party,
        "party_label": matter.party_label,
        "party_name": matter.party_name,
        "vehicle_id": matter.vehicle_id,
        "driver_id": matter.driver_id,
        "enterprise_id": matter.enterprise_id,
        "authority": matter.authority,
        "authority_label": matter.authority_label,
        "handling": "procedure" if matter.handled_here else "tracked",
        "basis": matter.basis,
        "status": matter.status,
        "status_label": matter.status_label,
        "opened_at": matter.opened_at,
        "due_on": _next_due(matter),
        "statements": [statement_view(s) for s in matter.statements],
    }
    view.update({name: getattr(matter, name) for name in MATTER_FIELDS})
    try:
        usable = matter.case.penalty_usable or matter.case.reweigh_reading_id
        view["penalty_proposal"] = proposal_for(matter).to_dict() if matter.handled_here and usable else None
    except (DomainError, ValueError):  # a matter whose band is not stated (yet), an act before 2016-09-21
        view["penalty_proposal"] = None
    return view


def _next_due(matter: PartyMatter) -> date | None:
    """The date the matter waits for next: the other authority's receipt, or this agency's step."""
    if not matter.handled_here or matter.status in ("unidentified", "pending"):
        return matter.due_on
    by_status = {
        "notice_issued": matter.statement_due,
        "hearing_requested": matter.statement_due,
        "decided": matter.service_due,
        "served": matter.payment_due,
    }
    return by_status.get(matter.status)


def statement_view(s) -> dict:
    return {
        "id": s.id,
        "matter_id": s.matter_id,
        "kind": s.kind,
        "channel": s.channel,
        "text": s.text,
        "contact": s.contact,
        "submitted_at": s.submitted_at,
        "awaits_review": s.awaits_review,
        "reviewed_at": s.reviewed_at,
        "review_outcome": s.review_outcome,
        "review_reasons": s.review_reasons,
    }


def case_detail(case: Case, viewer: User | None) -> dict:
    """Everything the case page and `GET /cases/<id>` show, with the steps `viewer` may take now.

    The vehicle owner's matter leads: its procedure fields are also given at the top level
    (the case's notice, decision, service and payment)."""
    from service.ingest.evidence import evidence_view
    from service.registry.repeat import repeat_flags

    site = db.session.get(Site, case.site_id) if case.site_id is not None else None  # none: a source case
    view = case_view(case, site.code if site else None)
    view.update(
        site={"id": site.id, "code": site.code, "name": site.name, "kind": site.kind} if site else None,
        loading_id=case.loading_id,
        review_checklist=case.review_checklist,
        vehicle_facts=case.vehicle_facts,
        reviewed_at=case.reviewed_at,
        assigned_to_id=case.assigned_to_id,
        dismissal_reason=case.dismissal_reason,
        permit_issue=case.permit_issue,
        vehicle_id=case.vehicle_id,
        enterprise_id=case.enterprise_id,
        driver_id=case.driver_id,
        merged_into_id=case.merged_into_id,
        reweigh_reading_id=case.reweigh_reading_id,
        closed_at=case.closed_at,
        deadlines=deadline_view(case),
        driver=driver_view(case.driver_id),
        repeat_flags=repeat_flags([case])[case.id],
    )
    matters = [matter_view(m) for m in case.matters]
    lead = next((m for m in matters if m["party"] == "vehicle"), None)
    for name in (*MATTER_FIELDS, "penalty_proposal"):
        view[name] = lead[name] if lead else None
    if lead is None and case.loading_id is None:  # before review: what the notice would propose
        view["penalty_proposal"] = _proposal_before_review(case)
    view["matters"] = matters
    view["statements"] = [s for m in matters for s in m["statements"]]
    evidence = db.session.scalars(
        select(EvidenceImage).where(EvidenceImage.reading_id == case.reading_id).order_by(EvidenceImage.id)
    )
    view["evidence"] = [evidence_view(e) for e in evidence]
    actions = actions_for(case, viewer)
    view["actions"] = [a for a in actions if a["allowed"]]
    view["barred_actions"] = [a for a in actions if not a["allowed"]]
    return view


def _proposal_before_review(case: Case) -> dict | None:
    from service.procedure.matter_ops import case_proposal

    if not (case.penalty_usable or case.reweigh_reading_id):
        return None
    try:
        return case_proposal(case).to_dict()
    except ValueError:
        return None


def earlier_cases(case: Case, limit: int = 20, viewer: User | None = None) -> list[dict]:
    """The same plate's other cases, newest first (the case page lists them)."""
    if not case.plate:
        return []
    rows = db.session.execute(
        _base(viewer).where(Case.plate == case.plate, Case.id != case.id).order_by(Case.captured_at.desc()).limit(limit)
    ).all()
    return [case_view(c, code) for c, code in rows]


def weighing(case: Case) -> Reading:
    return db.session.get(Reading, case.weighing_reading_id)


def statements_to_review(user_id: int) -> list[dict]:
    """Statements (陈述申辩) awaiting review (复核, 行政处罚法 第四十五条) on the cases this officer
    was assigned, reviewed or gave notice on: how the assigned officer is told of them."""
    from models import CaseStatement
    from service.review.jurisdiction import case_clause

    mine = or_(
        Case.assigned_to_id == user_id,
        Case.reviewed_by_id == user_id,
        PartyMatter.notice_issued_by_id == user_id,
    )
    rows = db.session.execute(
        select(CaseStatement, Case, PartyMatter)
        .join(PartyMatter, PartyMatter.id == CaseStatement.matter_id)
        .join(Case, Case.id == CaseStatement.case_id)
        .where(CaseStatement.kind == "statement", CaseStatement.reviewed_at.is_(None), mine)
        .where(*[c for c in (case_clause(db.session.get(User, user_id)),) if c is not None])
        .order_by(CaseStatement.submitted_at)
        .limit(200)
    ).all()
    return [
        {
            "id": s.id,
            "case_id": c.id,
            "case_number": c.case_number,
            "party_label": m.party_label,
            "submitted_at": s.submitted_at,
        }
        for s, c, m in rows
    ]
