"""Field checks for one posted reading (CONTRACT §4), written for the hot path.

marshmallow's `load(many=True)` alone manages ~20,000 records/s here, which
would spend the whole ingest budget; these checks do the same job as plain
Python at a fraction of the cost. `schemas.ReadingSchema` describes the same
fields for the OpenAPI spec, and a test keeps the two in step.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

from service.rules import normalise_plate, normalise_plate_color, plate_is_valid

VEHICLE_TYPES = {"truck": "truck", "combination": "combination", "货车": "truck", "汽车列车": "combination"}
REQUIRED = ("site_code", "record_id", "captured_at", "axle_count", "gross_weight_kg")
OPTIONAL = (
    "plate",
    "plate_color",
    "vehicle_type",
    "axle_weights_kg",
    "speed_kmh",
    "lane",
    "length_mm",
    "width_mm",
    "height_mm",
    "single_drive_axle",
)
FIELDS = frozenset(REQUIRED + OPTIONAL)
MAX_GROSS_KG = 300_000
PLATE_MAX = 16  # the plate columns' width (readings, cases, watch list): a longer text is cut, and flagged

# Upper bounds a real device cannot exceed. A value beyond them is a broken or hostile sender;
# refused before it reaches a float conversion or an integer column (which overflowed: HTTP 500,
# the whole batch lost).
MAX_SPEED_KMH = 300  # WIM sensors are specified to ~200 km/h; no loaded truck reaches 300
MAX_AXLE_KG = MAX_GROSS_KG  # one axle cannot carry more than the heaviest vehicle accepted
MAX_LANE = 999  # a road or a toll plaza has far fewer; some devices prefix the direction (101, 201)
# Outline (外廓) bounds: above every road vehicle, permitted oversize loads (blade trailers
# ~90 m) included; the legal limits are 18.1 m × 2.55 m × 4 m (GB 1589-2016).
MAX_LENGTH_MM = 100_000
MAX_WIDTH_MM = 20_000
MAX_HEIGHT_MM = 20_000
DIMENSION_MAX = {"length_mm": MAX_LENGTH_MM, "width_mm": MAX_WIDTH_MM, "height_mm": MAX_HEIGHT_MM}

MISSING = "必填字段缺失"


def _is_number(v) -> bool:
    # An int is always finite (math.isfinite would overflow on a 400-digit one); compare
    # it with the bounds before any float() of it.
    return type(v) is int or (type(v) is float and math.isfinite(v))


def _is_int(v) -> bool:
    return type(v) is int or (type(v) is float and v.is_integer())


def _captured_at(v, now: datetime, skew: timedelta) -> tuple[datetime | None, str | None]:
    if not isinstance(v, str):
        return None, "须为带时区的 ISO 8601 时间字符串，例如 2026-11-23T08:30:00+08:00"
    try:
        ts = datetime.fromisoformat(v)
    except ValueError:
        return None, "不是有效的 ISO 8601 时间"
    if ts.tzinfo is None or ts.utcoffset() is None:
        return None, "缺少时区偏移（如 +08:00 或 Z）"
    try:
        ts.astimezone(UTC)  # year 1 at +14:00 is before year 1 in UTC: nothing can compare it
    except OverflowError:
        return None, "检测时间超出可处理的范围"
    if ts > now + skew:
        return None, "检测时间晚于服务器当前时间 5 分钟以上"
    return ts, None


def _optional_number(
    item: dict, name: str, errors: dict, *, minimum: float, maximum: float, strict: bool, integer: bool
):
    v = item.get(name)
    if v is None:
        return None
    if not _is_number(v) or (integer and not _is_int(v)):
        errors[name] = ["须为整数" if integer else "须为数字"]
        return None
    if (strict and v <= minimum) or (not strict and v < minimum) or v > maximum:
        errors[name] = [f"须{'大于' if strict else '不小于'} {minimum:g} 且不超过 {maximum:g}"]
        return None
    return int(v) if integer else float(v)


# A NUL character cannot be stored in PostgreSQL text, and a lone UTF-16 surrogate
# ("\\ud800", valid JSON escape) in no UTF-8 text at all; both only come from a broken sender.
NUL_MESSAGE = "含有 NUL 控制字符（\\u0000）"
SURROGATE_MESSAGE = "含有无效的 Unicode 字符（孤立的代理项，如 \\ud800）"
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(s: str) -> bool:
    return not s.isascii() and _SURROGATE.search(s) is not None


def text_problem(s: str) -> str | None:
    """Why `s` cannot be stored as text, or None."""
    if "\x00" in s:
        return NUL_MESSAGE
    if has_surrogate(s):
        return SURROGATE_MESSAGE
    return None


def printable_key(name: str) -> str:
    """A field name fit to echo back: a lone surrogate as its escape text, e.g. '\\ud800'."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", name.replace("\x00", "\\u0000"))


def validate_reading(item, now: datetime, skew: timedelta) -> tuple[dict | None, dict]:
    """(clean values, {}) or (None, {field: [messages]}) naming every bad field."""
    if not isinstance(item, dict):
        return None, {"_item": ["每条记录须为 JSON 对象"]}
    errors: dict[str, list[str]] = {}
    for name in item.keys() - FIELDS:
        errors[printable_key(name)] = ["未知字段"]
    for name in REQUIRED:
        if item.get(name) is None:
            errors[name] = [MISSING]

    clean: dict = {}
    site_code = item.get("site_code")
    if site_code is not None and (not isinstance(site_code, str) or not site_code.strip()):
        errors["site_code"] = ["须为非空字符串"]
    elif isinstance(site_code, str) and (problem := text_problem(site_code)):
        errors["site_code"] = [problem]
    clean["site_code"] = site_code

    record_id = item.get("record_id")
    if record_id is not None:
        if not isinstance(record_id, str) or not record_id.strip():
            errors["record_id"] = ["须为非空字符串"]
        elif len(record_id) > 64:
            errors["record_id"] = ["长度不得超过 64 个字符"]
        elif problem := text_problem(record_id):
            errors["record_id"] = [problem]
    clean["record_id"] = record_id

    if item.get("captured_at") is not None:
        clean["captured_at"], msg = _captured_at(item["captured_at"], now, skew)
        if msg:
            errors["captured_at"] = [msg]

    axles_and_gross(item, clean, errors)
    _plate(item, clean, errors)
    _vehicle(item, clean, errors)
    _axle_weights(item, clean, errors)
    clean["speed_kmh"] = _optional_number(
        item, "speed_kmh", errors, minimum=0, maximum=MAX_SPEED_KMH, strict=False, integer=False
    )
    clean["lane"] = _optional_number(item, "lane", errors, minimum=1, maximum=MAX_LANE, strict=False, integer=True)
    for name, maximum in DIMENSION_MAX.items():
        clean[name] = _optional_number(item, name, errors, minimum=0, maximum=maximum, strict=True, integer=True)
    return (None, errors) if errors else (clean, errors)


def _plate(item: dict, clean: dict, errors: dict) -> None:
    plate = item.get("plate")
    if plate is not None and not isinstance(plate, str):
        errors["plate"] = ["须为字符串或 null"]
        return
    # A plate that does not match GA 36-2018 is kept as read and flagged: the
    # weighing still counts (CONTRACT §4).
    if plate and text_problem(plate):  # a NUL or a lone surrogate cannot be stored: keep the record, flag the plate
        plate = _SURROGATE.sub("\ufffd", plate.replace("\x00", "\ufffd"))
    norm = normalise_plate(plate) if plate else None
    if norm and len(norm) > PLATE_MAX:
        norm = norm[:PLATE_MAX]
    clean["plate"] = norm
    clean["plate_valid"] = bool(norm) and plate_is_valid(norm)
    color = item.get("plate_color")
    clean["plate_color"] = None
    if color is not None:
        try:
            clean["plate_color"] = normalise_plate_color(color)
        except (ValueError, TypeError):
            errors["plate_color"] = ["须为 yellow/blue/green/yellow_green/white/black 或 黄/蓝/绿/黄绿/白/黑"]


def _vehicle(item: dict, clean: dict, errors: dict) -> None:
    vtype = item.get("vehicle_type")
    clean["vehicle_type"] = None
    if vtype is not None:
        clean["vehicle_type"] = VEHICLE_TYPES.get(vtype) if isinstance(vtype, str) else None
        if clean["vehicle_type"] is None:
            errors["vehicle_type"] = ["须为 truck（货车）或 combination（汽车列车）"]
    sda = item.get("single_drive_axle")
    if sda is not None and type(sda) is not bool:
        errors["single_drive_axle"] = ["须为 true 或 false"]
    clean["single_drive_axle"] = sda if type(sda) is bool else None


def _axle_weights(item: dict, clean: dict, errors: dict) -> None:
    weights = item.get("axle_weights_kg")
    clean["axle_weights_kg"] = None
    if weights is None:
        return
    if not isinstance(weights, list) or not all(_is_number(w) and 0 <= w <= MAX_AXLE_KG for w in weights):
        errors["axle_weights_kg"] = [f"须为数字列表，每轴 0 到 {MAX_AXLE_KG} kg"]
        return
    axles = item.get("axle_count")
    if _is_int(axles) if _is_number(axles) else False:
        if len(weights) != axles:
            errors["axle_weights_kg"] = [f"轴重个数（{len(weights)}）须等于轴数（{axles}）"]
            return
    clean["axle_weights_kg"] = weights


def axles_and_gross(item: dict, clean: dict, errors: dict) -> None:
    """The axle count and the gross weight, as a reading and a loading both carry them."""
    axles = item.get("axle_count")
    if axles is not None:
        if not _is_number(axles) or not _is_int(axles):
            errors["axle_count"] = ["须为整数"]
        elif not 2 <= axles <= 8:
            errors["axle_count"] = ["须在 2 到 8 之间"]
        else:
            clean["axle_count"] = int(axles)
    gross = item.get("gross_weight_kg")
    if gross is not None:
        if not _is_number(gross):
            errors["gross_weight_kg"] = ["须为数字"]
        elif not 0 < gross <= MAX_GROSS_KG:
            errors["gross_weight_kg"] = [f"须大于 0 且不超过 {MAX_GROSS_KG}"]
        else:
            clean["gross_weight_kg"] = float(gross)
