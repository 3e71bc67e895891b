from marshmallow import Schema, fields, validate

from service.registry.operations import (
    MAX_AXLES,
    MAX_DIMENSION_MM,
    MAX_FLEET,
    MAX_PERMIT_KG,
    MAX_SPACING_MM,
    MAX_VEHICLE_KG,
)

_REGION = validate.Regexp(r"^[0-9]{6}$", error="须为 6 位行政区划代码（GB/T 2260）")


def _bounded(maximum: int, minimum: int = 0, **kwargs):
    return fields.Integer(allow_none=True, validate=validate.Range(minimum, maximum), **kwargs)


def _fact(description: str):
    """A yes / no configuration fact; null = not registered (the limit favouring the party applies)."""
    return fields.Boolean(
        allow_none=True,
        error_messages={"invalid": "须为 true（是）、false（否）或 null（未登记）"},
        metadata={"description": f"{description}；null 为未登记，按有利于当事人的限值认定"},
    )


class RegistryQueryArgsSchema(Schema):
    q = fields.String(metadata={"description": "按车牌、名称、信用代码、许可证号搜索"})


class EnterpriseSchema(Schema):
    id = fields.Integer(dump_only=True)
    uscc = fields.String(required=True, metadata={"description": "统一社会信用代码（校验码校验）"})
    name = fields.String(required=True)
    kind = fields.String(load_default="transport", validate=validate.OneOf(["transport", "source", "both"]))
    region_code = fields.String(
        allow_none=True, validate=_REGION, metadata={"description": "GB/T 2260 行政区划代码，如 220100"}
    )
    address = fields.String(allow_none=True)
    latitude = fields.Float(
        allow_none=True, validate=validate.Range(-90, 90), metadata={"description": "纬度；部署要求时须在中国境内"}
    )
    longitude = fields.Float(
        allow_none=True, validate=validate.Range(-180, 180), metadata={"description": "经度；部署要求时须在中国境内"}
    )
    declared_fleet_size = _bounded(MAX_FLEET)
    key_source = fields.Boolean(load_default=False, metadata={"description": "重点货运源头单位"})
    licence_first_issued = fields.Date(
        allow_none=True, metadata={"description": "道路运输经营许可证初次领取日期（不晚于今天）"}
    )


class VehicleSchema(Schema):
    id = fields.Integer(dump_only=True)
    plate = fields.String(required=True)
    plate_color = fields.String(load_default="yellow")
    vin = fields.String(allow_none=True)
    axle_count = _bounded(MAX_AXLES, 2)
    vehicle_type = fields.String(allow_none=True)
    rated_load_kg = _bounded(MAX_VEHICLE_KG, metadata={"description": "核定载质量"})
    max_total_mass_kg = _bounded(MAX_VEHICLE_KG, metadata={"description": "最大允许总质量"})
    owner_name = fields.String(allow_none=True)
    enterprise_uscc = fields.String(load_only=True, allow_none=True)
    enterprise_id = fields.Integer(dump_only=True, allow_none=True)
    transport_cert_no = fields.String(allow_none=True, metadata={"description": "道路运输证号"})
    transport_cert_first_issued = fields.Date(allow_none=True, metadata={"description": "不晚于今天"})
    # The configuration that changes the limit (domain-rules §1.1, §1.4); null = 未登记 (unknown).
    drive_axle_air_suspension = _fact("驱动轴每轴每侧双轮胎并装备空气悬架（三轴、四轴货车 L-AIR+1；L-4AX-ART-37）")
    articulated = _fact("铰接列车（牵引车+半挂车，L-4AX-ART-37）")
    axle_spacing_mm = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, MAX_SPACING_MM, error=f"半挂车轴距须在 1 至 {MAX_SPACING_MM} 毫米之间"),
        error_messages={"invalid": "半挂车轴距须为整数（毫米）"},
        metadata={"description": "半挂车轴距 d，毫米（L-4AX-ART-37 要求不小于 1800）；null 为未登记"},
    )
    single_drive_axle = _fact("牵引车驱动轴为单轴（六轴及以上汽车列车 46 吨，L-6AX-C-SD）")


class DriverSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True)
    licence_no = fields.String(
        load_only=True, allow_none=True, metadata={"description": "驾驶证号（通常即身份号码）：只保存脱敏值"}
    )
    licence_masked = fields.String(dump_only=True, allow_none=True)
    qualification_no = fields.String(allow_none=True, metadata={"description": "从业资格证号"})
    qualification_first_issued = fields.Date(allow_none=True, metadata={"description": "不晚于今天"})
    identity_number = fields.String(
        load_only=True, allow_none=True, metadata={"description": "公民身份号码：加密存储，只显示脱敏值"}
    )
    identity_masked = fields.String(dump_only=True, allow_none=True)
    enterprise_uscc = fields.String(load_only=True, allow_none=True)
    enterprise_id = fields.Integer(dump_only=True, allow_none=True)


class PermitSchema(Schema):
    id = fields.Integer(dump_only=True)
    number = fields.String(required=True)
    plate = fields.String(required=True)
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    permitted_gross_kg = fields.Integer(required=True, validate=validate.Range(1, MAX_PERMIT_KG))
    permitted_length_mm = _bounded(MAX_DIMENSION_MM, 1)
    permitted_width_mm = _bounded(MAX_DIMENSION_MM, 1)
    permitted_height_mm = _bounded(MAX_DIMENSION_MM, 1)
    route = fields.List(fields.String(), required=True, metadata={"description": "许可路线经过的点位编码，按顺序"})


class EnterpriseUpdateSchema(EnterpriseSchema):
    """PATCH: any of the fields, checked as on registration."""


class VehicleUpdateSchema(VehicleSchema):
    """PATCH: any of the fields, checked as on registration; enterprise_uscc null unlinks the enterprise."""


class DriverUpdateSchema(DriverSchema):
    """PATCH: identity and licence numbers only when they change (never read back); null clears one."""


class PermitUpdateSchema(PermitSchema):
    """PATCH: any of the fields; number and plate are fixed once readings were judged under the permit."""


UPDATE_SCHEMAS = {
    EnterpriseSchema: EnterpriseUpdateSchema,
    VehicleSchema: VehicleUpdateSchema,
    DriverSchema: DriverUpdateSchema,
    PermitSchema: PermitUpdateSchema,
}


class DossierVehicleSchema(VehicleSchema):
    case_count = fields.Integer(metadata={"description": "关联该车辆的案件数"})
    repeat = fields.Dict(metadata={"description": "屡犯情况（R-VEH-3：法定周期与近 12 个月次数、后果、依据）"})


class DossierCaseSchema(Schema):
    id = fields.Integer()
    case_number = fields.String()
    status = fields.String()
    status_label = fields.String()
    plate = fields.String(allow_none=True)
    site_code = fields.String()
    captured_at = fields.DateTime()
    excess_kg = fields.Float(metadata={"description": "超限量（千克，扣除计量误差后）"})
    excess_pct = fields.Float(metadata={"description": "超限率 %（扣除计量误差后）"})
    baidunwang = fields.Boolean()
    decision_kind = fields.String(allow_none=True)


class EnterpriseDossierSchema(Schema):
    enterprise = fields.Nested(EnterpriseSchema)
    status = fields.Dict(
        allow_none=True,
        metadata={
            "description": "R-ENT-10：违法超限车辆占车队比例、计算周期、法律后果、依据与实施机关；货运源头单位不适用，为 null"
        },
    )
    vehicles = fields.List(fields.Nested(DossierVehicleSchema))
    drivers = fields.List(fields.Nested(DriverSchema))
    permits = fields.List(fields.Nested(PermitSchema), metadata={"description": "其车辆的大件运输许可"})
    cases = fields.List(fields.Nested(DossierCaseSchema), metadata={"description": "关联该企业的案件，最近的在前"})
    case_total = fields.Integer()
    supervision = fields.List(fields.Dict(), metadata={"description": "约谈、挂牌督办、限期整改及其办理情况"})
    blacklist_listings = fields.List(
        fields.Dict(),
        metadata={
            "description": "失信名单 B-4（被吊销资质的维修企业）、B-5（指使强令者）的列入情况：code、situation、"
            "listed_on 列入日期、ends_on 届满日期、reason、decision_numbers 决定书文号、case_numbers"
        },
    )


class RegistryUploadSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["enterprises", "vehicles", "drivers", "permits"]))


class RepeatArgsSchema(Schema):
    kind = fields.String(
        load_default="vehicle",
        validate=validate.OneOf(["vehicle", "driver", "enterprise"]),
        metadata={"description": "vehicle 车辆 / driver 驾驶人 / enterprise 运输企业"},
    )
