"""Enforcement cases (案件) opened from over-limit readings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.reading import BigId, Reading

CASE_STATUS_LABELS = {"pending_review": "待审核"}


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The review queue: 百吨王 first, then by over-limit %.
        Index("ix_cases_queue", "status", "baidunwang", "overlimit_pct"),
        Index("ix_cases_plate", "plate"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), default="pending_review")
    plate: Mapped[str | None] = mapped_column(String(16))
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # 立案 starts the 90-day clock (行政处罚法 第六十条).
    decide_by: Mapped[datetime] = mapped_column(UTCDateTime)
    baidunwang: Mapped[bool] = mapped_column(Boolean)
    overlimit_pct: Mapped[float] = mapped_column(Float)
    # False when the reading cannot support a penalty (lapsed calibration,
    # 2-year limitation); `penalty_bars` lists why, with the article.
    penalty_usable: Mapped[bool] = mapped_column(Boolean)
    penalty_bars: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    # Earlier cases of the same plate, filled by the follow-up job.
    prior_case_count: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)

    reading: Mapped[Reading] = relationship()

    @property
    def case_number(self) -> str:
        """Human case number, e.g. ZC2026-00000042 (year of opening + id)."""
        return f"ZC{self.opened_at:%Y}-{self.id:08d}"
