"""Facts of the act the reviewing officer establishes from the evidence: a plate the camera did
not read (未识别), entered from the images with the reason. Each returns an `Effect` for the
engine (service/procedure/engine.py), which checks who may, bumps the version and audits."""

from __future__ import annotations

from models import Case, User
from service.errors import DomainError
from service.extensions import db
from service.procedure.engine import Effect
from service.rules.plates import normalise_plate, plate_is_valid


def record_plate(case: Case, actor: User, plate: str = "", reason: str = "") -> Effect:
    """未识别 → the plate read from the images by the reviewing officer. The device's reading keeps
    what the camera saw (nothing); the case carries the plate, links to the registry and counts the
    plate's earlier cases like any other (under the plate's lock, as the follow-up work does)."""
    from service.followup import count_prior_cases
    from service.locking import lock_plates
    from service.registry.operations import link_cases

    value = normalise_plate(plate)
    if not value or not plate_is_valid(value):
        raise DomainError(f"「{plate}」不是有效的号牌（GA 36-2018）", 422, {"plate": ["号牌格式不正确"]})
    if not (reason or "").strip():
        raise DomainError("须写明依据（如：据车牌特写图像辨认）", 422, {"reason": ["必填"]})
    case.plate = value
    db.session.flush()
    # The plate is new to this case: no drain holds its lock for this case yet, and the lock is
    # held for this short transaction only.
    lock_plates([value])
    link_cases([case.id])
    count_prior_cases([value])
    db.session.expire(case, ["vehicle_id", "enterprise_id", "prior_case_count"])
    return Effect(reason=reason.strip(), data={"plate": value, "read_by_device": None})


# ── the vehicle's configuration (domain-rules §1.1, §1.4) ────────────────────

CONFIG_FACTS = {
    "vehicle_type": "车型",
    "drive_axle_air_suspension": "驱动轴每侧双轮胎并装备空气悬架",
    "articulated": "铰接列车（牵引车+半挂车）",
    "axle_spacing_mm": "半挂车轴距（毫米）",
    "single_drive_axle": "牵引车驱动轴为单轴",
}
# Where a change of the vehicle's registry record re-classifies a case by itself: before the
# notice (告知书) states the facts and the proposed penalty to the party (行政处罚法 第四十四条).
# From the notice on, the officer re-classifies by the step (按登记簿车辆记录), which the party
# is then told of; a decided case never changes.
REGISTRY_FOLLOWS = ("pending_review", "confirmed")


def record_configuration(
    case: Case,
    actor: User,
    reason: str = "",
    from_registry: bool = False,
    **found,
) -> Effect:
    """The configuration facts that change the limit, found by the officer (from the images, the
    vehicle's papers) or read from the vehicle's registry record; the case is re-classified from
    them at the date of the act, and the old and new limits are audited."""
    from service import clock

    facts = {k: v for k, v in found.items() if k in CONFIG_FACTS and v is not None}
    source = "officer"
    if from_registry:
        facts, source = _registry_facts(case), "registry"
        reason = reason.strip() or "据登记簿车辆记录"
    if not facts:
        raise DomainError("请至少填写一项查明的车辆配置", 422, {"facts": ["至少一项"]})
    if not (reason or "").strip():
        raise DomainError("须写明依据（如：据侧面图像、行驶证）", 422, {"reason": ["必填"]})
    stamp = {"source": source, "by": actor.username, "at": clock.now().isoformat(timespec="seconds")}
    known = dict(case.vehicle_facts or {})
    known.update({name: {"value": value, **stamp} for name, value in facts.items()})
    before = {"limit_kg": case.limit_kg, "rule_id": case.rule_id}
    case.vehicle_facts = known
    reclassify(case)
    after = {"limit_kg": case.limit_kg, "rule_id": case.rule_id}
    text = "；".join(f"{CONFIG_FACTS[k]}：{_shown(v)}" for k, v in facts.items())
    summary = f"{text}。限值 {before['limit_kg']} → {after['limit_kg']} kg（{after['rule_id']}）。{reason.strip()}"
    return Effect(reason=summary, data={"facts": facts, "source": source, "before": before, "after": after})


def _shown(value) -> str:
    labels = {True: "是", False: "否", "truck": "货车", "combination": "汽车列车"}
    return labels.get(value, str(value)) if not isinstance(value, int) or isinstance(value, bool) else str(value)


def _registry_facts(case: Case) -> dict:
    from models import Vehicle

    vehicle = db.session.get(Vehicle, case.vehicle_id) if case.vehicle_id else None
    if vehicle is None:
        raise DomainError("本案车辆未关联登记簿记录，请由执法人员据图像或证件登记", 409)
    facts = {name: value for name, value in registry_values(vehicle).items() if value is not None}
    if not facts:
        raise DomainError("登记簿车辆记录未载明车型等配置", 409)
    return facts


def registry_values(vehicle) -> dict:
    """The vehicle's registered configuration, every fact (None: not registered)."""
    return {name: getattr(vehicle, name, None) for name in CONFIG_FACTS}


def follow_registry(case: Case, vehicle, *, actor: str, actor_user_id: int | None = None) -> bool:
    """The case takes its vehicle's registered configuration (vehicle None: no record, so no
    registered facts) and is re-classified, audited with the old and new limit like the
    officer's entry. An officer's own entry on the case wins over the registry (kept, and named
    in the audit entry). Returns whether anything changed. The caller picks the cases
    (REGISTRY_FOLLOWS) and holds their plate's lock."""
    from service import audit, clock

    values = registry_values(vehicle) if vehicle is not None else dict.fromkeys(CONFIG_FACTS)
    known = dict(case.vehicle_facts or {})
    stamp = {"source": "registry", "by": actor, "at": clock.now().isoformat(timespec="seconds")}
    changed, kept = {}, []
    for name, value in values.items():
        entry = known.get(name)
        if entry is not None and entry.get("source") != "registry":
            if value is not None and entry.get("value") != value:
                kept.append(name)
            continue
        if value is None and entry is not None:
            del known[name]
            changed[name] = None
        elif value is not None and (entry is None or entry.get("value") != value):
            known[name] = {"value": value, **stamp}
            changed[name] = value
    if not changed:
        return False
    before = {"limit_kg": case.limit_kg, "rule_id": case.rule_id}
    case.vehicle_facts = known or None
    reclassify(case)
    after = {"limit_kg": case.limit_kg, "rule_id": case.rule_id}
    case.version += 1
    text = "；".join(f"{CONFIG_FACTS[k]}：{'未登记' if v is None else _shown(v)}" for k, v in changed.items())
    also = f"（执法人员登记的{'、'.join(CONFIG_FACTS[k] for k in kept)}优先，未采用登记簿）" if kept else ""
    audit.record(
        "case.configuration",
        "case",
        case.id,
        actor=actor,
        actor_user_id=actor_user_id,
        from_state=case.status,
        to_state=case.status,
        reason=f"据登记簿车辆记录：{text}{also}。限值 {before['limit_kg']} → {after['limit_kg']} kg（{after['rule_id']}）",
        data={
            "facts": changed,
            "source": "registry",
            "vehicle_id": vehicle.id if vehicle is not None else None,
            "officer_kept": kept,
            "before": before,
            "after": after,
        },
    )
    return True


def reclassify(case: Case) -> None:
    """Classify the weighing the case stands on again, with the facts now known, under the rules
    of the date of the act (行政处罚法 第三十七条: a later, more lenient version still applies)."""
    from models import Reading, Site
    from service import clock
    from service.config import rule_settings
    from service.ingest.sites import load_sites
    from service.rules import ReadingFacts, classify, deducted_excess

    reading = db.session.get(Reading, case.weighing_reading_id)
    site = db.session.get(Site, reading.site_id)
    known = {k: v["value"] for k, v in (case.vehicle_facts or {}).items()}
    facts = ReadingFacts(
        captured_at=reading.captured_at,
        axle_count=reading.axle_count,
        gross_weight_kg=reading.gross_weight_kg,
        vehicle_type=known.get("vehicle_type", reading.vehicle_type),
        single_drive_axle=known.get("single_drive_axle", reading.single_drive_axle),
        drive_axle_air_suspension=known.get("drive_axle_air_suspension"),
        articulated=known.get("articulated"),
        axle_spacing_mm=known.get("axle_spacing_mm"),
        length_mm=reading.length_mm,
        width_mm=reading.width_mm,
        height_mm=reading.height_mm,
    )
    site_facts = load_sites([site.code])[site.code].facts_on(reading.captured_at)
    decision = classify(facts, site_facts, rule_settings(), decided_on=clock.today())
    case.limit_kg, case.tolerance_kg = decision.limit_kg, decision.tolerance_kg
    case.excess_kg, case.excess_pct = deducted_excess(case.gross_weight_kg, decision.limit_kg, decision.tolerance_kg)
    case.rule_id, case.rule_article, case.rule_version = decision.rule_id, decision.article, decision.rule_version


# ── 复核: every statement is reviewed before the decision (行政处罚法 第四十五条) ──

REVIEW_OUTCOMES = {"adopted": "采纳", "partly": "部分采纳", "rejected": "不予采纳"}


def review_statement(
    matter, actor: User, statement_id: int | None = None, outcome: str = "", reasons: str = ""
) -> Effect:
    """The officer reviews what the party said (复核) and records the outcome and its reasons.
    "行政机关不得因当事人陈述、申辩而给予更重的处罚" — the outcome never raises the penalty."""
    from service import clock

    waiting = [s for s in matter.statements if s.awaits_review]
    statement = next(
        (s for s in waiting if s.id == statement_id), waiting[0] if statement_id is None and waiting else None
    )
    if statement is None:
        raise DomainError("没有待复核的该项陈述申辩", 422, {"statement_id": ["无效或已复核"]})
    if outcome not in REVIEW_OUTCOMES:
        raise DomainError("复核结论须为采纳、部分采纳或不予采纳", 422, {"outcome": list(REVIEW_OUTCOMES)})
    if not (reasons or "").strip():
        raise DomainError("须写明复核理由", 422, {"reasons": ["必填"]})
    statement.reviewed_at, statement.reviewed_by_id = clock.now(), actor.id
    statement.review_outcome, statement.review_reasons = outcome, reasons.strip()[:5000]
    return Effect(
        reason=f"{REVIEW_OUTCOMES[outcome]}：{statement.review_reasons}",
        data={"statement_id": statement.id, "outcome": outcome},
    )
