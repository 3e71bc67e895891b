"""Evidence processing run by the worker: decode safely, make the thumbnail and,
once the reading is known, the watermarked copy. A bad image becomes an evidence
defect on its row; it is never retried forever and never crashes the worker."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from models import EvidenceImage, Reading, Site
from models.reading import PLATE_COLOR_LABELS
from service.clock import CST
from service.evidence.storage import expire_orphans
from service.extensions import db

log = logging.getLogger(__name__)


def _root() -> Path:
    return Path(current_app.config["EVIDENCE_DIR"])


def _write(rel: str, data: bytes) -> str:
    path = _root() / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return rel


def attach_to_readings(reading_ids: list[int]) -> list[int]:
    """Link images that arrived before their reading; returns the ids to process."""
    if (
        not reading_ids
        or db.session.scalar(select(EvidenceImage.id).where(EvidenceImage.reading_id.is_(None)).limit(1)) is None
    ):
        return []
    linked: list[int] = []
    for start in range(0, len(reading_ids), 500):
        readings = db.session.execute(
            select(Reading.id, Reading.site_id, Reading.record_id).where(
                Reading.id.in_(reading_ids[start : start + 500])
            )
        ).all()
        keys = {(r.site_id, r.record_id): r.id for r in readings}
        # Plain IN on each column (indexed); a row-value IN would scan the table on SQLite.
        rows = db.session.scalars(
            select(EvidenceImage).where(
                EvidenceImage.reading_id.is_(None),
                EvidenceImage.site_id.in_({k[0] for k in keys}),
                EvidenceImage.record_id.in_({k[1] for k in keys}),
            )
        )
        for row in rows:
            if (row.site_id, row.record_id) in keys:
                row.reading_id = keys[(row.site_id, row.record_id)]
                linked.append(row.id)
    db.session.flush()
    return linked


def process_images(evidence_ids: list[int]) -> dict:
    """Decode, thumbnail and watermark each image; returns counts by outcome."""
    from service.evidence.images import EvidenceDefect, decode, make_thumbnail, make_watermarked

    counts = {"ready": 0, "defect": 0, "waiting": 0}
    for row in db.session.scalars(select(EvidenceImage).where(EvidenceImage.id.in_(evidence_ids))):
        if row.status != "pending":
            continue
        try:
            img = decode(_root() / row.original_path)
        except EvidenceDefect as exc:
            row.status, row.defect, row.processed_at = "defect", str(exc), datetime.now(UTC)
            counts["defect"] += 1
            log.warning("evidence %s defect: %s", row.id, exc)
            continue
        row.format, row.width, row.height = img.format, img.width, img.height
        if row.thumb_path is None:
            row.thumb_path = _write(f"derived/{row.id}-thumb.jpg", make_thumbnail(img))
        if row.reading_id is None:  # the reading may have arrived since the upload
            row.reading_id = db.session.scalar(
                select(Reading.id).where(Reading.site_id == row.site_id, Reading.record_id == row.record_id)
            )
        if row.reading_id is None:
            counts["waiting"] += 1  # the watermark needs the reading's figures
            continue
        row.watermarked_path = _write(f"derived/{row.id}-wm.jpg", make_watermarked(img, _lines(row.reading_id)))
        row.status, row.processed_at = "ready", datetime.now(UTC)
        counts["ready"] += 1
    # Orphans only accumulate while images arrive, so the image job is where they expire.
    counts["expired"] = expire_orphans()
    db.session.flush()
    return counts


def _lines(reading_id: int) -> list[str]:
    from service.evidence.images import watermark_lines
    from service.rules import deducted_excess

    reading = db.session.get(Reading, reading_id)
    site = db.session.get(Site, reading.site_id)
    excess_kg, excess_pct = deducted_excess(reading.gross_weight_kg, reading.limit_kg, reading.tolerance_kg)
    return watermark_lines(
        site.name,
        reading.captured_at.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S"),
        reading.plate,
        PLATE_COLOR_LABELS.get(reading.plate_color or ""),
        reading.gross_weight_kg,
        reading.limit_kg,
        reading.tolerance_kg,
        excess_kg,
        excess_pct,
    )
