"""The supervisor's inbox (待办): dismissals and decisions awaiting their approval, statements
awaiting review (复核), overdue deadlines — with the count beside 待办 on every page — and the
assignment of cases to officers, one at a time or many at once. Approving stays on the case
page, through the step table, like every other step."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from models import Case, CaseStatement, PartyMatter, User
from service import clock
from service.console.session import check_csrf, current_user, login_required
from service.errors import DomainError
from service.extensions import db
from service.procedure import run_step
from service.review.console import bp
from service.review.jurisdiction import case_clause
from service.review.queries import deadline_list, rows_view

SUPERVISORS = ("supervisor",)


def _mine(stmt):
    """Within the supervisor's jurisdiction: their agency's and those below (jurisdiction.py)."""
    clause = case_clause(current_user())
    return stmt if clause is None else stmt.where(clause)


def _dismissals():
    return db.session.execute(
        _mine(select(Case, func.coalesce(User.display_name, User.username)))
        .outerjoin(User, User.id == Case.dismissal_requested_by_id)
        .where(Case.status == "dismissal_requested")
        .order_by(Case.id)
    ).all()


def _decisions():
    return db.session.execute(
        _mine(select(PartyMatter, Case, func.coalesce(User.display_name, User.username)))
        .join(Case, Case.id == PartyMatter.case_id)
        .outerjoin(User, User.id == PartyMatter.decision_proposed_by_id)
        .where(PartyMatter.status == "decision_proposed")
        .order_by(PartyMatter.id)
    ).all()


def _statements():
    return db.session.execute(
        _mine(select(CaseStatement, Case, PartyMatter))
        .join(PartyMatter, PartyMatter.id == CaseStatement.matter_id)
        .join(Case, Case.id == CaseStatement.case_id)
        .where(CaseStatement.kind == "statement", CaseStatement.reviewed_at.is_(None))
        .order_by(CaseStatement.submitted_at)
    ).all()


def _overdue() -> list[dict]:
    from service.procedure.deadlines import deadline_view

    out = []
    for case, code in db.session.execute(deadline_list(current_user()).limit(500)).all():
        late = [d for d in deadline_view(case) if d["running"] and d["overdue"]]
        if late:
            out.append({**rows_view([(case, code)])[0], "deadlines": late})
    return out


def inbox_counts() -> dict[str, int]:
    """What waits for a supervisor: one count query per kind (shown in the navigation)."""
    count = lambda stmt: db.session.scalar(select(func.count()).select_from(stmt.subquery()))  # noqa: E731
    return {
        "dismissals": count(_mine(select(Case.id).where(Case.status == "dismissal_requested"))),
        "decisions": count(
            _mine(select(PartyMatter.id).join(Case, Case.id == PartyMatter.case_id)).where(
                PartyMatter.status == "decision_proposed"
            )
        ),
        "statements": count(
            _mine(select(CaseStatement.id).join(Case, Case.id == CaseStatement.case_id)).where(
                CaseStatement.kind == "statement", CaseStatement.reviewed_at.is_(None)
            )
        ),
    }


@bp.app_context_processor
def _inbox_badge():
    user = current_user()
    if user is None or user.role not in SUPERVISORS:
        return {}
    return {"inbox_total": sum(inbox_counts().values())}


@bp.get("/inbox")
@login_required(*SUPERVISORS)
def inbox():
    return render_template(
        "review/inbox.html",
        dismissals=_dismissals(),
        decisions=_decisions(),
        statements=_statements(),
        overdue=_overdue(),
        counts=inbox_counts(),
        today=clock.today(),
    )


def officers() -> list[User]:
    """Whom the signed-in supervisor may assign a case to: active officers and supervisors of
    their own agency and the agencies below it (assigning a case to someone who could not open
    it is refused by the step anyway, service/procedure/case_ops.py)."""
    from models import Agency
    from service.console.session import current_user
    from service.review.jurisdiction import scope

    stmt = select(User).where(User.role.in_(("officer", "supervisor")), User.active.is_(True))
    viewer = scope(current_user())
    if viewer is not None:
        stmt = stmt.where(User.agency_id.in_(sorted(viewer.agencies)))
    elif db.session.scalar(select(Agency.id).limit(1)) is not None:
        stmt = stmt.where(User.agency_id.is_not(None))  # one not yet placed could open no case
    return list(db.session.scalars(stmt.order_by(User.role.desc(), User.username)))


@bp.post("/cases/assign")
@login_required(*SUPERVISORS)
def assign_many():
    """Assign the ticked cases of the queue to one officer; each through the step table, audited."""
    check_csrf()
    try:
        user_id = int(request.form.get("user_id", ""))
    except ValueError:
        user_id = 0
    ids = sorted({int(i) for i in request.form.getlist("case_id") if i.isdigit() and len(i) < 18})
    if not ids or not user_id:
        flash("请勾选案件并选择执法人员", "error")
        return redirect(request.referrer or url_for("review_console.cases"))
    done, refused = 0, []
    for case in db.session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id).with_for_update()):
        try:
            run_step("assign", case, current_user(), {"user_id": user_id}, expected_version=case.version)
            done += 1
        except DomainError as exc:
            refused.append(f"{case.case_number}：{exc.message}")
    db.session.commit()
    officer = db.session.get(User, user_id)
    name = (officer.display_name or officer.username) if officer else "—"
    flash(f"已将 {done} 件案件分配给 {name}", "ok" if done else "error")
    for line in refused[:10]:
        flash(line, "error")
    return redirect(request.referrer or url_for("review_console.cases"))


bp.add_app_template_global(officers, "assignable_officers")
