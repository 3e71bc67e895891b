"""The police's console (公安交警) and the officers' view of what was referred to the police:
the referrals, their receipt and the outcome the police report back. Steps run through the
step table (service/procedure) like everywhere else; the police see only what was sent to them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from models import Case, PartyMatter
from service.console.session import check_csrf, current_user, login_required
from service.extensions import db
from service.procedure import run_step
from service.referrals.queries import SHOWN_TO_POLICE, referral_query, referral_view
from service.review.console import FORMS

bp = Blueprint("referrals_console", __name__, template_folder="templates")
VIEWERS = ("admin", "supervisor", "officer", "police")


@bp.get("/referrals")
@login_required(*VIEWERS)
def referrals():
    user = current_user()
    status = request.args.get("status") or None
    rows = db.session.execute(referral_query(user, status).limit(500)).all()
    return render_template(
        "referrals/referrals.html",
        rows=[referral_view(m, c, s, user) for m, c, s in rows],
        status=status,
        is_police=user.role == "police",
    )


@bp.post("/referrals/<int:matter_id>/act/<step>")
@login_required(*VIEWERS)
def referral_act(matter_id: int, step: str):
    check_csrf()
    g.return_to = url_for("referrals_console.referrals")
    user = current_user()
    matter = db.session.get(PartyMatter, matter_id)
    visible = matter is not None and matter.authority == "police"
    if not visible or (user.role == "police" and matter.status not in SHOWN_TO_POLICE):
        abort(404)
    if step not in ("refer", "acknowledge", "outcome"):
        abort(404)
    case = db.session.scalar(select(Case).where(Case.id == matter.case_id).with_for_update())
    version = request.form.get("version", "")
    expected = int(version) if version.isdigit() and len(version) < 12 else None
    run_step(step, case, user, FORMS[step](request.form), matter=matter, expected_version=expected)
    db.session.commit()
    flash("已保存", "ok")
    return redirect(url_for("referrals_console.referrals"))
