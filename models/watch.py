"""The watch list (布控) and the alerts raised when a watched plate is detected."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.reading import BigId

WATCH_SOURCES = {"manual": "人工布控", "baidunwang": "百吨王自动布控"}


class WatchEntry(Base):
    __tablename__ = "watch_entries"
    __table_args__ = (Index("ix_watch_entries_plate_active", "plate", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # manual | baidunwang
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # lifted early
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def last_day(self):
        """The last day the watch runs (Beijing time), as entered: `ends_at` is the first instant
        after it (the next day, 00:00 CST), which must not be shown as the end date."""
        from datetime import timedelta

        from service.clock import CST

        return (self.ends_at - timedelta(microseconds=1)).astimezone(CST).date()


class Alert(Base):
    """One detection of a watched plate; unique per reading and watch entry."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("uq_alerts_reading_entry", "reading_id", "watch_entry_id", unique=True),
        Index("ix_alerts_open", "acknowledged_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    watch_entry_id: Mapped[int] = mapped_column(ForeignKey("watch_entries.id"))
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    plate: Mapped[str] = mapped_column(String(16))
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
