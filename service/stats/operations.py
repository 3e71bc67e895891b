"""Figures agencies publish; here: where and when 百吨王 pass (for planning 24-hour 布控)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models import Reading, Site
from service.clock import CST
from service.extensions import db


def baidunwang_hotspots(days: int, now: datetime | None = None) -> dict:
    """百吨王 detections over the last `days`: by site, by hour of day (Beijing time), and both."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=days)
    rows = db.session.execute(
        select(Reading.captured_at, Site.code, Site.name, Reading.plate)
        .join(Site, Site.id == Reading.site_id)
        .where(Reading.baidunwang.is_(True), Reading.captured_at >= since, Reading.captured_at <= now)
    ).all()
    by_site: Counter = Counter()
    by_hour: Counter = Counter()
    by_site_hour: Counter = Counter()
    names, plates = {}, {}
    for captured_at, code, name, plate in rows:
        hour = captured_at.astimezone(CST).hour
        by_site[code] += 1
        by_hour[hour] += 1
        by_site_hour[(code, hour)] += 1
        names[code] = name
        plates.setdefault(code, set()).add(plate or "未识别")
    sites = [
        {
            "site_code": code,
            "site_name": names[code],
            "count": n,
            "vehicles": len(plates[code]),
            "peak_hours": [
                h
                for h, _ in sorted(((h, by_site_hour[(code, h)]) for h in range(24)), key=lambda x: -x[1])[:3]
                if by_site_hour[(code, h)]
            ],
        }
        for code, n in by_site.most_common()
    ]
    return {
        "days": days,
        "since": since,
        "until": now,
        "total": len(rows),
        "sites": sites,
        "hours": [{"hour": h, "count": by_hour.get(h, 0)} for h in range(24)],
    }
