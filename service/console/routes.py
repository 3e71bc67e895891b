"""The web console (server-rendered, Simplified Chinese)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlparse

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from sqlalchemy import case as sa_case
from sqlalchemy import func, select

from models import Case, EvidenceImage, Reading, Site, SiteDailyStats, User
from models.case import OPEN_STATUSES, REVIEW_CHECKS, SERVICE_METHODS, STATION_ACTION_LABELS
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
    from models.case import AUDIT_ACTION_LABELS, CASE_STATUS_LABELS

    return {
        "current_user": current_user(),
        "csrf_token": csrf_token,
        "ROLE_LABELS": ROLE_LABELS,
        "SITE_KIND_LABELS": SITE_KIND_LABELS,
        "AUDIT_ACTION_LABELS": AUDIT_ACTION_LABELS,
        "CASE_STATUS_LABELS": CASE_STATUS_LABELS,
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
    from service.registry.repeat import repeat_flags

    flags = repeat_flags([c for c, _, _ in rows])
    return render_template(
        "console/cases.html",
        rows=[{**case_view(c, r, code), "repeat_flags": flags[c.id]} for c, r, code in rows],
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
    from models.case import (
        DRIVER_RECORDABLE,
        can_approve_decision,
        can_approve_dismissal,
        can_propose_decision,
        can_request_dismissal,
        can_review,
    )
    from service import audit as audit_mod
    from service.registry.repeat import repeat_flags
    from service.review.operations import driver_view
    from service.review.procedure import deadline_view, proposal_for

    user = current_user()
    today = datetime.now(CST).date()
    evidence = db.session.scalars(
        select(EvidenceImage).where(EvidenceImage.reading_id == case.reading_id).order_by(EvidenceImage.id)
    ).all()
    try:
        proposal = proposal_for(case) if case.penalty_usable else None
    except ValueError:
        proposal = None
    may = {
        "review": can_review(user.role),
        "dismiss": can_request_dismissal(user.role, case),
        "approve_dismissal": can_approve_dismissal(user.role, user.id, case),
        "decide": can_propose_decision(user.role, case),
        "approve_decision": can_approve_decision(user.role, user.id, case),
        "record_driver": can_review(user.role) and case.status in DRIVER_RECORDABLE,
    }
    return render_template(
        "console/case.html",
        driver=driver_view(case.driver_id),
        repeat=repeat_flags([case])[case.id],
        case=case_view(case, reading, site.code),
        obj=case,
        reading=reading,
        site=site,
        earlier=[case_view(c, r, code) for c, r, code in earlier],
        today=today,
        evidence=evidence,
        proposal=proposal,
        may=may,
        deadlines=deadline_view(case, today),
        REVIEW_CHECKS=REVIEW_CHECKS,
        SERVICE_METHODS=SERVICE_METHODS,
        STATION_ACTION_LABELS=STATION_ACTION_LABELS,
        timeline=audit_mod.events_for("case", case.id),
        needs_checklist=site.kind in ("wim", "toll_entry"),
    )


# ── case procedure from the console ───────────────────────────────────────────


def _form_int(name: str, default: int | None = None) -> int | None:
    raw = request.form.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


def _step_args(action: str) -> tuple:
    """The procedure call for a console form: (function, kwargs)."""
    from service.review import procedure as proc

    form = request.form
    if action == "confirm":
        return proc.confirm, {"checklist": {k: k in form for k in REVIEW_CHECKS}, "note": form.get("note") or None}
    if action == "dismiss":
        return proc.request_dismissal, {"reason": form.get("reason", "")}
    if action == "approve_dismissal":
        return proc.approve_dismissal, {}
    if action == "reject_dismissal":
        return proc.reject_dismissal, {"reason": form.get("reason") or None}
    if action == "notice":
        return proc.issue_notice, {}
    if action == "statement":
        return proc.add_statement, {
            "kind": form.get("kind", "statement"),
            "text": form.get("text", ""),
            "channel": "officer",
        }
    if action == "hearing":
        return proc.record_hearing, {"record": form.get("record", "")}
    if action == "decide":
        return proc.propose_decision, {
            "kind": form.get("kind", ""),
            "amount_yuan": _form_int("amount_yuan", 0),
            "reason": form.get("reason") or None,
        }
    if action == "approve_decision":
        return proc.approve_decision, {}
    if action == "reject_decision":
        return proc.reject_decision, {"reason": form.get("reason", "")}
    if action == "serve":
        return proc.serve, {"method": form.get("method", "")}
    if action == "pay":
        return proc.record_payment, {"amount_yuan": _form_int("amount_yuan", 0)}
    if action == "close":
        return proc.close, {}
    if action == "driver":
        return proc.record_driver, {
            "name": form.get("name", "").strip() or None,
            "licence_no": form.get("licence_no", "").strip() or None,
            "qualification_no": form.get("qualification_no", "").strip() or None,
            "identity_number": form.get("identity_number", "").strip() or None,
        }
    if action == "station":
        kg = form.get("kg", "").strip()
        return proc.record_station_action, {
            "kind": form.get("kind", ""),
            "kg": float(kg) if kg else None,
            "note": form.get("note") or None,
        }
    abort(404)


@bp.post("/cases/<int:case_id>/act/<action>")
@login_required(*REVIEWERS)
def case_act(case_id: int, action: str):
    from service.review import procedure as proc

    check_csrf()
    fn, kwargs = _step_args(action)
    case = db.session.scalar(select(Case).where(Case.id == case_id).with_for_update())
    if case is None:
        abort(404)
    try:
        proc.check_version(case, _form_int("version"))
        result = fn(case, current_user(), **kwargs)
    except proc.ProcedureError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("console.case_page", case_id=case_id))
    db.session.commit()
    if action == "notice":
        # The clear code lives only in this officer's signed session, for printing the notice.
        session[f"party_code_{case_id}"] = result[1]
        flash(f"已发出告知书 {result[0].notice_number}。当事人查询码：{result[1]}（已印在告知书上，请立即打印）", "ok")
    else:
        flash("已保存", "ok")
    if action in ("confirm", "dismiss") and request.form.get("next_in_queue"):
        return redirect(_next_in_queue(case_id))
    return redirect(url_for("console.case_page", case_id=case_id))


def _next_in_queue(after_id: int) -> str:
    """The next pending case in queue order, for review without going back to the list."""
    nxt = db.session.execute(case_query({"status": "pending_review"}).limit(1)).first()
    return url_for("console.case_page", case_id=nxt[0].id) if nxt else url_for("console.cases")


@bp.get("/cases/next")
@login_required(*REVIEWERS)
def next_case():
    return redirect(_next_in_queue(0))


@bp.get("/my-cases")
@login_required(*REVIEWERS)
def my_cases():
    stmt = case_query({"mine": True}, user_id=current_user().id)
    rows = db.session.execute(stmt.where(Case.status.in_(OPEN_STATUSES)).limit(200)).all()
    return render_template(
        "console/list.html",
        title="我的案件",
        rows=[case_view(c, r, code) for c, r, code in rows],
        empty="没有分配给您或由您办理的未结案件",
    )


@bp.get("/deadlines")
@login_required(*REVIEWERS)
def deadlines():
    from service.review.operations import deadline_query
    from service.review.procedure import deadline_view

    rows = db.session.execute(deadline_query().limit(500)).all()
    items = []
    for c, r, code in rows:
        view = case_view(c, r, code)
        view["deadlines"] = [d for d in deadline_view(c) if d["running"] and (d["overdue"] or d["due_soon"])]
        items.append(view)
    return render_template("console/deadlines.html", rows=items)


def _document(case_id: int, kind: str):
    from service.review.documents import decision_document, notice_document

    case = db.session.get(Case, case_id)
    if case is None or kind not in ("notice", "decision"):
        abort(404)
    if kind == "notice" and not case.notice_number:
        abort(404, description="本案尚未发出告知书")
    if kind == "decision" and not case.decision_number:
        abort(404, description="本案尚未作出处罚决定")
    if kind == "notice":
        return case, notice_document(case, session.get(f"party_code_{case.id}"))
    return case, decision_document(case)


@bp.get("/cases/<int:case_id>/documents/<kind>")
@login_required(*REVIEWERS)
def document(case_id: int, kind: str):
    case, doc = _document(case_id, kind)
    images = [
        (e.kind, f"/evidence/{e.id}/thumb")
        for e in db.session.scalars(
            select(EvidenceImage).where(EvidenceImage.reading_id == case.reading_id, EvidenceImage.status == "ready")
        )
    ]
    return render_template(
        "console/document.html",
        doc=doc,
        images=images,
        pdf_url=url_for("console.document_pdf", case_id=case_id, kind=kind),
    )


@bp.get("/cases/<int:case_id>/documents/<kind>.pdf")
@login_required(*REVIEWERS)
def document_pdf(case_id: int, kind: str):
    from flask import Response

    from service.review.documents import render_pdf

    _, doc = _document(case_id, kind)
    filename = f"{doc.number or kind}.pdf"
    return Response(
        render_pdf(doc), mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )


@bp.get("/evidence/<int:evidence_id>/<any(original, thumb, watermarked):variant>")
@login_required(*REVIEWERS)
def evidence_file(evidence_id: int, variant: str):
    from service.evidence.serving import send_evidence

    return send_evidence(evidence_id, variant)


# ── 布控, alerts and hotspots ────────────────────────────────────────────────


@bp.get("/alerts/live")
@login_required(*REVIEWERS)
def alerts_live():
    """Polled by every console page: open alerts newer than `after` (JSON)."""
    from flask import jsonify

    from service.watch.routes import alert_rows

    after = request.args.get("after", 0, type=int)
    rows = alert_rows({"open": True, "after_id": after}, limit=20)
    return jsonify([{**r, "captured_at": _local(r["captured_at"], "%m-%d %H:%M"), "raised_at": None} for r in rows])


@bp.route("/alerts", methods=["GET", "POST"])
@login_required(*REVIEWERS)
def alerts():
    from models import Alert
    from service.watch import operations as watch_ops
    from service.watch.routes import alert_rows

    if request.method == "POST":
        check_csrf()
        alert = db.session.get(Alert, _form_int("alert_id", 0) or 0)
        if alert is None:
            abort(404)
        if current_user().role not in ("officer", "supervisor"):
            abort(403)
        watch_ops.acknowledge(alert, current_user(), request.form.get("note") or None)
        db.session.commit()
        flash("告警已确认", "ok")
        return redirect(url_for("console.alerts"))
    return render_template("console/alerts.html", rows=alert_rows({}, limit=200))


@bp.route("/watchlist", methods=["GET", "POST"])
@login_required(*REVIEWERS)
def watchlist():
    from models import WatchEntry
    from service.watch import operations as watch_ops

    user = current_user()
    if request.method == "POST":
        check_csrf()
        if user.role != "supervisor":
            abort(403)
        try:
            if request.form.get("end_id"):
                entry = db.session.get(WatchEntry, _form_int("end_id", 0) or 0)
                if entry is None:
                    abort(404)
                watch_ops.end_watch(entry, user)
            else:
                until = date.fromisoformat(request.form.get("until", ""))
                ends = datetime.combine(until + timedelta(days=1), time(0), tzinfo=CST)
                watch_ops.add_watch(request.form.get("plate", ""), request.form.get("reason", ""), ends, user)
        except ValueError as exc:
            db.session.rollback()
            flash(str(exc) if str(exc) else "日期格式应为 YYYY-MM-DD", "error")
            return redirect(url_for("console.watchlist"))
        db.session.commit()
        flash("已保存", "ok")
        return redirect(url_for("console.watchlist"))
    entries = db.session.scalars(
        select(WatchEntry).where(watch_ops.active_clause(watch_ops._now())).order_by(WatchEntry.id.desc())
    ).all()
    return render_template("console/watchlist.html", entries=entries, can_edit=user.role == "supervisor")


@bp.get("/hotspots")
@login_required("admin", "supervisor", "officer", "investigator")
def hotspots():
    from service.stats.operations import baidunwang_hotspots

    days = 90 if request.args.get("days") == "90" else 30
    data = baidunwang_hotspots(days)
    peak = max((h["count"] for h in data["hours"]), default=0)
    return render_template("console/hotspots.html", data=data, days=days, peak=peak)


# ── registry and repeat offenders ───────────────────────────────────────────


@bp.get("/repeat-offenders")
@login_required("admin", "supervisor", "officer", "investigator")
def repeat_offenders():
    from service.registry.repeat import listed

    kind = request.args.get("kind", "vehicle")
    if kind not in ("vehicle", "driver", "enterprise"):
        abort(404)
    return render_template("console/repeat.html", kind=kind, rows=listed(kind))


@bp.route("/registry", methods=["GET", "POST"])
@login_required("admin", "supervisor", "officer", "investigator")
def registry():
    from models import Driver, Enterprise, ImportJob, Permit, Vehicle
    from service.ingest import imports
    from service.outbox import enqueue_outbox
    from service.queueing import request_drain

    kinds = {"vehicles": Vehicle, "enterprises": Enterprise, "drivers": Driver, "permits": Permit}
    kind = request.values.get("kind", "vehicles")
    if kind not in kinds:
        abort(404)
    if request.method == "POST":
        check_csrf()
        if current_user().role not in ("admin", "supervisor"):
            abort(403)
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        if not data:
            flash("请选择要导入的 CSV 文件", "error")
            return redirect(url_for("console.registry", kind=kind))
        job = imports.store_upload(upload.filename or f"{kind}.csv", data, user_id=current_user().id, kind=kind)
        enqueue_outbox("import.requested", {"import_job_id": job.id})
        db.session.commit()
        from flask import current_app

        request_drain(current_app)
        flash(f"已开始导入（任务 {job.id}），刷新本页可查看进度", "ok")
        return redirect(url_for("console.registry", kind=kind))
    model = kinds[kind]
    q = request.args.get("q", "").strip()
    stmt = select(model).order_by(model.id.desc()).limit(200)
    if q:
        column = {
            "vehicles": Vehicle.plate,
            "enterprises": Enterprise.name,
            "drivers": Driver.name,
            "permits": Permit.plate,
        }[kind]
        stmt = stmt.where(column.contains(q))
    rows = db.session.scalars(stmt).all()
    jobs = db.session.scalars(
        select(ImportJob).where(ImportJob.kind == kind).order_by(ImportJob.id.desc()).limit(5)
    ).all()
    return render_template(
        "console/registry.html",
        kind=kind,
        rows=rows,
        q=q,
        jobs=jobs,
        can_import=current_user().role in ("admin", "supervisor"),
    )


# One registry record (view, correct, remove) and the enterprise dossier live in their own module.
from service.console import registry_pages  # noqa: E402, F401  (registers its views on bp)
