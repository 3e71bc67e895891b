"""Cases follow their vehicle's registered configuration (domain-rules §1.1, §1.4): drive-axle
twin tyres with air suspension, articulated combination, semi-trailer axle spacing, single drive
axle, type. When the follow-up job links a new case to its vehicle, and whenever the vehicle's
record changes one of these facts, its cases not yet noticed (fact_ops.REGISTRY_FOLLOWS) are
re-classified from the registry, audited with the old and new limit; an officer's own entry on a
case wins. Noticed and decided cases are left as they are. Flush only; callers commit."""

from __future__ import annotations

from sqlalchemy import or_, select

from models import Case, Vehicle
from service.extensions import db
from service.procedure.fact_ops import CONFIG_FACTS, REGISTRY_FOLLOWS, follow_registry

SYSTEM = "system"


def _has_facts():
    """A vehicle that registers any of the facts, or a case that already holds some."""
    return or_(*(getattr(Vehicle, name).is_not(None) for name in CONFIG_FACTS), Case.vehicle_facts.is_not(None))


def follow_linked(case_ids: list[int]) -> int:
    """New links (service/registry/operations.link_cases): the cases open with the registry's facts.
    One query per chunk finds the few cases whose vehicle registers any; the rest cost nothing."""
    rows = db.session.execute(
        select(Case.id, Vehicle.id)
        .join(Vehicle, Vehicle.id == Case.vehicle_id)
        .where(Case.id.in_(case_ids), Case.status.in_(REGISTRY_FOLLOWS), _has_facts())
        .order_by(Case.id)
    ).all()
    return _follow(rows, actor=SYSTEM)


def follow_vehicle(vehicle: Vehicle, *, actor: str, actor_user_id: int | None = None) -> int:
    """The vehicle's record changed a configuration fact: its cases not yet noticed follow it."""
    from service.locking import lock_plates

    lock_plates([vehicle.plate])  # the follow-up drains touch the plate's cases too, in this order
    rows = db.session.execute(
        select(Case.id, Case.vehicle_id)
        .where(Case.vehicle_id == vehicle.id, Case.status.in_(REGISTRY_FOLLOWS))
        .order_by(Case.id)
    ).all()
    return _follow(rows, actor=actor, actor_user_id=actor_user_id)


def drop_unlinked(case_ids: list[int], *, actor: str, actor_user_id: int | None = None) -> int:
    """Cases no longer linked to a vehicle (its plate was corrected) lose the facts that came
    from that record; an officer's entries stay."""
    rows = db.session.execute(
        select(Case.id, Case.vehicle_id)
        .where(Case.id.in_(case_ids), Case.vehicle_id.is_(None), Case.status.in_(REGISTRY_FOLLOWS))
        .where(Case.vehicle_facts.is_not(None))
        .order_by(Case.id)
    ).all()
    return _follow(rows, actor=actor, actor_user_id=actor_user_id)


def _follow(rows, *, actor: str, actor_user_id: int | None = None) -> int:
    changed = 0
    for case_id, vehicle_id in rows:
        case = db.session.get(Case, case_id)
        vehicle = db.session.get(Vehicle, vehicle_id) if vehicle_id else None
        changed += follow_registry(case, vehicle, actor=actor, actor_user_id=actor_user_id)
    if changed:
        db.session.flush()
    return changed
