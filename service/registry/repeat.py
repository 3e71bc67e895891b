"""Repeat offenders (屡犯) from decided cases: 公路安全保护条例 第六十六条 (R-VEH-3, R-DRV-3, R-ENT-10).

Counts are made from the cases' penalty decisions (warnings included, a setting),
over the statutory anniversary cycle, with the rolling 12 months as a watch
signal. Subjects without a registry record are counted by plate.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from models import Case, Driver, Enterprise, Vehicle
from service.extensions import db
from service.ingest.operations import CST
from service.rules import DecidedViolation, assess_driver, assess_enterprise, assess_vehicle

DECIDED = ("decided", "served", "executed", "closed")
LOOKBACK_DAYS = 2 * 366  # the longest cycle plus a year: older decisions cannot count


def _today() -> date:
    return datetime.now(CST).date()


def _violations(where) -> list[DecidedViolation]:
    since = datetime.combine(_today() - timedelta(days=LOOKBACK_DAYS), datetime.min.time(), tzinfo=CST)
    rows = db.session.execute(
        select(Case.captured_at, Case.decision_kind, Case.decided_at).where(
            where, Case.status.in_(DECIDED), Case.decided_at.is_not(None), Case.captured_at >= since
        )
    ).all()
    return [DecidedViolation(c.astimezone(CST).date(), kind or "", d.astimezone(CST).date()) for c, kind, d in rows]


def vehicle_status(plate: str, on: date | None = None) -> dict:
    vehicle = db.session.scalar(select(Vehicle).where(Vehicle.plate == plate).limit(1))
    result = assess_vehicle(
        _violations(Case.plate == plate),
        on=on or _today(),
        licence_issued=vehicle.transport_cert_first_issued if vehicle else None,
    )
    return {"plate": plate, "vehicle_id": vehicle.id if vehicle else None, **result.to_dict()}


def driver_status(driver_id: int, on: date | None = None) -> dict:
    driver = db.session.get(Driver, driver_id)
    result = assess_driver(
        _violations(Case.driver_id == driver_id),
        on=on or _today(),
        licence_issued=driver.qualification_first_issued if driver else None,
    )
    return {"driver_id": driver_id, "name": driver.name if driver else None, **result.to_dict()}


def enterprise_status(enterprise_id: int, on: date | None = None) -> dict:
    enterprise = db.session.get(Enterprise, enterprise_id)
    per_vehicle: dict[str, list] = defaultdict(list)
    plates = db.session.scalars(select(Vehicle.plate).where(Vehicle.enterprise_id == enterprise_id)).all()
    for plate in plates:
        per_vehicle[plate] = _violations(Case.plate == plate)
    result = assess_enterprise(
        per_vehicle,
        enterprise.declared_fleet_size if enterprise else None,
        on=on or _today(),
        licence_issued=enterprise.licence_first_issued if enterprise else None,
        suspension_ordered=bool(enterprise and enterprise.suspension_ordered_at),
    )
    return {
        "enterprise_id": enterprise_id,
        "name": enterprise.name if enterprise else None,
        "uscc": enterprise.uscc if enterprise else None,
        **result.to_dict(),
    }


def snapshot_for_case(case: Case) -> dict:
    """What the counts were at the moment of a decision (stored with it)."""
    snap = {"vehicle": vehicle_status(case.plate)} if case.plate else {}
    if case.driver_id:
        snap["driver"] = driver_status(case.driver_id)
    if case.enterprise_id:
        snap["enterprise"] = enterprise_status(case.enterprise_id)
    return snap


def candidate_plates(minimum: int = 2) -> list[str]:
    """Plates with enough decided cases in the look-back to matter (one grouped query)."""
    since = datetime.now(CST) - timedelta(days=LOOKBACK_DAYS)
    rows = db.session.execute(
        select(Case.plate)
        .where(Case.status.in_(DECIDED), Case.plate.is_not(None), Case.captured_at >= since)
        .group_by(Case.plate)
        .having(func.count() >= minimum)
    ).scalars()
    return list(rows)


def listed(kind: str) -> list[dict]:
    """Subjects past the legal trigger or the rolling watch signal, most cases first."""
    if kind == "vehicle":
        items = [vehicle_status(p) for p in candidate_plates(minimum=4)]
    elif kind == "driver":
        ids = db.session.scalars(
            select(Case.driver_id)
            .where(Case.driver_id.is_not(None), Case.status.in_(DECIDED))
            .group_by(Case.driver_id)
            .having(func.count() >= 4)
        ).all()
        items = [driver_status(i) for i in ids]
    else:
        ids = db.session.scalars(
            select(Case.enterprise_id)
            .where(Case.enterprise_id.is_not(None), Case.status.in_(DECIDED))
            .group_by(Case.enterprise_id)
        ).all()
        items = [enterprise_status(i) for i in ids]
    items = [i for i in items if i["triggered"] or i["watch"]]
    return sorted(items, key=lambda i: (not i["triggered"], -(i["statutory_count"] or 0)))


def listed_plates() -> set[str]:
    """Plates whose vehicle is listed (for the flag on every case of that vehicle)."""
    return {i["plate"] for i in listed("vehicle")}
