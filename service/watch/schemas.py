from marshmallow import RAISE, Schema, fields, validate

from service.inputs import DB_INT_MAX


class WatchCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    plate = fields.String(required=True, validate=validate.Length(1, 16))
    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    ends_at = fields.AwareDateTime(required=True, metadata={"description": "布控截止时间"})


class WatchEntrySchema(Schema):
    id = fields.Integer()
    plate = fields.String()
    reason = fields.String()
    source = fields.String(metadata={"description": "manual 人工布控 / baidunwang 百吨王自动布控"})
    starts_at = fields.DateTime()
    ends_at = fields.DateTime(metadata={"description": "布控结束的时刻（截止日期次日 0 时，北京时间）"})
    last_day = fields.Date(metadata={"description": "布控截止日期（含），即录入的日期"})
    ended_at = fields.DateTime(allow_none=True)


class AlertQueryArgsSchema(Schema):
    open = fields.Boolean(metadata={"description": "只看未确认的告警"})
    after_id = fields.Integer(
        validate=validate.Range(0, DB_INT_MAX), metadata={"description": "只返回编号大于此值的告警（轮询用）"}
    )


class AlertSchema(Schema):
    id = fields.Integer()
    plate = fields.String()
    site_code = fields.String()
    site_name = fields.String()
    reading_id = fields.Integer()
    captured_at = fields.DateTime()
    raised_at = fields.DateTime()
    reason = fields.String()
    source = fields.String()
    acknowledged_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)


class AckSchema(Schema):
    class Meta:
        unknown = RAISE

    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
