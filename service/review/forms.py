"""What each step's console form sends, read from the posted form into the step's parameters;
the operation then checks them as it checks the API's input (the review and referrals consoles)."""

from __future__ import annotations

import math
from datetime import date

from flask import request

from models.case import REVIEW_CHECKS
from service.errors import DomainError


def _text(name: str) -> str | None:
    return request.form.get(name, "").strip() or None


def number(name: str, kind=int):
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        raise DomainError(f"「{raw}」不是有效的数字", 422, {name: ["须为数字"]}) from None
    if not math.isfinite(value):
        raise DomainError(f"「{raw}」不是有效的数字", 422, {name: ["须为有限数值"]})
    return value


def _date(name: str):
    raw = request.form.get(name, "").strip()
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise DomainError(f"日期格式应为 YYYY-MM-DD：{raw}", 422, {name: ["日期无效"]}) from None


def _yes_no(name: str) -> bool | None:
    """是 / 否 / 未查明 from a select."""
    return {"yes": True, "no": False}.get(request.form.get(name, ""))


FORMS = {
    "confirm": lambda f: {"checklist": {k: k in f for k in REVIEW_CHECKS}, "note": _text("note")},
    "dismissal": lambda f: {"reason": f.get("reason", "")},
    "approve_dismissal": lambda f: {},
    "reject_dismissal": lambda f: {"reason": _text("reason")},
    "assign": lambda f: {"user_id": number("user_id") or 0},
    "driver": lambda f: {k: _text(k) for k in ("name", "licence_no", "qualification_no", "identity_number")},
    "plate": lambda f: {"plate": f.get("plate", ""), "reason": f.get("reason", "")},
    "configuration": lambda f: {
        "vehicle_type": f.get("vehicle_type") or None,
        "drive_axle_air_suspension": _yes_no("drive_axle_air_suspension"),
        "articulated": _yes_no("articulated"),
        "axle_spacing_mm": number("axle_spacing_mm"),
        "from_registry": bool(f.get("from_registry")),
        "reason": f.get("reason", ""),
    },
    "station_action": lambda f: {"kind": f.get("kind", ""), "kg": number("kg", float), "note": _text("note")},
    "notice": lambda f: {},
    "statement": lambda f: {"kind": f.get("kind", "statement"), "text": f.get("text", ""), "channel": "officer"},
    "hearing": lambda f: {"record": f.get("record", "")},
    "review_statement": lambda f: {
        "statement_id": number("statement_id"),
        "outcome": f.get("outcome", ""),
        "reasons": f.get("reasons", ""),
    },
    "decision": lambda f: {
        "kind": f.get("kind", ""),
        "amount_yuan": number("amount_yuan") or 0,
        "reason": _text("reason"),
    },
    "approve_decision": lambda f: {},
    "reject_decision": lambda f: {"reason": f.get("reason", "")},
    "service": lambda f: {"method": f.get("method", "")},
    "payment": lambda f: {"amount_yuan": number("amount_yuan") or 0},
    "close": lambda f: {},
    "refer_police": lambda f: {"reason": f.get("reason", "")},
    "identify": lambda f: {"driver_id": number("driver_id"), "enterprise_id": number("enterprise_id")},
    "unidentifiable": lambda f: {"reason": f.get("reason", "")},
    "instigator": lambda f: {
        "enterprise_id": number("enterprise_id"),
        "name": _text("name"),
        "reason": f.get("reason", ""),
    },
    "refer": lambda f: {"note": _text("note")},
    "acknowledge": lambda f: {"note": _text("note")},
    "withdraw_referral": lambda f: {"reason": f.get("reason", "")},
    "outcome": lambda f: {
        "decision_number": f.get("decision_number", ""),
        "decided_on": _date("decided_on"),
        "fine_yuan": number("fine_yuan"),
        "points": number("points"),
        "note": _text("note"),
    },
}
