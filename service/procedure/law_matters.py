"""一超四罚: the matters the law opens when the vehicle owner's matter is decided.

The rules that decide them are pure (service/rules/one_four.py); here the facts are gathered
from the case, its decision and the registry, and each planned matter is opened — a party the
case does not name yet as not yet identified (待查明), with the date by which it should be.
"""

from __future__ import annotations

from models import Driver, Enterprise, PartyMatter, Reading, User, Vehicle
from service import audit, clock
from service.config import rule_settings
from service.errors import DomainError
from service.extensions import db
from service.procedure.case_ops import open_matter, owner_name
from service.procedure.engine import Effect
from service.rules import plate_is_valid
from service.rules.deadlines import add_working_days
from service.rules.one_four import ActFacts, plan_matters


def open_law_matters(matter: PartyMatter, actor: User) -> None:
    """After the owner's decision (the step table's `after` of approve_decision)."""
    if matter.party != "vehicle":
        return
    case = matter.case
    opened = []
    for plan in plan_matters(_facts(matter), rule_settings()):
        if plan.party == "driver" and plan.authority == "police" and _police_matter(case) is not None:
            continue  # the case was referred already: that referral is the driver's matter
        refs = _refs(case, plan.party)
        name = plan.name or (owner_name(case) if plan.party == "vehicle" else None)
        new = open_matter(case, plan.party, plan.authority, plan.basis(), name=name, **refs)
        new.status = "pending" if plan.identified else "unidentified"
        new.due_on = plan.due_on
        opened.append({"id": new.id, "party": plan.party, "authority": plan.authority, "rule_id": plan.rule_id})
    if opened:
        audit.record(
            "case.law_matters",
            "case",
            case.id,
            actor=actor.username,
            actor_user_id=actor.id,
            from_state=case.status,
            to_state=case.status,
            reason="处罚决定作出，依一超四罚立其他当事人事项",
            data={"matters": opened},
        )


def _police_matter(case) -> PartyMatter | None:
    return next((m for m in case.matters if m.authority == "police" and m.status != "withdrawn"), None)


def _refs(case, party: str) -> dict:
    if party == "driver":
        return {"driver_id": case.driver_id}
    if party == "vehicle":
        return {"vehicle_id": case.vehicle_id}
    if party == "transport_enterprise":
        return {"enterprise_id": case.enterprise_id}
    if party == "source_enterprise":  # confirmed by the investigators' trace (倒查), if it was
        from service.sources.trace_ops import confirmed_source

        source = confirmed_source(case.id)
        return {"enterprise_id": source.id if source else None}
    return {}


def _facts(matter: PartyMatter) -> ActFacts:
    from service.registry.repeat import driver_status, enterprise_status, vehicle_status

    case = matter.case
    reading = db.session.get(Reading, case.weighing_reading_id)
    driver = db.session.get(Driver, case.driver_id) if case.driver_id else None
    vehicle = db.session.get(Vehicle, case.vehicle_id) if case.vehicle_id else None
    enterprise = db.session.get(Enterprise, case.enterprise_id) if case.enterprise_id else None
    # The counts include this decision: the case is decided (flushed) when this runs.
    vehicle_repeat = bool(case.plate and plate_is_valid(case.plate) and vehicle_status(case.plate)["triggered"])
    from service.sources.trace_ops import confirmed_source

    source = confirmed_source(case.id)
    return ActFacts(
        act_date=clock.local_date(reading.captured_at),
        decided_on=clock.local_date(matter.decided_at),
        decision_kind=matter.decision_kind or "none",
        gross_kg=case.gross_weight_kg - case.tolerance_kg,
        driver_name=driver.name if driver else None,
        transport_enterprise=enterprise.name if enterprise else None,
        source_enterprise=source.name if source else None,
        rated_load_kg=vehicle.rated_load_kg if vehicle else None,
        max_total_mass_kg=vehicle.max_total_mass_kg if vehicle else None,
        vehicle_repeat=vehicle_repeat,
        driver_repeat=bool(driver and driver_status(driver.id)["triggered"]),
        enterprise_share_over=bool(enterprise and enterprise_status(enterprise.id)["triggered"]),
    )


# ── naming a party the case did not name ───────────────────────────────────

ENTERPRISE_KINDS_FOR = {"transport_enterprise": ("transport", "both"), "source_enterprise": ("source", "both")}


def identify(
    matter: PartyMatter, actor: User, driver_id: int | None = None, enterprise_id: int | None = None
) -> Effect:
    """查明当事人: the registry's driver or enterprise this matter is about; its next date starts."""
    if matter.party == "driver":
        driver = db.session.get(Driver, driver_id) if driver_id else None
        if driver is None:
            raise DomainError("须选择登记簿中的驾驶人", 422, {"driver_id": ["不存在"]})
        matter.driver_id, matter.party_name = driver.id, driver.name
    elif matter.party in ENTERPRISE_KINDS_FOR:
        enterprise = db.session.get(Enterprise, enterprise_id) if enterprise_id else None
        if enterprise is None or enterprise.kind not in ENTERPRISE_KINDS_FOR[matter.party]:
            raise DomainError(f"须选择登记簿中的{matter.party_label}", 422, {"enterprise_id": ["不存在或类型不符"]})
        matter.enterprise_id, matter.party_name = enterprise.id, enterprise.name
    else:
        raise DomainError(f"{matter.party_label}事项无需查明当事人", 409)
    today, settings = clock.today(), rule_settings()
    if matter.handled_here:
        from datetime import timedelta

        matter.due_on = today + timedelta(days=90)  # decided within 90 days (行政处罚法 第六十条)
    else:
        matter.due_on = add_working_days(today, settings.tracked_send_working_days, settings)
    return Effect(reason=matter.party_name, data={"driver_id": matter.driver_id, "enterprise_id": matter.enterprise_id})


def give_up(matter: PartyMatter, actor: User, reason: str = "") -> Effect:
    """无法查明: after the search, a supervisor closes the matter with the reason (audited)."""
    if not (reason or "").strip():
        raise DomainError("须写明无法查明的理由及已采取的措施", 422, {"reason": ["必填"]})
    matter.outcome = {"note": reason.strip(), "unidentified": True}
    matter.closed_at, matter.closed_by_id, matter.due_on = clock.now(), actor.id, None
    return Effect(reason=reason.strip())
