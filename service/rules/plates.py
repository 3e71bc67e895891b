"""Number plates (GA 36-2018, domain-rules.md §10).

A plate that fails validation is stored as read and flagged, never rejected, so the
checks below lean towards accepting: a false "invalid" only costs an officer a look.
"""

from __future__ import annotations

import re

# 31 provincial abbreviations (§10.1).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Serial characters: digits and letters except I and O (GA 36: "序号中英文字母I和O不能使用").
_SERIAL = "A-HJ-NP-Z0-9"
# NEV energy letters: D/F per GA 36-2018, plus A B C E / G H J K accepted by validators
# since 2024 (official notice UNCONFIRMED, §13.15) because rejecting a real plate loses a record.
_ENERGY = "DABCEFGHJK"

# Ordinary plate: province (or 使/领) + authority letter A–Z + 5-character serial whose
# last character may be a suffix. The authority letter keeps I and O: whether strict
# variants exclude them is UNCONFIRMED. 使/领 as a final suffix follows §10.1's text.
_ORDINARY = re.compile(rf"^[{PROVINCES}使领][A-Z][{_SERIAL}]{{4}}[{_SERIAL}挂学警港澳使领]$")
# Small NEV: energy letter, then a letter or digit, then 4 digits.
_NEV_SMALL = re.compile(rf"^[{PROVINCES}][A-Z][{_ENERGY}][{_SERIAL}][0-9]{{4}}$")
# Large NEV: 5 digits, then the energy letter.
_NEV_LARGE = re.compile(rf"^[{PROVINCES}][A-Z][0-9]{{5}}[{_ENERGY}]$")

# Separators seen between the authority letter and the serial (鲁H·98822).
_SEPARATORS = {ord(c): None for c in "·•.・ \t\r\n"}
# Full-width ASCII (Ａ, １, ．, ideographic space) → half-width, and separators —
# full-width ones included — dropped: one str.translate does both steps.
_NORMALISE = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}
_NORMALISE = {code: (None if ord(ch) in _SEPARATORS else ch) for code, ch in _NORMALISE.items()} | _SEPARATORS
_ANY_FORMAT = re.compile("|".join(f"(?:{p.pattern})" for p in (_ORDINARY, _NEV_SMALL, _NEV_LARGE)))


def normalise_plate(plate: str | None) -> str | None:
    """Canonical plate text for storage and matching; None when nothing was read."""
    if plate is None:
        return None
    # Width first, so a full-width '．' or space is then stripped as a separator.
    text = plate.translate(_NORMALISE).upper()
    return text or None


def plate_is_valid(plate: str | None) -> bool:
    """Whether the (normalised) plate matches a GA 36-2018 ordinary or NEV format."""
    text = normalise_plate(plate)
    if text is None:
        return False
    return _ANY_FORMAT.match(text) is not None


PLATE_COLORS = ("yellow", "blue", "green", "yellow_green", "white", "black")

_COLOR_NAMES = {
    "黄": "yellow",
    "蓝": "blue",
    "绿": "green",
    "渐变绿": "green",  # small NEV plate
    "黄绿": "yellow_green",
    "黄绿双拼": "yellow_green",  # large NEV plate
    "白": "white",
    "黑": "black",
}


def normalise_plate_color(value: str) -> str:
    """English colour code for 'yellow' … or 黄 蓝 绿 黄绿 白 黑; ValueError otherwise."""
    if not isinstance(value, str):
        # ValueError, not TypeError: callers report any bad colour as a field error.
        raise ValueError(f"plate colour must be text, got {type(value).__name__}")  # noqa: TRY004
    text = value.strip()
    code = text.lower().replace("-", "_").replace(" ", "_")
    if code in PLATE_COLORS:
        return code
    name = text.removesuffix("色")  # 黄色 → 黄
    if name in _COLOR_NAMES:
        return _COLOR_NAMES[name]
    raise ValueError(f"unknown plate colour {value!r}; expected one of {PLATE_COLORS}")
