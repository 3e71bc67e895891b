"""Figures in the console: the dashboard (统计分析) and where and when 百吨王 pass (布控)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from models import StatsReport
from service import clock
from service.console.session import check_csrf, current_user, login_required
from service.errors import DomainError
from service.extensions import db
from service.stats.availability import availability, open_alerts, silence_hours
from service.stats.dashboard import dashboard as dashboard_data
from service.stats.dashboard import default_period
from service.stats.deterrence import deterrence
from service.stats.operations import baidunwang_hotspots
from service.stats.queries import visible_sites
from service.stats.reports import (
    download_name,
    file_path,
    may_see_report,
    previous_month,
    queue_report,
    region_label,
    report_region,
    request_report,
    view,
)
from service.stats.schemas import EARLIEST, LATEST, DeterrenceSchema
from service.stats.workbook import tables

bp = Blueprint("stats_console", __name__, template_folder="templates")
READERS = ("admin", "supervisor", "officer", "investigator")


@bp.get("/hotspots")
@login_required(*READERS)
def hotspots():
    days = 90 if request.args.get("days") == "90" else 30
    data = baidunwang_hotspots(days)
    peak = max((h["count"] for h in data["hours"]), default=0)
    return render_template("stats/hotspots.html", data=data, days=days, peak=peak)


def _period() -> tuple[date, date, list[str]]:
    start, end = default_period(clock.today())
    problems = []
    try:
        if request.args.get("from"):
            start = date.fromisoformat(request.args["from"])
        if request.args.get("to"):
            end = date.fromisoformat(request.args["to"])
    except ValueError:
        problems.append("日期格式应为 YYYY-MM-DD，已显示近 30 天")
        start, end = default_period(clock.today())
    if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
        problems.append("日期须在 2000-01-01 至 2099-12-31 之间，已显示近 30 天")
        start, end = default_period(clock.today())
    if start > end:
        problems.append("起始日期晚于截止日期，已对调")
        start, end = end, start
    return start, end, problems


@bp.get("/stats")
@login_required(*READERS)
def dashboard():
    user = current_user()
    start, end, problems = _period()
    region = (request.args.get("region") or "").strip() or None
    site = (request.args.get("site") or "").strip() or None
    all_sites = visible_sites(user)
    sites = visible_sites(user, site, region)
    data = dashboard_data(start, end, sites)
    data["availability"] = availability(start, end, sites)
    silent = open_alerts() if user.role in ("admin", "supervisor") else []
    return render_template(
        "stats/dashboard.html", data=data, start=start, end=end, region=region, site=site,
        all_sites=all_sites, problems=problems, officer_scope=user.role == "officer" and user.region_code,
        silent=silent, silence_hours=silence_hours(),
    )  # fmt: skip


@bp.get("/stats/reports")
@login_required(*READERS)
def reports():
    user = current_user()
    rows = db.session.scalars(select(StatsReport).order_by(StatsReport.id.desc()).limit(50))
    last = previous_month(clock.today())
    return render_template(
        "stats/reports.html", reports=[view(r) for r in rows if may_see_report(user, r)], last=last, user=user
    )


@bp.post("/stats/reports")
@login_required(*READERS)
def request_monthly():
    check_csrf()
    user = current_user()
    try:
        month = date.fromisoformat((request.form.get("month") or "") + "-01")
        region = report_region(user, (request.form.get("region") or "").strip() or None)
        report = request_report(month, region, user.username)
    except ValueError:
        flash("月份格式应为 YYYY-MM", "error")
        return redirect(url_for("stats_console.reports"))
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("stats_console.reports"))
    db.session.commit()
    queued = queue_report(report.id)
    flash(f"{report.month:%Y年%m月}月报已提交生成" + ("" if queued else "（队列暂不可用，稍后自动重试）"), "ok")
    return redirect(url_for("stats_console.reports"))


@bp.get("/stats/reports/<int:report_id>/file")
@login_required(*READERS)
def report_file(report_id: int):
    report = db.session.get(StatsReport, report_id)
    if report is None or report.status != "done" or not may_see_report(current_user(), report):
        abort(404)
    return send_file(file_path(report), as_attachment=True, download_name=download_name(report))


@bp.get("/stats/reports/print")
@login_required(*READERS)
def report_print():
    user = current_user()
    try:
        month = date.fromisoformat((request.args.get("month") or "") + "-01")
    except ValueError:
        month = previous_month(clock.today())
    try:
        region = report_region(user, (request.args.get("region") or "").strip() or None)
    except DomainError:
        abort(403)
    data = tables(month, visible_sites(user, region=region))
    return render_template("stats/report_print.html", data=data, region_label=region_label(region))


@bp.get("/stats/deterrence")
@login_required(*READERS)
def deterrence_page():
    visible = visible_sites(current_user())
    code = request.args.get("site") or (visible[0].code if visible else None)
    site = next((s for s in visible if s.code == code), None)
    pivot, problems = None, []
    if request.args.get("pivot"):
        try:
            pivot = date.fromisoformat(request.args["pivot"])
            if not EARLIEST <= pivot <= LATEST:
                raise ValueError(pivot)
        except ValueError:
            problems.append("对比日期格式应为 YYYY-MM-DD，已用默认日期")
    # Dumped by the API's schema: the page's charts read the same ISO dates the API gives.
    data = DeterrenceSchema().dump(deterrence(site, visible, pivot)) if site else None
    return render_template("stats/deterrence.html", data=data, sites=visible, problems=problems)
