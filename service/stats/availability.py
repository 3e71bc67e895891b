"""Site availability (在线率, domain-rules §9: 理应在线天数, 实际在线天数, 在线率) and silent sites.

A site is heard from when it sends a reading or a device heartbeat (POST /api/v1/devices/heartbeat,
for a site that is up but sees no traffic at night). Each hour it is heard from sets that hour's
bit in its day's `online_hours`; its last contact is kept in `site_heartbeats`. A site not heard
from for longer than SITE_SILENCE_HOURS raises an alert to the administrator (`check_silent_sites`,
run by the worker's relay), cleared when the site is heard from again.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Site, SiteAlert, SiteDailyStats, SiteHeartbeat
from service import clock
from service.extensions import db
from service.ingest.store import insert_for
from service.stats.queries import SiteRef

log = logging.getLogger(__name__)
DEFAULT_SILENCE_HOURS = 6.0  # a choice of this service, not law: set SITE_SILENCE_HOURS


def silence_hours() -> float:
    return float(current_app.config.get("SITE_SILENCE_HOURS") or DEFAULT_SILENCE_HOURS)


def heard(session: Session, last: dict[int, datetime]) -> None:
    """Keep the latest contact of each site (the later of the stored one and this one)."""
    if not last:
        return
    table = SiteHeartbeat.__table__
    rows = [{"site_id": s, "last_heard_at": at} for s, at in sorted(last.items())]
    stmt = insert_for(SiteHeartbeat).values(rows)
    later = func.greatest if session.get_bind().dialect.name == "postgresql" else func.max
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.site_id],
            set_={"last_heard_at": later(table.c.last_heard_at, stmt.excluded.last_heard_at)},
        )
    )


def heartbeat(site_id: int, at: datetime) -> None:
    """A device says its site is up: the hour counts as online, the contact as the latest."""
    from service.stats.rollup import add_to_days, hour_bit

    add_to_days(db.session, {(site_id, clock.local_date(at)): {"online_hours": hour_bit(at)}})
    heard(db.session, {site_id: at})


def _bits(n: int) -> int:
    return bin(n or 0).count("1")


def availability(start: date, end: date, sites: list[SiteRef], today: date | None = None) -> list[dict]:
    """Per site: expected and actual online days and hours from go-live (its first day heard
    from) to the end of the period or today, and the online rate (days)."""
    today = today or clock.today()
    ids = [s.id for s in sites]
    first = dict(
        db.session.execute(
            select(SiteDailyStats.site_id, func.min(SiteDailyStats.day))
            .where(SiteDailyStats.site_id.in_(ids), SiteDailyStats.online_hours != 0)
            .group_by(SiteDailyStats.site_id)
        ).all()
    )
    rows = db.session.execute(
        select(SiteDailyStats.site_id, SiteDailyStats.online_hours).where(
            SiteDailyStats.site_id.in_(ids), SiteDailyStats.day >= start, SiteDailyStats.day <= end
        )
    ).all()
    days, hours = {}, {}
    for site_id, bits in rows:
        if bits:
            days[site_id] = days.get(site_id, 0) + 1
            hours[site_id] = hours.get(site_id, 0) + _bits(bits)
    out = []
    for s in sites:
        since = max(start, first.get(s.id, end + timedelta(days=1)))
        until = min(end, today)
        expected = max(0, (until - since).days + 1)
        expected_hours = expected * 24
        if expected and until == today:  # today counts the hours begun so far
            expected_hours -= 23 - clock.now().astimezone(clock.CST).hour
        actual = days.get(s.id, 0)
        out.append({
            "site_code": s.code, "site_name": s.name, "went_live": first.get(s.id),
            "expected_days": expected, "online_days": actual,
            "expected_hours": expected_hours, "online_hours": hours.get(s.id, 0),
            "online_rate_pct": round(actual * 100 / expected, 2) if expected else None,
        })  # fmt: skip
    return out


def check_silent_sites(now: datetime | None = None) -> list[int]:
    """Raise an alert for each site silent longer than the setting (once, until it is heard
    from again), clear those heard from since. Returns the ids of the alerts raised."""
    now = now or clock.now()
    limit = now - timedelta(hours=silence_hours())
    last = dict(db.session.execute(select(SiteHeartbeat.site_id, SiteHeartbeat.last_heard_at)).all())
    open_alerts = {a.site_id: a for a in db.session.scalars(select(SiteAlert).where(SiteAlert.cleared_at.is_(None)))}
    raised = []
    for site_id, created in db.session.execute(select(Site.id, Site.created_at)):
        heard_at = last.get(site_id)
        silent = (heard_at or created) < limit
        alert = open_alerts.get(site_id)
        if silent and alert is None:
            alert = SiteAlert(site_id=site_id, kind="silent", last_heard_at=heard_at, raised_at=now)
            db.session.add(alert)
            db.session.flush()
            raised.append(alert.id)
            log.warning("site %s silent since %s: alert %s raised", site_id, heard_at, alert.id)
        elif not silent and alert is not None:
            alert.cleared_at = now
    db.session.commit()
    return raised


def open_alerts() -> list[dict]:
    rows = db.session.execute(
        select(SiteAlert, Site.code, Site.name)
        .join(Site, Site.id == SiteAlert.site_id)
        .where(SiteAlert.cleared_at.is_(None))
        .order_by(SiteAlert.raised_at)
    ).all()
    return [
        {
            "id": a.id,
            "site_code": code,
            "site_name": name,
            "last_heard_at": a.last_heard_at,
            "raised_at": a.raised_at,
            "acknowledged_at": a.acknowledged_at,
        }  # fmt: skip
        for a, code, name in rows
    ]
