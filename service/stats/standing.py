"""Figures that describe how things stand today rather than a period (domain-rules §9): transport
enterprises over R-ENT-10's 10 % and their share (一超四罚企业占比), and the blacklist entries
listed now (交办公路〔2017〕8号). They are read from the registry's own counts when asked — the
monthly report and `GET /api/v1/stats/standing` — not kept in the daily rollups."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from models import Enterprise
from service.extensions import db


def standing() -> dict:
    from service.registry.blacklist import entries
    from service.registry.repeat import listed

    over = [s for s in listed("enterprise") if s.get("triggered")]
    transport = db.session.scalar(
        select(func.count()).select_from(Enterprise).where(Enterprise.kind.in_(("transport", "both")))
    )
    listed_now = Counter(e["subject"] for e in entries())
    return {
        "enterprises_over_10pct": len(over),
        "transport_enterprises": transport or 0,
        "enterprises_over_10pct_share_pct": round(len(over) * 100 / transport, 2) if transport else None,
        "blacklist_entries": sum(listed_now.values()),
        "blacklist_vehicles": listed_now.get("vehicle", 0),
        "blacklist_drivers": listed_now.get("driver", 0),
        "blacklist_enterprises": listed_now.get("enterprise", 0),
    }
