"""Reads that build the administration pages (the verbs are in operations.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from models import DeviceToken, Site, User
from service import clock
from service.extensions import db


@dataclass(frozen=True)
class SiteRow:
    site: Site
    active_tokens: int
    calibration_expired: bool


def users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def sites(today: date | None = None) -> list[SiteRow]:
    """Every site with its count of unrevoked device tokens and whether its 检定 has lapsed."""
    today = today or clock.today()
    active = (
        select(DeviceToken.site_id, func.count().label("n"))
        .where(DeviceToken.revoked_at.is_(None))
        .group_by(DeviceToken.site_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Site, func.coalesce(active.c.n, 0)).outerjoin(active, active.c.site_id == Site.id).order_by(Site.code)
    ).all()
    return [SiteRow(site, n, site.calibrated_until is not None and site.calibrated_until < today) for site, n in rows]


def site_tokens(site: Site) -> list[DeviceToken]:
    """The site's device tokens, newest first (never their clear text: only the hash is stored)."""
    return list(
        db.session.scalars(select(DeviceToken).where(DeviceToken.site_id == site.id).order_by(DeviceToken.id.desc()))
    )
