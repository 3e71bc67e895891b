"""Statistics (tables and charts agencies publish)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.auth.guard import protect
from service.stats.operations import baidunwang_hotspots

blp = Blueprint("stats", __name__, description="统计")
protect(blp, roles=("admin", "supervisor", "officer", "investigator"))


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
