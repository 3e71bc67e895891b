"""Police referrals (移交公安, domain-rules §5.3) and the evidence packages they go out in.

A referral is one case handed to the police, carried by the driver's matter the police handle
(models/matter.py: 移送 → 签收 → 结果). It adds what the police need beside the matter: why it
was referred (each reason with its rule and article), the police's fine band and points as
assessed, who withdrew it before it went out, and every package (CONTRACT §5) it went out in.
Its status is read from the matter and the packages, never kept twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.case import Case
from models.matter import PartyMatter
from models.reading import BigId

REFERRAL_STATUS_LABELS = {
    "queued": "待导出",
    "exported": "已导出待签收",
    "acknowledged": "已签收",
    "closed": "已反馈结果",
    "withdrawn": "已撤回",
}
EXPORT_STATUS_LABELS = {"queued": "排队中", "running": "打包中", "done": "已完成", "failed": "失败"}
TRIGGER_LABELS = {
    "baidunwang": "百吨王",
    "overload": "超过核定载质量",
    "evasion": "冲卡闯岗",
    "plate": "号牌异常",
    "licence_mismatch": "与行驶证不符",
    "vehicle_repeat": "屡犯车辆",
    "driver_repeat": "屡犯驾驶人",
    "manual": "人工移交",
}


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("party_matters.id"), unique=True)
    origin: Mapped[str] = mapped_column(String(8))  # auto | manual
    # [{"trigger", "rule_id", "article", "text"}, …] (service/rules/referral.py)
    reasons: Mapped[list] = mapped_column(JSON)
    # The police's fine band, points and detention as assessed, each with its denominator.
    assessment: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    queued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: by the rules
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the first package it went out in
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()
    matter: Mapped[PartyMatter] = relationship()

    @property
    def status(self) -> str:
        if self.withdrawn_at is not None or self.matter.status == "withdrawn":
            return "withdrawn"
        if self.matter.status == "closed":
            return "closed"
        if self.matter.status == "acknowledged":
            return "acknowledged"
        return "exported" if self.exported_at is not None else "queued"

    @property
    def status_label(self) -> str:
        return REFERRAL_STATUS_LABELS[self.status]


class ReferralExport(Base):
    """One package (CONTRACT §5): built by a worker, signed, its hash in the audit chain."""

    __tablename__ = "referral_exports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    status: Mapped[str] = mapped_column(String(8), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    referral_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stored_path: Mapped[str | None] = mapped_column(String(512))  # relative to EVIDENCE_DIR
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    file_count: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)  # why it failed
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    items: Mapped[list[ReferralExportItem]] = relationship(
        back_populates="export", order_by="ReferralExportItem.referral_id"
    )

    @property
    def status_label(self) -> str:
        return EXPORT_STATUS_LABELS.get(self.status, self.status)


class ReferralExportItem(Base):
    """A referral in a package: the same referral may go out in several."""

    __tablename__ = "referral_export_items"

    export_id: Mapped[int] = mapped_column(ForeignKey("referral_exports.id"), primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), primary_key=True, index=True)

    export: Mapped[ReferralExport] = relationship(back_populates="items")
