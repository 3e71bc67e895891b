"""Bulk CSV import (CONTRACT §4 "Bulk files"), in chunks, with progress.

The same code runs in the RQ job (upload through the API) and in the operator
command `flask --app wsgi readings import FILE.csv`. Rows go through
`ingest_batch`, so a CSV row is judged exactly like a posted reading, and a file
imported twice adds nothing: every row comes back a duplicate.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from models import ImportJob
from service.extensions import db
from service.ingest.operations import ingest_batch
from service.ingest.validation import FIELDS

INT_FIELDS = {"axle_count", "lane", "length_mm", "width_mm", "height_mm"}
FLOAT_FIELDS = {"gross_weight_kg", "speed_kmh"}
TRUE = {"true", "1", "yes", "y", "是", "t"}
FALSE = {"false", "0", "no", "n", "否", "f"}
MAX_STORED_ERRORS = 10_000

Progress = Callable[[int, int], None]


def import_dir() -> Path:
    # Under the evidence volume, which several hosts share in production.
    path = Path(current_app.config["EVIDENCE_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(filename: str, data: bytes, *, user_id=None, site_id=None, kind: str = "readings") -> ImportJob:
    digest = hashlib.sha256(data).hexdigest()
    path = import_dir() / f"{digest}.csv"
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    job = ImportJob(
        kind=kind,
        filename=filename[:255],
        stored_path=str(path),
        sha256=digest,
        size_bytes=len(data),
        status="queued",
        created_by_user_id=user_id,
        created_by_site_id=site_id,
        created_at=datetime.now(UTC),
        errors=[],
        rows_done=0,
        accepted=0,
        duplicates=0,
        rejected=0,
    )
    db.session.add(job)
    db.session.flush()
    return job


def _convert(name: str, raw: str):
    """A CSV cell to the JSON value the API would receive; bad text stays text
    so that validation names the field."""
    if name in INT_FIELDS:
        try:
            return int(raw)
        except ValueError:
            return _float_or_raw(raw)
    if name in FLOAT_FIELDS:
        return _float_or_raw(raw)
    if name == "single_drive_axle":
        low = raw.lower()
        return True if low in TRUE else False if low in FALSE else raw
    if name == "axle_weights_kg":
        return [_float_or_raw(p.strip()) for p in raw.split(";") if p.strip()]
    return raw


def _float_or_raw(raw: str):
    try:
        return float(raw)
    except ValueError:
        return raw


def read_rows(text: str) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """(header, iterator of (line number, item)). Empty cells are absent fields."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header

    def rows():
        for row in reader:
            item = {}
            for key, value in row.items():
                if key is None:  # more cells than header columns
                    item["_extra_cells"] = value
                    continue
                value = (value or "").strip()
                if value != "":
                    item[key] = _convert(key, value) if key in FIELDS else value
            yield reader.line_num, item

    return header, rows()


def decode(data: bytes) -> str:
    return data.decode("utf-8-sig")


def run_import(job: ImportJob, progress: Progress | None = None, commit: bool = True) -> ImportJob:
    """Import the job's file chunk by chunk; the job row holds progress and errors."""
    if job.kind != "readings":
        from service.registry.imports import run_registry_import

        return run_registry_import(job, progress, commit)
    chunk_rows = current_app.config["IMPORT_CHUNK_ROWS"]
    try:
        text = decode(Path(job.stored_path).read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(job, f"文件无法读取或不是 UTF-8 编码：{type(exc).__name__}", commit)
    header, rows = read_rows(text)
    missing = [f for f in ("site_code", "record_id", "captured_at", "axle_count", "gross_weight_kg") if f not in header]
    if missing:
        return _fail(job, "表头缺少必需列：" + "、".join(missing), commit)
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        return _fail(job, "表头含未知列：" + "、".join(unknown), commit)
    _start(job, total=max(text.count("\n") - 1, 0), commit=commit)
    chunk: list[tuple[int, dict]] = []
    for line, item in rows:
        chunk.append((line, item))
        if len(chunk) >= chunk_rows:
            _import_chunk(job, chunk, progress, commit)
            chunk = []
    if chunk:
        _import_chunk(job, chunk, progress, commit)
    job.rows_total = job.rows_done
    job.status = "done"
    job.finished_at = datetime.now(UTC)
    job.message = f"导入完成：新增 {job.accepted} 条，重复 {job.duplicates} 条，拒收 {job.rejected} 条"
    _save(job, commit)
    return job


def _start(job: ImportJob, total: int, commit: bool) -> None:
    # A re-run after a crash starts over: rows already stored come back as duplicates.
    job.status, job.started_at, job.rows_total = "running", datetime.now(UTC), total
    job.rows_done = job.accepted = job.duplicates = job.rejected = 0
    job.errors = []
    _save(job, commit)


def _import_chunk(job: ImportJob, chunk, progress: Progress | None, commit: bool) -> None:
    items = [item for _, item in chunk]
    result = ingest_batch(items, only_site_id=job.created_by_site_id, source="csv")
    errors = list(job.errors)
    for (line, item), res in zip(chunk, result.results, strict=True):
        if res["status"] == "rejected" and len(errors) < MAX_STORED_ERRORS:
            errs = res["errors"]
            if "_extra_cells" in errs:
                errs = dict(errs, _extra_cells=["多于表头的单元格"])
            errors.append({"line": line, "record_id": item.get("record_id"), "errors": errs})
    job.errors = errors
    job.accepted += result.accepted
    job.duplicates += result.duplicates
    job.rejected += result.rejected
    job.rows_done += len(chunk)
    job.rows_total = max(job.rows_total or 0, job.rows_done)
    _save(job, commit, drain=result.outbox_written)
    if progress:
        progress(job.rows_done, job.rows_total)


def _fail(job: ImportJob, message: str, commit: bool) -> ImportJob:
    job.status, job.message = "failed", message
    job.finished_at = datetime.now(UTC)
    _save(job, commit)
    return job


def _save(job: ImportJob, commit: bool, drain: bool = False) -> None:
    db.session.add(job)
    if commit:
        db.session.commit()
        if drain:
            from service.queueing import request_drain

            request_drain(current_app)
    else:
        db.session.flush()


def job_view(job: ImportJob) -> dict:
    from models.importjob import IMPORT_STATUS_LABELS

    total = job.rows_total
    return {
        "id": job.id,
        "kind": job.kind,
        "filename": job.filename,
        "sha256": job.sha256,
        "status": job.status,
        "status_label": IMPORT_STATUS_LABELS.get(job.status, job.status),
        "rows_total": total,
        "rows_done": job.rows_done,
        "progress_pct": round(100.0 * job.rows_done / total, 1) if total else (100.0 if job.status == "done" else None),
        "accepted": job.accepted,
        "duplicates": job.duplicates,
        "rejected": job.rejected,
        "errors": job.errors or [],
        "message": job.message,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }
