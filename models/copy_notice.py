"""Copy notices (抄告, X-TRANSPORT-7WD): a closed case sent to the transport authority where the
vehicle is registered, within 7 working days of closing (62号令 Art 44, Art 45 after 2021)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.case import Case
from models.reading import BigId

COPY_NOTICE_STATUS_LABELS = {"due": "待抄告", "sent": "已抄告"}


class CopyNotice(Base):
    __tablename__ = "copy_notices"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    status: Mapped[str] = mapped_column(String(8), default="due", index=True)
    due_on: Mapped[date] = mapped_column(Date)
    # The fields Art 44 names, as they stood when the case closed (never recomputed on read).
    content: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_to: Mapped[str | None] = mapped_column(String(128))  # the authority it went to
    reference: Mapped[str | None] = mapped_column(Text)  # 文号 or the system's receipt

    case: Mapped[Case] = relationship()

    @property
    def status_label(self) -> str:
        return COPY_NOTICE_STATUS_LABELS.get(self.status, self.status)
