"""The step table: the only place a step of the procedure is defined.

Each step names its target (the case, or one of its party matters — a matter this agency
handles runs the procedure, one another authority handles is tracked), who may take it,
from which states, the legal guards that must hold, the state it leads to, the audit
action it writes and the deadlines it starts. The API (service/review/routes.py and
service/review/matter_routes.py), the console (service/review/console.py) and the party
page (service/party/routes.py) all go through `service.procedure.engine.run_step`.
Adding a step is one entry here plus its guard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from models.case import DRIVER_RECORDABLE, OPEN_STATUSES, REWEIGHABLE
from service.procedure import case_ops, fact_ops, guards, instigator, law_matters, matter_ops
from service.referrals import operations as referrals

REVIEWERS = ("officer", "supervisor")
APPROVERS = ("supervisor",)


@dataclass(frozen=True)
class Step:
    name: str
    label: str  # the button, and what a refusal says cannot be done
    target: str  # "case" | "matter"
    roles: tuple[str, ...]  # "party" is the party on the party page
    from_states: tuple[str, ...]  # of the target
    to_state: str | None  # None: the state stays (or the operation decides it)
    run: Callable
    audit: str
    role_message: str
    guards: tuple[Callable, ...] = ()
    handling: str | None = None  # matters: "procedure" (handled here) | "tracked" | None (either)
    authority: str | None = None  # matters: only those of this authority (None: any)
    starts: tuple[str, ...] = ()  # the deadlines this step starts
    after: Callable | None = None  # what the law makes follow the step (run after it, audited itself)
    # A guard that says the step does not arise for this case at all (a plate to enter where one
    # was read): refused like a guard when taken, but not listed among the barred steps.
    applies: Callable | None = None


def _who(doing: str, roles: tuple[str, ...] = REVIEWERS) -> str:
    who = "执法负责人" if roles == APPROVERS else "执法人员或执法负责人"
    return f"只有{who}可以{doing}"


# Confirmed and not finished: the record is evidence (行政处罚法 第四十一条第二款).
def _after_decision(matter, actor) -> None:
    """一超四罚 matters, then the police referral the repeat-offender count now calls for."""
    law_matters.open_law_matters(matter, actor)
    referrals.after_decision(matter, actor)


REFERABLE = tuple(s for s in OPEN_STATUSES if s not in ("pending_review", "dismissal_requested"))
_USABLE = (guards.weighing_usable, guards.permit_not_deemed, guards.still_overlimit, guards.evidence_complete)
_DECIDABLE = (guards.reviewed, *_USABLE)

STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        # ── the case: review, dismissal, assignment, facts of the act ──
        Step("confirm", "审核确认", "case", REVIEWERS, ("pending_review",), "confirmed",
             case_ops.confirm, "case.confirm", _who("审核案件"), guards=(*_USABLE, guards.plate_known),
             after=referrals.after_confirm),
        Step("plate", "录入号牌", "case", REVIEWERS, REWEIGHABLE, None,
             fact_ops.record_plate, "case.plate", _who("录入号牌"), applies=guards.plate_unread),
        Step("configuration", "登记车辆配置", "case", REVIEWERS, REWEIGHABLE, None,
             fact_ops.record_configuration, "case.configuration", _who("登记车辆配置")),
        Step("dismissal", "申请撤销", "case", REVIEWERS, ("pending_review", "confirmed", "notice_issued"),
             "dismissal_requested", case_ops.request_dismissal, "case.request_dismissal", _who("申请撤销")),
        Step("approve_dismissal", "批准撤销", "case", APPROVERS, ("dismissal_requested",), "dismissed",
             case_ops.approve_dismissal, "case.approve_dismissal", _who("批准撤销", APPROVERS),
             guards=(guards.not_own_dismissal_request,)),
        Step("reject_dismissal", "驳回撤销申请", "case", APPROVERS, ("dismissal_requested",), None,
             case_ops.reject_dismissal, "case.reject_dismissal", _who("驳回撤销申请", APPROVERS)),
        Step("assign", "分配案件", "case", ("supervisor", "admin"), OPEN_STATUSES, None,
             case_ops.assign, "case.assign", "只有执法负责人可以分配案件"),
        Step("driver", "登记驾驶人", "case", REVIEWERS, DRIVER_RECORDABLE, None,
             case_ops.record_driver, "case.driver", _who("登记驾驶人")),
        Step("station_action", "登记现场处置", "case", REVIEWERS, OPEN_STATUSES, None,
             case_ops.record_station_action, "case.station_action", _who("登记卸载、驳载或劝返"),
             after=referrals.after_station_action),
        Step("refer_police", "移交公安", "case", REVIEWERS, REFERABLE, None,
             case_ops.refer_to_police, "case.refer_police", _who("移交公安"), after=referrals.after_manual_referral),
        Step("instigator", "登记指使强令者", "case", instigator.RECORDERS, instigator.RECORDABLE, None,
             instigator.record, "case.instigator", "只有执法人员、执法负责人或源头倒查专班可以登记指使强令者"),
        # ── a matter this agency handles: the administrative-penalty procedure ──
        Step("notice", "发出告知书", "matter", REVIEWERS, ("pending",), "notice_issued",
             matter_ops.issue_notice, "case.issue_notice", _who("发出告知书"), guards=_USABLE,
             handling="procedure", starts=("statement_due", "hearing_request_due")),
        Step("statement", "录入陈述申辩", "matter", (*REVIEWERS, "party"), ("notice_issued", "hearing_requested"),
             None, matter_ops.add_statement, "case.statement", _who("录入陈述申辩"), handling="procedure"),
        Step("review_statement", "复核陈述申辩", "matter", REVIEWERS, ("notice_issued", "hearing_requested"), None,
             fact_ops.review_statement, "case.review_statement", _who("复核陈述申辩"), handling="procedure",
             applies=guards.statement_awaits_review),
        Step("hearing", "登记听证", "matter", REVIEWERS, ("hearing_requested",), "notice_issued",
             matter_ops.record_hearing, "case.record_hearing", _who("登记听证"), handling="procedure"),
        Step("decision", "提出处罚决定", "matter", REVIEWERS, ("notice_issued",), "decision_proposed",
             matter_ops.propose_decision, "case.propose_decision", _who("提出处罚决定"),
             guards=(guards.statement_period_over, guards.statements_reviewed, *_DECIDABLE), handling="procedure"),
        Step("approve_decision", "批准处罚决定", "matter", APPROVERS, ("decision_proposed",), "decided",
             matter_ops.approve_decision, "case.approve_decision", _who("批准处罚决定", APPROVERS),
             guards=(guards.not_own_decision, *_DECIDABLE), handling="procedure", starts=("service_due",),
             after=_after_decision),
        Step("reject_decision", "退回处罚决定", "matter", APPROVERS, ("decision_proposed",), "notice_issued",
             matter_ops.reject_decision, "case.reject_decision", _who("退回处罚决定", APPROVERS),
             handling="procedure"),
        Step("service", "登记送达", "matter", REVIEWERS, ("decided",), "served",
             matter_ops.serve, "case.serve", _who("登记送达"), handling="procedure", starts=("payment_due",)),
        Step("payment", "登记缴款", "matter", REVIEWERS, ("served",), "executed",
             matter_ops.record_payment, "case.record_payment", _who("登记缴款"),
             guards=(guards.fine_decided,), handling="procedure"),
        Step("close", "结案", "matter", REVIEWERS, ("executed", "served"), "closed",
             matter_ops.close, "case.close", _who("结案"), guards=(guards.closable,), handling="procedure"),
        # ── a party the case did not name: 查明 (or, after the search, closed as 无法查明) ──
        Step("identify", "查明当事人", "matter", (*REVIEWERS, "investigator"), ("unidentified",), "pending",
             law_matters.identify, "case.identify", "只有执法人员、执法负责人或源头倒查专班可以登记当事人"),
        Step("unidentifiable", "无法查明，办结", "matter", APPROVERS, ("unidentified",), "closed",
             law_matters.give_up, "case.unidentifiable", _who("以无法查明办结", APPROVERS)),
        # ── a matter another authority handles: tracked ──
        Step("refer", "移送", "matter", REVIEWERS, ("pending",), "referred",
             matter_ops.refer, "case.refer", _who("移送"), handling="tracked", starts=("due_on",),
             after=referrals.after_matter_refer),
        Step("withdraw_referral", "撤回移交", "matter", APPROVERS, ("referred",), "withdrawn",
             referrals.withdraw, "referral.withdraw", _who("撤回移交公安", APPROVERS),
             guards=(referrals.not_exported,), handling="tracked", authority="police"),
        Step("acknowledge", "登记签收", "matter", ("police", *REVIEWERS), ("referred",), "acknowledged",
             matter_ops.acknowledge, "case.acknowledge", "只有接收机关或执法人员可以登记签收",
             guards=(guards.police_only_theirs,), handling="tracked"),
        Step("outcome", "登记处理结果", "matter", ("police", *REVIEWERS), ("referred", "acknowledged"), "closed",
             matter_ops.record_outcome, "case.record_outcome", "只有接收机关或执法人员可以登记处理结果",
             guards=(guards.police_only_theirs,), handling="tracked"),
    )
}  # fmt: skip
