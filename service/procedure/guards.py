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
