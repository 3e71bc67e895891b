"""The police referral API's bodies (CONTRACT §5)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from models.referral import REFERRAL_STATUS_LABELS

_ID = fields.Integer(validate=validate.Range(min=1, max=2**63 - 1))


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class ReferralQueryArgsSchema(_Strict):
    status = fields.String(
        validate=validate.OneOf(list(REFERRAL_STATUS_LABELS)),
        metadata={
            "description": "queued 待导出 | exported 已导出待签收 | acknowledged 已签收 | closed 已反馈结果 | withdrawn 已撤回"
        },
    )
    overdue = fields.Boolean(metadata={"description": "只列签收逾期的移交"})


class ReferralReasonSchema(Schema):
    trigger = fields.String()
    label = fields.String()
    rule_id = fields.String()
    article = fields.String()
    text = fields.String()


class ReferralSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.String()
    matter_id = fields.Integer()
    version = fields.Integer()
    status = fields.String(metadata={"description": "queued | exported | acknowledged | closed | withdrawn"})
    status_label = fields.String()
    origin = fields.String(metadata={"description": "auto（规则自动移交）| manual（人工移交）"})
    reasons = fields.List(fields.Nested(ReferralReasonSchema))
    assessment = fields.Dict(
        allow_none=True,
        metadata={
            "description": "公安罚款幅度（fine）、记分（points）及各自的计算基数（denominator）、扣留车辆（detain）"
        },
    )
    plate = fields.String(allow_none=True)
    site = fields.String(allow_none=True)
    captured_at = fields.DateTime()
    axle_count = fields.Integer(allow_none=True)
    gross_weight_kg = fields.Float()
    limit_kg = fields.Float()
    excess_kg = fields.Float()
    excess_pct = fields.Float()
    baidunwang = fields.Boolean()
    rated_load_kg = fields.Float(allow_none=True)
    max_total_mass_kg = fields.Float(allow_none=True)
    driver = fields.String(allow_none=True)
    queued_at = fields.DateTime()
    exported_at = fields.DateTime(allow_none=True)
    due_on = fields.Date(allow_none=True, metadata={"description": "签收期限"})
    overdue = fields.Boolean(metadata={"description": "签收已逾期"})
    acknowledged_at = fields.DateTime(allow_none=True)
    outcome = fields.Dict(
        allow_none=True, metadata={"description": "decision_number, decided_on, fine_yuan, points, note"}
    )
    packages = fields.List(fields.Integer(), metadata={"description": "该移交导出过的每个移交包编号"})
    withdrawn_at = fields.DateTime(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)


class ExportCreateSchema(_Strict):
    referral_ids = fields.List(
        _ID,
        validate=validate.Length(max=5000),
        metadata={"description": "要导出的移交编号；不给或为空时导出全部尚未导出的移交"},
    )


class ExportSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "queued | running | done | failed"})
    status_label = fields.String()
    progress = fields.Integer(metadata={"description": "0–100"})
    referral_count = fields.Integer()
    sha256 = fields.String(allow_none=True, metadata={"description": "整个 ZIP 文件的 SHA-256（已记入审计链）"})
    size_bytes = fields.Integer(allow_none=True)
    file_count = fields.Integer(allow_none=True)
    message = fields.String(allow_none=True)
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    referral_ids = fields.List(fields.Integer())


class ExportAckSchema(ExportSchema):
    acknowledged = fields.Integer(metadata={"description": "本次签收的移交件数"})


class PublicKeySchema(Schema):
    algorithm = fields.String()
    public_key_pem = fields.String()
    fingerprint = fields.String(metadata={"description": "公钥（原始 32 字节）的 SHA-256"})
