"""A vehicle repairer's licence revoked for illegal modification (非法改装), as the authority that
revoked it decided: the fact blacklist situation B-4 (交办公路〔2017〕8号, domain-rules §3.2) rests on.

This service neither regulates repairers nor decides the revocation (the road-transport
authority does, under its repair rules); a supervisor records the decision with its number and
date, and the blacklist lists the repairer from that day (service/registry/blacklist.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class RepairerRevocation(Base):
    __tablename__ = "repairer_revocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    uscc: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码, when known
    decision_number: Mapped[str] = mapped_column(String(64), unique=True)
    decided_on: Mapped[date] = mapped_column(Date)
    authority: Mapped[str] = mapped_column(String(128))  # who revoked the licence
    note: Mapped[str | None] = mapped_column(Text)  # what was modified, and how seriously
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
