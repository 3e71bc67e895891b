"""Enterprise supervision (企业监管): 约谈, 挂牌督办 and 限期整改 against a transport or source
enterprise — the reason and the cases behind it, the person responsible, the deadline, the
rectification evidence received and the outcome (service/rules/supervision.py proposes them)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime

SUPERVISION_STATUS_LABELS = {"open": "督办中", "evidence_received": "已收到整改材料", "closed": "已办结"}


class SupervisionAction(Base):
    __tablename__ = "supervision_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # interview | listed | rectification
    rule_id: Mapped[str | None] = mapped_column(String(32))  # the proposal it came from, if any
    reason: Mapped[str] = mapped_column(Text)
    case_ids: Mapped[list] = mapped_column(JSON)  # the cases behind it
    responsible_person: Mapped[str | None] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(24), default="open")
    evidence: Mapped[str | None] = mapped_column(Text)  # the rectification material received
    evidence_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def status_label(self) -> str:
        return SUPERVISION_STATUS_LABELS.get(self.status, self.status)
