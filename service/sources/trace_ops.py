"""Operations of tracing (倒查): record the leads, confirm the source (a candidate or any
registered source enterprise, with the reason), record that it remains unknown after the
investigation, open a field investigation (现场调查) and record its outcome. Each is audited on
the case. Flush only; the view commits.

A confirmed source feeds 一超四罚: the case's source-enterprise matter, when the owner's
decision has opened it as 待查明, is identified through the step table (`identify`); a matter
opened later names the source from the start (service/procedure/law_matters.py reads it here).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import Case, CaseTrace, Enterprise, Loading, PartyMatter, TraceTask, User
from service import audit, clock
from service.errors import DomainError
from service.extensions import db
from service.sources.tracing import SOURCE_KINDS, candidates_for, trace_row, traceable


def _row(case: Case) -> CaseTrace:
    trace = trace_row(case.id)
    if trace is None:
        trace = CaseTrace(case_id=case.id, status="open")
        db.session.add(trace)
    return trace


def _check(case: Case) -> None:
    if not traceable(case):
        raise DomainError(f"案件当前为「{case.status_label}」，审核确认后方可倒查", 409)


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError("须写明理由", 422, {"reason": ["必填"]})
    if len(text) > 2000:
        raise DomainError("理由不得超过 2000 字", 422, {"reason": ["不得超过 2000 字"]})
    return text


def _audit(action: str, case: Case, actor: User, reason: str | None, data: dict) -> None:
    audit.record(action, "case", case.id, actor=actor.username, actor_user_id=actor.id,
                 from_state=case.status, to_state=case.status, reason=reason, data=data)  # fmt: skip


def record_leads(case: Case, actor: User, origin=None, cargo=None, waybill_no=None) -> CaseTrace:
    """What the driver or the station said: origin, cargo, waybill (matched against the registry)."""
    if case.loading_id is not None:
        raise DomainError("源头超限装载案件无需倒查", 409)
    trace = _row(case)
    trace.origin, trace.cargo, trace.waybill_no = origin or None, cargo or None, waybill_no or None
    trace.leads_recorded_by_id, trace.leads_recorded_at = actor.id, clock.now()
    db.session.flush()
    _audit("case.trace_leads", case, actor, None, {"origin": origin, "cargo": cargo, "waybill_no": waybill_no})
    return trace


def confirm(case: Case, actor: User, enterprise_id: int, reason: str | None = None) -> CaseTrace:
    """The investigator confirms the source. A candidate's own reasons stand for it unless the
    investigator adds one; an enterprise that is no candidate needs the reason."""
    _check(case)
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or enterprise.kind not in SOURCE_KINDS:
        raise DomainError("须选择登记簿中的货运源头单位", 422, {"enterprise_id": ["不存在或不是货运源头单位"]})
    cands, _ = candidates_for(case)
    cand = next((c for c in cands if c.enterprise_id == enterprise.id), None)
    if cand is None:
        text = _reason(reason)
    else:
        text = (reason or "").strip() or "；".join(cand.reasons)
    trace = _row(case)
    previous = trace.enterprise_id if trace.status == "confirmed" else None
    trace.status, trace.enterprise_id, trace.reason = "confirmed", enterprise.id, text
    trace.loading_id, trace.score = (cand.loading_id, cand.score) if cand else (None, None)
    trace.decided_by_id, trace.decided_at = actor.id, clock.now()
    db.session.flush()
    _audit("case.trace_confirm", case, actor, text,
           {"enterprise_id": enterprise.id, "score": trace.score, "loading_id": trace.loading_id,
            "candidate": cand is not None, "previous_enterprise_id": previous})  # fmt: skip
    _feed_matter(case, actor, enterprise)
    return trace


def _feed_matter(case: Case, actor: User, enterprise: Enterprise) -> None:
    """一超四罚: the source enterprise's matter of the case names the confirmed source."""
    from service.procedure import ANY_VERSION, run_step

    matter = db.session.scalar(
        select(PartyMatter).where(PartyMatter.case_id == case.id, PartyMatter.party == "source_enterprise")
    )
    if matter is None:
        return  # opened at the owner's decision, already naming this source (law_matters)
    if matter.status == "unidentified":
        run_step("identify", case, actor, {"enterprise_id": enterprise.id}, matter=matter,
                 expected_version=ANY_VERSION)  # fmt: skip
    elif matter.enterprise_id not in (None, enterprise.id):
        raise DomainError(
            f"该案件的源头单位事项已查明为「{matter.party_name}」并在办理中（{matter.status_label}），不能改为其他单位",
            409,
        )


def record_unknown(case: Case, actor: User, reason: str) -> CaseTrace:
    """After the investigation, the source remains unknown: said with the reason (and what was done)."""
    _check(case)
    text = _reason(reason)
    trace = _row(case)
    trace.status, trace.enterprise_id, trace.loading_id, trace.score = "unknown", None, None, None
    trace.reason, trace.decided_by_id, trace.decided_at = text, actor.id, clock.now()
    db.session.flush()
    _audit("case.trace_unknown", case, actor, text, {})
    return trace


def open_task(case: Case, actor: User, due_on: date, instructions: str, enterprise_id: int | None = None) -> TraceTask:
    """现场调查: a field investigation of the case's source, due by `due_on`."""
    _check(case)
    if due_on < clock.today():
        raise DomainError("调查期限不能早于今天", 422, {"due_on": ["不能早于今天"]})
    if enterprise_id is not None and db.session.get(Enterprise, enterprise_id) is None:
        raise DomainError("企业不存在", 422, {"enterprise_id": ["不存在"]})
    task = TraceTask(case_id=case.id, enterprise_id=enterprise_id, instructions=_reason(instructions),
                     due_on=due_on, status="open", opened_by_id=actor.id, opened_at=clock.now())  # fmt: skip
    db.session.add(task)
    db.session.flush()
    _audit("case.trace_task", case, actor, task.instructions,
           {"task_id": task.id, "due_on": due_on.isoformat(), "enterprise_id": enterprise_id})  # fmt: skip
    return task


def record_task_outcome(task: TraceTask, actor: User, outcome: str) -> TraceTask:
    if task.status == "done":
        raise DomainError("该现场调查已登记结果", 409)
    task.outcome, task.status = _reason(outcome), "done"
    task.done_by_id, task.done_at = actor.id, clock.now()
    db.session.flush()
    case = db.session.get(Case, task.case_id)
    _audit("case.trace_task_done", case, actor, task.outcome, {"task_id": task.id})
    return task


def confirmed_source(case_id: int) -> Enterprise | None:
    """The case's confirmed source enterprise (for 一超四罚's source matter), if any."""
    trace = trace_row(case_id)
    if trace is None or trace.status != "confirmed" or trace.enterprise_id is None:
        return None
    return db.session.get(Enterprise, trace.enterprise_id)


def loading_of(trace: CaseTrace | None) -> Loading | None:
    return db.session.get(Loading, trace.loading_id) if trace is not None and trace.loading_id else None
