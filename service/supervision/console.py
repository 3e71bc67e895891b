"""Enterprise supervision in the console (企业监管): the service's proposals, the actions under way
(overdue ones flagged), and the forms to open, record evidence and close."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from models import Enterprise, SupervisionAction
from service.console.session import check_csrf, current_user, login_required
from service.errors import DomainError
from service.extensions import db
from service.rules.supervision import KINDS
from service.supervision import operations as ops

bp = Blueprint("supervision_console", __name__, template_folder="templates")
VIEWERS = ("admin", "supervisor", "investigator", "officer")
ACTORS = ("supervisor", "investigator")


@bp.get("/supervision")
@login_required(*VIEWERS)
def supervision():
    names = dict(db.session.execute(select(Enterprise.id, Enterprise.name)).all())
    actions = [ops.action_view(a, names) for a in db.session.scalars(ops.action_query().limit(500))]
    return render_template(
        "supervision/supervision.html",
        proposals=ops.proposals(),
        actions=actions,
        KINDS=KINDS,
        can_act=current_user().role in ACTORS,
    )


def _date(name: str) -> date:
    raw = request.form.get(name, "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"日期格式应为 YYYY-MM-DD：{raw}", 422, {name: ["日期无效"]}) from None


@bp.post("/supervision/actions")
@login_required(*ACTORS)
def open_action():
    check_csrf()
    g.return_to = url_for("supervision_console.supervision")
    enterprise = db.session.get(Enterprise, request.form.get("enterprise_id", type=int) or 0)
    if enterprise is None:
        abort(404)
    case_ids = [int(x) for x in request.form.get("case_ids", "").split(",") if x.strip().isdigit()][:1000]
    ops.open_action(
        enterprise,
        current_user(),
        kind=request.form.get("kind", ""),
        reason=request.form.get("reason", ""),
        due_on=_date("due_on"),
        responsible_person=request.form.get("responsible_person"),
        case_ids=case_ids,
        rule_id=request.form.get("rule_id") or None,
    )
    db.session.commit()
    flash(f"已对 {enterprise.name} 立案{KINDS.get(request.form.get('kind', ''), '')}", "ok")
    return redirect(url_for("supervision_console.supervision"))


@bp.post("/supervision/actions/<int:action_id>/<any(evidence, close):what>")
@login_required(*ACTORS)
def act(action_id: int, what: str):
    check_csrf()
    g.return_to = url_for("supervision_console.supervision")
    action = db.session.scalar(select(SupervisionAction).where(SupervisionAction.id == action_id).with_for_update())
    if action is None:
        abort(404)
    if what == "evidence":
        ops.record_evidence(action, current_user(), request.form.get("text", ""))
    else:
        ops.close_action(action, current_user(), request.form.get("text", ""))
    db.session.commit()
    flash("已保存", "ok")
    return redirect(url_for("supervision_console.supervision"))


@bp.post("/supervision/repairer-revocations")
@login_required("supervisor")
def record_repairer_revocation():
    """B-4: a supervisor records a repairer's licence revocation from the blacklist page."""
    from service.supervision.repairers import record_revocation

    check_csrf()
    g.return_to = url_for("registry_console.blacklist")
    decided_on = _date("decided_on")
    row = record_revocation(
        current_user(),
        name=request.form.get("name", ""),
        uscc=request.form.get("uscc", "").strip() or None,
        decision_number=request.form.get("decision_number", ""),
        decided_on=decided_on,
        authority=request.form.get("authority", ""),
        note=request.form.get("note"),
    )
    db.session.commit()
    flash(f"已登记 {row.name} 被吊销资质（{row.decision_number}），列入失信名单（B-4）", "ok")
    return redirect(url_for("registry_console.blacklist"))
