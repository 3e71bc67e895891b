"""Evidence uploads from devices: stored untouched with their SHA-256, decoded later
by a worker (never in the web process)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import EvidenceImage, Reading
from service.evidence.storage import check_room
from service.extensions import db
from service.outbox import enqueue_outbox

EVIDENCE_TOPIC = "evidence.uploaded"


def evidence_root() -> Path:
    return Path(current_app.config["EVIDENCE_DIR"])


def _write_original(data: bytes, digest: str) -> Path:
    path = evidence_root() / "originals" / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


def store_evidence(
    site_id: int, record_id: str, kind: str, filename: str | None, data: bytes
) -> tuple[EvidenceImage, bool]:
    """(row, created). The same bytes for the same record and kind are stored once."""
    digest = hashlib.sha256(data).hexdigest()
    existing = _find(site_id, record_id, kind, digest)
    if existing is not None:
        return existing, False
    check_room(site_id, record_id, kind)  # 409 beyond EVIDENCE_PER_RECORD_KIND distinct images
    path = _write_original(data, digest)
    reading_id = db.session.scalar(select(Reading.id).where(Reading.site_id == site_id, Reading.record_id == record_id))
    row = EvidenceImage(
        site_id=site_id,
        record_id=record_id,
        reading_id=reading_id,
        kind=kind,
        filename=(filename or "")[:255] or None,
        size_bytes=len(data),
        sha256=digest,
        original_path=str(path.relative_to(evidence_root())),
        status="pending",
        uploaded_at=datetime.now(UTC),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # the same upload raced us: it is a duplicate
        return _find(site_id, record_id, kind, digest), False
    enqueue_outbox(EVIDENCE_TOPIC, {"evidence_ids": [row.id]})
    return row, True


def _find(site_id: int, record_id: str, kind: str, digest: str) -> EvidenceImage | None:
    return db.session.scalar(
        select(EvidenceImage).where(
            EvidenceImage.site_id == site_id,
            EvidenceImage.record_id == record_id,
            EvidenceImage.kind == kind,
            EvidenceImage.sha256 == digest,
        )
    )


def evidence_view(row: EvidenceImage) -> dict:
    from models.evidence import EVIDENCE_KINDS, EVIDENCE_STATUS_LABELS

    base = f"/api/v1/evidence/{row.id}"
    return {
        "id": row.id,
        "record_id": row.record_id,
        "reading_id": row.reading_id,
        "kind": row.kind,
        "kind_label": EVIDENCE_KINDS.get(row.kind, row.kind),
        "status": row.status,
        "status_label": EVIDENCE_STATUS_LABELS.get(row.status, row.status),
        "defect": row.defect,
        "sha256": row.sha256,
        "size_bytes": row.size_bytes,
        "width": row.width,
        "height": row.height,
        "uploaded_at": row.uploaded_at,
        "original_url": f"{base}/original",
        "thumb_url": f"{base}/thumb" if row.thumb_path else None,
        "watermarked_url": f"{base}/watermarked" if row.watermarked_path else None,
    }
