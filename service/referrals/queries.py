"""Reads for the police and the officers who refer to them: the matters referred to the police."""

from __future__ import annotations

from sqlalchemy import Select, select

from models import Case, PartyMatter, Site, User
from service.procedure import actions_for
from service.review.queries import matter_view

# What the police may see of a referral: the facts of the act and the matter, nothing else.
SHOWN_TO_POLICE = ("referred", "acknowledged", "closed")


def referral_query(viewer: User, status: str | None = None) -> Select:
    """Matters handled by the police, newest referral first; the police see only what was sent to them."""
    stmt = (
        select(PartyMatter, Case, Site)
        .join(Case, Case.id == PartyMatter.case_id)
        .join(Site, Site.id == Case.site_id)
        .where(PartyMatter.authority == "police")
    )
    if viewer.role == "police":
        stmt = stmt.where(PartyMatter.status.in_(SHOWN_TO_POLICE))
    if status:
        stmt = stmt.where(PartyMatter.status == status)
    return stmt.order_by(PartyMatter.referred_at.desc().nulls_last(), PartyMatter.id.desc())


def referral_view(matter: PartyMatter, case: Case, site: Site, viewer: User) -> dict:
    actions = [a for a in actions_for(case, viewer) if a["matter_id"] == matter.id]
    return {
        **matter_view(matter),
        "case_number": case.case_number,
        "version": case.version,
        "plate": case.plate,
        "site": f"{site.code} {site.name}",
        "captured_at": case.captured_at,
        "gross_weight_kg": case.gross_weight_kg,
        "limit_kg": case.limit_kg,
        "excess_kg": case.excess_kg,
        "excess_pct": case.excess_pct,
        "baidunwang": case.baidunwang,
        "actions": [a for a in actions if a["allowed"]],
        "barred_actions": [a for a in actions if not a["allowed"]],
    }
