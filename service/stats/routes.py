"""Statistics (tables and charts agencies publish)."""

from __future__ import annotations

from datetime import date

from flask import request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from models import SiteAlert, StatsReport, User
from service import clock
from service.auth.guard import current_principal, protect
from service.errors import DomainError
from service.extensions import db
from service.stats.availability import availability, heartbeat, open_alerts
from service.stats.deterrence import deterrence
from service.stats.operations import baidunwang_hotspots
from service.stats.queries import grouped, summary, visible_sites
from service.stats.reports import (
    STATUS_LABELS,
    download_name,
    file_path,
    may_see_report,
    queue_report,
    report_region,
    request_report,
    view,
)
from service.stats.schemas import (
    AvailabilitySchema,
    DeterrenceArgsSchema,
    DeterrenceSchema,
    HeartbeatSchema,
    ReportCreateSchema,
    ReportSchema,
    SiteAlertSchema,
    StandingSchema,
    SummaryArgsSchema,
    SummarySchema,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = Blueprint("stats", __name__, description="统计")
protect(blp, roles=("admin", "supervisor", "officer", "investigator", "device"))
DEVICE_ENDPOINTS = ("DeviceHeartbeat",)


@blp.before_request
def _devices_only_beat() -> None:
    """A device token may only say its site is up; every figure is for people."""
    endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
    if current_principal().role == "device" and endpoint not in DEVICE_ENDPOINTS:
        raise DomainError("设备令牌只能上报心跳", 403)
    if current_principal().role != "device" and endpoint in DEVICE_ENDPOINTS:
        raise DomainError("心跳只能由点位设备以设备令牌上报", 403)


class HotspotArgsSchema(Schema):
    days = fields.Integer(load_default=30, validate=validate.OneOf([30, 90]), metadata={"description": "30 或 90 天"})


class HotspotSiteSchema(Schema):
    site_code = fields.String()
    site_name = fields.String()
    count = fields.Integer(metadata={"description": "百吨王车次"})
    vehicles = fields.Integer(metadata={"description": "不同车辆数"})
    peak_hours = fields.List(fields.Integer(), metadata={"description": "最多的三个时段（北京时间，小时）"})


class HotspotHourSchema(Schema):
    hour = fields.Integer()
    count = fields.Integer()


class HotspotSchema(Schema):
    days = fields.Integer()
    since = fields.DateTime()
    until = fields.DateTime()
    total = fields.Integer()
    sites = fields.List(fields.Nested(HotspotSiteSchema))
    hours = fields.List(fields.Nested(HotspotHourSchema))


@blp.route("/stats/baidunwang-hotspots")
class BaidunwangHotspots(MethodView):
    @blp.arguments(HotspotArgsSchema, location="query")
    @blp.response(200, HotspotSchema)
    def get(self, args):
        """Which sites and hours of the day 百吨王 pass most, over the last 30 or 90 days."""
        return baidunwang_hotspots(args["days"])


def _user() -> User | None:
    principal = current_principal()
    return db.session.get(User, principal.user_id) if principal.user_id else None


@blp.route("/stats/summary")
class StatsSummary(MethodView):
    @blp.arguments(SummaryArgsSchema, location="query")
    @blp.response(200, SummarySchema)
    def get(self, args):
        """The published figures over a period of Beijing dates (both ends included), for all
        sites the caller may see, one site or one region; with group_by, also per group."""
        sites = visible_sites(_user(), args.get("site"), args.get("region"))
        if args.get("site") and not sites:
            raise DomainError(f"没有可查看的点位 {args['site']}", 404, {"site": ["不存在或不在本辖区"]})
        start, end = args["from_"], args["to"]
        body = summary(start, end, sites)
        body.update(
            from_=start, to=end, site=args.get("site"), region=args.get("region"), sites=len(sites),
            group_by=args.get("group_by"),
        )  # fmt: skip
        if args.get("group_by"):
            body["groups"] = grouped(start, end, sites, args["group_by"])
        return body


def _report(report_id: int) -> StatsReport:
    report = db.session.get(StatsReport, report_id)
    user = _user()
    if report is None or not may_see_report(user, report):
        raise DomainError("没有该月报", 404)
    return report


@blp.route("/stats/reports")
class StatsReports(MethodView):
    @blp.response(200, ReportSchema(many=True))
    def get(self):
        """The monthly reports made so far (the latest 100), newest first."""
        user = _user()
        rows = db.session.scalars(select(StatsReport).order_by(StatsReport.id.desc()).limit(100))
        return [view(r) for r in rows if may_see_report(user, r)]

    @blp.arguments(ReportCreateSchema)
    @blp.response(202, ReportSchema)
    def post(self, body):
        """Ask for the monthly report (月报) of a month and region: a background job builds it."""
        user = _user()
        region = report_region(user, body.get("region"))
        report = request_report(date.fromisoformat(body["month"] + "-01"), region, user.username if user else "api")
        db.session.commit()
        queue_report(report.id)
        return view(report)


@blp.route("/stats/reports/<int:report_id>")
class StatsReportById(MethodView):
    @blp.response(200, ReportSchema)
    def get(self, report_id: int):
        """One monthly report: its status and progress."""
        return view(_report(report_id))


@blp.route("/stats/reports/<int:report_id>/file")
class StatsReportFile(MethodView):
    @blp.response(200, content_type=XLSX)
    def get(self, report_id: int):
        """The report's workbook (xlsx), once it is done."""
        report = _report(report_id)
        if report.status != "done":
            raise DomainError(f"月报{STATUS_LABELS.get(report.status, report.status)}，尚无文件", 409)
        return send_file(file_path(report), mimetype=XLSX, as_attachment=True, download_name=download_name(report))


@blp.route("/devices/heartbeat", methods=["POST"])
class DeviceHeartbeat(MethodView):
    @blp.response(200, HeartbeatSchema)
    def post(self):
        """A site's device says it is up (for hours without traffic): with its device token."""
        principal = current_principal()
        now = clock.now()
        heartbeat(principal.site_id, now)
        db.session.commit()
        return {"site_code": principal.site_code, "heard_at": now}


@blp.route("/stats/availability")
class SiteAvailability(MethodView):
    @blp.arguments(SummaryArgsSchema, location="query")
    @blp.response(200, AvailabilitySchema(many=True))
    def get(self, args):
        """Each site's expected and actual online days and hours over the period (在线率)."""
        sites = visible_sites(_user(), args.get("site"), args.get("region"))
        return availability(args["from_"], args["to"], sites)


@blp.route("/stats/site-alerts")
class SiteAlerts(MethodView):
    @blp.response(200, SiteAlertSchema(many=True))
    def get(self):
        """Sites silent longer than SITE_SILENCE_HOURS (no reading, no heartbeat), oldest first."""
        return open_alerts()


@blp.route("/stats/site-alerts/<int:alert_id>/ack", methods=["POST"])
class SiteAlertAck(MethodView):
    @blp.response(200, SiteAlertSchema)
    def post(self, alert_id: int):
        """The administrator has seen the alert (it stays listed until the site is heard from)."""
        user = _user()
        if user is None or user.role != "admin":
            raise DomainError("只有系统管理员可以确认点位离线告警", 403)
        alert = db.session.get(SiteAlert, alert_id)
        if alert is None:
            raise DomainError("没有该告警", 404)
        alert.acknowledged_at, alert.acknowledged_by_id = clock.now(), user.id
        db.session.commit()
        return next((a for a in open_alerts() if a["id"] == alert_id), {"id": alert_id})


@blp.route("/stats/deterrence")
class SiteDeterrence(MethodView):
    @blp.arguments(DeterrenceArgsSchema, location="query")
    @blp.response(200, DeterrenceSchema)
    def get(self, args):
        """A site's weekly over-limit rate and 百吨王 since it went live, before and after a date,
        and nearby sites' traffic in the same weeks (绕行 shows as a rise there)."""
        visible = visible_sites(_user())
        site = next((s for s in visible if s.code == args["site"]), None)
        if site is None:
            raise DomainError(f"没有可查看的点位 {args['site']}", 404, {"site": ["不存在或不在本辖区"]})
        return deterrence(site, visible, args.get("pivot"), args["km"])


@blp.route("/stats/standing")
class StatsStanding(MethodView):
    @blp.response(200, StandingSchema)
    def get(self):
        """How things stand today: enterprises over R-ENT-10's 10 % and their share, blacklist entries."""
        from service.stats.standing import standing

        return standing()
