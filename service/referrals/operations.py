"""Referrals to the police (移交公安): queued by the rules or by hand, withdrawn, acknowledged.

The rules (service/rules/referral.py) say when a case goes to the police; here the facts
are gathered from the case and the registry and the referral is queued on the driver's
police matter (移送: its receipt falls due). The step table calls these after 审核确认, after
the owner's decision and after a referral by hand (its `after`). Operations flush; the view
or job commits.
"""

from __future__ import annotations

from models import Case, Driver, PartyMatter, Reading, Referral, ReferralExport, User, Vehicle
from service import audit, clock
from service.config import rule_settings
from service.errors import DomainError
from service.extensions import db
from service.procedure.engine import Effect
from service.rules import plate_is_valid
from service.rules.referral import (
    ReferralFacts,
    ReferralReason,
    confirm_reasons,
    decision_reasons,
    merge_reasons,
    police_figures,
)

MANUAL_ARTICLE = "《中华人民共和国道路交通安全法》第九十二条；交通运输部 公安部 交公路发〔2017〕173号（联合执法）"


def referral_facts(case: Case, decided_on=None, vehicle_repeat=False, driver_repeat=False) -> ReferralFacts:
    reading = db.session.get(Reading, case.weighing_reading_id or case.reading_id)
    vehicle = db.session.get(Vehicle, case.vehicle_id) if case.vehicle_id else None
    return ReferralFacts(
        act_date=clock.local_date(case.captured_at),
        # ⚖ the effective gross after the measurement deduction, as the transport side uses
        gross_kg=case.gross_weight_kg - case.tolerance_kg,
        baidunwang=bool(case.baidunwang),
        weighed_gross_kg=case.gross_weight_kg,
        plate=case.plate,
        plate_valid=bool(case.plate and plate_is_valid(case.plate)),
        axle_count=reading.axle_count if reading is not None else None,
        registered_axle_count=vehicle.axle_count if vehicle else None,
        rated_load_kg=vehicle.rated_load_kg if vehicle else None,
        max_total_mass_kg=vehicle.max_total_mass_kg if vehicle else None,
        evasion=any(a.kind == "evasion" for a in case.station_actions),
        legal_limit_kg=case.limit_kg,
        decided_on=decided_on,
        vehicle_repeat=vehicle_repeat,
        driver_repeat=driver_repeat,
    )


def active_referral(case: Case) -> Referral | None:
    return db.session.scalar(
        select_referrals().where(Referral.case_id == case.id, Referral.withdrawn_at.is_(None)).limit(1)
    )


def select_referrals():
    from sqlalchemy import select

    return select(Referral).join(PartyMatter, PartyMatter.id == Referral.matter_id)


def _police_matter(case: Case) -> PartyMatter | None:
    return next((m for m in case.matters if m.authority == "police" and m.status != "withdrawn"), None)


def queue(case: Case, actor: User, reasons: list[ReferralReason], origin: str = "auto") -> Referral | None:
    """Queue the case for the police with these reasons (added once each to a referral already
    queued). The driver's police matter is sent (移送) now: its receipt falls due."""
    from service.procedure import case_ops, matter_ops

    if not reasons:
        return None
    referral = active_referral(case)
    if referral is not None and referral.matter.status != "withdrawn":
        before = len(referral.reasons)
        referral.reasons = merge_reasons(referral.reasons, reasons)
        if len(referral.reasons) != before:
            _audit(case, actor, "referral.reasons", referral, referral.reasons[before:])
        return referral
    facts = referral_facts(case)
    figures = police_figures(facts, rule_settings())
    matter = _police_matter(case)
    if matter is None:
        driver = db.session.get(Driver, case.driver_id) if case.driver_id else None
        basis = {
            "rule_id": reasons[0].rule_id,
            "article": "；".join(dict.fromkeys(r.article for r in reasons)),
            "text": "；".join(r.text for r in reasons),
            "police": figures,
        }
        matter = case_ops.open_matter(
            case, "driver", "police", basis, name=driver.name if driver else None, driver_id=case.driver_id
        )
    if matter.status in ("pending", "unidentified"):
        matter_ops.refer(matter, actor)
        matter.status = "referred"
    referral = Referral(
        case_id=case.id,
        matter_id=matter.id,
        origin=origin,
        reasons=[r.to_dict() for r in reasons],
        assessment=figures,
        queued_at=clock.now(),
        queued_by_id=actor.id if origin == "manual" else None,
    )
    db.session.add(referral)
    db.session.flush()
    _audit(case, actor, "referral.queue", referral, referral.reasons)
    return referral


def _audit(case: Case, actor: User, action: str, referral: Referral, reasons: list[dict]) -> None:
    audit.record(
        action,
        "case",
        case.id,
        actor=actor.username,
        actor_user_id=actor.id,
        from_state=case.status,
        to_state=case.status,
        reason="移交公安：" + "；".join(r["text"] for r in reasons),
        data={"referral_id": referral.id, "origin": referral.origin, "rule_ids": [r["rule_id"] for r in reasons]},
    )


# ── the step table's `after` hooks ──────────────────────────────────────────


def after_confirm(case: Case, actor: User) -> None:
    """审核确认: 百吨王, 超载, evasion, plate and 行驶证 anomalies go to the police at once."""
    queue(case, actor, confirm_reasons(referral_facts(case), rule_settings()))


def after_decision(matter: PartyMatter, actor: User) -> None:
    """The owner's decision makes the count: R-VEH-3 / R-DRV-3 go to the police."""
    from service.registry.repeat import driver_status, vehicle_status

    if matter.party != "vehicle" or matter.decided_at is None:
        return
    case = matter.case
    vehicle_repeat = bool(case.plate and plate_is_valid(case.plate) and vehicle_status(case.plate)["triggered"])
    driver_repeat = bool(case.driver_id and driver_status(case.driver_id)["triggered"])
    facts = referral_facts(case, clock.local_date(matter.decided_at), vehicle_repeat, driver_repeat)
    queue(case, actor, decision_reasons(facts))


def after_station_action(case: Case, actor: User) -> None:
    """冲卡、闯岗 recorded on a confirmed case: the police are sent it (or told the new reason)."""
    if case.reviewed_at is not None and any(a.kind == "evasion" for a in case.station_actions):
        queue(case, actor, confirm_reasons(referral_facts(case), rule_settings()))


def after_manual_referral(case: Case, actor: User) -> None:
    """移交公安 by hand (the case step): the officer's reason, and what the rules would add."""
    matter = _police_matter(case)
    if matter is None or db.session.scalar(select_referrals().where(Referral.matter_id == matter.id)) is not None:
        return
    text = (matter.basis or {}).get("text") or "人工移交"
    reasons = [ReferralReason("manual", "X-POLICE-JOINT", MANUAL_ARTICLE, text)]
    queue(case, actor, [*reasons, *confirm_reasons(referral_facts(case), rule_settings())], origin="manual")


def after_matter_refer(matter: PartyMatter, actor: User) -> None:
    """The driver's police matter opened by the decision, sent by hand (移送)."""
    if matter.authority != "police":
        return
    if db.session.scalar(select_referrals().where(Referral.matter_id == matter.id)) is not None:
        return
    basis = matter.basis or {}
    reason = ReferralReason(
        "manual", basis.get("rule_id") or "X-POLICE-JOINT", basis.get("article") or MANUAL_ARTICLE,
        basis.get("text") or "人工移交",
    )  # fmt: skip
    queue(matter.case, actor, [reason], origin="manual")


# ── withdrawal (a step of the table: supervisors, before the referral went out) ──


def exported(matter: PartyMatter) -> bool:
    from sqlalchemy import select

    return db.session.scalar(select(Referral.exported_at).where(Referral.matter_id == matter.id)) is not None


def not_exported(case, matter, actor):
    """A referral already in a package has reached the police: it can no longer be withdrawn."""
    if matter.authority != "police":
        return DomainError("只有移交公安的事项可以撤回", 409)
    if exported(matter):
        return DomainError("该移交已导出交付公安机关，不能撤回", 409)
    return None


def withdraw(matter: PartyMatter, actor: User, reason: str = "") -> Effect:
    """撤回移交: the police never see it; the reason is kept."""
    from sqlalchemy import select

    if not (reason or "").strip():
        raise DomainError("撤回须写明理由", 422, {"reason": ["必填"]})
    referral = db.session.scalar(select(Referral).where(Referral.matter_id == matter.id))
    now = clock.now()
    if referral is not None:
        referral.withdrawn_at, referral.withdrawn_by_id, referral.withdrawal_reason = now, actor.id, reason.strip()
    matter.closed_at, matter.closed_by_id, matter.due_on = now, actor.id, None
    return Effect(reason=reason.strip(), data={"referral_id": referral.id if referral else None})


# ── receipt of a package ───────────────────────────────────────────────────


def acknowledge_export(export: ReferralExport, actor: User) -> int:
    """签收 a whole package: each of its referrals not yet acknowledged. Returns how many."""
    from service.procedure import ANY_VERSION, run_step

    if export.status != "done":
        raise DomainError("导出尚未完成，不能签收", 409)
    count = 0
    for item in export.items:
        referral = db.session.get(Referral, item.referral_id)
        if referral.status != "exported":
            continue
        case = db.session.get(Case, referral.case_id, with_for_update=True)
        run_step("acknowledge", case, actor, {"note": f"签收移交包 {export.id}"}, matter=referral.matter,
                 expected_version=ANY_VERSION)  # fmt: skip
        count += 1
    if export.acknowledged_at is None:
        export.acknowledged_at, export.acknowledged_by_id = clock.now(), actor.id
        audit.record("referral.export_ack", "referral_export", export.id, actor=actor.username,
                     actor_user_id=actor.id, data={"acknowledged": count, "sha256": export.sha256})  # fmt: skip
    db.session.flush()
    return count
