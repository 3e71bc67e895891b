"""An enterprise's dossier (企业档案): its record, fleet, drivers, cases, permits and R-ENT-10 status.

What a source investigator or supervisor reads before 约谈 or 挂牌督办: the figures are the
service's own (the repeat-offender counts of service/registry/repeat.py), never typed in.
"""

from __future__ import annotations

from sqlalchemy import func, select

from models import Case, Driver, Enterprise, Permit, Site, Vehicle
from service.extensions import db
from service.registry.repeat import enterprise_status, vehicle_status

CASE_LIMIT = 200


def _fleet(enterprise_id: int) -> list[dict]:
    vehicles = db.session.scalars(
        select(Vehicle).where(Vehicle.enterprise_id == enterprise_id).order_by(Vehicle.plate, Vehicle.id)
    ).all()
    counts = dict(
        db.session.execute(
            select(Case.vehicle_id, func.count())
            .where(Case.vehicle_id.in_([v.id for v in vehicles]))
            .group_by(Case.vehicle_id)
        ).all()
    )
    return [
        {**_vehicle_fields(v), "case_count": counts.get(v.id, 0), "repeat": vehicle_status(v.plate)} for v in vehicles
    ]


def _cases(enterprise_id: int, limit: int) -> tuple[list[dict], int]:
    where = Case.enterprise_id == enterprise_id
    total = db.session.scalar(select(func.count()).select_from(Case).where(where))
    rows = db.session.execute(
        select(Case, Site.code)
        .join(Site, Site.id == Case.site_id)
        .where(where)
        .order_by(Case.captured_at.desc(), Case.id.desc())
        .limit(limit)
    ).all()
    cases = [
        {
            "id": c.id,
            "case_number": c.case_number,
            "status": c.status,
            "status_label": c.status_label,
            "plate": c.plate,
            "site_code": code,
            "captured_at": c.captured_at,
            "excess_kg": c.excess_kg,
            "excess_pct": c.excess_pct,
            "baidunwang": c.baidunwang,
            "decision_kind": c.lead_matter.decision_kind if c.lead_matter else None,
        }
        for c, code in rows
    ]
    return cases, total


def enterprise_dossier(enterprise: Enterprise, case_limit: int = CASE_LIMIT) -> dict:
    """Everything the dossier page and `GET /registry/enterprises/<id>/dossier` show."""
    fleet = _fleet(enterprise.id)
    plates = sorted({v["plate"] for v in fleet})
    cases, total = _cases(enterprise.id, case_limit)
    permits = (
        db.session.scalars(
            select(Permit).where(Permit.plate.in_(plates)).order_by(Permit.valid_until.desc(), Permit.id)
        ).all()
        if plates
        else []
    )
    drivers = db.session.scalars(
        select(Driver).where(Driver.enterprise_id == enterprise.id).order_by(Driver.name, Driver.id)
    ).all()
    return {
        "enterprise": enterprise,
        # R-ENT-10 is a transport enterprise's rule (公路安全保护条例 Art 66): not a source unit's.
        "status": enterprise_status(enterprise.id) if enterprise.kind != "source" else None,
        "vehicles": fleet,
        "drivers": drivers,
        "permits": permits,
        "cases": cases,
        "case_total": total,
        "supervision": _supervision(enterprise),
        "blacklist_listings": _listings(enterprise),
    }


def _listings(enterprise: Enterprise) -> list[dict]:
    """Its listings as a repairer (B-4) and as an instigator (B-5), as the blacklist assesses them
    (B-3 is in `status`)."""
    from service.config import rule_settings
    from service.registry.blacklist import instigator_entries, repairer_entries

    settings = rule_settings()
    rows = repairer_entries(settings, enterprise=enterprise) + instigator_entries(settings, enterprise_id=enterprise.id)
    keep = ("code", "situation", "listed_on", "ends_on", "reason", "decision_numbers", "case_numbers", "basis")
    iso = ("listed_on", "ends_on")  # a plain dict in the answer: dates as ISO text
    return [{k: (r[k].isoformat() if k in iso and r.get(k) else r.get(k)) for k in keep} for r in rows]


def _supervision(enterprise: Enterprise) -> list[dict]:
    """约谈 / 挂牌督办 / 限期整改 against the enterprise, newest first, with their history."""
    from service.supervision.operations import action_query, action_view

    names = {enterprise.id: enterprise.name}
    return [action_view(a, names) for a in db.session.scalars(action_query(enterprise_id=enterprise.id))]


def _vehicle_fields(v: Vehicle) -> dict:
    return {
        "id": v.id,
        "plate": v.plate,
        "plate_color": v.plate_color,
        "vin": v.vin,
        "axle_count": v.axle_count,
        "vehicle_type": v.vehicle_type,
        "rated_load_kg": v.rated_load_kg,
        "max_total_mass_kg": v.max_total_mass_kg,
        "owner_name": v.owner_name,
        "enterprise_id": v.enterprise_id,
        "transport_cert_no": v.transport_cert_no,
        "transport_cert_first_issued": v.transport_cert_first_issued,
    }
