"""Schemas of the readings API. They document the contract in the OpenAPI spec;
the hot path checks the same fields in `validation.py` (a test keeps them equal)."""

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from service.ingest.validation import MAX_AXLE_KG, MAX_HEIGHT_MM, MAX_LANE, MAX_LENGTH_MM, MAX_SPEED_KMH, MAX_WIDTH_MM
from service.rules import PLATE_COLORS

COLOR_VALUES = list(PLATE_COLORS) + ["黄", "蓝", "绿", "黄绿", "白", "黑"]


class ReadingSchema(Schema):
    class Meta:
        unknown = RAISE

    site_code = fields.String(required=True, metadata={"description": "点位编码；设备令牌只能上报本点位"})
    record_id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "设备自身的记录号，(site_code, record_id) 永久唯一"},
    )
    captured_at = fields.AwareDateTime(
        required=True, metadata={"description": "检测时间，ISO 8601 带时区；不得晚于当前时间 5 分钟"}
    )
    plate = fields.String(
        allow_none=True, metadata={"description": "车牌，如 吉A12345；不合格式的车牌照存并标记 plate_valid=false"}
    )
    plate_color = fields.String(validate=validate.OneOf(COLOR_VALUES), allow_none=True)
    axle_count = fields.Integer(required=True, validate=validate.Range(2, 8))
    vehicle_type = fields.String(
        validate=validate.OneOf(["truck", "combination", "货车", "汽车列车"]),
        allow_none=True,
        metadata={"description": "缺省时按限值较高的车型认定（有利于当事人）"},
    )
    gross_weight_kg = fields.Float(required=True, validate=validate.Range(0, 300000, min_inclusive=False))
    axle_weights_kg = fields.List(
        fields.Float(validate=validate.Range(0, MAX_AXLE_KG)),
        allow_none=True,
        metadata={"description": "各轴轴重，个数须等于 axle_count"},
    )
    speed_kmh = fields.Float(validate=validate.Range(0, MAX_SPEED_KMH), allow_none=True)
    lane = fields.Integer(validate=validate.Range(1, MAX_LANE), allow_none=True)
    length_mm = fields.Integer(validate=validate.Range(0, MAX_LENGTH_MM, min_inclusive=False), allow_none=True)
    width_mm = fields.Integer(validate=validate.Range(0, MAX_WIDTH_MM, min_inclusive=False), allow_none=True)
    height_mm = fields.Integer(validate=validate.Range(0, MAX_HEIGHT_MM, min_inclusive=False), allow_none=True)
    single_drive_axle = fields.Boolean(
        allow_none=True, metadata={"description": "牵引车驱动轴为单轴（六轴及以上限值 46 t）"}
    )


class ReadingBatchSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # other top-level keys a device sends are ignored

    readings = fields.List(
        fields.Nested(ReadingSchema),
        required=True,
        validate=validate.Length(1, 1000),
        metadata={
            "description": "1–1000 条；每条单独按 Reading 校验：不合格的一条在结果中为 rejected 并列出字段，其余照存",
            "x-each-item-alone": True,  # service/spec.py: the spec then lets any item through to the batch
        },
    )


class ReadingResultSchema(Schema):
    index = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["accepted", "duplicate", "rejected"]))
    reading_id = fields.Integer()
    limit_kg = fields.Integer(metadata={"description": "适用的总质量限值（kg）"})
    tolerance_kg = fields.Integer(metadata={"description": "计量误差扣除（kg）"})
    overlimit_kg = fields.Float(metadata={"description": "超限量 = 总质量 − 限值（为正时）"})
    overlimit_pct = fields.Float(metadata={"description": "超限率 %"})
    overlimit = fields.Boolean()
    baidunwang = fields.Boolean(metadata={"description": "百吨王：总质量 ≥ 100000 kg"})
    dimension_overlimit = fields.List(fields.String())
    plate_valid = fields.Boolean()
    rule_id = fields.String()
    case_id = fields.Integer(allow_none=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ReadingBatchResultSchema(Schema):
    accepted = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    results = fields.List(fields.Nested(ReadingResultSchema), required=True)


class PenaltyBarSchema(Schema):
    code = fields.String()
    reason = fields.String()
    article = fields.String()


class StoredReadingSchema(Schema):
    id = fields.Integer()
    site_code = fields.String(attribute="site.code")
    record_id = fields.String()
    captured_at = fields.DateTime()
    received_at = fields.DateTime()
    source = fields.String()
    plate = fields.String(allow_none=True)
    plate_valid = fields.Boolean()
    plate_color = fields.String(allow_none=True)
    axle_count = fields.Integer()
    vehicle_type = fields.String(allow_none=True)
    gross_weight_kg = fields.Float()
    axle_weights_kg = fields.List(fields.Float(), allow_none=True)
    speed_kmh = fields.Float(allow_none=True)
    lane = fields.Integer(allow_none=True)
    length_mm = fields.Integer(allow_none=True)
    width_mm = fields.Integer(allow_none=True)
    height_mm = fields.Integer(allow_none=True)
    single_drive_axle = fields.Boolean(allow_none=True)
    limit_kg = fields.Integer()
    tolerance_kg = fields.Integer()
    overlimit_kg = fields.Float()
    overlimit_pct = fields.Float()
    overlimit = fields.Boolean()
    dimension_overlimit = fields.List(fields.String(), allow_none=True)
    baidunwang = fields.Boolean()
    rule_id = fields.String()
    rule_article = fields.String()
    rule_version = fields.String()
    tolerance_rule = fields.String()
    tolerance_basis = fields.String()
    case_id = fields.Integer(allow_none=True)
    penalty_usable = fields.Boolean(allow_none=True)
    penalty_bars = fields.List(fields.Nested(PenaltyBarSchema), allow_none=True)


class ImportUploadSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # other form parts are ignored

    file = fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "UTF-8 CSV，首行为表头，列名同 JSON 字段；axle_weights_kg 以 ; 分隔",
        },
    )


class ImportRowErrorSchema(Schema):
    line = fields.Integer()
    record_id = fields.String(allow_none=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ImportJobSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "readings / enterprises / vehicles / drivers / permits"})
    filename = fields.String()
    sha256 = fields.String()
    status = fields.String(metadata={"description": "queued / running / done / failed"})
    status_label = fields.String()
    rows_total = fields.Integer(allow_none=True)
    rows_done = fields.Integer()
    progress_pct = fields.Float(allow_none=True)
    accepted = fields.Integer()
    duplicates = fields.Integer()
    rejected = fields.Integer()
    errors = fields.List(fields.Nested(ImportRowErrorSchema))
    message = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class EvidenceUploadFormSchema(Schema):
    site_code = fields.String(required=True)
    record_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["plate", "front", "side", "rear", "overview"]),
        metadata={"description": "plate 车牌特写 / front 车头 / side 侧面 / rear 车尾 / overview 全景"},
    )


class EvidenceFileSchema(Schema):
    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "JPEG 或 PNG；超过大小上限返回 413"},
    )


class EvidenceUploadSchema(EvidenceUploadFormSchema, EvidenceFileSchema):
    """The whole multipart body, for the spec: the form fields and the file in one part list."""


class EvidenceSchema(Schema):
    id = fields.Integer()
    record_id = fields.String()
    reading_id = fields.Integer(allow_none=True, metadata={"description": "记录尚未到达时为空，到达后自动关联"})
    kind = fields.String()
    kind_label = fields.String()
    status = fields.String(metadata={"description": "pending 待处理 / ready 可用 / defect 证据缺陷"})
    status_label = fields.String()
    defect = fields.String(allow_none=True)
    sha256 = fields.String()
    size_bytes = fields.Integer()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    uploaded_at = fields.DateTime()
    original_url = fields.String()
    thumb_url = fields.String(allow_none=True)
    watermarked_url = fields.String(allow_none=True)
    duplicate = fields.Boolean()
