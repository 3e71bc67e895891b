"""The console's shared layout: sign-in, the overview, the filters every page uses.

Each audience has its own package of pages on this layout: review (officers, supervisors),
registry, sources (investigators), referrals (police), stats and admin — see
`register_consoles`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlparse

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from sqlalchemy import case as sa_case
from sqlalchemy import func, select

from models import Case, User
from models.site import SITE_KIND_LABELS
from models.user import ROLE_LABELS
from service import clock
from service.auth import throttle
from service.console.session import check_csrf, csrf_token, current_user, login_required, sign_in, sign_out
from service.extensions import db

bp = Blueprint("console", __name__)
REVIEWERS = ("admin", "supervisor", "officer")


def register_consoles(app: Flask) -> None:
    """The shared layout, then one package of pages per audience."""
    from service.admin.console import bp as admin_bp
    from service.copynotices.console import bp as copy_notices_bp
    from service.party.routes import bp as party_bp
    from service.referrals.console import bp as referrals_bp
    from service.registry.console import bp as registry_bp
    from service.review.console import bp as review_bp
    from service.sources.console import bp as sources_bp
    from service.stats.console import bp as stats_bp
    from service.supervision.console import bp as supervision_bp
    from service.watch.console import bp as watch_bp

    audiences = (review_bp, copy_notices_bp, watch_bp, registry_bp, sources_bp, supervision_bp, referrals_bp, stats_bp)
    audiences += (admin_bp,)
    for blueprint in (bp, *audiences, party_bp):
        app.register_blueprint(blueprint)


@bp.app_context_processor
def _globals():
    from models.case import CASE_STATUS_LABELS, STATION_ACTION_LABELS
    from models.matter import PARTY_LABELS, PROCEDURE_STATUS_LABELS, SERVICE_METHODS, TRACKED_STATUS_LABELS
    from service.console.labels import AUDIT_ACTION_LABELS

    return {
        "current_user": current_user(),
        "csrf_token": csrf_token,
        "ROLE_LABELS": ROLE_LABELS,
        "SITE_KIND_LABELS": SITE_KIND_LABELS,
        "AUDIT_ACTION_LABELS": AUDIT_ACTION_LABELS,
        "CASE_STATUS_LABELS": CASE_STATUS_LABELS,
        "SERVICE_METHODS": SERVICE_METHODS,
        "STATION_ACTION_LABELS": STATION_ACTION_LABELS,
        "PARTY_LABELS": PARTY_LABELS,
        "MATTER_STATUS_LABELS": {"procedure": PROCEDURE_STATUS_LABELS, "tracked": TRACKED_STATUS_LABELS},
    }


@bp.app_template_filter("local")
def _local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(clock.CST).strftime(fmt) if value else "—"


@bp.app_template_filter("kg")
def _kg(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        check_csrf()
        username = request.form.get("username", "")
        limits = throttle.login_limits(username)
        refused = throttle.attempt(limits)
        if refused is not None:
            flash(refused[0], "error")
            return render_template("console/login.html", username=username), 429, {"Retry-After": str(refused[1])}
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or not user.active or not user.check_password(request.form.get("password", "")):
            flash("用户名或密码错误", "error")
            return render_template("console/login.html", username=username), 401
        throttle.succeeded(limits)
        sign_in(user)  # commits
        target = request.args.get("next", "")
        # Only same-site paths: never redirect to another host after login.
        if not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
            target = url_for("console.home")
        return redirect(target)
    return render_template("console/login.html", username="")


@bp.post("/logout")
def logout():
    check_csrf()
    sign_out()  # the session ends on the server: a copy of the cookie opens nothing after this
    return redirect(url_for("console.login"))


@bp.get("/")
@login_required()
def home():
    from service.stats.queries import site_figures

    user = current_user()
    if user.role == "investigator" and not request.args.get("overview"):  # their work first: the trace queue
        return redirect(url_for("sources_console.trace_queue_page"))
    today = clock.today()
    since = today - timedelta(days=6)
    pending = db.session.execute(
        select(func.count(), func.sum(sa_case((Case.baidunwang.is_(True), 1), else_=0))).where(
            Case.status == "pending_review"
        )
    ).one()
    return render_template(
        "console/home.html",
        user=user,
        figures=site_figures(since),
        since=since,
        today=today,
        pending=pending[0],
        pending_bdw=pending[1] or 0,
        can_review=user.role in REVIEWERS,
    )
