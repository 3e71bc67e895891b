"""Sending evidence files to people who may see them (API and console share this)."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, send_file

from models import EvidenceImage
from service.extensions import db


def send_evidence(evidence_id: int, variant: str):
    row = db.session.get(EvidenceImage, evidence_id)
    rel = None
    if row is not None:
        rel = {"original": row.original_path, "thumb": row.thumb_path, "watermarked": row.watermarked_path}[variant]
    if rel is None:
        abort(404, description="图像不存在或尚未生成")
    path = Path(current_app.config["EVIDENCE_DIR"]) / rel
    mimetype = "image/jpeg" if variant != "original" else ("image/png" if row.format == "PNG" else "image/jpeg")
    response = send_file(path, mimetype=mimetype, max_age=3600, etag=row.sha256 if variant == "original" else True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if variant == "original":
        response.headers["X-Evidence-SHA256"] = row.sha256
    return response
