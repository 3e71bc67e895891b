"""Operations on the case itself: review, dismissal, assignment, the driver, station actions,
the effective weighing and the opening of party matters. Each returns an `Effect` for the
engine (service/procedure/engine.py), which checks who may, sets the state and audits."""

from __future__ import annotations

import math

from models import Case, Driver, PartyMatter, Reading, Site, StationAction, User
from models.case import REVIEW_CHECKS, STATION_ACTION_LABELS
from service import clock
from service.config import rule_settings
from service.errors import DomainError
from service.extensions import db
from service.procedure.engine import Effect
from service.rules import deducted_excess, penalty_bars
from service.rules.versions import LAW_62

# The vehicle owner's matter: the transport fine of 62号令 Art 43, addressed to the owner
# (车辆所有人) on a non-site record (domain-rules §4.2, §6.1 N-TECH).
VEHICLE_BASIS = {
    "rule_id": "F-MASS / F-DIM",
    "article": f"{LAW_62} 第四十三条；《公路安全保护条例》第六十四条",
    "text": "违法超限运输，由车辆所有人（经营者）承担行政处罚",
}


def needs_checklist(case: Case) -> bool:
    """Non-site records must pass the §6.2 review (行政处罚法 第四十一条第二款)."""
    return db.session.get(Site, case.site_id).kind in ("wim", "toll_entry")


def confirm(case: Case, actor: User, checklist: dict | None = None, note: str | None = None) -> Effect:
    """Officer's review: the checklist ticked, the case confirmed and the owner's matter opened."""
    checklist = checklist or {}
    missing = [label for key, label in REVIEW_CHECKS.items() if not checklist.get(key)]
    if needs_checklist(case) and missing:
        raise DomainError("非现场记录须逐项核对后方可确认：" + "；".join(missing), 422, {"checklist": missing})
    case.review_checklist = {k: bool(checklist.get(k)) for k in REVIEW_CHECKS}
    case.reviewed_by_id, case.reviewed_at = actor.id, clock.now()
    if case.lead_matter is None:
        open_matter(case, "vehicle", "agency", VEHICLE_BASIS, vehicle_id=case.vehicle_id, name=owner_name(case))
    return Effect(reason=note, data={"checklist": case.review_checklist})


def owner_name(case: Case) -> str:
    """The owner as the notice addresses them: the registry's owner, else the plate."""
    from models import Enterprise, Vehicle

    vehicle = db.session.get(Vehicle, case.vehicle_id) if case.vehicle_id else None
    if vehicle is not None and vehicle.owner_name:
        return vehicle.owner_name
    enterprise = db.session.get(Enterprise, case.enterprise_id) if case.enterprise_id else None
    if enterprise is not None:
        return enterprise.name
    return f"车辆所有人（号牌 {case.plate or '未识别'}）"


def open_matter(
    case: Case,
    party: str,
    authority: str,
    basis: dict,
    *,
    name: str | None = None,
    vehicle_id: int | None = None,
    driver_id: int | None = None,
    enterprise_id: int | None = None,
) -> PartyMatter:
    """A party's matter in this case, waiting for its first step (告知 or 移送)."""
    matter = PartyMatter(
        party=party,
        authority=authority,
        basis=basis,
        status="pending",
        opened_at=clock.now(),
        party_name=name,
        vehicle_id=vehicle_id,
        driver_id=driver_id,
        enterprise_id=enterprise_id,
    )
    case.matters.append(matter)
    db.session.flush()
    return matter


# A case handed to the police by an officer (domain-rules §5.3; joint enforcement, 交公路发〔2017〕173号):
# the driver's matter is the police's (fine and points, 道路交通安全法 第九十二条).
POLICE_BASIS = {
    "rule_id": "X-POLICE-JOINT",
    "article": "《中华人民共和国道路交通安全法》第九十二条；交通运输部 公安部 交公路发〔2017〕173号（联合执法）",
}


def refer_to_police(case: Case, actor: User, reason: str = "") -> Effect:
    """移交公安: the driver's matter, handled by the police and tracked here, sent at once."""
    from service.procedure.matter_ops import refer

    if not (reason or "").strip():
        raise DomainError("移交公安须写明理由", 422, {"reason": ["必填"]})
    if any(m.authority == "police" and not m.done for m in case.matters):
        raise DomainError("本案已移交公安机关，尚未办结，无需重复移交", 409)
    driver = db.session.get(Driver, case.driver_id) if case.driver_id else None
    basis = {**POLICE_BASIS, "text": reason.strip()}
    matter = open_matter(
        case, "driver", "police", basis, name=driver.name if driver else None, driver_id=case.driver_id
    )
    sent = refer(matter, actor)
    matter.status = "referred"
    return Effect(reason=reason.strip(), data={"matter_id": matter.id, **(sent.data or {})}, result=matter)


def request_dismissal(case: Case, actor: User, reason: str = "") -> Effect:
    if not (reason or "").strip():
        raise DomainError("撤销须填写理由", 422, {"reason": ["必填"]})
    case.dismissal_reason, case.dismissal_requested_by_id = reason.strip(), actor.id
    case.dismissal_from_status = case.status
    return Effect(reason=reason.strip())


def approve_dismissal(case: Case, actor: User) -> Effect:
    """Dismissed (撤销): the record is kept with its reason; every open matter is withdrawn."""
    case.dismissed_by_id, case.dismissed_at = actor.id, clock.now()
    for matter in case.matters:
        if not matter.done:
            matter.status, matter.closed_at, matter.closed_by_id = "withdrawn", case.dismissed_at, actor.id
    return Effect(reason=case.dismissal_reason)


def reject_dismissal(case: Case, actor: User, reason: str | None = None) -> Effect:
    case.dismissal_reason = None
    return Effect(reason=reason, to_state=case.dismissal_from_status or "pending_review")


def assign(case: Case, actor: User, user_id: int) -> Effect:
    officer = db.session.get(User, user_id)
    if officer is None or officer.role not in ("officer", "supervisor") or not officer.active:
        raise DomainError("只能分配给在岗的执法人员", 422, {"user_id": ["无效"]})
    from service.review.jurisdiction import may_see

    if not may_see(officer, case):  # they could not open it (service/review/jurisdiction.py)
        raise DomainError(
            f"{officer.display_name or officer.username} 不在本案管辖机构，不能分配", 422, {"user_id": ["管辖不符"]}
        )
    case.assigned_to_id = officer.id
    return Effect(data={"assigned_to": officer.username})


def record_station_action(
    case: Case, actor: User, kind: str = "", kg: float | None = None, note: str | None = None
) -> Effect:
    """卸载 / 驳载 / 劝返 at a station, with the kilograms involved."""
    if kind not in STATION_ACTION_LABELS:
        raise DomainError("类型须为卸载、驳载、劝返或冲卡闯岗", 422, {"kind": list(STATION_ACTION_LABELS)})
    if kind in ("unloading", "transfer") and (kg is None or not kg > 0):
        raise DomainError("卸载、驳载须填写吨位（千克）", 422, {"kg": ["须大于 0"]})
    if kg is not None and not (math.isfinite(kg) and kg <= case.gross_weight_kg):
        # What comes off a truck cannot exceed what it weighed (the case's stored weighing):
        # a physical bound, favouring neither the party nor the agency.
        limit = f"{case.gross_weight_kg:,.0f}"
        raise DomainError(f"吨位不能超过本次称重总质量 {limit} 千克", 422, {"kg": [f"须为不超过 {limit} 的数"]})
    action = StationAction(case=case, kind=kind, kg=kg, at=clock.now(), recorded_by_id=actor.id, note=note)
    db.session.add(action)
    return Effect(data={"kg": kg}, result=action, action=f"case.{kind}")


def record_driver(
    case: Case,
    actor: User,
    driver_id: int | None = None,
    name: str | None = None,
    licence_no: str | None = None,
    qualification_no: str | None = None,
    identity_number: str | None = None,
) -> Effect:
    """The driver at the time of the act, as the station (or the statement) establishes it.

    Either a registered driver (`driver_id`), or the numbers read from the driver's papers:
    a driver already registered under one of them is reused, otherwise one is registered.
    The identity number is kept only encrypted (service.registry.crypto).
    """
    from service.registry import operations as registry

    if driver_id is not None:
        driver = db.session.get(Driver, driver_id)
        if driver is None:
            raise DomainError("登记簿中没有该驾驶人", 422, {"driver_id": ["不存在"]})
    else:
        data = {
            "name": name,
            "licence_no": licence_no,
            "qualification_no": qualification_no,
            "identity_number": identity_number,
        }
        driver = registry.find_driver(data)
        if driver is None:
            try:
                driver = registry.create_driver(data)
            except registry.RegistryError as exc:
                raise DomainError("驾驶人信息不完整或有误", 422, exc.errors) from exc
    if case.driver_id == driver.id:
        return Effect(skip=True)
    before, case.driver_id = case.driver_id, driver.id
    reason = f"{driver.name}（驾驶证 {driver.licence_masked or '—'}）"
    return Effect(reason=reason, data={"driver_id": driver.id, "previous_driver_id": before})


# ── the effective weighing (domain-rules §6.4) ───────────────────────────────


def effective_reading(case: Case) -> Reading:
    """The weighing the case stands on. A linked static re-weigh takes precedence; ⚖ when
    the non-site reading is itself usable and shows the lower excess, the lower is used."""
    wim = db.session.get(Reading, case.reading_id)
    if not case.reweigh_reading_id:
        return wim
    static = db.session.get(Reading, case.reweigh_reading_id)
    if reading_usable(wim) and _excess(wim) < _excess(static):
        return wim
    return static


def reading_usable(reading: Reading) -> bool:
    """Whether this weighing on its own could support a penalty (calibration, limitation)."""
    from service.ingest.sites import load_sites

    site = db.session.get(Site, reading.site_id)
    facts = load_sites([site.code])[site.code].facts_on(reading.captured_at)
    return not penalty_bars(reading.captured_at, facts, clock.now(), settings=rule_settings())


def _excess(reading: Reading) -> float:
    return deducted_excess(reading.gross_weight_kg, reading.limit_kg, reading.tolerance_kg)[0]


def weighing_columns(reading: Reading | dict) -> dict:
    """The case's stored figures from one weighing: gross, limit, deduction, and the excess
    and rate after the deduction (the figures every notice, page and export states)."""
    get = reading.get if isinstance(reading, dict) else lambda k: getattr(reading, k)
    excess_kg, excess_pct = deducted_excess(get("gross_weight_kg"), get("limit_kg"), get("tolerance_kg"))
    return {
        "gross_weight_kg": get("gross_weight_kg"),
        "limit_kg": get("limit_kg"),
        "tolerance_kg": get("tolerance_kg"),
        "excess_kg": excess_kg,
        "excess_pct": excess_pct,
        "baidunwang": get("baidunwang"),
        "rule_id": get("rule_id"),
        "rule_article": get("rule_article"),
        "rule_version": get("rule_version"),
    }


def set_effective_weighing(case: Case) -> Reading:
    """Store the effective weighing's figures on the case (after a re-weigh is linked)."""
    reading = effective_reading(case)
    case.weighing_reading_id = reading.id
    for name, value in weighing_columns(reading).items():
        setattr(case, name, value)
    return reading
