from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from models.case import REVIEW_CHECKS
from models.matter import SERVICE_METHODS
from service.ingest.schemas import EvidenceSchema, PenaltyBarSchema  # noqa: F401 (nested by name)
from service.ingest.validation import MAX_GROSS_KG


class CaseQueryArgsSchema(Schema):
    status = fields.String(metadata={"description": "如 pending_review"})
    mine = fields.Boolean(metadata={"description": "只看分配给我或由我办理的案件"})
    site_code = fields.String()
    plate = fields.String(metadata={"description": "号牌或其一部分，不分大小写，如 ax1641"})
    baidunwang = fields.Boolean()
    penalty_usable = fields.Boolean()
    from_ = fields.Date(data_key="from", attribute="from", metadata={"description": "检测日期起（北京时间，含）"})
    to = fields.Date(metadata={"description": "检测日期止（北京时间，含），不得早于起始日期"})

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("from") and data.get("to") and data["to"] < data["from"]:
            raise ValidationError({"to": [f"截止日期 {data['to']} 早于起始日期 {data['from']}，请调换或更正"]})


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
    weighing_reading_id = fields.Integer(
        metadata={"description": "案件所依据的称重记录：本记录，或取代它的静态复核记录（domain-rules §6.4）"}
    )
    gross_weight_kg = fields.Float(metadata={"description": "车货总质量（千克），实测"})
    limit_kg = fields.Integer(metadata={"description": "限定标准（千克）"})
    tolerance_kg = fields.Integer(metadata={"description": "扣除的计量误差（千克）"})
    excess_kg = fields.Float(metadata={"description": "超限量：扣除计量误差后超过限定标准的千克数"})
    excess_pct = fields.Float(
        metadata={"description": "超限率 %：扣除计量误差后，超限量 ÷ 限定标准 × 100（截断至两位）"}
    )
    baidunwang = fields.Boolean()
    rule_id = fields.String()
    rule_article = fields.String()
    rule_version = fields.String()
    penalty_usable = fields.Boolean()
    penalty_bars = fields.List(fields.Nested(PenaltyBarSchema), allow_none=True)
    prior_case_count = fields.Integer(allow_none=True)
    repeat_flags = fields.List(
        fields.Dict(),
        metadata={"description": "屡犯标记：车辆、驾驶人或运输企业已达法定次数（triggered）或滚动12个月预警"},
    )
    version = fields.Integer()


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class ConfirmSchema(_Strict):
    checklist = fields.Dict(
        keys=fields.String(validate=validate.OneOf(list(REVIEW_CHECKS))),
        values=fields.Boolean(),
        load_default=dict,
        metadata={"description": "非现场记录审核清单：" + "；".join(f"{k}={v}" for k, v in REVIEW_CHECKS.items())},
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class ReasonSchema(_Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class PlateEntrySchema(_Strict):
    """未识别: the plate read from the images by the reviewing officer, and on what it rests."""

    plate = fields.String(
        required=True, validate=validate.Length(min=1, max=16), metadata={"description": "号牌，如 吉A12345"}
    )
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "依据，如：据车牌特写图像辨认"},
    )


class ConfigurationSchema(_Strict):
    """Configuration facts that change the limit (domain-rules §1.1, §1.4), or from_registry."""

    vehicle_type = fields.String(allow_none=True, validate=validate.OneOf(["truck", "combination"]))
    drive_axle_air_suspension = fields.Boolean(
        allow_none=True, metadata={"description": "驱动轴每轴每侧双轮胎并装备空气悬架（L-AIR+1、L-4AX-ART-37）"}
    )
    articulated = fields.Boolean(allow_none=True, metadata={"description": "铰接列车（牵引车+半挂车）"})
    axle_spacing_mm = fields.Integer(
        allow_none=True, validate=validate.Range(min=1, max=20000), metadata={"description": "半挂车轴距 d，毫米"}
    )
    from_registry = fields.Boolean(load_default=False, metadata={"description": "按登记簿车辆记录登记"})
    reason = fields.String(load_default="", validate=validate.Length(max=2000), metadata={"description": "依据"})


class OptionalReasonSchema(_Strict):
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


class StatementCreateSchema(_Strict):
    kind = fields.String(required=True, validate=validate.OneOf(["statement", "hearing_request", "waiver"]))
    text = fields.String(load_default="", validate=validate.Length(max=5000))
    contact = fields.String(allow_none=True, validate=validate.Length(max=64))


class HearingSchema(_Strict):
    record = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class DecisionCreateSchema(_Strict):
    kind = fields.String(required=True, validate=validate.OneOf(["fine", "warning"]))
    amount_yuan = fields.Integer(load_default=0, validate=validate.Range(min=0, max=30000))
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


class ServiceSchema(_Strict):
    method = fields.String(required=True, validate=validate.OneOf(list(SERVICE_METHODS)))
    served_at = fields.AwareDateTime(allow_none=True)


class PaymentSchema(_Strict):
    # What can be owed: a fine of at most 30,000 yuan (62号令 Art 43) and a late fee never above
    # the fine itself (行政强制法 第四十五条).
    amount_yuan = fields.Integer(required=True, validate=validate.Range(min=0, max=60_000))
    paid_on = fields.Date(allow_none=True)


class StationActionSchema(_Strict):
    kind = fields.String(required=True, validate=validate.OneOf(["unloading", "transfer", "turned_back", "evasion"]))
    kg = fields.Float(
        allow_none=True,
        validate=validate.Range(min=0, max=MAX_GROSS_KG),
        metadata={"description": "千克；不超过本案称重总质量（所卸不能多于所称）"},
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class DriverRecordSchema(_Strict):
    """A registered driver by id, or the numbers on the driver's papers (registered if new)."""

    driver_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    name = fields.String(allow_none=True, validate=validate.Length(max=64))
    licence_no = fields.String(allow_none=True, validate=validate.Length(max=32), metadata={"description": "驾驶证号"})
    qualification_no = fields.String(
        allow_none=True, validate=validate.Length(max=32), metadata={"description": "从业资格证号"}
    )
    identity_number = fields.String(
        allow_none=True, validate=validate.Length(max=18), metadata={"description": "公民身份号码（加密保存）"}
    )

    @validates_schema
    def _one_way(self, data, **kwargs):
        if data.get("driver_id") is None and not (data.get("licence_no") or data.get("qualification_no")):
            raise ValidationError("须填写 driver_id，或驾驶证号 / 从业资格证号", field_name="driver_id")


class AssignSchema(_Strict):
    user_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class NoteSchema(_Strict):
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class IdentifySchema(_Strict):
    """The registry's record of the party a matter is about (a driver, or an enterprise)."""

    driver_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    enterprise_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))


class OutcomeSchema(_Strict):
    """The other authority's decision on a matter referred to it."""

    decision_number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    decided_on = fields.Date(required=True)
    fine_yuan = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=1_000_000))
    points = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=12))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class NoticeIssuedSchema(Schema):
    case_id = fields.Integer()
    matter_id = fields.Integer()
    notice_number = fields.String()
    party_code = fields.String(metadata={"description": "当事人查询码：仅此一次返回，印在告知书上"})
    statement_due = fields.Date()
    hearing_request_due = fields.Date()
    version = fields.Integer()


class DeadlineSchema(Schema):
    code = fields.String()
    label = fields.String()
    due = fields.Date()
    running = fields.Boolean()
    overdue = fields.Boolean()
    due_soon = fields.Boolean()


class StatementSchema(Schema):
    id = fields.Integer()
    matter_id = fields.Integer()
    kind = fields.String()
    channel = fields.String()
    text = fields.String()
    contact = fields.String(allow_none=True)
    submitted_at = fields.DateTime()
    awaits_review = fields.Boolean(metadata={"description": "陈述申辩尚待复核（行政处罚法第四十五条）"})
    reviewed_at = fields.DateTime(allow_none=True)
    review_outcome = fields.String(
        allow_none=True, metadata={"description": "adopted 采纳 | partly 部分采纳 | rejected 不予采纳"}
    )
    review_reasons = fields.String(allow_none=True)


class StatementReviewSchema(_Strict):
    """复核 of one statement: the outcome and its reasons (行政处罚法 第四十五条)."""

    statement_id = fields.Integer(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(["adopted", "partly", "rejected"]))
    reasons = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ActionSchema(Schema):
    step = fields.String(metadata={"description": "步骤名：对应 POST 路径，见各步骤接口"})
    label = fields.String()
    matter_id = fields.Integer(allow_none=True, metadata={"description": "当事人事项；null 为案件本身的步骤"})
    party = fields.String(allow_none=True)
    allowed = fields.Boolean()
    reason = fields.String(allow_none=True, metadata={"description": "法定条件不满足时的原因"})


class MatterSchema(Schema):
    """One party's matter (当事人事项, CONTRACT §7)."""

    id = fields.Integer()
    case_id = fields.Integer()
    party = fields.String(
        metadata={"description": "vehicle | driver | transport_enterprise | source_enterprise | instigator"}
    )
    party_label = fields.String()
    party_name = fields.String(allow_none=True)
    vehicle_id = fields.Integer(allow_none=True)
    driver_id = fields.Integer(allow_none=True)
    enterprise_id = fields.Integer(allow_none=True)
    authority = fields.String(metadata={"description": "agency（本机关）| police | transport_authority"})
    authority_label = fields.String()
    handling = fields.String(metadata={"description": "procedure：本机关办理处罚程序；tracked：移送其他机关并跟踪"})
    basis = fields.Dict(allow_none=True, metadata={"description": "法律依据：rule_id、article、text（及处罚幅度）"})
    status = fields.String()
    status_label = fields.String()
    opened_at = fields.DateTime()
    due_on = fields.Date(allow_none=True, metadata={"description": "下一个期限"})
    notice_number = fields.String(allow_none=True)
    notice_issued_at = fields.DateTime(allow_none=True)
    statement_due = fields.Date(allow_none=True)
    hearing_request_due = fields.Date(allow_none=True)
    hearing_requested_at = fields.DateTime(allow_none=True)
    hearing_held_at = fields.DateTime(allow_none=True)
    hearing_record = fields.String(allow_none=True)
    notified_penalty = fields.Dict(allow_none=True)
    decision_kind = fields.String(allow_none=True)
    decision_amount_yuan = fields.Integer(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    decision_number = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_basis = fields.Dict(allow_none=True)
    repeat_at_decision = fields.Dict(allow_none=True)
    service_due = fields.Date(allow_none=True)
    service_method = fields.String(allow_none=True)
    served_at = fields.DateTime(allow_none=True)
    payment_due = fields.Date(allow_none=True)
    paid_at = fields.DateTime(allow_none=True)
    paid_amount_yuan = fields.Integer(allow_none=True)
    late_fee_yuan = fields.Integer(allow_none=True)
    referred_at = fields.DateTime(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    outcome = fields.Dict(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    penalty_proposal = fields.Dict(allow_none=True)
    statements = fields.List(fields.Nested("StatementSchema"))


class MatterDetailSchema(MatterSchema):
    case_number = fields.String()
    version = fields.Integer(metadata={"description": "案件版本（ETag），办理步骤须以 If-Match 提交"})
    actions = fields.List(fields.Nested(ActionSchema))
    barred_actions = fields.List(fields.Nested(ActionSchema))


class PartiesSchema(Schema):
    parties = fields.List(fields.Nested(MatterSchema))


class CaseDetailSchema(CaseSchema):
    review_checklist = fields.Dict(allow_none=True)
    vehicle_facts = fields.Dict(
        allow_none=True,
        metadata={"description": "查明的车辆配置：每项 {value, source: officer|registry, by, at}；限值据此重新认定"},
    )
    reviewed_at = fields.DateTime(allow_none=True)
    assigned_to_id = fields.Integer(allow_none=True)
    dismissal_reason = fields.String(allow_none=True)
    notice_number = fields.String(allow_none=True)
    statement_due = fields.Date(allow_none=True)
    hearing_request_due = fields.Date(allow_none=True)
    notified_penalty = fields.Dict(allow_none=True)
    decision_kind = fields.String(allow_none=True)
    decision_amount_yuan = fields.Integer(allow_none=True)
    decision_number = fields.String(allow_none=True)
    decision_basis = fields.Dict(allow_none=True)
    service_method = fields.String(allow_none=True)
    served_at = fields.DateTime(allow_none=True)
    payment_due = fields.Date(allow_none=True)
    paid_amount_yuan = fields.Integer(allow_none=True)
    late_fee_yuan = fields.Integer(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    permit_issue = fields.Dict(allow_none=True, metadata={"description": "大件许可不符：车证不符 / 未按许可路线行驶"})
    vehicle_id = fields.Integer(allow_none=True)
    enterprise_id = fields.Integer(allow_none=True)
    driver_id = fields.Integer(allow_none=True)
    driver = fields.Dict(allow_none=True, metadata={"description": "驾驶人（证件号仅显示掩码）"})
    repeat_at_decision = fields.Dict(allow_none=True, metadata={"description": "作出决定时的违法次数统计"})
    merged_into_id = fields.Integer(allow_none=True)
    deadlines = fields.List(fields.Nested(DeadlineSchema))
    statements = fields.List(fields.Nested(StatementSchema))
    evidence = fields.List(fields.Nested("EvidenceSchema"))
    penalty_proposal = fields.Dict(allow_none=True, metadata={"description": "按62号令第四十三条计算的处罚建议"})
    reweigh_reading_id = fields.Integer(allow_none=True)
    matters = fields.List(fields.Nested(MatterSchema), metadata={"description": "当事人事项（一超四罚）"})
    actions = fields.List(fields.Nested(ActionSchema), metadata={"description": "当前用户现在可以办理的步骤"})
    barred_actions = fields.List(
        fields.Nested(ActionSchema), metadata={"description": "当前用户有权办理但法定条件尚不满足的步骤，及其原因"}
    )
