"""Reading cases for the review queue."""

from __future__ import annotations

from sqlalchemy import Select, select

from models import Case, Reading, Site
from models.case import CASE_STATUS_LABELS


def case_query(args: dict) -> Select:
    """The review queue order: 百吨王 first, then by over-limit %, then oldest."""
    stmt = (
        select(Case, Reading, Site.code)
        .join(Reading, Reading.id == Case.reading_id)
        .join(Site, Site.id == Case.site_id)
    )
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
    return stmt.order_by(Case.baidunwang.desc(), Case.overlimit_pct.desc(), Case.id)


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
