"""Figures in the console: where and when 百吨王 pass (for planning 24-hour 布控)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from service.console.session import login_required
from service.stats.operations import baidunwang_hotspots

bp = Blueprint("stats_console", __name__, template_folder="templates")


@bp.get("/hotspots")
@login_required("admin", "supervisor", "officer", "investigator")
def hotspots():
    days = 90 if request.args.get("days") == "90" else 30
    data = baidunwang_hotspots(days)
    peak = max((h["count"] for h in data["hours"]), default=0)
    return render_template("stats/hotspots.html", data=data, days=days, peak=peak)
