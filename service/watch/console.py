"""布控 in the console: the live alert feed every review page polls, the alerts list and the watch list."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from models import Alert, WatchEntry
from service import clock
from service.console.session import check_csrf, current_user, login_required
from service.errors import DomainError
from service.extensions import db
from service.watch import operations as watch_ops
from service.watch.routes import alert_rows

bp = Blueprint("watch_console", __name__, template_folder="templates")
REVIEWERS = ("admin", "supervisor", "officer")


def _form_id(name: str) -> int:
    raw = request.form.get(name, "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 18 else 0


@bp.get("/alerts/live")
@login_required(*REVIEWERS)
def alerts_live():
    """Polled by every console page: open alerts newer than `after` (JSON)."""
    after = request.args.get("after", 0, type=int)
    rows = alert_rows({"open": True, "after_id": after}, limit=20)
    local = lambda v: v.astimezone(clock.CST).strftime("%m-%d %H:%M") if v else "—"  # noqa: E731
    return jsonify([{**r, "captured_at": local(r["captured_at"]), "raised_at": None} for r in rows])


@bp.route("/alerts", methods=["GET", "POST"])
@login_required(*REVIEWERS)
def alerts():
    if request.method == "POST":
        check_csrf()
        alert = db.session.get(Alert, _form_id("alert_id"))
        if alert is None:
            abort(404)
        if current_user().role not in ("officer", "supervisor"):
            abort(403)
        watch_ops.acknowledge(alert, current_user(), request.form.get("note") or None)
        db.session.commit()
        flash("告警已确认", "ok")
        return redirect(url_for("watch_console.alerts"))
    if request.args.get("format") == "xlsx":
        from service.review.exports import xlsx

        columns = [
            ("告警时间", lambda a: a["raised_at"]), ("车牌", lambda a: a["plate"]), ("点位编码", lambda a: a["site_code"]),
            ("点位", lambda a: a["site_name"]), ("检测时间", lambda a: a["captured_at"]), ("布控理由", lambda a: a["reason"]),
            ("已确认", lambda a: a["acknowledged_at"] is not None), ("确认时间", lambda a: a["acknowledged_at"]),
            ("处置情况", lambda a: a["note"]),
        ]  # fmt: skip
        return xlsx("布控告警", columns, alert_rows({}, limit=100_000))
    return render_template("watch/alerts.html", rows=alert_rows({}, limit=200))


@bp.route("/watchlist", methods=["GET", "POST"])
@login_required(*REVIEWERS)
def watchlist():
    user = current_user()
    if request.method == "POST":
        check_csrf()
        if user.role != "supervisor":
            abort(403)
        if request.form.get("end_id"):
            entry = db.session.get(WatchEntry, _form_id("end_id"))
            if entry is None:
                abort(404)
            watch_ops.end_watch(entry, user)
        else:
            watch_ops.add_watch(request.form.get("plate", ""), request.form.get("reason", ""), _until(), user)
        db.session.commit()
        flash("已保存", "ok")
        return redirect(url_for("watch_console.watchlist"))
    entries = db.session.scalars(
        select(WatchEntry).where(watch_ops.active_clause(clock.now())).order_by(WatchEntry.id.desc())
    ).all()
    return render_template("watch/watchlist.html", entries=entries, can_edit=user.role == "supervisor")


def _until() -> datetime:
    """The end of the day entered (Beijing time): the watch runs through that date."""
    raw = request.form.get("until", "")
    try:
        until = date.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"日期格式应为 YYYY-MM-DD：{raw}", 422, {"until": ["日期无效"]}) from None
    return datetime.combine(until + timedelta(days=1), time(0), tzinfo=clock.CST)
