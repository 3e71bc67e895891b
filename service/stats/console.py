"""Figures in the console: the dashboard (统计分析) and where and when 百吨王 pass (布控)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from service import clock
from service.console.session import current_user, login_required
from service.stats.dashboard import dashboard as dashboard_data
from service.stats.dashboard import default_period
from service.stats.operations import baidunwang_hotspots
from service.stats.queries import visible_sites

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
    return render_template(
        "stats/dashboard.html", data=data, start=start, end=end, region=region, site=site,
        all_sites=all_sites, problems=problems, officer_scope=user.role == "officer" and user.region_code,
    )  # fmt: skip
