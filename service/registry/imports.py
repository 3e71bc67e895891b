"""Registry CSV imports (enterprises, vehicles, drivers, permits) in the background,
chunk by chunk with progress and per-row errors (`service/ingest/imports.py` reads the
file and keeps the job row); a file imported twice adds nothing."""

from __future__ import annotations

from models import ImportJob, User
from service import audit
from service.extensions import db
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


def header_problem(kind: str, header: list[str]) -> str | None:
    if kind not in CREATORS:
        return f"未知的导入类型：{kind}"
    missing = [c for c in REQUIRED[kind] if c not in header]
    return "表头缺少必需列：" + "、".join(missing) if missing else None


def import_rows(job: ImportJob, rows: list[tuple[int, dict]]) -> None:
    """Create a record from each row, each in its own savepoint: a bad row is an error
    on the job, the rest of the chunk is stored."""
    create = CREATORS[job.kind]
    errors = list(job.errors)
    for line, row in rows:
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
                    "line": line,
                    "record_id": data.get("uscc") or data.get("plate") or data.get("name"),
                    "errors": exc.errors,
                }
            )
    job.errors = errors


def finished(job: ImportJob) -> None:
    """One audit entry per file (not per row): who imported what, and what it added."""
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
