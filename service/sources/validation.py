"""Field checks for one posted loading (CONTRACT §6), plain Python like the readings' checks
(service/ingest/validation.py, whose helpers it shares): every bad field is named."""

from __future__ import annotations

from datetime import datetime, timedelta

from service.ingest.validation import (
    MAX_GROSS_KG,
    MISSING,
    _captured_at,
    _is_number,
    _plate,
    _vehicle,
    axles_and_gross,
    printable_key,
    text_problem,
)

REQUIRED = ("weighbridge_code", "record_id", "weighed_at", "axle_count", "gross_weight_kg")
OPTIONAL = ("plate", "plate_color", "vehicle_type", "tare_weight_kg", "cargo", "waybill_no", "destination")
FIELDS = frozenset(REQUIRED + OPTIONAL)
TEXT_MAX = {"cargo": 64, "waybill_no": 64, "destination": 128}


def _code(item: dict, name: str, errors: dict, max_len: int) -> str | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        errors[name] = ["须为非空字符串"]
    elif len(value) > max_len:
        errors[name] = [f"长度不得超过 {max_len} 个字符"]
    elif problem := text_problem(value):
        errors[name] = [problem]
    return value


def validate_loading(item, now: datetime, skew: timedelta) -> tuple[dict | None, dict]:
    """(clean values, {}) or (None, {field: [messages]}) naming every bad field."""
    if not isinstance(item, dict):
        return None, {"_item": ["每条记录须为 JSON 对象"]}
    errors: dict[str, list[str]] = {}
    for name in item.keys() - FIELDS:
        errors[printable_key(name)] = ["未知字段"]
    for name in REQUIRED:
        if item.get(name) is None:
            errors[name] = [MISSING]
    clean: dict = {
        "weighbridge_code": _code(item, "weighbridge_code", errors, 32),
        "record_id": _code(item, "record_id", errors, 64),
    }
    if item.get("weighed_at") is not None:
        clean["weighed_at"], msg = _captured_at(item["weighed_at"], now, skew)
        if msg:
            errors["weighed_at"] = [msg.replace("检测时间", "称重时间")]
    axles_and_gross(item, clean, errors)
    _tare(item, clean, errors)
    _plate(item, clean, errors)
    _vehicle(item, clean, errors)
    clean.pop("single_drive_axle", None)
    if "single_drive_axle" in item:  # a readings field, not a loading's
        errors["single_drive_axle"] = ["未知字段"]
    for name, max_len in TEXT_MAX.items():
        value = item.get(name)
        clean[name] = None
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = ["须为字符串"]
        elif len(value) > max_len:
            errors[name] = [f"长度不得超过 {max_len} 个字符"]
        elif problem := text_problem(value):
            errors[name] = [problem]
        else:
            clean[name] = value.strip() or None
    return (None, errors) if errors else (clean, errors)


def _tare(item: dict, clean: dict, errors: dict) -> None:
    tare = item.get("tare_weight_kg")
    clean["tare_weight_kg"] = None
    if tare is None:
        return
    if not _is_number(tare) or tare < 0 or tare > MAX_GROSS_KG:
        errors["tare_weight_kg"] = [f"须为 0 到 {MAX_GROSS_KG} 之间的数字"]
        return
    gross = item.get("gross_weight_kg")
    if _is_number(gross) and tare >= gross:
        errors["tare_weight_kg"] = ["皮重须小于毛重（gross_weight_kg）"]
        return
    clean["tare_weight_kg"] = float(tare)
