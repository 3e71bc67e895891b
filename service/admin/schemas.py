from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from models.site import SITE_KINDS
from models.user import ROLES


class SiteCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$"))
    name = fields.String(required=True, validate=validate.Length(1, 128))
    kind = fields.String(required=True, validate=validate.OneOf(SITE_KINDS))
    region_code = fields.String(allow_none=True, validate=validate.Length(max=16))
    agency_id = fields.Integer(
        allow_none=True, metadata={"description": "所属执法机构；缺省按行政区划代码归入该代码或最近上级的机构"}
    )
    calibrated_until = fields.Date(allow_none=True, metadata={"description": "检定有效期至"})
    accuracy_class = fields.String(allow_none=True, validate=validate.OneOf(["0.2", "0.5", "1", "2", "5", "10"]))
    tolerance_pct = fields.Float(
        allow_none=True, validate=validate.Range(0, 20), metadata={"description": "计量误差扣除（%），缺省按设备类型"}
    )


class SiteSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    region_code = fields.String(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    calibrated_until = fields.Date(allow_none=True)
    accuracy_class = fields.String(allow_none=True)
    tolerance_pct = fields.Float(allow_none=True)


class SiteCreatedSchema(SiteSchema):
    device_token = fields.String(metadata={"description": "设备令牌，仅此一次显示"})


class DeviceTokenSchema(Schema):
    id = fields.Integer()
    label = fields.String(allow_none=True)
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    device_token = fields.String(metadata={"description": "仅签发时返回一次"})


class DeviceTokenCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    label = fields.String(allow_none=True, validate=validate.Length(max=64))


class UserCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{2,64}$"))
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 256))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    display_name = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    agency_id = fields.Integer(
        allow_none=True, metadata={"description": "所属执法机构；执法人员、执法负责人未归属机构时看不到案件"}
    )


class UserUpdateSchema(Schema):
    class Meta:
        unknown = RAISE

    active = fields.Boolean(metadata={"description": "false：停用，其访问令牌和控制台会话立即失效"})
    agency_id = fields.Integer(
        allow_none=True, metadata={"description": "所属执法机构（null：未归属——执法人员、执法负责人看不到案件）"}
    )

    @validates_schema
    def _one_of(self, data, **kwargs):
        if not data:
            raise ValidationError("须提供 active 或 agency_id", "active")


class PasswordResetSchema(Schema):
    class Meta:
        unknown = RAISE

    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 256))


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    role = fields.String()
    display_name = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class CalibrationCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    valid_until = fields.Date(required=True, metadata={"description": "检定有效期至"})
    valid_from = fields.Date(allow_none=True, metadata={"description": "检定日期（有效期起）"})
    certificate_no = fields.String(allow_none=True, validate=validate.Length(max=64))
    accuracy_class = fields.String(allow_none=True, validate=validate.OneOf(["0.2", "0.5", "1", "2", "5", "10"]))


class CalibrationSchema(Schema):
    id = fields.Integer()
    certificate_no = fields.String(allow_none=True)
    accuracy_class = fields.String(allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date()
    recorded_at = fields.DateTime()


class AgencyCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9]{6}$"),
        metadata={"description": "辖区行政区划代码（GB/T 2260）"},
    )
    name = fields.String(
        allow_none=True,
        validate=validate.Length(max=128),
        metadata={"description": "缺省按辖区命名，如 长春市交通运输综合行政执法支队"},
    )
    parent_id = fields.Integer(allow_none=True, metadata={"description": "上级机构；省级机构不填"})


class SiteAgencySchema(Schema):
    class Meta:
        unknown = RAISE

    agency_id = fields.Integer(required=True, allow_none=True, metadata={"description": "所属执法机构；null：未归属"})


class AgencyUpdateSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(1, 128))


class AgencySchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    level = fields.String(metadata={"description": "province / city / county"})
    parent_id = fields.Integer(allow_none=True)
    parent_code = fields.String(allow_none=True)
