"""The police's console (公安交警) and the officers' view of what was referred to the police:
the inbox of referrals by state, the packages (export, download, receipt), receipt and outcome
of each referral, and the agency's signing key to print. Steps run through the step table
(service/procedure) like everywhere else; the police see only what was sent to them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from models import Case, PartyMatter, ReferralExport
from models.referral import REFERRAL_STATUS_LABELS
from service.console.session import check_csrf, current_user, login_required
from service.errors import DomainError
from service.extensions import db
from service.procedure import run_step
from service.referrals import exports, operations, signing
from service.referrals.package import package_path
from service.referrals.queries import (
    export_query,
    export_view,
    referral_counts,
    referral_query,
    referral_views,
    visible_export,
)
from service.review.forms import FORMS
from service.review.jurisdiction import may_see

bp = Blueprint("referrals_console", __name__, template_folder="templates")
VIEWERS = ("admin", "supervisor", "officer", "police")
EXPORTERS = ("supervisor", "officer", "police")
STEPS = ("refer", "acknowledge", "outcome", "withdraw_referral")


@bp.get("/referrals")
@login_required(*VIEWERS)
def referrals():
    user = current_user()
    status = request.args.get("status") or None
    status = status if status in REFERRAL_STATUS_LABELS else None
    overdue = request.args.get("overdue") == "1"
    rows = db.session.execute(referral_query(user, status, overdue).limit(200)).all()
    packages = [export_view(e) for e in db.session.scalars(export_query(user).limit(10))]
    return render_template(
        "referrals/referrals.html",
        rows=referral_views(rows, user, with_actions=True),
        counts=referral_counts(user),
        packages=packages,
        busy=any(p["status"] in ("queued", "running") for p in packages),
        status=status,
        overdue=overdue,
        labels=REFERRAL_STATUS_LABELS,
        is_police=user.role == "police",
        can_export=user.role in EXPORTERS,
    )


@bp.post("/referrals/<int:matter_id>/act/<step>")
@login_required(*VIEWERS)
def referral_act(matter_id: int, step: str):
    check_csrf()
    g.return_to = url_for("referrals_console.referrals")
    user = current_user()
    matter = db.session.get(PartyMatter, matter_id)
    visible = matter is not None and matter.authority == "police" and may_see(user, matter.case)
    if not visible or (user.role == "police" and matter.status not in ("referred", "acknowledged", "closed")):
        abort(404)
    if step not in STEPS:
        abort(404)
    case = db.session.scalar(select(Case).where(Case.id == matter.case_id).with_for_update())
    version = request.form.get("version", "")
    expected = int(version) if version.isdigit() and len(version) < 12 else None
    params = {"reason": request.form.get("reason", "")} if step == "withdraw_referral" else FORMS[step](request.form)
    run_step(step, case, user, params, matter=matter, expected_version=expected)
    db.session.commit()
    flash("已保存", "ok")
    return redirect(request.form.get("next") or url_for("referrals_console.referrals"))


@bp.post("/referrals/exports")
@login_required(*EXPORTERS)
def export_create():
    check_csrf()
    g.return_to = url_for("referrals_console.referrals")
    ids = [int(v) for v in request.form.getlist("referral_id") if v.isdigit() and len(v) < 12]
    export = exports.create_export(current_user(), ids or None)
    db.session.commit()
    queued = exports.queue_export(export.id)
    flash(f"移交包 {export.id} 已开始打包（{export.referral_count} 件）" if queued else
          f"移交包 {export.id} 已登记，任务队列暂不可用，恢复后打包", "ok")  # fmt: skip
    return redirect(url_for("referrals_console.referrals"))


@bp.get("/referrals/exports/<int:export_id>/download")
@login_required(*VIEWERS)
def export_download(export_id: int):
    export = visible_export(export_id, current_user())
    if export is None or export.status != "done" or not package_path(export).exists():
        abort(404)
    path = package_path(export)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=path.name)


@bp.post("/referrals/exports/<int:export_id>/ack")
@login_required(*EXPORTERS)
def export_ack(export_id: int):
    check_csrf()
    g.return_to = url_for("referrals_console.referrals")
    export = db.session.scalar(select(ReferralExport).where(ReferralExport.id == export_id).with_for_update())
    if export is None or visible_export(export_id, current_user()) is None:
        abort(404)
    count = operations.acknowledge_export(export, current_user())
    db.session.commit()
    flash(f"已签收移交包 {export_id}（{count} 件）", "ok")
    return redirect(url_for("referrals_console.referrals"))


@bp.get("/referrals/public-key")
@login_required(*VIEWERS)
def public_key():
    try:
        key = signing.private_key()
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("referrals_console.referrals"))
    return render_template(
        "referrals/public_key.html", pem=signing.public_pem(key), fingerprint=signing.fingerprint(key)
    )
