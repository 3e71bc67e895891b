"""The case procedure as operations: each checks who may act and when, changes the
case, writes an audit event and flushes. Views and jobs commit.

pending_review ─confirm→ confirmed ─issue_notice→ notice_issued ─propose_decision→
decision_proposed ─approve_decision→ decided ─serve→ served ─record_payment→ executed ─close→ closed
(dismissal: request → supervisor approves → dismissed; hearing: request → record_hearing)
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime

from models import Reading, Site, User
from models.case import (
    DRIVER_RECORDABLE,
    REVIEW_CHECKS,
    SERVICE_METHODS,
    STATION_ACTION_LABELS,
    Case,
    CaseStatement,
    StationAction,
    can_approve_decision,
    can_approve_dismissal,
    can_propose_decision,
    can_request_dismissal,
    can_review,
)
from service import audit
from service.config import rule_settings
from service.extensions import db
from service.ingest.operations import CST
from service.rules import check_decision, late_fee, notice_deadlines, payment_deadlines, propose_penalty
from service.rules.deadlines import decision_deadlines


class ProcedureError(Exception):
    """A refusal a person understands. `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 409, errors: dict | None = None):
        super().__init__(message)
        self.message, self.status, self.errors = message, status, errors


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return _now().astimezone(CST).date()


def check_version(case: Case, expected: int | None) -> None:
    """Refuse an edit based on an older version of the case (412 from the API)."""
    if expected is None:
        raise ProcedureError("缺少案件版本（If-Match），请刷新后重试", status=428)
    if expected != case.version:
        raise ProcedureError(
            f"案件已被他人修改（当前版本 {case.version}，您看到的是版本 {expected}），请刷新后重试", status=412
        )


def _move(case: Case, actor: User, action: str, to: str, reason: str | None = None, data: dict | None = None) -> None:
    """One audited step: the new version, and the status `to` (the same one for a step that stays)."""
    frm = case.status
    case.status = to
    case.version += 1
    audit.record(
        f"case.{action}",
        "case",
        case.id,
        actor=actor.username,
        actor_user_id=actor.id,
        from_state=frm,
        to_state=to,
        reason=reason,
        data=data,
    )
    db.session.flush()


def _require(ok: bool, message: str, status: int = 403) -> None:
    if not ok:
        raise ProcedureError(message, status=status)


def needs_checklist(case: Case) -> bool:
    """Non-site records must pass the §6.2 review (行政处罚法 第四十一条第二款)."""
    site = db.session.get(Site, case.site_id)
    return site.kind in ("wim", "toll_entry")


def confirm(case: Case, actor: User, checklist: dict[str, bool], note: str | None = None) -> Case:
    """Officer's review: the checklist is ticked and the case confirmed for a notice."""
    _require(can_review(actor.role), "只有执法人员或执法负责人可以审核案件")
    _require(case.status == "pending_review", f"案件当前为「{case.status_label}」，不能审核确认", 409)
    missing = [label for key, label in REVIEW_CHECKS.items() if not checklist.get(key)]
    if needs_checklist(case) and missing:
        raise ProcedureError(
            "非现场记录须逐项核对后方可确认：" + "；".join(missing),
            status=422,
            errors={"checklist": missing},
        )
    case.review_checklist = {k: bool(checklist.get(k)) for k in REVIEW_CHECKS}
    case.reviewed_by_id, case.reviewed_at = actor.id, _now()
    _move(case, actor, "confirm", "confirmed", note, {"checklist": case.review_checklist})
    return case


def request_dismissal(case: Case, actor: User, reason: str) -> Case:
    _require(can_request_dismissal(actor.role, case), f"案件当前为「{case.status_label}」，不能申请撤销")
    if not (reason or "").strip():
        raise ProcedureError("撤销须填写理由", status=422, errors={"reason": ["必填"]})
    case.dismissal_reason, case.dismissal_requested_by_id = reason.strip(), actor.id
    case.dismissal_from_status = case.status
    _move(case, actor, "request_dismissal", "dismissal_requested", reason.strip())
    return case


def approve_dismissal(case: Case, actor: User) -> Case:
    if case.status == "dismissal_requested" and case.dismissal_requested_by_id == actor.id:
        raise ProcedureError("不能批准本人提出的撤销申请，须由另一名执法负责人审批", status=403)
    _require(can_approve_dismissal(actor.role, actor.id, case), "只有执法负责人可以批准撤销")
    case.dismissed_by_id, case.dismissed_at = actor.id, _now()
    _move(case, actor, "approve_dismissal", "dismissed", case.dismissal_reason)
    return case


def reject_dismissal(case: Case, actor: User, reason: str | None = None) -> Case:
    _require(actor.role == "supervisor" and case.status == "dismissal_requested", "只有执法负责人可以驳回撤销申请")
    back = case.dismissal_from_status or "pending_review"
    case.dismissal_reason = None
    _move(case, actor, "reject_dismissal", back, reason)
    return case


def effective_reading(case: Case) -> Reading:
    """The figures the case stands on (domain-rules.md §6.4).

    A linked static re-weigh takes precedence; ⚖ when the non-site reading is itself
    usable and shows the lower excess, the lower of the two is used."""
    wim = db.session.get(Reading, case.reading_id)
    if not case.reweigh_reading_id:
        return wim
    static = db.session.get(Reading, case.reweigh_reading_id)
    if reading_usable(wim) and _excess(wim) < _excess(static):
        return wim
    return static


def reading_usable(reading: Reading) -> bool:
    """Whether this weighing on its own could support a penalty (calibration, limitation)."""
    from service.ingest.operations import load_sites
    from service.rules import penalty_bars

    site = db.session.get(Site, reading.site_id)
    return not penalty_bars(
        reading.captured_at,
        load_sites([site.code])[site.code].facts_on(reading.captured_at),
        _now(),
        settings=rule_settings(),
    )


def _excess(reading: Reading) -> float:
    return max(0.0, reading.overlimit_kg - reading.tolerance_kg)


def proposal_for(case: Case):
    reading = effective_reading(case)
    return propose_penalty(
        _excess(reading),
        length_mm=reading.length_mm,
        width_mm=reading.width_mm,
        height_mm=reading.height_mm,
        dimension_over=bool(reading.dimension_overlimit),
        act_date=reading.captured_at.astimezone(CST).date(),
        settings=rule_settings(),
    )


def _party_code() -> str:
    # 8 characters from an alphabet without look-alikes, printed on the notice.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def hash_party_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def issue_notice(case: Case, actor: User) -> tuple[Case, str]:
    """告知 (行政处罚法 第四十四条): facts, basis, proposed penalty and the party's rights.

    Returns the party's access code in clear text: it is printed on the notice and
    stored only as a hash."""
    _require(can_review(actor.role), "只有执法人员或执法负责人可以发出告知书")
    _require(case.status == "confirmed", f"案件当前为「{case.status_label}」，须先审核确认", 409)
    if not case.penalty_usable and not case.reweigh_reading_id:
        raise ProcedureError(
            "本记录不能作为处罚依据（" + "；".join(b["reason"] for b in case.penalty_bars or []) + "），应申请撤销"
        )
    proposal = proposal_for(case)
    now = _now()
    deadlines = notice_deadlines(now, rule_settings())
    code = _party_code()
    case.notified_penalty = proposal.to_dict()
    case.notice_number = f"GZ{now.astimezone(CST):%Y}-{case.id:08d}"
    case.notice_issued_at, case.notice_issued_by_id = now, actor.id
    case.party_code_hash = hash_party_code(code)
    case.statement_due = deadlines["statement_due"].due
    case.hearing_request_due = deadlines["hearing_request_due"].due
    _move(
        case,
        actor,
        "issue_notice",
        "notice_issued",
        None,
        {"notice_number": case.notice_number, "proposed_kind": proposal.kind, "proposed_yuan": proposal.proposed_yuan},
    )
    return case, code


def add_statement(
    case: Case,
    actor: User | None,
    kind: str,
    text: str = "",
    *,
    channel: str,
    contact: str | None = None,
    today: date | None = None,
) -> CaseStatement:
    """The party's statement or defence (陈述申辩) or hearing request (听证), until its deadline."""
    today = today or _today()
    if kind not in ("statement", "hearing_request", "waiver"):
        raise ProcedureError("类型须为陈述申辩、申请听证或放弃陈述申辩", status=422, errors={"kind": ["无效"]})
    if case.status not in ("notice_issued", "hearing_requested"):
        raise ProcedureError("案件不在陈述申辩期内，无法提交", status=409)
    if kind == "hearing_request":
        if case.status == "hearing_requested":
            raise ProcedureError("已申请听证，无需重复申请", status=409)
        if case.hearing_request_due and today > case.hearing_request_due:
            raise ProcedureError(
                f"听证申请期限已于 {case.hearing_request_due} 届满（告知后五个工作日内，行政处罚法第六十四条）",
                status=409,
            )
    elif case.statement_due and today > case.statement_due:
        raise ProcedureError(f"陈述申辩期限已于 {case.statement_due} 届满，无法再提交", status=409)
    if kind == "waiver":
        text = text or "当事人明确放弃陈述、申辩和听证的权利"
    if not (text or "").strip():
        raise ProcedureError("内容不能为空", status=422, errors={"text": ["必填"]})
    statement = CaseStatement(
        case=case,
        kind=kind,
        channel=channel,
        text=text.strip()[:5000],
        contact=contact,
        submitted_at=_now(),
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(statement)
    actor_name = actor.username if actor else "当事人"
    if kind == "hearing_request":
        case.hearing_requested_at = statement.submitted_at
        case.status, frm = "hearing_requested", case.status
    else:
        frm = case.status
    case.version += 1
    audit.record(
        f"case.{kind}",
        "case",
        case.id,
        actor=actor_name,
        actor_user_id=actor.id if actor else None,
        from_state=frm,
        to_state=case.status,
        data={"channel": channel},
    )
    db.session.flush()
    return statement


def record_hearing(case: Case, actor: User, record: str) -> Case:
    _require(can_review(actor.role) and case.status == "hearing_requested", "案件未申请听证，或您无权记录听证")
    if not (record or "").strip():
        raise ProcedureError("须填写听证笔录摘要", status=422, errors={"record": ["必填"]})
    case.hearing_held_at, case.hearing_record = _now(), record.strip()
    _move(case, actor, "record_hearing", "notice_issued", None)
    return case


def propose_decision(
    case: Case, actor: User, kind: str, amount_yuan: int, reason: str | None = None, today: date | None = None
) -> Case:
    """An officer proposes the decision; a supervisor approves it."""
    today = today or _today()
    _require(can_propose_decision(actor.role, case), f"案件当前为「{case.status_label}」，不能提出处罚决定")
    waived = any(s.kind == "waiver" for s in case.statements)
    if case.statement_due and today <= case.statement_due and not waived:
        raise ProcedureError(
            f"陈述申辩期限至 {case.statement_due} 方届满，期满前不得作出决定（行政处罚法第四十四条、第六十二条）",
            status=409,
        )
    _check_decidable(case, kind, amount_yuan, reason)
    case.decision_kind, case.decision_amount_yuan = kind, (amount_yuan if kind == "fine" else 0)
    case.decision_reason = reason
    case.decision_proposed_by_id, case.decision_proposed_at = actor.id, _now()
    _move(case, actor, "propose_decision", "decision_proposed", reason, {"kind": kind, "amount_yuan": amount_yuan})
    return case


def _check_decidable(case: Case, kind: str, amount_yuan: int, reason: str | None) -> None:
    if kind not in ("fine", "warning"):
        raise ProcedureError("处罚种类须为罚款或警告", status=422, errors={"kind": ["须为 fine 或 warning"]})
    if needs_checklist(case) and not case.reviewed_at:
        raise ProcedureError("记录未经审核，不能作为处罚依据（行政处罚法第四十一条第二款）")
    if not case.penalty_usable and not case.reweigh_reading_id:
        raise ProcedureError(
            "设备检定过期或超过处罚时效的记录不能作出罚款决定："
            + "；".join(b["reason"] for b in case.penalty_bars or [])
        )
    proposal = proposal_for(case)
    problems = check_decision(proposal, kind, amount_yuan, reason=reason)
    notified = (case.notified_penalty or {}).get("proposed_yuan")
    if kind == "fine" and notified is not None and amount_yuan > notified:
        problems.append(
            f"决定罚款 {amount_yuan} 元高于告知书所列 {notified} 元，不得因当事人陈述申辩而加重（行政处罚法第四十五条）"
        )
    if problems:
        raise ProcedureError("；".join(problems), status=422, errors={"amount_yuan": problems})


def approve_decision(case: Case, actor: User) -> Case:
    if case.status == "decision_proposed" and case.decision_proposed_by_id == actor.id:
        raise ProcedureError("不能批准本人提出的处罚决定，须由另一名执法负责人审批", status=403)
    _require(can_approve_decision(actor.role, actor.id, case), "只有执法负责人可以批准处罚决定")
    _check_decidable(case, case.decision_kind, case.decision_amount_yuan or 0, case.decision_reason)
    now = _now()
    case.decided_by_id, case.decided_at = actor.id, now
    case.decision_number = f"JD{now.astimezone(CST):%Y}-{case.id:08d}"
    case.decision_basis = proposal_for(case).to_dict()
    from service.registry.repeat import snapshot_for_case

    # The repeat-offender counts as they stood before this decision (R-VEH-3 / R-DRV-3 / R-ENT-10).
    case.repeat_at_decision = snapshot_for_case(case)
    case.service_due = decision_deadlines(now, rule_settings())["service_due"].due
    _move(case, actor, "approve_decision", "decided", None, {"decision_number": case.decision_number})
    return case


def reject_decision(case: Case, actor: User, reason: str) -> Case:
    _require(actor.role == "supervisor" and case.status == "decision_proposed", "只有执法负责人可以退回处罚决定")
    if not (reason or "").strip():
        raise ProcedureError("退回须说明理由", status=422, errors={"reason": ["必填"]})
    _move(case, actor, "reject_decision", "notice_issued", reason.strip())
    return case


def serve(case: Case, actor: User, method: str, served_at: datetime | None = None) -> Case:
    """送达: the method is recorded; a fine's 15-day payment period starts (第六十七条)."""
    _require(can_review(actor.role) and case.status == "decided", f"案件当前为「{case.status_label}」，不能登记送达")
    if method not in SERVICE_METHODS:
        raise ProcedureError("送达方式无效", status=422, errors={"method": list(SERVICE_METHODS.values())})
    case.service_method, case.served_at = method, served_at or _now()
    if case.decision_kind == "fine":
        case.payment_due = payment_deadlines(case.served_at, rule_settings())["payment_due"].due
    _move(case, actor, "serve", "served", None, {"method": method})
    return case


def record_payment(case: Case, actor: User, amount_yuan: int, paid_on: date | None = None) -> Case:
    _require(
        can_review(actor.role) and case.status == "served" and case.decision_kind == "fine",
        "只有已送达的罚款决定可以登记缴款",
    )
    paid_on = paid_on or _today()
    fee = late_fee(case.decision_amount_yuan or 0, case.payment_due, paid_on) if case.payment_due else 0
    due_total = (case.decision_amount_yuan or 0) + fee
    if amount_yuan < due_total:
        raise ProcedureError(
            f"应缴 {due_total} 元（罚款 {case.decision_amount_yuan} 元，加处罚款 {fee} 元），实缴不足",
            status=422,
            errors={"amount_yuan": [f"应缴 {due_total} 元"]},
        )
    case.paid_at, case.paid_amount_yuan, case.late_fee_yuan = _now(), amount_yuan, fee
    _move(case, actor, "record_payment", "executed", None, {"amount_yuan": amount_yuan, "late_fee_yuan": fee})
    return case


def close(case: Case, actor: User) -> Case:
    """结案: a fine once executed, a warning once served."""
    done = case.status == "executed" or (case.status == "served" and case.decision_kind == "warning")
    _require(
        can_review(actor.role) and done,
        f"案件当前为「{case.status_label}」，尚不能结案",
    )
    case.closed_at, case.closed_by_id = _now(), actor.id
    _move(case, actor, "close", "closed", None)
    return case


def record_station_action(
    case: Case, actor: User, kind: str, kg: float | None = None, note: str | None = None
) -> StationAction:
    """卸载 / 驳载 / 劝返 at a station, with the tonnes involved."""
    _require(can_review(actor.role), "只有执法人员或执法负责人可以登记")
    if kind not in STATION_ACTION_LABELS:
        raise ProcedureError("类型须为卸载、驳载或劝返", status=422, errors={"kind": list(STATION_ACTION_LABELS)})
    if kind in ("unloading", "transfer") and (kg is None or kg <= 0):
        raise ProcedureError("卸载、驳载须填写吨位（千克）", status=422, errors={"kg": ["须大于 0"]})
    action = StationAction(case=case, kind=kind, kg=kg, at=_now(), recorded_by_id=actor.id, note=note)
    db.session.add(action)
    _move(case, actor, kind, case.status, data={"kg": kg})
    return action


def record_driver(
    case: Case,
    actor: User,
    driver_id: int | None = None,
    name: str | None = None,
    licence_no: str | None = None,
    qualification_no: str | None = None,
    identity_number: str | None = None,
) -> Case:
    """The driver at the time of the act, as the station (or the statement) establishes it.

    Either a registered driver (`driver_id`), or the numbers read from the driver's papers:
    a driver already registered under one of them is reused, otherwise one is registered.
    The identity number is kept only encrypted (service.registry.crypto).
    """
    from models import Driver
    from service.registry import operations as registry

    _require(can_review(actor.role), "只有执法人员或执法负责人可以登记驾驶人")
    if case.status not in DRIVER_RECORDABLE:
        raise ProcedureError("处罚决定作出后不能再更改驾驶人（如需更正，应依法变更或撤销决定）")
    if driver_id is not None:
        driver = db.session.get(Driver, driver_id)
        if driver is None:
            raise ProcedureError("登记簿中没有该驾驶人", status=422, errors={"driver_id": ["不存在"]})
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
                raise ProcedureError("驾驶人信息不完整或有误", status=422, errors=exc.errors) from exc
    if case.driver_id == driver.id:
        return case
    before, case.driver_id = case.driver_id, driver.id
    reason = f"{driver.name}（驾驶证 {driver.licence_masked or '—'}）"
    _move(case, actor, "driver", case.status, reason, {"driver_id": driver.id, "previous_driver_id": before})
    return case


def deadline_view(case: Case, today: date | None = None) -> list[dict]:
    """The case's running deadlines with overdue / due-soon flags, for lists and the case page."""
    from service.rules import due_soon, is_overdue

    today = today or _today()
    items = [
        (
            "decide_by",
            "作出处罚决定（立案后九十日）",
            case.decide_by.astimezone(CST).date(),
            case.status in ("pending_review", "confirmed", "notice_issued", "hearing_requested", "decision_proposed"),
        )
    ]
    items += [
        ("statement_due", "当事人陈述申辩期限", case.statement_due, case.status in ("notice_issued",)),
        ("hearing_request_due", "听证申请期限", case.hearing_request_due, case.status == "notice_issued"),
        ("service_due", "送达决定书期限", case.service_due, case.status == "decided"),
        ("payment_due", "缴纳罚款期限", case.payment_due, case.status == "served"),
    ]
    out = []
    for code, label, due, running in items:
        if due is None:
            continue
        out.append(
            {
                "code": code,
                "label": label,
                "due": due,
                "running": running,
                "overdue": running and is_overdue(due, today),
                "due_soon": running and due_soon(due, today),
            }
        )
    return out


def assign(case: Case, actor: User, officer: User) -> Case:
    case.assigned_to_id = officer.id
    _move(case, actor, "assign", case.status, data={"assigned_to": officer.username})
    return case
