from marshmallow import Schema, fields

from service.ingest.schemas import PenaltyBarSchema


class CaseQueryArgsSchema(Schema):
    status = fields.String(metadata={"description": "如 pending_review"})
    site_code = fields.String()
    plate = fields.String()
    baidunwang = fields.Boolean()
    penalty_usable = fields.Boolean()


class CaseSchema(Schema):
    id = fields.Integer()
    case_number = fields.String()
    status = fields.String()
    status_label = fields.String()
    reading_id = fields.Integer()
    site_code = fields.String()
    plate = fields.String(allow_none=True)
    captured_at = fields.DateTime()
    opened_at = fields.DateTime()
    decide_by = fields.DateTime(metadata={"description": "作出决定期限（立案起 90 日，行政处罚法第六十条）"})
    gross_weight_kg = fields.Float()
    limit_kg = fields.Integer()
    tolerance_kg = fields.Integer()
    overlimit_kg = fields.Float()
    overlimit_pct = fields.Float()
    baidunwang = fields.Boolean()
    rule_id = fields.String()
    rule_article = fields.String()
    penalty_usable = fields.Boolean()
    penalty_bars = fields.List(fields.Nested(PenaltyBarSchema), allow_none=True)
    prior_case_count = fields.Integer(allow_none=True)
    version = fields.Integer()
