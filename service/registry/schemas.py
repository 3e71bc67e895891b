from marshmallow import Schema, fields, validate


class RegistryQueryArgsSchema(Schema):
    q = fields.String(metadata={"description": "按车牌、名称、信用代码、许可证号搜索"})


class EnterpriseSchema(Schema):
    id = fields.Integer(dump_only=True)
    uscc = fields.String(required=True, metadata={"description": "统一社会信用代码（校验码校验）"})
    name = fields.String(required=True)
    kind = fields.String(load_default="transport", validate=validate.OneOf(["transport", "source", "both"]))
    region_code = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    declared_fleet_size = fields.Integer(allow_none=True)
    key_source = fields.Boolean(load_default=False, metadata={"description": "重点货运源头单位"})
    licence_first_issued = fields.Date(allow_none=True, metadata={"description": "道路运输经营许可证初次领取日期"})


class VehicleSchema(Schema):
    id = fields.Integer(dump_only=True)
    plate = fields.String(required=True)
    plate_color = fields.String(load_default="yellow")
    vin = fields.String(allow_none=True)
    axle_count = fields.Integer(allow_none=True)
    vehicle_type = fields.String(allow_none=True)
    rated_load_kg = fields.Integer(allow_none=True, metadata={"description": "核定载质量"})
    max_total_mass_kg = fields.Integer(allow_none=True, metadata={"description": "最大允许总质量"})
    owner_name = fields.String(allow_none=True)
    enterprise_uscc = fields.String(load_only=True, allow_none=True)
    enterprise_id = fields.Integer(dump_only=True, allow_none=True)
    transport_cert_no = fields.String(allow_none=True, metadata={"description": "道路运输证号"})
    transport_cert_first_issued = fields.Date(allow_none=True)


class DriverSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True)
    licence_no = fields.String(
        load_only=True, allow_none=True, metadata={"description": "驾驶证号（通常即身份号码）：只保存脱敏值"}
    )
    licence_masked = fields.String(dump_only=True, allow_none=True)
    qualification_no = fields.String(allow_none=True, metadata={"description": "从业资格证号"})
    qualification_first_issued = fields.Date(allow_none=True)
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
    permitted_gross_kg = fields.Integer(required=True)
    permitted_length_mm = fields.Integer(allow_none=True)
    permitted_width_mm = fields.Integer(allow_none=True)
    permitted_height_mm = fields.Integer(allow_none=True)
    route = fields.List(fields.String(), required=True, metadata={"description": "许可路线经过的点位编码，按顺序"})


class RegistryUploadSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["enterprises", "vehicles", "drivers", "permits"]))


class RepeatArgsSchema(Schema):
    kind = fields.String(
        load_default="vehicle",
        validate=validate.OneOf(["vehicle", "driver", "enterprise"]),
        metadata={"description": "vehicle 车辆 / driver 驾驶人 / enterprise 运输企业"},
    )
