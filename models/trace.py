"""Tracing a roadside case to the enterprise that loaded the truck (倒查, CONTRACT §7).

Candidates are computed when asked (service/rules/tracing.py), so a loading that arrives
late still counts; what is stored is the investigator's decision — the source confirmed
(a candidate or any registered source enterprise, with the reason) or unknown after the
investigation, with the reason — and the field investigations (现场调查) opened for it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.reading import BigId

TRACE_STATUS_LABELS = {"open": "待倒查", "confirmed": "已查明源头", "unknown": "源头无法查明"}
TASK_STATUS_LABELS = {"open": "调查中", "done": "已完成"}


class CaseTrace(Base):
    """A case's trace: the leads recorded for it (origin, cargo, waybill — what an officer or the
    station was told) and the decision on its source (open until an investigator decides)."""

    __tablename__ = "case_traces"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # open | confirmed | unknown
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    loading_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("loadings.id"))
    score: Mapped[int | None] = mapped_column(Integer)  # the candidate's score when confirmed
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    origin: Mapped[str | None] = mapped_column(String(128))  # 起运地 as stated
    cargo: Mapped[str | None] = mapped_column(String(64))
    waybill_no: Mapped[str | None] = mapped_column(String(64))
    leads_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    leads_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status_label(self) -> str:
        return TRACE_STATUS_LABELS.get(self.status, self.status)


class TraceTask(Base):
    """A field investigation (现场调查) of a case's source, with its due date and outcome."""

    __tablename__ = "trace_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    instructions: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    outcome: Mapped[str | None] = mapped_column(Text)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status_label(self) -> str:
        return TASK_STATUS_LABELS.get(self.status, self.status)
