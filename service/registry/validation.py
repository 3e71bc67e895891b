"""Field checks of registry data, shared by every write path (API, console, CSV import, CLI).

A value that cannot be true of a record — a licence first issued in the future, a latitude of
200, a region code no county has — is refused with the field named, before it is stored: stored,
it would break the pages of everyone who reads the record (the repeat-offender count needs a
first-issue date that is not after the day it assesses).
"""

from __future__ import annotations

import math
import re
from datetime import date

from flask import current_app, has_app_context

from service import clock

# No Chinese licence, certificate or permit predates the People's Republic; a date before it is a typo.
EARLIEST = date(1949, 10, 1)
LATEST_VALIDITY = date(2099, 12, 31)  # a permit's end: well past any real one, far from date.max
# The mainland and islands of China with a margin (曾母暗沙 3.9° N … 漠河 53.6° N; 73.5° E … 135.1° E).
CHINA_LAT = (3.5, 54.0)
CHINA_LON = (73.0, 135.5)
# GB/T 2260: two digits of province, two of city, two of county. The provincial-level codes in use.
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
_REGION = re.compile(r"^[0-9]{6}$")


def past_date(value: date | None, field: str, errors: dict, what: str = "日期") -> date | None:
    """A date that must already have happened (first issue of a licence or certificate)."""
    if value is None or field in errors:
        return value
    today = clock.today()
    if value > today:
        errors[field] = [f"{what}不能晚于今天（{today.isoformat()}）"]
    elif value < EARLIEST:
        errors[field] = [f"{what}不能早于 {EARLIEST.isoformat()}"]
    return value


def sane_date(value: date | None, field: str, errors: dict) -> date | None:
    """A date of a validity period: within 1949-10-01 … 2099-12-31."""
    if value is not None and field not in errors and not EARLIEST <= value <= LATEST_VALIDITY:
        errors[field] = [f"须在 {EARLIEST.isoformat()} 至 {LATEST_VALIDITY.isoformat()} 之间"]
    return value


def coordinate(value, field: str, errors: dict) -> float | None:
    """Latitude (−90…90) or longitude (−180…180), finite; inside China when the deployment says so."""
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        errors[field] = ["须为数字（十进制度）"]
        return None
    low, high = (-90.0, 90.0) if field == "latitude" else (-180.0, 180.0)
    if not math.isfinite(number) or not low <= number <= high:
        errors[field] = [f"须在 {low:g} 至 {high:g} 之间"]
        return None
    if _within_china():
        low, high = CHINA_LAT if field == "latitude" else CHINA_LON
        if not low <= number <= high:
            errors[field] = [f"不在中国境内（须在 {low:g} 至 {high:g} 之间；部署设置 COORDINATES_WITHIN_CHINA）"]
    return number


def _within_china() -> bool:
    return bool(current_app.config.get("COORDINATES_WITHIN_CHINA", True)) if has_app_context() else True


def region_code(value, field: str, errors: dict) -> str | None:
    """A GB/T 2260 administrative division code: 6 digits, a province in use, and a county part
    only under a city part (220000 province, 220100 city, 220102 county)."""
    if value in (None, ""):
        return None
    code = str(value).strip()
    if not region_code_is_valid(code):
        errors[field] = ["须为 6 位行政区划代码（GB/T 2260），如 220000、220100、220102"]
    return code


def region_code_is_valid(code: str) -> bool:
    if not _REGION.match(code) or code[:2] not in PROVINCES:
        return False
    return not (code[2:4] == "00" and code[4:] != "00")


_YES = ("1", "true", "yes", "y", "是", "有")
_NO = ("0", "false", "no", "n", "否", "无")
_UNKNOWN = ("", "unknown", "未知", "未登记", "未查明")


def tristate(value, field: str, errors: dict) -> bool | None:
    """A configuration fact: yes, no, or not registered (None — unknown, the party-favourable
    limit applies). CSV cells and form values say 是/否/未知 or true/false/empty."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    if text in _UNKNOWN:
        return None
    errors[field] = ["须为 是 / 否，或留空表示未登记（未知）"]
    return None
