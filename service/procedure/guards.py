"""Legal guards of the steps: each takes (case, matter, actor) and returns the refusal
(a DomainError with a reason a person understands) or None. They never depend on the input
of the step, so the console and the API can tell in advance which steps are barred, and why."""

from __future__ import annotations

from service import clock
from service.errors import DomainError


def weighing_usable(case, matter, actor):
    """A record that cannot support a penalty (lapsed calibration, limitation) gets no notice."""
    if case.penalty_usable or case.reweigh_reading_id:
        return None
    reasons = "；".join(b["reason"] for b in case.penalty_bars or [])
    return DomainError(f"本记录不能作为处罚依据（{reasons}），应申请撤销", 409)


NON_SITE_KINDS = ("wim", "toll_entry")


def evidence_complete(case, matter, actor):
    """domain-rules §6.2: a non-site record is confirmed, noticed or decided only with its plate
    close-up and a view of the vehicle, processed and hashed (行政处罚法 第四十一条第二款).
    A static re-weigh the case now stands on was taken with the vehicle stopped at the station."""
    from models import Reading, Site
    from service.evidence.completeness import missing_evidence, refusal_text
    from service.extensions import db

    if case.loading_id is not None:  # a source case stands on the enterprise's own exit weighing
        return None
    if case.weighing_reading_id != case.reading_id:
        weighing = db.session.get(Reading, case.weighing_reading_id)
        if db.session.get(Site, weighing.site_id).kind not in NON_SITE_KINDS:
            return None
    if db.session.get(Site, case.site_id).kind not in NON_SITE_KINDS:
        return None
    missing = missing_evidence(case.reading_id)
    return DomainError(refusal_text(missing), 409, {"evidence": missing}) if missing else None


def still_overlimit(case, matter, actor):
    """A case re-classified from the facts found (vehicle configuration) may no longer be over the
    limit: then there is nothing to penalise, and the way out is dismissal, with that reason."""
    from models import Reading
    from service.extensions import db

    if case.excess_kg > 0:
        return None
    if db.session.get(Reading, case.weighing_reading_id).dimension_overlimit:
        return None
    return DomainError(
        f"按查明的车辆配置重新认定，限值 {case.limit_kg} kg（{case.rule_id}），扣除计量误差后未超限，"
        "不能作为处罚依据，应申请撤销",
        409,
    )


def permit_not_deemed(case, matter, actor):
    """A permitted 大件 vehicle off its route before 62号令 Art 44 took effect: ordered to correct
    (《公路安全保护条例》第六十五条第一款), not an illegal over-limit transport to fine."""
    issue = case.permit_issue or {}
    if issue.get("rule_id") == "F-PERMIT-ROUTE":
        return DomainError(f"{issue.get('reason')}；不按违法超限运输处罚，应申请撤销", 409)
    return None


def plate_unread(case, matter, actor):
    """The plate is entered by hand only where the camera read none."""
    if case.plate:
        return DomainError(f"号牌已识别为 {case.plate}，无需录入", 409)
    return None


def plate_known(case, matter, actor):
    """审核 checks the plate against the image (domain-rules §6.2): an unread one is entered first."""
    if not case.plate:
        return DomainError("号牌未识别：请先根据车牌特写图像录入号牌", 409)
    return None


def reviewed(case, matter, actor):
    """行政处罚法 第四十一条第二款: a record not reviewed cannot be evidence."""
    if case.reviewed_at is None:
        return DomainError("记录未经审核，不能作为处罚依据（行政处罚法第四十一条第二款）", 409)
    return None


def statement_period_over(case, matter, actor):
    """No decision before the party's statement period ends, unless the party waived it
    (行政处罚法 第四十四条、第六十二条)."""
    waived = any(s.kind == "waiver" for s in matter.statements)
    if matter.statement_due and clock.today() <= matter.statement_due and not waived:
        return DomainError(
            f"陈述申辩期限至 {matter.statement_due} 方届满，期满前不得作出决定（行政处罚法第四十四条、第六十二条）",
            409,
        )
    return None


def statements_reviewed(case, matter, actor):
    """行政处罚法 第四十五条: what the party said is reviewed (复核) before the decision is proposed."""
    waiting = [s for s in matter.statements if s.awaits_review]
    if waiting:
        return DomainError(
            f"当事人的陈述申辩（{len(waiting)} 项）尚待复核，复核前不得提出处罚决定（行政处罚法第四十五条）", 409
        )
    return None


def statement_awaits_review(case, matter, actor):
    if not any(s.awaits_review for s in matter.statements):
        return DomainError("没有待复核的陈述申辩", 409)
    return None


def not_own_dismissal_request(case, matter, actor):
    if case.dismissal_requested_by_id == actor.id:
        return DomainError("不能批准本人提出的撤销申请，须由另一名执法负责人审批", 403)
    return None


def not_own_decision(case, matter, actor):
    if matter.decision_proposed_by_id == actor.id:
        return DomainError("不能批准本人提出的处罚决定，须由另一名执法负责人审批", 403)
    return None


def fine_decided(case, matter, actor):
    if matter.decision_kind != "fine":
        return DomainError("只有罚款决定需要登记缴款", 409)
    return None


def closable(case, matter, actor):
    """结案: a fine once paid (executed), a warning once served."""
    if matter.status == "executed" or (matter.status == "served" and matter.decision_kind == "warning"):
        return None
    return DomainError(f"{matter.party_label}事项当前为「{matter.status_label}」，罚款缴纳后方可结案", 409)


def police_only_theirs(case, matter, actor):
    """The police act only on what was referred to them."""
    if actor is not None and actor.role == "police" and matter.authority != "police":
        return DomainError("公安交警只能办理移交公安机关的事项", 403)
    return None
