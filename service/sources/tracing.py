"""Reads for tracing a roadside case (CONTRACT §7): the facts the pure scoring needs
(service/rules/tracing.py), gathered with indexed queries — the plate's loadings in the window
(ix_loadings_plate_weighed), its earlier detections (ix_readings_plate_captured), its confirmed
sources (ix_cases_plate) — and the source enterprises of the registry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from models import Case, CaseTrace, Enterprise, Loading, PartyMatter, Reading, Site
from models.case import FINISHED
from models.matter import MATTER_DONE
from service.config import rule_settings
from service.errors import DomainError
from service.extensions import db
from service.rules.tracing import Detection, LoadingLead, Sighting, Source, assessment, score_candidates

SOURCE_KINDS = ("source", "both")
NOT_TRACEABLE = ("pending_review", "dismissal_requested", "dismissed", "merged")
REGION_PLACES = {"220100": ("长春",), "220200": ("吉林",), "220300": ("四平",)}


def traceable(case: Case) -> bool:
    """A confirmed roadside case (a source case is the source's own act)."""
    return case.loading_id is None and case.status not in NOT_TRACEABLE


def trace_row(case_id: int) -> CaseTrace | None:
    return db.session.scalar(select(CaseTrace).where(CaseTrace.case_id == case_id))


def sources() -> list[Source]:
    rows = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.address, Enterprise.latitude, Enterprise.longitude).where(
            Enterprise.kind.in_(SOURCE_KINDS)
        )
    )
    return [Source(*r) for r in rows]


def _places(site: Site | None) -> tuple[str, ...]:
    if site is None:
        return ()
    code = site.region_code or ""
    names = [site.name, *REGION_PLACES.get(code, REGION_PLACES.get(code[:4] + "00", ()))]  # a county: its city
    # The site's name without its kind ("长春西非现场执法点" → "长春西"), and its city.
    return tuple(dict.fromkeys(n for n in names if n))


def detection(case: Case, trace: CaseTrace | None) -> Detection:
    site = db.session.get(Site, case.site_id) if case.site_id else None
    return Detection(
        captured_at=case.captured_at,
        gross_kg=case.gross_weight_kg,
        tolerance_kg=case.tolerance_kg,
        places=_places(site),
        origin=trace.origin if trace else None,
        cargo=trace.cargo if trace else None,
        waybill_no=trace.waybill_no if trace else None,
    )


def candidates_for(case: Case, settings=None) -> tuple[list, tuple[str, str]]:
    """The scored candidates of a roadside case, highest first, and how they stand."""
    settings = settings or rule_settings()
    trace = trace_row(case.id)
    det = detection(case, trace)
    loadings, sightings, history = [], [], {}
    if case.plate:
        window = timedelta(hours=settings.trace_window_hours)
        rows = db.session.execute(
            select(Loading.id, Loading.enterprise_id, Loading.weighed_at, Loading.gross_weight_kg,
                   Loading.destination, Loading.waybill_no, Loading.cargo)
            .where(Loading.plate == case.plate, Loading.weighed_at >= case.captured_at - window,
                   Loading.weighed_at <= case.captured_at)
        )  # fmt: skip
        loadings = [LoadingLead(*r) for r in rows]
        horizon = timedelta(hours=settings.trace_sighting_hours)
        rows = db.session.execute(
            select(Reading.captured_at, Site.name, Site.latitude, Site.longitude)
            .join(Site, Site.id == Reading.site_id)
            .where(Reading.plate == case.plate, Reading.captured_at >= case.captured_at - horizon,
                   Reading.captured_at < case.captured_at, Site.latitude.is_not(None), Site.longitude.is_not(None))
            .limit(500)
        )  # fmt: skip
        sightings = [Sighting(*r) for r in rows]
        history = confirmed_history(case.plate, case.id)
    cands = score_candidates(det, sources(), loadings, sightings, history, settings)
    return cands, assessment(cands, settings)


def confirmed_history(plate: str, except_case_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(CaseTrace.enterprise_id, func.count())
        .join(Case, Case.id == CaseTrace.case_id)
        .where(Case.plate == plate, Case.id != except_case_id, CaseTrace.status == "confirmed")
        .group_by(CaseTrace.enterprise_id)
    )
    return {eid: n for eid, n in rows if eid is not None}


def trace_view(case: Case) -> dict:
    """GET /cases/<id>/trace (CONTRACT §7)."""
    if case.loading_id is not None:
        raise DomainError("源头超限装载案件的当事人即出场称重的源头单位，无需倒查", 409)
    trace = trace_row(case.id)
    cands, _ = candidates_for(case)
    status = trace.status if trace is not None else "open"
    return {
        "status": status,
        "source_enterprise_id": trace.enterprise_id if trace is not None and status == "confirmed" else None,
        "candidates": [c.to_dict() for c in cands],
    }


def trace_queue(limit: int = 60, viewer=None) -> list[Case]:
    """Confirmed roadside cases without a decided source, 百吨王 first, then by the rate over;
    of the viewer's jurisdiction (None: all)."""
    from service.review.jurisdiction import case_clause

    decided = select(CaseTrace.case_id).where(CaseTrace.status != "open")
    # A source matter already named (the 查明 step) or closed as 无法查明 has its answer too.
    answered = select(PartyMatter.case_id).where(
        PartyMatter.party == "source_enterprise",
        PartyMatter.enterprise_id.is_not(None) | PartyMatter.status.in_(MATTER_DONE),
    )
    stmt = (
        select(Case)
        .where(Case.loading_id.is_(None), Case.status.not_in((*NOT_TRACEABLE, *FINISHED)),
               Case.id.not_in(decided), Case.id.not_in(answered))
        .order_by(Case.baidunwang.desc(), Case.excess_pct.desc(), Case.id)
        .limit(limit)
    )  # fmt: skip
    if (clause := case_clause(viewer)) is not None:
        stmt = stmt.where(clause)
    return list(db.session.scalars(stmt))
