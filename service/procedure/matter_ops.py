"""Operations on a party matter: the administrative-penalty procedure this agency runs
(告知 → 陈述申辩 / 听证 → 决定 → 送达 → 执行 → 结案), and the tracking of a matter another
authority handles (移送 → 签收 → 结果). Each returns an `Effect` for the engine."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from models import CaseStatement, PartyMatter, Reading, User
from models.matter import SERVICE_METHODS
from service import clock
from service.config import rule_settings
from service.errors import DomainError
from service.extensions import db
from service.procedure.engine import Effect
from service.rules import check_decision, late_fee, notice_deadlines, payment_deadlines, propose_penalty
from service.rules.deadlines import add_working_days, decision_deadlines
from service.rules.penalties import PenaltyItem, PenaltyProposal

STATEMENT_KINDS = {"statement": "陈述申辩", "hearing_request": "申请听证", "waiver": "放弃陈述申辩"}


def proposal_for(matter: PartyMatter) -> PenaltyProposal:
    """The lawful band and the amount to propose. The vehicle owner's comes from the case's
    effective weighing (62号令 Art 43); another party's from the basis its matter was opened with."""
    if matter.party == "vehicle":
        return case_proposal(matter.case)
    basis = matter.basis or {}
    if "max_yuan" not in basis:
        raise DomainError(f"{matter.party_label}事项未载明处罚幅度，不能告知或决定", 409)
    return PenaltyProposal(
        kind=basis.get("kind", "fine"),
        min_yuan=basis.get("min_yuan", 0),
        max_yuan=basis["max_yuan"],
        proposed_yuan=basis.get("proposed_yuan", basis.get("min_yuan", 0)),
        items=tuple(PenaltyItem(**item) for item in basis.get("items", ())),
        rounding="-",
        rule_version=basis.get("rule_version", ""),
    )


def case_proposal(case) -> PenaltyProposal:
    """The Art 43 band for the act, from the effective weighing the case stores."""
    reading = db.session.get(Reading, case.weighing_reading_id)
    return propose_penalty(
        case.excess_kg,
        length_mm=reading.length_mm,
        width_mm=reading.width_mm,
        height_mm=reading.height_mm,
        dimension_over=bool(reading.dimension_overlimit),
        act_date=clock.local_date(reading.captured_at),
        settings=rule_settings(),
    )


def _party_code() -> str:
    # 8 characters from an alphabet without look-alikes, printed on the notice.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def hash_party_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def issue_notice(matter: PartyMatter, actor: User) -> Effect:
    """告知 (行政处罚法 第四十四条): facts, basis, proposed penalty and the party's rights.

    The party's access code is the effect's result, in clear text: it is printed on the
    notice and stored only as a hash."""
    proposal = proposal_for(matter)
    now = clock.now()
    deadlines = notice_deadlines(now, rule_settings())
    code = _party_code()
    matter.notified_penalty = proposal.to_dict()
    matter.notice_number = f"GZ{clock.local_date(now):%Y}-{matter.case_id:08d}" + _suffix(matter)
    matter.notice_issued_at, matter.notice_issued_by_id = now, actor.id
    matter.party_code_hash = hash_party_code(code)
    matter.statement_due = deadlines["statement_due"].due
    matter.hearing_request_due = deadlines["hearing_request_due"].due
    data = {"notice_number": matter.notice_number, "proposed_kind": proposal.kind}
    return Effect(data={**data, "proposed_yuan": proposal.proposed_yuan}, result=code)


def _suffix(matter: PartyMatter) -> str:
    """The owner's documents keep the case's number; another party's get their matter's."""
    return "" if matter.party == "vehicle" else f"-{matter.id}"


def add_statement(
    matter: PartyMatter,
    actor: User | None,
    kind: str = "statement",
    text: str = "",
    channel: str = "officer",
    contact: str | None = None,
    today: date | None = None,
) -> Effect:
    """The party's statement or defence (陈述申辩), hearing request (听证) or waiver, until its deadline."""
    today = today or clock.today()
    if kind not in STATEMENT_KINDS:
        raise DomainError("类型须为陈述申辩、申请听证或放弃陈述申辩", 422, {"kind": ["无效"]})
    if kind == "hearing_request":
        if matter.status == "hearing_requested":
            raise DomainError("已申请听证，无需重复申请", 409)
        if matter.hearing_request_due and today > matter.hearing_request_due:
            raise DomainError(
                f"听证申请期限已于 {matter.hearing_request_due} 届满（告知后五个工作日内，行政处罚法第六十四条）", 409
            )
    elif matter.statement_due and today > matter.statement_due:
        raise DomainError(f"陈述申辩期限已于 {matter.statement_due} 届满，无法再提交", 409)
    if kind == "waiver":
        text = text or "当事人明确放弃陈述、申辩和听证的权利"
    if not (text or "").strip():
        raise DomainError("内容不能为空", 422, {"text": ["必填"]})
    statement = CaseStatement(
        case_id=matter.case_id,
        kind=kind,
        channel=channel,
        text=text.strip()[:5000],
        contact=contact,
        submitted_at=clock.now(),
        recorded_by_id=actor.id if actor else None,
    )
    matter.statements.append(statement)
    if kind == "hearing_request":
        matter.hearing_requested_at = statement.submitted_at
    to = "hearing_requested" if kind == "hearing_request" else None
    return Effect(data={"channel": channel}, to_state=to, result=statement, action=f"case.{kind}")


def record_hearing(matter: PartyMatter, actor: User, record: str = "") -> Effect:
    if not (record or "").strip():
        raise DomainError("须填写听证笔录摘要", 422, {"record": ["必填"]})
    matter.hearing_held_at, matter.hearing_record = clock.now(), record.strip()
    return Effect()


def propose_decision(
    matter: PartyMatter, actor: User, kind: str = "", amount_yuan: int = 0, reason: str | None = None
) -> Effect:
    """An officer proposes the decision; a supervisor approves it."""
    check_decidable(matter, kind, amount_yuan, reason)
    matter.decision_kind, matter.decision_amount_yuan = kind, (amount_yuan if kind == "fine" else 0)
    matter.decision_reason = reason
    matter.decision_proposed_by_id, matter.decision_proposed_at = actor.id, clock.now()
    return Effect(reason=reason, data={"kind": kind, "amount_yuan": amount_yuan})


def check_decidable(matter: PartyMatter, kind: str | None, amount_yuan: int, reason: str | None) -> None:
    """Within the lawful band, and never heavier than the notice (行政处罚法 第四十五条)."""
    if kind not in ("fine", "warning"):
        raise DomainError("处罚种类须为罚款或警告", 422, {"kind": ["须为 fine 或 warning"]})
    problems = check_decision(proposal_for(matter), kind, amount_yuan, reason=reason)
    notified = (matter.notified_penalty or {}).get("proposed_yuan")
    if kind == "fine" and notified is not None and amount_yuan > notified:
        problems.append(
            f"决定罚款 {amount_yuan} 元高于告知书所列 {notified} 元，不得因当事人陈述申辩而加重（行政处罚法第四十五条）"
        )
    if problems:
        raise DomainError("；".join(problems), 422, {"amount_yuan": problems})


def approve_decision(matter: PartyMatter, actor: User) -> Effect:
    check_decidable(matter, matter.decision_kind, matter.decision_amount_yuan or 0, matter.decision_reason)
    now = clock.now()
    matter.decided_by_id, matter.decided_at = actor.id, now
    matter.decision_number = f"JD{clock.local_date(now):%Y}-{matter.case_id:08d}" + _suffix(matter)
    matter.decision_basis = proposal_for(matter).to_dict()
    if matter.party == "vehicle":
        from service.registry.repeat import snapshot_for_case

        # The repeat-offender counts as they stood before this decision (R-VEH-3 / R-DRV-3 / R-ENT-10).
        matter.repeat_at_decision = snapshot_for_case(matter.case)
    matter.service_due = decision_deadlines(now, rule_settings())["service_due"].due
    return Effect(data={"decision_number": matter.decision_number})


def reject_decision(matter: PartyMatter, actor: User, reason: str = "") -> Effect:
    if not (reason or "").strip():
        raise DomainError("退回须说明理由", 422, {"reason": ["必填"]})
    return Effect(reason=reason.strip())


def serve(matter: PartyMatter, actor: User, method: str = "", served_at: datetime | None = None) -> Effect:
    """送达: the method is recorded; a fine's 15-day payment period starts (第六十七条)."""
    if method not in SERVICE_METHODS:
        raise DomainError("送达方式无效", 422, {"method": list(SERVICE_METHODS.values())})
    matter.service_method, matter.served_at = method, served_at or clock.now()
    if matter.decision_kind == "fine":
        matter.payment_due = payment_deadlines(matter.served_at, rule_settings())["payment_due"].due
    return Effect(data={"method": method})


def record_payment(matter: PartyMatter, actor: User, amount_yuan: int = 0, paid_on: date | None = None) -> Effect:
    paid_on = paid_on or clock.today()
    fine = matter.decision_amount_yuan or 0
    fee = late_fee(fine, matter.payment_due, paid_on) if matter.payment_due else 0
    if amount_yuan < fine + fee:
        raise DomainError(
            f"应缴 {fine + fee} 元（罚款 {fine} 元，加处罚款 {fee} 元），实缴不足",
            422,
            {"amount_yuan": [f"应缴 {fine + fee} 元"]},
        )
    matter.paid_at, matter.paid_amount_yuan, matter.late_fee_yuan = clock.now(), amount_yuan, fee
    return Effect(data={"amount_yuan": amount_yuan, "late_fee_yuan": fee})


def close(matter: PartyMatter, actor: User) -> Effect:
    """结案 of this matter: a fine once executed, a warning once served."""
    matter.closed_at, matter.closed_by_id = clock.now(), actor.id
    return Effect()


# ── matters another authority handles ───────────────────────────────────────


def refer(matter: PartyMatter, actor: User, note: str | None = None) -> Effect:
    """移送: sent to the authority that handles it; its acknowledgement is due in a few working days."""
    from flask import current_app

    now = clock.now()
    matter.referred_at, matter.referred_by_id = now, actor.id
    days = current_app.config["TRACKED_ACK_WORKING_DAYS"]
    matter.due_on = add_working_days(clock.local_date(now), days, rule_settings())
    return Effect(reason=note, data={"authority": matter.authority, "due_on": matter.due_on.isoformat()})


def acknowledge(matter: PartyMatter, actor: User, note: str | None = None) -> Effect:
    """签收: the other authority has received the matter."""
    matter.acknowledged_at, matter.due_on = clock.now(), None
    return Effect(reason=note)


def record_outcome(
    matter: PartyMatter,
    actor: User,
    decision_number: str = "",
    decided_on: date | None = None,
    fine_yuan: int | None = None,
    points: int | None = None,
    note: str | None = None,
) -> Effect:
    """结果: the other authority's decision (number, date, fine, points) closes the matter."""
    if not (decision_number or "").strip():
        raise DomainError("须填写对方机关的决定书文号", 422, {"decision_number": ["必填"]})
    if decided_on is None or decided_on > clock.today():
        raise DomainError("须填写决定日期，且不能晚于今天", 422, {"decided_on": ["无效"]})
    cap = _outcome_cap(matter)
    if fine_yuan is not None and cap is not None and fine_yuan > cap:
        raise DomainError(f"罚款金额超过法定上限 {cap} 元", 422, {"fine_yuan": [f"罚款金额不得超过 {cap} 元"]})
    matter.outcome = {
        "decision_number": decision_number.strip(),
        "decided_on": decided_on.isoformat(),
        "fine_yuan": fine_yuan,
        "points": points,
        "note": note,
    }
    if matter.acknowledged_at is None:
        matter.acknowledged_at = clock.now()  # an outcome is a receipt too
    matter.closed_at, matter.closed_by_id, matter.due_on = clock.now(), actor.id, None
    return Effect(reason=note, data={"decision_number": decision_number.strip()})


def _outcome_cap(matter: PartyMatter) -> int | None:
    """The most the other authority may lawfully fine: the band the matter was opened with, and
    for an instigator never above 公路安全保护条例 第六十八条's 3万元 (F-INSTIGATE) whatever it stores."""
    from service.rules.instigator import MAX_FINE_YUAN

    caps = [(matter.basis or {}).get("max_yuan")]
    if matter.party == "instigator":
        caps.append(MAX_FINE_YUAN)
    caps = [c for c in caps if c is not None]
    return min(caps) if caps else None
