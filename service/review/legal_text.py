"""Legal texts as people read them: the law engine's citations carry research markers (how sure
a source is: [P], [S], [S1], [PROV …], UNCONFIRMED) that are for the maintainers of the rules,
not for officers or parties. Shown to people, an UNCONFIRMED value reads "待确认" with a footnote
(what it means), a provincial rule says it is one, and the source grades are dropped."""

from __future__ import annotations

import re

from markupsafe import Markup

FOOTNOTE = "待确认：该条款编号或数值尚未取得法规原文核实，本系统按有利于当事人的理解适用，以有权机关的解释为准。"
_GRADE = re.compile(r"\s*\[(?:P|S|S1)\]")
_PROV = re.compile(r"\[PROV(?:\s+([^\]]+))?\]\s*")
_UNCONFIRMED = re.compile(r"[，,]?\s*UNCONFIRMED")
_ANY = re.compile(r"UNCONFIRMED|\[(?:P|S|S1|PROV[^\]]*)\]")


def public_text(value):
    """The text with research markers turned into words people understand (other values as given)."""
    if not isinstance(value, str) or not _ANY.search(value):
        return value
    text = _GRADE.sub("", value)
    text = _PROV.sub(lambda m: f"（{m.group(1)}地方规定）" if m.group(1) else "地方规定", text)
    text = text.replace("（地方规定，", "（地方规定；")
    text = _UNCONFIRMED.sub("，待确认*", text).replace("（，待确认*", "（待确认*")
    return type(value)(text) if isinstance(value, Markup) else text  # markup stays markup


def needs_footnote(*values) -> bool:
    return any(isinstance(v, str) and "UNCONFIRMED" in v for v in values)


# The fields of an import row (registry CSV files, readings CSV files), as a person names them:
# an import error says which column is wrong in Chinese, never the code name alone.
FIELD_LABELS = {
    "site_code": "点位编码", "record_id": "记录编号", "captured_at": "检测时间", "plate": "号牌",
    "plate_color": "号牌颜色", "axle_count": "轴数", "vehicle_type": "车型", "gross_weight_kg": "车货总质量",
    "axle_weights_kg": "轴重", "speed_kmh": "车速", "lane": "车道", "length_mm": "长度", "width_mm": "宽度",
    "height_mm": "高度", "single_drive_axle": "单驱动轴", "uscc": "统一社会信用代码", "name": "名称",
    "kind": "类型", "region_code": "行政区划代码", "address": "地址", "key_source": "重点源头单位",
    "declared_fleet_size": "申报车辆数", "licence_first_issued": "经营许可证首次核发日期",
    "enterprise_uscc": "所属企业信用代码", "rated_load_kg": "核定载质量", "max_total_mass_kg": "最大允许总质量",
    "owner_name": "所有人", "vin": "车辆识别代号", "transport_cert_no": "道路运输证号",
    "transport_cert_first_issued": "道路运输证首次核发日期", "licence_no": "驾驶证号",
    "qualification_no": "从业资格证号", "qualification_first_issued": "从业资格证首次核发日期",
    "identity_number": "身份证号", "number": "许可证号", "valid_from": "有效期起", "valid_until": "有效期止",
    "permitted_gross_kg": "许可总质量", "route": "许可路线", "latitude": "纬度", "longitude": "经度",
    "_row": "整行", "_schema": "整行", "row": "整行",
}  # fmt: skip


def field_label(name: str) -> str:
    """「号牌」(plate) for a field of an import row."""
    label = FIELD_LABELS.get(name)
    return f"{label}（{name}）" if label else name
