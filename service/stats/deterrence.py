"""Deterrence (威慑效果): does a point make trucks load legally, or drive around it (绕行)?

For one site: the over-limit rate and the 百吨王 count per week since it went live (its first
day heard from), the period before and after a date an officer picks (an enforcement campaign,
the day the point began to fine), and the traffic of nearby sites in the same weeks: a rise
there while this site's traffic falls is what detours look like. Nearby: within `km` of the site
(by the sites' coordinates), or, for a site without coordinates, the sites of its city.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select

from models import Site, SiteDailyStats
from service import clock
from service.extensions import db
from service.rules.tracing import distance_km
from service.stats.queries import SiteRef, bucket, grouped, region_prefix, summary

DEFAULT_KM = 50.0


def went_live(site_id: int) -> date | None:
    return db.session.scalar(
        select(func.min(SiteDailyStats.day)).where(SiteDailyStats.site_id == site_id, SiteDailyStats.checked > 0)
    )


def nearby(site: SiteRef, sites: list[SiteRef], km: float) -> list[tuple[SiteRef, float | None]]:
    coords = dict((i, (lat, lon)) for i, lat, lon in db.session.execute(select(Site.id, Site.latitude, Site.longitude)))
    here = coords.get(site.id, (None, None))
    out = []
    for other in sites:
        if other.id == site.id:
            continue
        there = coords.get(other.id, (None, None))
        if None not in here and None not in there:
            d = distance_km(here[0], here[1], there[0], there[1])
            if d <= km:
                out.append((other, round(d, 1)))
        elif (
            site.region_code
            and other.region_code
            and (region_prefix(other.region_code)[:4] == region_prefix(site.region_code)[:4])
        ):
            out.append((other, None))
    return sorted(out, key=lambda x: (x[1] is None, x[1] or 0))


def _period(start: date, end: date, sites: list[SiteRef]) -> dict:
    f = summary(start, end, sites)
    days = (end - start).days + 1
    return {
        "from": start, "to": end, "days": days, "checked": f["checked"], "overlimit": f["overlimit"],
        "overlimit_rate_pct": f["overlimit_rate_pct"], "baidunwang": f["baidunwang"],
        "checked_per_day": round(f["checked"] / days, 1), "baidunwang_per_week": round(f["baidunwang"] * 7 / days, 2),
    }  # fmt: skip


def _weekly_checked(site_ids: list[int], start: date, end: date) -> dict[int, dict[str, int]]:
    rows = db.session.execute(
        select(SiteDailyStats.site_id, SiteDailyStats.day, SiteDailyStats.checked).where(
            SiteDailyStats.site_id.in_(site_ids), SiteDailyStats.day >= start, SiteDailyStats.day <= end
        )
    )
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for site_id, day, checked in rows:
        out[site_id][bucket(day, "week")] += checked
    return out


def deterrence(site: SiteRef, visible: list[SiteRef], pivot: date | None, km: float = DEFAULT_KM) -> dict:
    """The site's weeks since it went live, before and after `pivot`, and its neighbours."""
    today = clock.today()
    live = went_live(site.id)
    if live is None:
        return {"site_code": site.code, "site_name": site.name, "went_live": None, "weeks": [], "pivot": pivot,
                "before": None, "after": None, "nearby": []}  # fmt: skip
    pivot = min(max(pivot or live + timedelta(days=14), live + timedelta(days=1)), today)
    weeks = grouped(live, today, [site], "week")
    near = nearby(site, visible, km)
    weekly = _weekly_checked([s.id for s, _ in near], live, today)
    keys = [w["key"] for w in weeks]
    neighbours = []
    for other, distance in near:
        before, after = _period(live, pivot - timedelta(days=1), [other]), _period(pivot, today, [other])
        change = None
        if before["checked_per_day"]:
            change = round((after["checked_per_day"] - before["checked_per_day"]) * 100 / before["checked_per_day"], 1)
        neighbours.append({
            "site_code": other.code, "site_name": other.name, "distance_km": distance,
            "weekly_checked": [weekly[other.id].get(k, 0) for k in keys],
            "checked_per_day_before": before["checked_per_day"], "checked_per_day_after": after["checked_per_day"],
            "change_pct": change,
        })  # fmt: skip
    return {
        "site_code": site.code,
        "site_name": site.name,
        "went_live": live,
        "pivot": pivot,
        "weeks": [
            {
                "week": w["key"],
                "checked": w["checked"],
                "overlimit": w["overlimit"],
                "overlimit_rate_pct": w["overlimit_rate_pct"],
                "baidunwang": w["baidunwang"],
            }  # fmt: skip
            for w in weeks
        ],
        "before": _period(live, pivot - timedelta(days=1), [site]),
        "after": _period(pivot, today, [site]),
        "nearby": neighbours,
    }
