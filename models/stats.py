"""Per-site daily figures kept current by the follow-up job (检测车辆数, 超限数 …)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class SiteDailyStats(Base):
    """Recomputed from readings for each (site, day) touched: idempotent."""

    __tablename__ = "site_daily_stats"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # Asia/Shanghai date
    checked: Mapped[int] = mapped_column(Integer, default=0)
    overlimit: Mapped[int] = mapped_column(Integer, default=0)
    baidunwang: Mapped[int] = mapped_column(Integer, default=0)
    unreadable_plates: Mapped[int] = mapped_column(Integer, default=0)
