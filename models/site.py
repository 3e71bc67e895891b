"""Weighing sites (执法点位 / 检测站) and their device tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow

SITE_KINDS = ("wim", "static", "toll_entry")
SITE_KIND_LABELS = {"wim": "非现场执法点", "static": "超限检测站", "toll_entry": "高速公路入口"}
DEVICE_TOKEN_PREFIX = "dev_"


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str | None] = mapped_column(String(16), index=True)
    # The agency whose officers act on the site's cases (its region's, or the nearest above).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    # Where the site is (WGS-84): tracing measures how near a registered source enterprise it is.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # Device verification (检定): JJG 907-2006 class and validity.
    accuracy_class: Mapped[str | None] = mapped_column(String(8))
    certificate_no: Mapped[str | None] = mapped_column(String(64))
    calibrated_until: Mapped[date | None] = mapped_column(Date)
    # Per-site deduction in % of measured gross; NULL → the default for the kind
    # (service/rules/settings.py), see domain-rules.md §1.7.
    tolerance_pct: Mapped[float | None] = mapped_column(Numeric(5, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[DeviceToken]] = relationship(back_populates="site")
    calibrations: Mapped[list[SiteCalibration]] = relationship(
        back_populates="site", order_by="SiteCalibration.valid_until"
    )


class SiteCalibration(Base):
    """One verification certificate (检定证书) of the site's device and its validity.

    A reading is judged by the certificate that covered its capture date, so
    renewing a certificate never makes readings from a lapsed gap usable.
    """

    __tablename__ = "site_calibrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    certificate_no: Mapped[str | None] = mapped_column(String(64))
    accuracy_class: Mapped[str | None] = mapped_column(String(8))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    site: Mapped[Site] = relationship(back_populates="calibrations")


class DeviceToken(Base):
    """A device's bearer token: stored only as its SHA-256, bound to one site."""

    __tablename__ = "device_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship(back_populates="tokens")

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, site: Site, label: str | None = None) -> tuple[DeviceToken, str]:
        """A new token for `site`; the clear text is returned once and never stored."""
        clear = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls(site=site, token_sha256=cls.digest(clear), label=label), clear
