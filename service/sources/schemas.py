"""Schemas of the source investigators' API (CONTRACT §6–§7): they document the contract in the
OpenAPI spec; loadings are checked on the hot path by `validation.py` (a test keeps them equal)."""

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from service.ingest.schemas import COLOR_VALUES


class LoadingSchema(Schema):
    class Meta:
        unknown = RAISE

    weighbridge_code = fields.String(required=True, metadata={"description": "地磅编码；地磅令牌只能上报本地磅"})
    record_id = fields.String(required=True, validate=validate.Length(min=1, max=64),
                              metadata={"description": "地磅自身的记录号，(weighbridge_code, record_id) 永久唯一"})  # fmt: skip
    weighed_at = fields.AwareDateTime(required=True, metadata={"description": "出场称重时间，ISO 8601 带时区"})
    plate = fields.String(allow_none=True)
    plate_color = fields.String(validate=validate.OneOf(COLOR_VALUES), allow_none=True)
    axle_count = fields.Integer(required=True, validate=validate.Range(2, 8))
    vehicle_type = fields.String(validate=validate.OneOf(["truck", "combination", "货车", "汽车列车"]), allow_none=True)
    gross_weight_kg = fields.Float(required=True, validate=validate.Range(0, 300000, min_inclusive=False))
    tare_weight_kg = fields.Float(validate=validate.Range(0, 300000), allow_none=True,
                                  metadata={"description": "皮重，须小于毛重"})  # fmt: skip
    cargo = fields.String(validate=validate.Length(max=64), allow_none=True, metadata={"description": "货物，如 砂石"})
    waybill_no = fields.String(validate=validate.Length(max=64), allow_none=True, metadata={"description": "运单号"})
    destination = fields.String(validate=validate.Length(max=128), allow_none=True)


class LoadingBatchSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    loadings = fields.List(
        fields.Nested(LoadingSchema),
        required=True,
        validate=validate.Length(1, 1000),
        metadata={
            "description": "1–1000 条；每条单独校验，不合格的一条为 rejected 并列出字段，其余照存",
            "x-each-item-alone": True,
        },  # fmt: skip
    )


class LoadingResultSchema(Schema):
    index = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["accepted", "duplicate", "rejected"]))
    loading_id = fields.Integer()
    limit_kg = fields.Integer(metadata={"description": "按静态称重认定的总质量限值（kg）"})
    overlimit_kg = fields.Float()
    overlimit = fields.Boolean()
    source_case_id = fields.Integer(allow_none=True, metadata={"description": "对源头单位立的源头超限装载案件"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class LoadingBatchResultSchema(Schema):
    accepted = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    results = fields.List(fields.Nested(LoadingResultSchema), required=True)


class StoredLoadingSchema(Schema):
    id = fields.Integer()
    weighbridge_code = fields.String()
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    record_id = fields.String()
    weighed_at = fields.DateTime()
    plate = fields.String(allow_none=True)
    plate_valid = fields.Boolean()
    plate_color = fields.String(allow_none=True)
    axle_count = fields.Integer()
    vehicle_type = fields.String(allow_none=True)
    gross_weight_kg = fields.Float()
    tare_weight_kg = fields.Float(allow_none=True)
    cargo = fields.String(allow_none=True)
    waybill_no = fields.String(allow_none=True)
    destination = fields.String(allow_none=True)
    limit_kg = fields.Integer()
    overlimit_kg = fields.Float()
    overlimit_pct = fields.Float()
    overlimit = fields.Boolean()
    rule_id = fields.String()
    rule_article = fields.String()
    source_case_id = fields.Integer(allow_none=True)


class WeighbridgeCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$"))
    enterprise = fields.String(required=True, metadata={"description": "所属货运源头单位的统一社会信用代码"})
    name = fields.String(required=True, validate=validate.Length(1, 128))
    calibrated_until = fields.Date(allow_none=True, metadata={"description": "检定有效期至"})
    accuracy_class = fields.String(validate=validate.Length(max=8), allow_none=True)
    certificate_no = fields.String(validate=validate.Length(max=64), allow_none=True)


class WeighbridgeSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    calibrated_until = fields.Date(allow_none=True)
    accuracy_class = fields.String(allow_none=True)
    last_weighed_at = fields.DateTime(allow_none=True, metadata={"description": "最近一条出场称重"})
    loadings = fields.Integer()


class WeighbridgeCreatedSchema(WeighbridgeSchema):
    device_token = fields.String(metadata={"description": "地磅令牌，仅此一次显示"})


class TraceCandidateSchema(Schema):
    enterprise_id = fields.Integer(required=True)
    enterprise_name = fields.String(required=True)
    score = fields.Integer(required=True, metadata={"description": "0–100"})
    reasons = fields.List(fields.String(), required=True, metadata={"description": "每条理由为一句中文"})
    loading_id = fields.Integer(allow_none=True)


class TraceSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["open", "confirmed", "unknown"]))
    source_enterprise_id = fields.Integer(allow_none=True)
    candidates = fields.List(
        fields.Nested(TraceCandidateSchema), required=True, metadata={"description": "得分高者在前"}
    )


class TraceLeadsSchema(Schema):
    class Meta:
        unknown = RAISE

    origin = fields.String(validate=validate.Length(max=128), allow_none=True, metadata={"description": "起运地"})
    cargo = fields.String(validate=validate.Length(max=64), allow_none=True)
    waybill_no = fields.String(validate=validate.Length(max=64), allow_none=True)


class TraceConfirmSchema(Schema):
    class Meta:
        unknown = RAISE

    enterprise_id = fields.Integer(
        required=True, metadata={"description": "倒查线索中的单位，或登记簿中任一货运源头单位"}
    )
    reason = fields.String(validate=validate.Length(max=2000), allow_none=True,
                           metadata={"description": "确认不在线索中的单位时必填"})  # fmt: skip


class TraceUnknownSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata={"description": "无法查明的理由及已采取的措施"})  # fmt: skip


class TraceTaskCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    due_on = fields.Date(required=True)
    instructions = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    enterprise_id = fields.Integer(allow_none=True, metadata={"description": "调查对象（可选）"})


class TraceTaskOutcomeSchema(Schema):
    class Meta:
        unknown = RAISE

    outcome = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class TraceTaskSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    enterprise_id = fields.Integer(allow_none=True)
    instructions = fields.String()
    due_on = fields.Date()
    status = fields.String()
    status_label = fields.String()
    overdue = fields.Boolean()
    outcome = fields.String(allow_none=True)
    opened_at = fields.DateTime()
    done_at = fields.DateTime(allow_none=True)


class TraceQueueItemSchema(Schema):
    case_id = fields.Integer()
    case_number = fields.String()
    plate = fields.String(allow_none=True)
    captured_at = fields.DateTime()
    gross_weight_kg = fields.Float()
    excess_pct = fields.Float()
    baidunwang = fields.Boolean()
    trace_status = fields.String()
    assessment = fields.String(metadata={"description": "none / one / competing / clear"})
    top_candidate = fields.Nested(TraceCandidateSchema, allow_none=True)


class WeighbridgeFlagSchema(Schema):
    code = fields.String(metadata={"description": "under_reported（疑似称重数据不实）/ silent（称重设备离线）"})
    label = fields.String()
    text = fields.String()
    weighbridge_code = fields.String()
    trips = fields.List(fields.Dict(), metadata={"description": "提示所依据的运输或检测记录"})


class WeighbridgeTokenSchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    device_token = fields.String(metadata={"description": "新令牌，仅签发时显示一次"})
