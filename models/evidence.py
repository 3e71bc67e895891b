"""Evidence images (证据图像) sent by devices: plate close-up, front, side, rear, overview.

The original bytes are kept untouched with their SHA-256; the thumbnail and the
watermarked copy are derived files. Images are addressed by site + record id, so
an image that arrives before its reading waits and is attached when it comes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.reading import BigId

EVIDENCE_KINDS = {
    "plate": "车牌特写",
    "front": "车头",
    "side": "车身侧面",
    "rear": "车尾",
    "overview": "全景",
}
EVIDENCE_STATUS_LABELS = {"pending": "待处理", "ready": "可用", "defect": "证据缺陷"}


class EvidenceImage(Base):
    __tablename__ = "evidence_images"
    __table_args__ = (
        UniqueConstraint("site_id", "record_id", "kind", "sha256", name="uq_evidence_images_content"),
        Index("ix_evidence_images_site_record", "site_id", "record_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    record_id: Mapped[str] = mapped_column(String(64))
    reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str | None] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    original_path: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    defect: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str | None] = mapped_column(String(8))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    thumb_path: Mapped[str | None] = mapped_column(String(512))
    watermarked_path: Mapped[str | None] = mapped_column(String(512))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
