"""Registry CSV imports (enterprises, vehicles, drivers, permits) in the background,
with progress and per-row errors; a file imported twice adds nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from models import ImportJob, User
from service import audit
from service.extensions import db
from service.ingest.imports import _fail, _save, _start, decode
from service.registry import operations as ops

CREATORS = {
    "enterprises": ops.create_enterprise,
    "vehicles": ops.create_vehicle,
    "drivers": ops.create_driver,
    "permits": ops.create_permit,
}
REQUIRED = {
    "enterprises": ("uscc", "name"),
    "vehicles": ("plate",),
    "drivers": ("name",),
    "permits": ("number", "plate", "valid_from", "valid_until", "permitted_gross_kg", "route"),
}
CHUNK = 200


def run_registry_import(job: ImportJob, progress=None, commit: bool = True) -> ImportJob:
    create = CREATORS.get(job.kind)
    if create is None:
        return _fail(job, f"未知的导入类型：{job.kind}", commit)
    try:
        text = decode(Path(job.stored_path).read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(job, f"文件无法读取或不是 UTF-8 编码：{type(exc).__name__}", commit)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in REQUIRED[job.kind] if c not in header]
    if missing:
        return _fail(job, "表头缺少必需列：" + "、".join(missing), commit)
    _start(job, total=max(text.count("\n") - 1, 0), commit=commit)
    errors = []
    for row in reader:
        data = {k: (v or "").strip() for k, v in row.items() if k}
        try:
            with db.session.begin_nested():
                created = create(data)
                if job.kind == "vehicles":
                    ops.link_plate(created.plate)
            job.accepted += 1
        except ops.Duplicate:
            job.duplicates += 1
        except ops.RegistryError as exc:
            job.rejected += 1
            errors.append(
                {
                    "line": reader.line_num,
                    "record_id": data.get("uscc") or data.get("plate") or data.get("name"),
                    "errors": exc.errors,
                }
            )
        job.rows_done += 1
        if job.rows_done % CHUNK == 0:
            job.errors = list(errors)
            _save(job, commit)
            if progress:
                progress(job.rows_done, job.rows_total)
    job.errors = errors
    job.rows_total = job.rows_done
    job.status, job.finished_at = "done", datetime.now(UTC)
    job.message = f"导入完成：新增 {job.accepted} 条，重复 {job.duplicates} 条，拒收 {job.rejected} 条"
    # One entry per file (not per row): who imported what, and what it added.
    user = db.session.get(User, job.created_by_user_id) if job.created_by_user_id else None
    audit.record(
        "registry.import",
        "import_job",
        job.id,
        actor=user.username if user else "system",
        actor_user_id=job.created_by_user_id,
        reason=f"批量导入{job.kind}：{job.filename or ''}",
        data={"kind": job.kind, "accepted": job.accepted, "duplicates": job.duplicates, "rejected": job.rejected},
    )
    _save(job, commit)
    if progress:
        progress(job.rows_done, job.rows_total)
    return job
