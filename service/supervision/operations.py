"""Enterprise supervision: the proposals (from the figures, by service/rules/supervision.py) and
the actions people take — 约谈, 挂牌督办, 限期整改 — each audited on the enterprise."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from models import Case, CaseTrace, Enterprise, PartyMatter, SupervisionAction, User
from service import audit, clock
from service.config import rule_settings
from service.errors import DomainError
from service.extensions import db
from service.rules.supervision import KINDS, EnterpriseFigures, propose


def _since() -> datetime:
    start = clock.today() - timedelta(days=rule_settings().supervision_window_days)
    return datetime.combine(start, time(0), tzinfo=clock.CST)


def figures_for(enterprise: Enterprise) -> tuple[EnterpriseFigures, list[int]]:
    """The enterprise's figures over the window, and the cases behind them."""
    from service.registry.repeat import enterprise_status

    since = _since()
    giants = db.session.execute(
        select(Case.id, Case.plate).where(
            Case.enterprise_id == enterprise.id, Case.baidunwang.is_(True), Case.captured_at >= since
        )
    ).all()
    sourced = db.session.scalars(
        select(PartyMatter.case_id).where(
            PartyMatter.party == "source_enterprise",
            PartyMatter.enterprise_id == enterprise.id,
            PartyMatter.status != "withdrawn",
            PartyMatter.opened_at >= since,
        )
    ).all()
    # Cases the investigators traced to it (倒查确认) before a decision opened their source matter.
    sourced += db.session.scalars(
        select(CaseTrace.case_id).where(
            CaseTrace.enterprise_id == enterprise.id, CaseTrace.status == "confirmed", CaseTrace.decided_at >= since
        )
    ).all()
    share_over, share_pct = False, None
    if enterprise.kind in ("transport", "both"):
        status = enterprise_status(enterprise.id)
        share_over, share_pct = bool(status["triggered"]), status.get("statutory_share_pct")
    open_kinds = db.session.scalars(
        select(SupervisionAction.kind).where(
            SupervisionAction.enterprise_id == enterprise.id, SupervisionAction.status != "closed"
        )
    ).all()
    flags = ()
    if enterprise.kind in ("source", "both"):
        from service.sources.integrity import enterprise_flags  # #11's weighbridge checks, as they stand now

        flags = tuple((f["weighbridge_code"], f["label"], f["text"]) for f in enterprise_flags(enterprise.id))
    figures = EnterpriseFigures(
        kind=enterprise.kind,
        integrity_flags=flags,
        baidunwang_vehicles=len({plate for _, plate in giants if plate}),
        share_over=share_over,
        share_pct=share_pct,
        source_matters=len(set(sourced)),
        open_action_kinds=frozenset(open_kinds),
    )
    return figures, sorted({case_id for case_id, _ in giants} | set(sourced))


def proposals() -> list[dict]:
    """Every enterprise the figures call for supervision of, with the proposals and the cases."""
    out = []
    for enterprise in db.session.scalars(select(Enterprise).order_by(Enterprise.name)):
        figures, case_ids = figures_for(enterprise)
        for proposal in propose(figures, rule_settings()):
            out.append({"enterprise": enterprise, "proposal": proposal.to_dict(), "case_ids": case_ids})
    return out


def _audit(action: SupervisionAction, actor: User, what: str, reason: str | None = None) -> None:
    audit.record(
        f"enterprise.supervision.{what}",
        "enterprise",
        action.enterprise_id,
        actor=actor.username,
        actor_user_id=actor.id,
        to_state=action.status,
        reason=reason,
        data={"action_id": action.id, "kind": action.kind, "due_on": action.due_on.isoformat()},
    )


def open_action(
    enterprise: Enterprise,
    actor: User,
    *,
    kind: str,
    reason: str,
    due_on: date,
    responsible_person: str | None = None,
    case_ids: list[int] | None = None,
    rule_id: str | None = None,
) -> SupervisionAction:
    if kind not in KINDS:
        raise DomainError("类型须为约谈、挂牌督办或限期整改", 422, {"kind": list(KINDS)})
    if not (reason or "").strip():
        raise DomainError("须写明理由", 422, {"reason": ["必填"]})
    if due_on <= clock.today():
        raise DomainError("期限须晚于今天", 422, {"due_on": ["须晚于今天"]})
    known = set(db.session.scalars(select(Case.id).where(Case.id.in_(case_ids or []))))
    action = SupervisionAction(
        enterprise_id=enterprise.id,
        kind=kind,
        rule_id=rule_id,
        reason=reason.strip(),
        case_ids=sorted(known),
        responsible_person=(responsible_person or "").strip() or None,
        due_on=due_on,
        status="open",
        created_at=clock.now(),
        created_by_id=actor.id,
    )
    db.session.add(action)
    db.session.flush()
    _audit(action, actor, "open", action.reason)
    return action


def record_evidence(action: SupervisionAction, actor: User, evidence: str) -> SupervisionAction:
    if action.status == "closed":
        raise DomainError("该督办已办结", 409)
    if not (evidence or "").strip():
        raise DomainError("须写明收到的整改材料", 422, {"evidence": ["必填"]})
    action.evidence, action.evidence_at, action.status = evidence.strip(), clock.now(), "evidence_received"
    _audit(action, actor, "evidence", action.evidence)
    return action


def close_action(action: SupervisionAction, actor: User, outcome: str) -> SupervisionAction:
    if action.status == "closed":
        raise DomainError("该督办已办结", 409)
    if not (outcome or "").strip():
        raise DomainError("须写明办结情况", 422, {"outcome": ["必填"]})
    action.outcome, action.closed_at, action.closed_by_id, action.status = (
        outcome.strip(),
        clock.now(),
        actor.id,
        "closed",
    )
    _audit(action, actor, "close", action.outcome)
    return action


def action_view(action: SupervisionAction, names: dict[int, str] | None = None) -> dict:
    overdue = action.status != "closed" and action.due_on < clock.today()
    name = (names or {}).get(action.enterprise_id)
    if name is None:
        name = db.session.scalar(select(Enterprise.name).where(Enterprise.id == action.enterprise_id))
    return {
        "id": action.id,
        "enterprise_id": action.enterprise_id,
        "enterprise_name": name,
        "kind": action.kind,
        "kind_label": KINDS.get(action.kind, action.kind),
        "rule_id": action.rule_id,
        "reason": action.reason,
        "case_ids": action.case_ids,
        "responsible_person": action.responsible_person,
        "due_on": action.due_on,
        "status": action.status,
        "status_label": "已逾期" if overdue else action.status_label,
        "overdue": overdue,
        "evidence": action.evidence,
        "evidence_at": action.evidence_at,
        "outcome": action.outcome,
        "created_at": action.created_at,
        "closed_at": action.closed_at,
    }


def action_query(status: str | None = None, enterprise_id: int | None = None):
    stmt = select(SupervisionAction)
    if enterprise_id is not None:
        stmt = stmt.where(SupervisionAction.enterprise_id == enterprise_id)
    if status == "open":
        stmt = stmt.where(SupervisionAction.status != "closed")
    elif status == "overdue":
        stmt = stmt.where(SupervisionAction.status != "closed", SupervisionAction.due_on < clock.today())
    elif status == "closed":
        stmt = stmt.where(SupervisionAction.status == "closed")
    return stmt.order_by(SupervisionAction.status == "closed", SupervisionAction.due_on, SupervisionAction.id)


def overdue_count() -> int:
    stmt = select(func.count()).select_from(action_query("overdue").order_by(None).subquery())
    return db.session.scalar(stmt)
