"""Where readings come from: a site's facts and verification certificates, and the device token
that posts for it. Read in one round trip each: a device posting one vehicle at a time pays
for every query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import bindparam, select

from models import DeviceToken, Site, SiteCalibration
from service.clock import local_date
from service.extensions import db
from service.rules import SiteFacts, calibrated_until_on


@dataclass
class SiteInfo:
    id: int
    code: str
    facts: SiteFacts
    # (valid_from, valid_until) of each verification certificate (检定)
    calibrations: list[tuple[date | None, date]] = field(default_factory=list)

    def facts_on(self, captured_at: datetime) -> SiteFacts:
        """The site as it stood when the vehicle was weighed (its certificate then)."""
        day = local_date(captured_at)
        return replace(self.facts, calibrated_until=calibrated_until_on(self.calibrations, day))


def load_sites(codes: Iterable[str]) -> dict[str, SiteInfo]:
    codes = {c for c in codes if isinstance(c, str)}
    if not codes:
        return {}
    # One round trip and plain rows (a device posting one reading pays for every query).
    if len(codes) == 1:  # no expanding IN to render
        return _site_infos(db.session.connection().execute(_SITE, {"code": next(iter(codes))}))
    return _site_infos(db.session.connection().execute(_SITES, {"codes": list(codes)}))


def device_site(token_digest: str) -> SiteInfo | None:
    """The site an unrevoked device token posts for, with the facts ingest needs.

    Authentication and the site's facts in one query: a device posting one vehicle
    at a time pays for every round trip."""
    found = _site_infos(db.session.connection().execute(_DEVICE_SITE, {"digest": token_digest}))
    return next(iter(found.values()), None)


def _site_infos(found) -> dict[str, SiteInfo]:
    sites: dict[str, SiteInfo] = {}
    for r in found:
        info = sites.get(r.code)
        if info is None:
            info = sites[r.code] = SiteInfo(
                r.id,
                r.code,
                SiteFacts(
                    kind=r.kind,
                    accuracy_class=r.accuracy_class,
                    tolerance_pct=float(r.tolerance_pct) if r.tolerance_pct is not None else None,
                    calibrated_until=r.calibrated_until,
                ),
            )
        if r.valid_until is not None:
            info.calibrations.append((r.valid_from, r.valid_until))
    return sites


_S, _C = Site.__table__.c, SiteCalibration.__table__.c
# On the tables, not the ORM classes: a Core statement skips the ORM's compile step.
_SITE_ROWS = (
    select(_S.id, _S.code, _S.kind, _S.accuracy_class, _S.tolerance_pct, _S.calibrated_until)
    .add_columns(_C.valid_from, _C.valid_until)
    .outerjoin(SiteCalibration.__table__, _C.site_id == _S.id)
)
_SITES = _SITE_ROWS.where(_S.code.in_(bindparam("codes", expanding=True)))
_SITE = _SITE_ROWS.where(_S.code == bindparam("code"))
_T = DeviceToken.__table__
_DEVICE_SITE = _SITE_ROWS.join(_T, _T.c.site_id == _S.id).where(
    _T.c.token_sha256 == bindparam("digest"), _T.c.revoked_at.is_(None)
)
