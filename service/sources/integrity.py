"""Weighbridge integrity for a source enterprise (service/rules/integrity.py decides): the trips
of its exit weighings matched with the next roadside weighing of the same plate within the trace
window, and its weighbridges' silence while their trucks keep appearing on the road."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from models import Loading, Reading, Site, Weighbridge
from service import clock
from service.config import rule_settings
from service.extensions import db
from service.rules.integrity import Trip, silence, under_reporting

LOOKBACK_DAYS = 30  # the trips compared: the last 30 days of exit weighings


def trips(weighbridge_id: int, since: datetime, settings=None) -> list[Trip]:
    """Each exit weighing since `since` paired with the plate's first roadside weighing after it
    within the trace window (the readings read by plate: ix_readings_plate_captured)."""
    settings = settings or rule_settings()
    window = timedelta(hours=settings.trace_window_hours)
    loadings = db.session.execute(
        select(Loading.id, Loading.plate, Loading.weighed_at, Loading.gross_weight_kg, Loading.overlimit)
        .where(Loading.weighbridge_id == weighbridge_id, Loading.weighed_at >= since, Loading.plate.is_not(None))
        .order_by(Loading.weighed_at)
    ).all()
    plates = sorted({row.plate for row in loadings})
    by_plate: dict[str, list] = {}
    for start in range(0, len(plates), 500):
        rows = db.session.execute(
            select(Reading.id, Reading.plate, Reading.captured_at, Reading.gross_weight_kg, Reading.tolerance_kg,
                   Reading.overlimit)
            .where(Reading.plate.in_(plates[start : start + 500]), Reading.captured_at > since)
            .order_by(Reading.captured_at)
        )  # fmt: skip
        for r in rows:
            by_plate.setdefault(r.plate, []).append(r)
    out = []
    for lo in loadings:
        road = next(
            (r for r in by_plate.get(lo.plate, ()) if lo.weighed_at < r.captured_at <= lo.weighed_at + window), None
        )
        if road is not None:
            out.append(Trip(lo.id, road.id, lo.plate, lo.weighed_at, road.captured_at, lo.gross_weight_kg,
                            lo.overlimit, road.gross_weight_kg, road.tolerance_kg, road.overlimit))  # fmt: skip
    return out


def sightings_since(weighbridge_id: int, last: datetime, limit: int = 200) -> list[tuple[datetime, str, str]]:
    """Road detections, after the weighbridge's last loading, of plates it weighed in the 30 days before."""
    plates = select(Loading.plate).where(
        Loading.weighbridge_id == weighbridge_id, Loading.plate.is_not(None),
        Loading.weighed_at >= last - timedelta(days=LOOKBACK_DAYS),
    ).distinct()  # fmt: skip
    rows = db.session.execute(
        select(Reading.captured_at, Reading.plate, Site.name)
        .join(Site, Site.id == Reading.site_id)
        .where(Reading.plate.in_(plates), Reading.captured_at > last)
        .order_by(Reading.captured_at)
        .limit(limit)
    )
    return [tuple(r) for r in rows]


def bridge_flags(bridge: Weighbridge, now: datetime | None = None) -> list[dict]:
    settings = rule_settings()
    now = now or clock.now()
    flags = []
    found = under_reporting(trips(bridge.id, now - timedelta(days=LOOKBACK_DAYS), settings), settings)
    if found:
        flags.append(found)
    last = db.session.scalar(select(func.max(Loading.weighed_at)).where(Loading.weighbridge_id == bridge.id))
    if last is not None:
        quiet = silence(last, sightings_since(bridge.id, last), now, settings)
        if quiet:
            flags.append(quiet)
    return [dict(f.to_dict(), weighbridge_code=bridge.code) for f in flags]


def enterprise_flags(enterprise_id: int) -> list[dict]:
    bridges = db.session.scalars(select(Weighbridge).where(Weighbridge.enterprise_id == enterprise_id))
    return [f for b in bridges for f in bridge_flags(b)]
