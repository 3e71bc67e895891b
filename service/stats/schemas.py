"""Schemas of the statistics API; every figure documented from service/stats/definitions.py."""

from __future__ import annotations

from datetime import date

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from service.stats.definitions import FIGURES
from service.stats.queries import GROUPS

MAX_DAYS = 3660  # ten years: one request, one answer
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)  # the dates figures can be asked for
IN_RANGE = validate.Range(min=EARLIEST, max=LATEST, error="须在 2000-01-01 至 2099-12-31 之间")


class SummaryArgsSchema(Schema):
    class Meta:
        ordered = True

    from_ = fields.Date(
        required=True, data_key="from", validate=IN_RANGE, metadata={"description": "起始日期（北京时间，含当日）"}
    )
    to = fields.Date(required=True, validate=IN_RANGE, metadata={"description": "截止日期（北京时间，含当日）"})
    site = fields.String(validate=validate.Length(min=1, max=32), metadata={"description": "点位编码"})
    region = fields.String(
        validate=validate.Regexp(r"^\d{2,12}$", error="须为行政区划代码（数字）"),
        metadata={"description": "行政区划代码，如 220000（省）、220100（市）"},
    )
    group_by = fields.String(
        validate=validate.OneOf(GROUPS),
        metadata={"description": "分组：site（点位）、region（区划）、day、week、month、quarter、year"},
    )

    @validates_schema
    def _period(self, data, **kwargs):
        start, end = data.get("from_"), data.get("to")
        if start and end and start > end:
            raise ValidationError("截止日期不能早于起始日期", "to")
        if start and end and (end - start).days >= MAX_DAYS:
            raise ValidationError(f"统计期间不能超过 {MAX_DAYS} 天", "to")


def _figure_field(f):
    meta = {"description": f"{f.label}（{f.unit}）：{f.definition}"}
    if f.unit == "%":
        return fields.Float(allow_none=True, metadata=meta)
    if f.unit == "吨":
        return fields.Float(metadata=meta)
    return fields.Integer(metadata=meta)


FiguresSchema = Schema.from_dict(
    {
        f.key: _figure_field(f)
        for f in FIGURES
        if f.key not in ("enterprises_over_10pct", "enterprises_over_10pct_share_pct", "blacklist_entries")
    },
    name="FiguresSchema",
)


class GroupSchema(FiguresSchema):
    key = fields.String(metadata={"description": "分组键：点位编码、区划代码、日期、周一日期、YYYY-MM、YYYY-Qn 或年份"})
    label = fields.String(metadata={"description": "分组名称"})


class SummarySchema(FiguresSchema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    site = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    sites = fields.Integer(metadata={"description": "统计范围内的点位数"})
    group_by = fields.String(allow_none=True)
    groups = fields.List(
        fields.Nested(GroupSchema), metadata={"description": "按 group_by 分组的数字（仅当给出 group_by）"}
    )


class ReportCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    month = fields.String(
        required=True,
        validate=validate.Regexp(r"^20\d{2}-(0[1-9]|1[0-2])$", error="须为 YYYY-MM（2000 年至 2099 年）"),
        metadata={"description": "月份，如 2026-10"},
    )
    region = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^\d{2,12}$", error="须为行政区划代码（数字）"),
        metadata={"description": "行政区划代码；不填为全部点位"},
    )


class ReportSchema(Schema):
    id = fields.Integer()
    month = fields.String(metadata={"description": "YYYY-MM"})
    region = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "queued | running | done | failed"})
    status_label = fields.String()
    progress = fields.Integer(metadata={"description": "0–100"})
    requested_by = fields.String(allow_none=True, metadata={"description": "申请人用户名；「自动」为每月自动生成"})
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    message = fields.String(allow_none=True)


class HeartbeatSchema(Schema):
    site_code = fields.String()
    heard_at = fields.DateTime()


class AvailabilitySchema(Schema):
    site_code = fields.String()
    site_name = fields.String()
    went_live = fields.Date(allow_none=True, metadata={"description": "首次上传数据或心跳的日期（北京时间）"})
    expected_days = fields.Integer(metadata={"description": "理应在线天数：期间内自上线之日至期末（或今天）的天数"})
    online_days = fields.Integer(metadata={"description": "实际在线天数：有检测记录或心跳的天数"})
    expected_hours = fields.Integer(metadata={"description": "理应在线小时数"})
    online_hours = fields.Integer(metadata={"description": "实际在线小时数：有检测记录或心跳的小时数"})
    online_rate_pct = fields.Float(
        allow_none=True, metadata={"description": "在线率 = 实际在线天数 ÷ 理应在线天数 × 100"}
    )


class SiteAlertSchema(Schema):
    id = fields.Integer()
    site_code = fields.String()
    site_name = fields.String()
    last_heard_at = fields.DateTime(allow_none=True, metadata={"description": "最后一次收到数据或心跳；空为从未收到"})
    raised_at = fields.DateTime()
    acknowledged_at = fields.DateTime(allow_none=True)


class DeterrenceArgsSchema(Schema):
    site = fields.String(required=True, validate=validate.Length(min=1, max=32), metadata={"description": "点位编码"})
    pivot = fields.Date(validate=IN_RANGE, metadata={"description": "对比日期（如专项行动开始日）；默认上线后第 15 天"})
    km = fields.Float(
        load_default=50.0, validate=validate.Range(min=1, max=500), metadata={"description": "周边点位半径（公里）"}
    )


class DeterrenceWeekSchema(Schema):
    week = fields.String(metadata={"description": "该周周一的日期"})
    checked = fields.Integer()
    overlimit = fields.Integer()
    overlimit_rate_pct = fields.Float(allow_none=True)
    baidunwang = fields.Integer()


class DeterrencePeriodSchema(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    days = fields.Integer()
    checked = fields.Integer()
    overlimit = fields.Integer()
    overlimit_rate_pct = fields.Float(allow_none=True)
    baidunwang = fields.Integer()
    checked_per_day = fields.Float()
    baidunwang_per_week = fields.Float()


class DeterrenceNearbySchema(Schema):
    site_code = fields.String()
    site_name = fields.String()
    distance_km = fields.Float(allow_none=True, metadata={"description": "距离；空为无坐标、按同市计"})
    weekly_checked = fields.List(fields.Integer(), metadata={"description": "与 weeks 同序的每周检测车辆数"})
    checked_per_day_before = fields.Float()
    checked_per_day_after = fields.Float()
    change_pct = fields.Float(allow_none=True, metadata={"description": "日均检测车辆数的变化 %（绕行时上升）"})


class DeterrenceSchema(Schema):
    site_code = fields.String()
    site_name = fields.String()
    went_live = fields.Date(allow_none=True)
    pivot = fields.Date(allow_none=True)
    weeks = fields.List(fields.Nested(DeterrenceWeekSchema))
    before = fields.Nested(DeterrencePeriodSchema, allow_none=True)
    after = fields.Nested(DeterrencePeriodSchema, allow_none=True)
    nearby = fields.List(fields.Nested(DeterrenceNearbySchema))


class StandingSchema(Schema):
    enterprises_over_10pct = fields.Integer(
        metadata={"description": "超限车辆超过本企业车辆总数 10% 的运输企业数（R-ENT-10）"}
    )
    transport_enterprises = fields.Integer(metadata={"description": "登记的运输企业数"})
    enterprises_over_10pct_share_pct = fields.Float(allow_none=True, metadata={"description": "一超四罚企业占比 %"})
    blacklist_entries = fields.Integer(metadata={"description": "今日在列的失信名单条目"})
    blacklist_vehicles = fields.Integer()
    blacklist_drivers = fields.Integer()
    blacklist_enterprises = fields.Integer()
