"""The web console (server-rendered, Simplified Chinese)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlparse

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from sqlalchemy import case as sa_case
from sqlalchemy import func, select

from models import Case, Reading, Site, SiteDailyStats, User
from models.site import SITE_KIND_LABELS
from models.user import ROLE_LABELS
from service.console.session import check_csrf, csrf_token, current_user, login_required, sign_in
from service.extensions import db
from service.ingest.operations import CST
from service.review.operations import case_query, case_view

bp = Blueprint("console", __name__)
REVIEWERS = ("admin", "supervisor", "officer")
PAGE_SIZE = 25


@bp.app_context_processor
def _globals():
    return {
        "current_user": current_user(),
        "csrf_token": csrf_token,
        "ROLE_LABELS": ROLE_LABELS,
        "SITE_KIND_LABELS": SITE_KIND_LABELS,
    }


@bp.app_template_filter("local")
def _local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(CST).strftime(fmt) if value else "—"


@bp.app_template_filter("kg")
def _kg(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        check_csrf()
        user = db.session.scalar(select(User).where(User.username == request.form.get("username", "")))
        if user is None or not user.active or not user.check_password(request.form.get("password", "")):
            flash("用户名或密码错误", "error")
            return render_template("console/login.html", username=request.form.get("username", "")), 401
        sign_in(user)
        target = request.args.get("next", "")
        # Only same-site paths: never redirect to another host after login.
        if not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
            target = url_for("console.home")
        return redirect(target)
    return render_template("console/login.html", username="")


@bp.post("/logout")
def logout():
    check_csrf()
    session.clear()
    return redirect(url_for("console.login"))


@bp.get("/")
@login_required()
def home():
    user = current_user()
    today = datetime.now(CST).date()
    since = today - timedelta(days=6)
    figures = db.session.execute(
        select(
            Site.code,
            Site.name,
            Site.kind,
            func.coalesce(func.sum(SiteDailyStats.checked), 0),
            func.coalesce(func.sum(SiteDailyStats.overlimit), 0),
            func.coalesce(func.sum(SiteDailyStats.baidunwang), 0),
        )
        .outerjoin(SiteDailyStats, (SiteDailyStats.site_id == Site.id) & (SiteDailyStats.day >= since))
        .group_by(Site.id, Site.code, Site.name, Site.kind)
        .order_by(Site.code)
    ).all()
    pending = db.session.execute(
        select(func.count(), func.sum(sa_case((Case.baidunwang.is_(True), 1), else_=0))).where(
            Case.status == "pending_review"
        )
    ).one()
    return render_template(
        "console/home.html",
        user=user,
        figures=figures,
        since=since,
        today=today,
        pending=pending[0],
        pending_bdw=pending[1] or 0,
        can_review=user.role in REVIEWERS,
    )


def _queue_args() -> dict:
    args: dict = {}
    for key in ("status", "site_code", "plate"):
        if request.args.get(key, "").strip():
            args[key] = request.args[key].strip()
    if request.args.get("baidunwang") == "1":
        args["baidunwang"] = True
    return args


def _period(stmt):
    for key, op in (("from", "ge"), ("to", "lt")):
        raw = request.args.get(key, "")
        if not raw:
            continue
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            flash(f"日期格式应为 YYYY-MM-DD：{raw}", "error")
            continue
        moment = datetime.combine(day + timedelta(days=1 if key == "to" else 0), time(0), tzinfo=CST)
        stmt = stmt.where(Case.captured_at >= moment if op == "ge" else Case.captured_at < moment)
    return stmt


@bp.get("/cases")
@login_required(*REVIEWERS)
def cases():
    args = _queue_args()
    if "status" not in args and request.args.get("status") is None:
        args["status"] = "pending_review"
    stmt = _period(case_query(args))
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, request.args.get("page", 1, type=int))
    rows = db.session.execute(stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    sites = db.session.scalars(select(Site).order_by(Site.code)).all()
    return render_template(
        "console/cases.html",
        rows=[case_view(c, r, code) for c, r, code in rows],
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        sites=sites,
        args=request.args,
    )


@bp.get("/cases/<int:case_id>")
@login_required(*REVIEWERS)
def case_page(case_id: int):
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    reading = db.session.get(Reading, case.reading_id)
    site = db.session.get(Site, case.site_id)
    earlier = []
    if case.plate:
        earlier = db.session.execute(
            select(Case, Reading, Site.code)
            .join(Reading, Reading.id == Case.reading_id)
            .join(Site, Site.id == Case.site_id)
            .where(Case.plate == case.plate, Case.id != case.id)
            .order_by(Case.captured_at.desc())
            .limit(20)
        ).all()
    today = datetime.now(CST).date()
    return render_template(
        "console/case.html",
        case=case_view(case, reading, site.code),
        reading=reading,
        site=site,
        earlier=[case_view(c, r, code) for c, r, code in earlier],
        today=today,
    )
