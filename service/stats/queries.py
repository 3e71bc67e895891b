"""Reads for the figures pages: per-site counts from the daily rollup."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models import Site, SiteDailyStats
from service.extensions import db


def site_figures(since: date) -> list:
    """(code, name, kind, checked, over-limit, 百吨王) per site since `since` (local dates)."""
    return db.session.execute(
        select(
            Site.code,
            Site.name,
            Site.kind,
            func.coalesce(func.sum(SiteDailyStats.checked), 0),
            func.coalesce(func.sum(SiteDailyStats.overlimit), 0),
            func.coalesce(func.sum(SiteDailyStats.baidunwang), 0),
        )
        .outerjoin(SiteDailyStats, (SiteDailyStats.site_id == Site.id) & (SiteDailyStats.day >= since))
        .group_by(Site.id, Site.code, Site.name, Site.kind)
        .order_by(Site.code)
    ).all()
