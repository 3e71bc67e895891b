"""Reads for the police and the officers who refer to them: referrals and packages.

The police see what was referred to them and nothing else: a referral withdrawn before it went
out never reached them, so they never see it; a case they were not sent does not exist for them.
Everyone sees the referrals of their jurisdiction (service/review/jurisdiction.py): officers and
supervisors their agency's, a police user with an agency the cases of that agency's area and below,
and a package only when every referral in it is theirs.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, or_, select

from models import Case, PartyMatter, Referral, ReferralExport, ReferralExportItem, Site, User, Vehicle
from models.referral import TRIGGER_LABELS
from service import clock
from service.extensions import db
from service.procedure import actions_for

# The referral's status as a condition on the referral and its matter (models/referral.py).
_WITHDRAWN = or_(Referral.withdrawn_at.is_not(None), PartyMatter.status == "withdrawn")
STATUS_WHERE = {
    "withdrawn": _WITHDRAWN,
    "closed": and_(Referral.withdrawn_at.is_(None), PartyMatter.status == "closed"),
    "acknowledged": and_(Referral.withdrawn_at.is_(None), PartyMatter.status == "acknowledged"),
    "exported": and_(
        Referral.withdrawn_at.is_(None), PartyMatter.status == "referred", Referral.exported_at.is_not(None)
    ),
    "queued": and_(Referral.withdrawn_at.is_(None), PartyMatter.status == "referred", Referral.exported_at.is_(None)),
}


def _theirs(viewer: User | None):
    """The condition on `Case` for the viewer's jurisdiction (None: all)."""
    from service.review.jurisdiction import case_clause

    return case_clause(viewer)


def referral_query(viewer: User, status: str | None = None, overdue: bool = False) -> Select:
    """Referrals with their case and matter, newest first; the police's without the withdrawn."""
    stmt = (
        select(Referral, PartyMatter, Case, Site)
        .join(PartyMatter, PartyMatter.id == Referral.matter_id)
        .join(Case, Case.id == Referral.case_id)
        .outerjoin(Site, Site.id == Case.site_id)
    )
    if (clause := _theirs(viewer)) is not None:
        stmt = stmt.where(clause)
    if viewer.role == "police":
        stmt = stmt.where(~_WITHDRAWN)
    if status in STATUS_WHERE:
        stmt = stmt.where(STATUS_WHERE[status])
    if overdue:
        stmt = stmt.where(PartyMatter.status == "referred", PartyMatter.due_on < clock.today())
    return stmt.order_by(Referral.queued_at.desc(), Referral.id.desc())


def visible_referral(referral_id: int, viewer: User) -> tuple | None:
    row = db.session.execute(referral_query(viewer).where(Referral.id == referral_id)).first()
    return tuple(row) if row else None


def referral_counts(viewer: User) -> dict:
    """How many referrals are in each state, and how many receipts are overdue."""
    from sqlalchemy import func

    base = select(func.count()).select_from(Referral).join(PartyMatter, PartyMatter.id == Referral.matter_id)
    if (clause := _theirs(viewer)) is not None:
        base = base.join(Case, Case.id == Referral.case_id).where(clause)
    counts = {k: db.session.scalar(base.where(w)) for k, w in STATUS_WHERE.items()}
    if viewer.role == "police":
        counts.pop("withdrawn")
    counts["overdue"] = db.session.scalar(
        base.where(PartyMatter.status == "referred", PartyMatter.due_on < clock.today())
    )
    return counts


def package_ids(referral_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in referral_ids}
    rows = db.session.execute(
        select(ReferralExportItem.referral_id, ReferralExportItem.export_id)
        .join(ReferralExport, ReferralExport.id == ReferralExportItem.export_id)
        .where(ReferralExportItem.referral_id.in_(referral_ids), ReferralExport.status == "done")
        .order_by(ReferralExportItem.export_id)
    ).all()
    for referral_id, export_id in rows:
        out[referral_id].append(export_id)
    return out


def referral_view(row: tuple, viewer: User, packages: list[int] | None = None, with_actions: bool = False) -> dict:
    """What a referral shows: the facts of the act, why it was referred, the police's figures,
    its receipt and outcome, and every package it went out in."""
    referral, matter, case, site = row
    reasons = referral.reasons or [
        {"trigger": "manual", "rule_id": (matter.basis or {}).get("rule_id", ""),
         "article": (matter.basis or {}).get("article", ""), "text": (matter.basis or {}).get("text", "")}
    ]  # fmt: skip
    vehicle = db.session.get(Vehicle, case.vehicle_id) if case.vehicle_id else None
    overdue = matter.status == "referred" and matter.due_on is not None and matter.due_on < clock.today()
    view = {
        "id": referral.id,
        "case_id": case.id,
        "case_number": case.case_number,
        "matter_id": matter.id,
        "version": case.version,
        "status": referral.status,
        "status_label": referral.status_label,
        "origin": referral.origin,
        "reasons": [{**r, "label": TRIGGER_LABELS.get(r.get("trigger"), r.get("trigger"))} for r in reasons],
        "assessment": referral.assessment or (matter.basis or {}).get("police"),
        "plate": case.plate,
        "site": f"{site.code} {site.name}" if site else None,
        "captured_at": case.captured_at,
        "axle_count": case.reading.axle_count if case.reading else None,
        "gross_weight_kg": case.gross_weight_kg,
        "limit_kg": case.limit_kg,
        "excess_kg": case.excess_kg,
        "excess_pct": case.excess_pct,
        "baidunwang": case.baidunwang,
        "rated_load_kg": vehicle.rated_load_kg if vehicle else None,
        "max_total_mass_kg": vehicle.max_total_mass_kg if vehicle else None,
        "driver": matter.party_name,
        "queued_at": referral.queued_at,
        "exported_at": referral.exported_at,
        "due_on": matter.due_on,
        "overdue": overdue,
        "acknowledged_at": matter.acknowledged_at,
        "outcome": matter.outcome if matter.status == "closed" else None,
        "packages": packages if packages is not None else package_ids([referral.id])[referral.id],
    }
    if viewer.role != "police":
        view.update(withdrawn_at=referral.withdrawn_at, withdrawal_reason=referral.withdrawal_reason)
    if with_actions:
        actions = [a for a in actions_for(case, viewer) if a["matter_id"] == matter.id]
        view["actions"] = [a for a in actions if a["allowed"]]
        view["barred_actions"] = [a for a in actions if not a["allowed"]]
    return view


def referral_views(rows: list, viewer: User, with_actions: bool = False) -> list[dict]:
    packages = package_ids([r[0].id for r in rows]) if rows else {}
    return [referral_view(tuple(r), viewer, packages[r[0].id], with_actions) for r in rows]


def export_query(viewer: User | None = None) -> Select:
    """The packages, newest first: for a scoped viewer only those whose every referral is theirs."""
    stmt = select(ReferralExport).order_by(ReferralExport.id.desc())
    if (clause := _theirs(viewer)) is not None:
        outside = (
            select(ReferralExportItem.export_id)
            .join(Referral, Referral.id == ReferralExportItem.referral_id)
            .where(Referral.case_id.not_in(select(Case.id).where(clause)))
        )
        stmt = stmt.where(ReferralExport.id.not_in(outside))
    return stmt


def visible_export(export_id: int, viewer: User | None) -> ReferralExport | None:
    return db.session.scalar(export_query(viewer).where(ReferralExport.id == export_id))


def export_view(export: ReferralExport) -> dict:
    creator = db.session.get(User, export.created_by_id)
    return {
        "id": export.id,
        "status": export.status,
        "status_label": export.status_label,
        "progress": export.progress,
        "referral_count": export.referral_count,
        "sha256": export.sha256,
        "size_bytes": export.size_bytes,
        "file_count": export.file_count,
        "message": export.message,
        "created_at": export.created_at,
        "created_by": creator.username if creator else None,
        "finished_at": export.finished_at,
        "acknowledged_at": export.acknowledged_at,
        "referral_ids": [i.referral_id for i in export.items],
    }
