"""Source enterprises' exit weighbridges (出场地磅) and the loadings they weigh (出场称重,
CONTRACT §6).

A weighbridge belongs to one registered source enterprise and posts with its own device
token. A loading keeps the classification decided when it arrived (judged as at a static
scale, 62号令 Art 3): an over-limit loading is the enterprise's own violation (S-NO-EXIT) and
the case opened against it names the loading (`Case.loading_id`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.reading import BigId

WEIGHBRIDGE_TOKEN_PREFIX = "wb_"


class Weighbridge(Base):
    __tablename__ = "weighbridges"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    # Verification (检定) of the scale, like a site's: a loading weighed after it lapsed is
    # kept and shown, but cannot support a penalty.
    accuracy_class: Mapped[str | None] = mapped_column(String(8))
    certificate_no: Mapped[str | None] = mapped_column(String(64))
    calibrated_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[WeighbridgeToken]] = relationship(back_populates="weighbridge")


class WeighbridgeToken(Base):
    """A weighbridge's bearer token: stored only as its SHA-256."""

    __tablename__ = "weighbridge_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    weighbridge_id: Mapped[int] = mapped_column(ForeignKey("weighbridges.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    weighbridge: Mapped[Weighbridge] = relationship(back_populates="tokens")

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, weighbridge: Weighbridge, label: str | None = None) -> tuple[WeighbridgeToken, str]:
        """A new token; the clear text is returned once and never stored."""
        clear = WEIGHBRIDGE_TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls(weighbridge=weighbridge, token_sha256=cls.digest(clear), label=label), clear


class Loading(Base):
    """One exit weighing (出场称重) with the classification decided when it arrived."""

    __tablename__ = "loadings"
    __table_args__ = (
        UniqueConstraint("weighbridge_id", "record_id", name="uq_loadings_weighbridge_record"),
        Index("ix_loadings_plate_weighed", "plate", "weighed_at"),
        Index("ix_loadings_enterprise_weighed", "enterprise_id", "weighed_at"),
        Index("ix_loadings_weighbridge_weighed", "weighbridge_id", "weighed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    weighbridge_id: Mapped[int] = mapped_column(ForeignKey("weighbridges.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    record_id: Mapped[str] = mapped_column(String(64))
    weighed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(8), default="api")  # api | csv
    plate: Mapped[str | None] = mapped_column(String(16))
    plate_valid: Mapped[bool] = mapped_column(Boolean)
    plate_color: Mapped[str | None] = mapped_column(String(16))
    axle_count: Mapped[int] = mapped_column(Integer)
    vehicle_type: Mapped[str | None] = mapped_column(String(16))
    gross_weight_kg: Mapped[float] = mapped_column(Float)
    tare_weight_kg: Mapped[float | None] = mapped_column(Float)
    cargo: Mapped[str | None] = mapped_column(String(64))
    waybill_no: Mapped[str | None] = mapped_column(String(64))
    destination: Mapped[str | None] = mapped_column(String(128))
    # Classification as at a static scale (service/rules): stored, never recomputed on read.
    limit_kg: Mapped[int] = mapped_column(Integer)
    overlimit_kg: Mapped[float] = mapped_column(Float)
    overlimit_pct: Mapped[float] = mapped_column(Float)
    overlimit: Mapped[bool] = mapped_column(Boolean)
    baidunwang: Mapped[bool] = mapped_column(Boolean)
    rule_id: Mapped[str] = mapped_column(String(32))
    rule_article: Mapped[str] = mapped_column(String(255))
    rule_version: Mapped[str] = mapped_column(String(64))
