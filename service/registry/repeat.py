"""Repeat offenders (屡犯) from decided cases: 公路安全保护条例 第六十六条 (R-VEH-3, R-DRV-3, R-ENT-10).

Counts are made from the cases' penalty decisions (warnings included, a setting),
over the statutory anniversary cycle, with the rolling 12 months as a watch
signal. Subjects without a registry record are counted by plate.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from models import Case, Driver, Enterprise, PartyMatter, Vehicle
from models.case import DECIDED
from service.clock import CST
from service.config import rule_settings
from service.extensions import db
from service.rules import DecidedViolation, assess_driver, assess_enterprise, assess_vehicle, plate_is_valid

LOOKBACK_DAYS = 2 * 366  # the longest cycle plus a year: older decisions cannot count


def _today() -> date:
    return datetime.now(CST).date()


# A case's decision is its vehicle owner's matter's (the act's penalty decision).
_LEAD = (PartyMatter.case_id == Case.id) & (PartyMatter.party == "vehicle")
_CASE_COLUMNS = (
    Case.id,
    Case.opened_at,
    Case.captured_at,
    PartyMatter.decision_kind,
    PartyMatter.decided_at,
    PartyMatter.decision_number,
)


def _since() -> datetime:
    return datetime.combine(_today() - timedelta(days=LOOKBACK_DAYS), datetime.min.time(), tzinfo=CST)


def _decided(where) -> list:
    """The decided cases matching `where` in the look-back, oldest first (one indexed query)."""
    return db.session.execute(
        select(*_CASE_COLUMNS)
        .join(PartyMatter, _LEAD)
        .where(where, Case.status.in_(DECIDED), PartyMatter.decided_at.is_not(None), Case.captured_at >= _since())
        .order_by(Case.captured_at)
    ).all()


def _violation(row) -> DecidedViolation:
    return DecidedViolation(
        row.captured_at.astimezone(CST).date(), row.decision_kind or "", row.decided_at.astimezone(CST).date()
    )


def _violations(rows) -> list[DecidedViolation]:
    """The rows' decided violations; a row whose stored decision cannot be one (decided before its
    act, an unknown kind) is left out rather than failing every page that counts the subject."""
    found = []
    for r in rows:
        try:
            found.append(_violation(r))
        except ValueError:
            continue
    return found


def _assessed(assess, violations, *, licence_issued: date | None, on: date, licence: str, **kwargs):
    """The rule's assessment, surviving a bad stored value of the subject's record.

    A first-issue date after the assessment day (typed wrong in the registry) gives no statutory
    cycle: the assessment is then 'cannot_assess', not triggered, and says why on the record
    (⚖ no legal consequence on a cycle that cannot be determined — the party's reading); the
    rolling 12-month signal, which does not depend on the date, is still shown."""
    bad = licence_issued is not None and licence_issued > on
    if kwargs.get("fleet_size") is not None and kwargs["fleet_size"] < 0:
        kwargs["fleet_size"] = None
    result = assess(violations, licence_issued=None if bad else licence_issued, on=on, **kwargs)
    if not bad:
        return result
    note = f"登记簿中的{licence}初次领取日期 {licence_issued.isoformat()} 晚于评估日 {on.isoformat()}，数据有误，无法确定法定统计周期：本次不作屡犯认定，请更正登记后复核"
    return replace(
        result,
        status="cannot_assess",
        triggered=False,
        blacklist=(),
        reason=note,
        notes=(note, *result.notes),
    )


def _with_cases(result, rows) -> dict:
    """The assessment with the cases behind its count: `counted` marks those the legal count took."""
    data = result.to_dict()
    left = Counter(result.counted)  # act dates the rule counted
    data["cases"] = []
    for r in rows:
        act = r.captured_at.astimezone(CST).date()
        counted = left[act] > 0
        left[act] -= counted
        data["cases"].append(
            {
                "id": r.id,
                "case_number": f"ZC{r.opened_at:%Y}-{r.id:08d}",
                "act_date": act.isoformat(),
                "decided_on": r.decided_at.astimezone(CST).date().isoformat() if r.decided_at else None,
                "decision_kind": r.decision_kind,
                "decision_number": r.decision_number,
                "counted": counted,
            }
        )
    return data


def _decided_by_plates(plates: list[str]) -> dict[str, list]:
    """{plate: its decided cases in the look-back, oldest first}, 500 plates per query.

    Only the plate is asked in SQL and the rest is filtered here: with the status in the
    query too, SQLite (no statistics) picks the status index and reads every decided case
    in the database (0.4 s per enterprise at 10M readings).
    """
    found: dict[str, list] = defaultdict(list)
    since = _since()
    for start in range(0, len(plates), 500):
        rows = db.session.execute(
            select(Case.plate, Case.status, *_CASE_COLUMNS)
            .outerjoin(PartyMatter, _LEAD)
            .where(Case.plate.in_(plates[start : start + 500]))
        )
        for r in sorted(rows, key=lambda r: r.captured_at):
            if r.status in DECIDED and r.decided_at is not None and r.captured_at >= since:
                found[r.plate].append(r)
    return found


def vehicle_status(plate: str, on: date | None = None) -> dict:
    vehicle = db.session.scalar(select(Vehicle).where(Vehicle.plate == plate).limit(1))
    if not plate_is_valid(plate):  # not one vehicle: nothing to count, nothing to read
        return _vehicle_status(plate, vehicle.id if vehicle else None, None, [], on)
    return _vehicle_status(
        plate,
        vehicle.id if vehicle else None,
        vehicle.transport_cert_first_issued if vehicle else None,
        _decided(Case.plate == plate),
        on,
    )


def _vehicle_status(plate: str, vehicle_id, issued, rows, on: date | None = None) -> dict:
    if not plate_is_valid(plate):
        # "无牌", a misread: not one vehicle, so no count (the cases stay, each with its own plate check).
        rows = []
    result = _assessed(
        assess_vehicle,
        _violations(rows),
        on=on or _today(),
        licence_issued=issued,
        licence="道路运输证",
        settings=rule_settings(),
    )
    return {"plate": plate, "vehicle_id": vehicle_id, **_with_cases(result, rows)}


def driver_status(driver_id: int, on: date | None = None) -> dict:
    driver = db.session.get(Driver, driver_id)
    rows = _decided(Case.driver_id == driver_id)
    result = _assessed(
        assess_driver,
        _violations(rows),
        on=on or _today(),
        licence_issued=driver.qualification_first_issued if driver else None,
        licence="从业资格证",
        settings=rule_settings(),
    )
    return {"driver_id": driver_id, "name": driver.name if driver else None, **_with_cases(result, rows)}


def enterprise_status(enterprise_id: int, on: date | None = None) -> dict:
    enterprise = db.session.get(Enterprise, enterprise_id)
    plates = list(db.session.scalars(select(Vehicle.plate).where(Vehicle.enterprise_id == enterprise_id)))
    by_plate = _decided_by_plates(plates)
    per_vehicle = {plate: _violations(by_plate[plate]) for plate in plates}
    rows = sorted((r for plate in plates for r in by_plate[plate]), key=lambda r: r.captured_at)
    result = _assessed(
        assess_enterprise,
        per_vehicle,
        fleet_size=enterprise.declared_fleet_size if enterprise else None,
        on=on or _today(),
        licence_issued=enterprise.licence_first_issued if enterprise else None,
        licence="道路运输经营许可证",
        suspension_ordered=bool(enterprise and enterprise.suspension_ordered_at),
        settings=rule_settings(),
    )
    return {
        "enterprise_id": enterprise_id,
        "name": enterprise.name if enterprise else None,
        "uscc": enterprise.uscc if enterprise else None,
        **_with_cases(result, rows),
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


def _vehicles_listed() -> list[dict]:
    """Every candidate plate assessed from one query per 500 plates (not one per plate)."""
    plates = [p for p in candidate_plates(minimum=4) if plate_is_valid(p)]
    items = []
    for start in range(0, len(plates), 500):
        chunk = plates[start : start + 500]
        cases = _decided_by_plates(chunk)
        vehicles = {
            v.plate: v
            for v in db.session.execute(
                select(Vehicle.plate, Vehicle.id, Vehicle.transport_cert_first_issued).where(Vehicle.plate.in_(chunk))
            )
        }
        for plate in chunk:
            v = vehicles.get(plate)
            items.append(
                _vehicle_status(plate, v.id if v else None, v.transport_cert_first_issued if v else None, cases[plate])
            )
    return items


def listed(kind: str) -> list[dict]:
    """Subjects past the legal trigger or the rolling watch signal, most cases first."""
    if kind == "vehicle":
        items = _vehicles_listed()
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


# ── the 屡犯 flag on cases ─────────────────────────────────────────────────────

SUBJECT_LABELS = {"vehicle": "车辆", "driver": "驾驶人", "enterprise": "运输企业"}


def _flag(subject: str, status: dict) -> dict:
    return {
        "subject": subject,
        "label": f"{SUBJECT_LABELS[subject]}屡犯" if status["triggered"] else f"{SUBJECT_LABELS[subject]}屡犯预警",
        "triggered": status["triggered"],
        "rule_id": status["rule_id"],
        "article": status["article"],
        "consequence": status["consequence"],
        "statutory_count": status["statutory_count"],
        "rolling_count": status["rolling_count"],
        "blacklist": status["blacklist"],
    }


def _with_enough(column, values: set, minimum: int = 4) -> set:
    """Those of `values` with at least `minimum` decided cases in the look-back (one grouped query).

    More than 3 (R-VEH-3, R-DRV-3) needs 4; fewer cannot trigger the rule or the watch signal.
    """
    if not values:
        return set()
    since = datetime.now(CST) - timedelta(days=LOOKBACK_DAYS)
    return set(
        db.session.scalars(
            select(column)
            .where(column.in_(values), Case.status.in_(DECIDED), Case.captured_at >= since)
            .group_by(column)
            .having(func.count() >= minimum)
        )
    )


def repeat_flags(cases: list[Case]) -> dict[int, list[dict]]:
    """For each case, its listed subjects: the vehicle (plate), the driver and the transport enterprise.

    Listed = past the legal trigger (公路安全保护条例 第六十六条) or the rolling 12-month watch
    signal; `triggered` tells the two apart. A few grouped queries per page of cases.
    """
    plates = _with_enough(Case.plate, {c.plate for c in cases if c.plate and plate_is_valid(c.plate)})
    drivers = _with_enough(Case.driver_id, {c.driver_id for c in cases if c.driver_id})
    statuses: dict[tuple[str, object], dict] = {}
    for plate in plates:
        statuses["vehicle", plate] = vehicle_status(plate)
    for driver_id in drivers:
        statuses["driver", driver_id] = driver_status(driver_id)
    for enterprise_id in {c.enterprise_id for c in cases if c.enterprise_id}:
        statuses["enterprise", enterprise_id] = enterprise_status(enterprise_id)
    flags: dict[int, list[dict]] = {}
    for case in cases:
        found = []
        for subject, key in (("vehicle", case.plate), ("driver", case.driver_id), ("enterprise", case.enterprise_id)):
            status = statuses.get((subject, key))
            if status and (status["triggered"] or status["watch"]):
                found.append(_flag(subject, status))
        flags[case.id] = found
    return flags
