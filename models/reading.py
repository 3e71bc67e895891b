"""Weighing records (检测记录) with the classification decided at ingest.

The law-derived numbers are stored, not recomputed on read: the reading keeps
the limit, tolerance and excess that the rule version in force decided.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")
PLATE_COLOR_LABELS = {"yellow": "黄", "blue": "蓝", "green": "绿", "yellow_green": "黄绿", "white": "白", "black": "黑"}


class Reading(Base):
    __tablename__ = "readings"
    __table_args__ = (
        UniqueConstraint("site_id", "record_id", name="uq_readings_site_record"),
        Index("ix_readings_captured_at", "captured_at"),
        Index("ix_readings_plate_captured", "plate", "captured_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    record_id: Mapped[str] = mapped_column(String(64))
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(8), default="api")  # api | csv
    # As the device read it, normalised (GA 36-2018); kept even when invalid.
    plate: Mapped[str | None] = mapped_column(String(16))
    plate_valid: Mapped[bool] = mapped_column(Boolean)
    plate_color: Mapped[str | None] = mapped_column(String(16))
    axle_count: Mapped[int] = mapped_column(Integer)
    vehicle_type: Mapped[str | None] = mapped_column(String(16))
    gross_weight_kg: Mapped[float] = mapped_column(Float)
    axle_weights_kg: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    lane: Mapped[int | None] = mapped_column(Integer)
    length_mm: Mapped[int | None] = mapped_column(Integer)
    width_mm: Mapped[int | None] = mapped_column(Integer)
    height_mm: Mapped[int | None] = mapped_column(Integer)
    single_drive_axle: Mapped[bool | None] = mapped_column(Boolean)
    # Classification (service/rules): the numbers and the rule that made them.
    limit_kg: Mapped[int] = mapped_column(Integer)
    tolerance_kg: Mapped[int] = mapped_column(Integer)
    overlimit_kg: Mapped[float] = mapped_column(Float)
    overlimit_pct: Mapped[float] = mapped_column(Float)
    overlimit: Mapped[bool] = mapped_column(Boolean)
    dimension_overlimit: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    baidunwang: Mapped[bool] = mapped_column(Boolean)
    rule_id: Mapped[str] = mapped_column(String(32))
    rule_article: Mapped[str] = mapped_column(String(255))
    rule_version: Mapped[str] = mapped_column(String(64))
    tolerance_rule: Mapped[str] = mapped_column(String(32))
    tolerance_basis: Mapped[str] = mapped_column(String(255))
    # 大件运输许可: permitted (no case) / over_permit (车证不符) / off_route (未按许可路线行驶)
    permit_status: Mapped[str | None] = mapped_column(String(16))
    permit_number: Mapped[str | None] = mapped_column(String(64))
