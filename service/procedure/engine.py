"""Running a step of the table: who may, in which state, under which legal guards.

`run_step` is the only way a person moves a case or a matter: it checks the actor's
jurisdiction (another agency's case is not found), the version the caller saw, the role, the
state and the step's guards, runs the step's operation, sets the next state, keeps the case's
status in line with its matters and writes one audit event.
`actions_for` tells a user which steps they may take now, and which are barred and why.
Operations flush; the view or job commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import Case, PartyMatter, User
from models.matter import MATTER_DONE
from service import audit
from service.errors import DomainError
from service.extensions import db

ANY_VERSION = object()  # the party page: the party acts on what the page shows, no ETag


@dataclass
class Effect:
    """What an operation tells the engine: the audit reason and data, a dynamic next state,
    and a value for the caller (the party code of a notice, a created row)."""

    reason: str | None = None
    data: dict | None = None
    to_state: str | None = None
    result: object = None
    action: str | None = None  # the audit action, when it depends on the input (a statement's kind)
    skip: bool = False  # nothing changed (the same driver again): no new version, no event


def check_version(case: Case, expected) -> None:
    """Refuse an edit based on an older version of the case (412; 428 when none was sent)."""
    if expected is ANY_VERSION:
        return
    if expected is None:
        raise DomainError("缺少案件版本（If-Match），请刷新后重试", status=428)
    if expected != case.version:
        raise DomainError(
            f"案件已被他人修改（当前版本 {case.version}，您看到的是版本 {expected}），请刷新后重试", status=412
        )


def check_jurisdiction(case: Case, actor: User | None) -> None:
    """Another agency's case does not exist for this user (404), whoever calls the step — the
    routes check it too (service/review/jurisdiction.py); the party acts on their own case."""
    from service.review.jurisdiction import may_see

    if actor is not None and not may_see(actor, case):
        raise DomainError("案件不存在或不在本机构管辖范围内", 404)


def _role(actor: User | None) -> str:
    return actor.role if actor is not None else "party"


def refusal(step, case: Case, matter: PartyMatter | None, actor: User | None) -> DomainError | None:
    """Why `actor` may not take `step` now (None: they may)."""
    if _role(actor) not in step.roles:
        return DomainError(step.role_message, 403)
    obj = matter if step.target == "matter" else case
    if step.target == "matter":
        if matter is None:
            return DomainError(f"案件当前为「{case.status_label}」，尚无当事人事项，须先审核确认", 409)
        if not applies(step, matter):
            return DomainError(f"{matter.party_label}事项由{matter.authority_label}办理，不适用「{step.label}」", 409)
        if case.status in _CASE_OWN:  # awaiting review, dismissal pending, dismissed or merged
            return DomainError(f"案件当前为「{case.status_label}」，当事人事项暂不能办理", 409)
    if obj.status not in step.from_states:
        return DomainError(f"{_what(case, matter)}当前为「{obj.status_label}」，不能{step.label}", 409)
    for guard in (step.applies, *step.guards) if step.applies else step.guards:
        problem = guard(case, matter, actor)
        if problem is not None:
            return problem
    return None


def applies(step, matter: PartyMatter) -> bool:
    """Whether a matter's step fits this matter: handled here or tracked, and of which authority."""
    if step.handling and matter.handled_here != (step.handling == "procedure"):
        return False
    return step.authority is None or matter.authority == step.authority


def _what(case: Case, matter: PartyMatter | None) -> str:
    if matter is None or matter.party == "vehicle":
        return "案件"
    return f"{matter.party_label}事项"


def run_step(
    name: str,
    case: Case,
    actor: User | None,
    params: dict | None = None,
    *,
    matter: PartyMatter | None = None,
    expected_version=None,
) -> Effect:
    """Take one step on `case` (or on `matter`, default: the vehicle owner's) for `actor`."""
    from service.procedure.steps import STEPS

    step = STEPS[name]
    check_jurisdiction(case, actor)
    check_version(case, expected_version)
    if step.target == "matter" and matter is None:
        matter = case.lead_matter
    if matter is not None and matter.case_id != case.id:
        raise DomainError("该事项不属于本案件", 404)
    problem = refusal(step, case, matter, actor)
    if problem is not None:
        raise problem
    obj = matter if step.target == "matter" else case
    before = obj.status
    effect = step.run(obj, actor, **(params or {})) or Effect()
    if effect.skip:
        return effect
    obj.status = effect.to_state or step.to_state or obj.status
    case.version += 1
    sync_case_status(case)
    data = dict(effect.data or {})
    if matter is not None and step.target == "matter":
        data.update(matter_id=matter.id, party=matter.party, handling=step.handling)
    audit.record(
        effect.action or step.audit,
        "case",
        case.id,
        actor=actor.username if actor is not None else "当事人",
        actor_user_id=actor.id if actor is not None else None,
        from_state=before,
        to_state=obj.status,
        reason=effect.reason,
        data=data or None,
    )
    if step.after is not None:  # what the law makes follow (一超四罚 after the owner's decision)
        step.after(obj, actor)
        sync_case_status(case)
    db.session.flush()
    return effect


# The case's own states win; otherwise the case shows its lead matter's procedure.
_CASE_OWN = ("pending_review", "dismissal_requested", "dismissed", "merged")


def sync_case_status(case: Case) -> None:
    """Keep `case.status` in line with its matters: it closes when every matter has closed."""
    from service.clock import now

    if case.status in _CASE_OWN or not case.matters:
        return
    if all(m.status in MATTER_DONE for m in case.matters):
        if case.status != "closed" and any(m.status == "closed" for m in case.matters):
            from service.copynotices.operations import open_for

            case.status, case.closed_at = "closed", now()
            open_for(case)  # X-TRANSPORT-7WD: copied to the home authority within 7 working days
        return
    lead = case.lead_matter
    if lead is None or lead.status in MATTER_DONE:
        case.status = "matters_open"
    elif lead.status == "pending":
        case.status = "confirmed"
    else:
        case.status = lead.status


def actions_for(case: Case, actor: User | None) -> list[dict]:
    """Every step of the table this user could take on the case or one of its matters now,
    each with `allowed` and, when a legal guard bars it, the `reason`. Steps of another role,
    or of another state, are not listed."""
    from service.procedure.steps import STEPS

    out = []
    for step in STEPS.values():
        if _role(actor) not in step.roles:
            continue
        for matter in (None,) if step.target == "case" else case.matters:
            if step.target == "matter" and not applies(step, matter):
                continue
            obj = matter if matter is not None else case
            if obj.status not in step.from_states:
                continue
            if step.applies is not None and step.applies(case, matter, actor) is not None:
                continue  # the step does not arise for this case
            problem = refusal(step, case, matter, actor)
            out.append(
                {
                    "step": step.name,
                    "label": step.label,
                    "matter_id": matter.id if matter is not None else None,
                    "party": matter.party if matter is not None else None,
                    "allowed": problem is None,
                    "reason": problem.message if problem is not None else None,
                }
            )
    return out
