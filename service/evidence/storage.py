"""Evidence storage is bounded: images per record and kind, orphans that expire, disk use shown.

A device sends a few images per record (a plate close-up, front, side, rear, overview; a resend
when the first was blurred): EVIDENCE_PER_RECORD_KIND distinct images of one kind for one record
are kept, a further one is refused (409) — the same bytes again stay a duplicate, not counted.
An image whose reading never arrives (an orphan, `pending` with no reading) is expired after
EVIDENCE_ORPHAN_DAYS: its original is deleted (unless another image row still uses the same
bytes) and the row stays as an evidence defect saying why, so nothing vanishes without a trace.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, func, select

from models import EvidenceImage, Site
from service import clock
from service.errors import DomainError
from service.extensions import db

log = logging.getLogger(__name__)
ORPHAN_DEFECT = "孤立图像：上传后 {days} 天内未收到对应的检测记录，已过期，原图已删除"


def check_room(site_id: int, record_id: str, kind: str) -> None:
    """Refuse one more distinct image of `kind` for the record once it has the allowed number."""
    allowed = current_app.config["EVIDENCE_PER_RECORD_KIND"]
    held = db.session.scalar(
        select(func.count())
        .select_from(EvidenceImage)
        .where(EvidenceImage.site_id == site_id, EvidenceImage.record_id == record_id, EvidenceImage.kind == kind)
    )
    if held >= allowed:
        raise DomainError(
            f"该检测记录的此类图像已有 {held} 张，达到上限 {allowed} 张（EVIDENCE_PER_RECORD_KIND）",
            409,
            {"kind": [f"每条记录每类图像最多 {allowed} 张"]},
        )


def expire_orphans(limit: int = 500) -> int:
    """Expire orphans older than EVIDENCE_ORPHAN_DAYS (at most `limit` per call). Flush only."""
    days = current_app.config["EVIDENCE_ORPHAN_DAYS"]
    cut = clock.now() - timedelta(days=days)
    rows = db.session.scalars(
        select(EvidenceImage)
        .where(
            EvidenceImage.status == "pending",
            EvidenceImage.reading_id.is_(None),
            EvidenceImage.uploaded_at < cut,
        )
        .order_by(EvidenceImage.id)
        .limit(limit)
    ).all()
    root = Path(current_app.config["EVIDENCE_DIR"])
    for row in rows:
        row.status, row.defect, row.processed_at = "defect", ORPHAN_DEFECT.format(days=days), clock.now()
        db.session.flush()
        for relative in (row.original_path, row.thumb_path):
            if relative and not _still_used(row, relative):
                (root / relative).unlink(missing_ok=True)
        row.thumb_path = None
    if rows:
        log.info("evidence: %d orphan image(s) older than %d days expired", len(rows), days)
    db.session.flush()
    return len(rows)


def _still_used(row: EvidenceImage, relative: str) -> bool:
    """Originals are stored by content: another live row may hold the same bytes."""
    return (
        db.session.scalar(
            select(EvidenceImage.id)
            .where(
                EvidenceImage.original_path == relative,
                EvidenceImage.id != row.id,
                ~and_(EvidenceImage.status == "defect", EvidenceImage.reading_id.is_(None)),
            )
            .limit(1)
        )
        is not None
    )


@dataclass(frozen=True)
class SiteUsage:
    code: str
    name: str
    images: int
    bytes: int
    orphans_waiting: int


@dataclass(frozen=True)
class Usage:
    images: int
    bytes: int  # originals, each stored once
    orphans_waiting: int
    orphans_expired: int
    disk_total: int | None
    disk_free: int | None
    sites: list[SiteUsage]


def usage() -> Usage:
    """Evidence held, from the database (a walk of the folder would not scale), and the volume's room."""
    orphan = and_(EvidenceImage.status == "pending", EvidenceImage.reading_id.is_(None))
    expired = func.coalesce(EvidenceImage.defect, "").like("孤立图像%")
    per_site = db.session.execute(
        select(
            Site.code,
            Site.name,
            func.count(EvidenceImage.id),
            func.coalesce(func.sum(EvidenceImage.size_bytes), 0),
            func.count(EvidenceImage.id).filter(orphan),
        )
        .join(EvidenceImage, EvidenceImage.site_id == Site.id)
        .where(~expired)
        .group_by(Site.code, Site.name)
        .order_by(Site.code)
    ).all()
    distinct = (
        select(EvidenceImage.sha256, func.max(EvidenceImage.size_bytes).label("size"))
        .where(~expired)
        .group_by(EvidenceImage.sha256)
        .subquery()
    )
    unique_bytes = db.session.scalar(select(func.coalesce(func.sum(distinct.c.size), 0)))
    expired_count = db.session.scalar(select(func.count()).select_from(EvidenceImage).where(expired))
    try:
        disk = shutil.disk_usage(current_app.config["EVIDENCE_DIR"])
        total, free = disk.total, disk.free
    except OSError:
        total = free = None
    return Usage(
        images=sum(r[2] for r in per_site),
        bytes=int(unique_bytes or 0),
        orphans_waiting=sum(r[4] for r in per_site),
        orphans_expired=expired_count,
        disk_total=total,
        disk_free=free,
        sites=[SiteUsage(r[0], r[1], r[2], int(r[3]), r[4]) for r in per_site],
    )
