"""Bulk CSV imports (CONTRACT §4 "Bulk files"): progress and per-row errors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime

IMPORT_STATUS_LABELS = {
    "queued": "排队中",
    "running": "导入中",
    "done": "已完成",
    "failed": "失败",
}


class ImportJob(Base):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # readings | enterprises | vehicles | drivers | permits
    kind: Mapped[str] = mapped_column(String(16), default="readings", server_default="readings")
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    rows_total: Mapped[int | None] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # [{"line": 7, "record_id": "…", "errors": {"field": ["…"]}}, …]
    errors: Mapped[list] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(String(512))
    # Restricted to users; a device site may upload for itself only.
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def view(self) -> dict:
        """What the API and the console show of an import: its counts, progress and errors."""
        total = self.rows_total
        done_pct = 100.0 if self.status == "done" else None
        return {
            "id": self.id,
            "kind": self.kind,
            "filename": self.filename,
            "sha256": self.sha256,
            "status": self.status,
            "status_label": IMPORT_STATUS_LABELS.get(self.status, self.status),
            "rows_total": total,
            "rows_done": self.rows_done,
            "progress_pct": round(100.0 * self.rows_done / total, 1) if total else done_pct,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors": self.errors or [],
            "message": self.message,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }
