"""CSV import of loadings (CONTRACT §6 fields as columns): the chunked background import of
service/ingest/imports.py (ImportJob kind "loadings"), each row judged by `ingest_loadings`
exactly like a posted loading, so a file imported twice adds nothing."""

from __future__ import annotations

from models import ImportJob
from service.ingest.imports import MAX_STORED_ERRORS, _float_or_raw, _printable
from service.sources.ingest import ingest_loadings
from service.sources.validation import FIELDS, REQUIRED

INT_FIELDS = {"axle_count"}
FLOAT_FIELDS = {"gross_weight_kg", "tare_weight_kg"}


def header_problem(header: list[str]) -> str | None:
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        return "表头缺少必需列：" + "、".join(missing)
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        return "表头含未知列：" + "、".join(unknown)
    return None


def _item(row: dict) -> dict:
    item = {}
    for key, value in row.items():
        if key is None:
            item["_extra_cells"] = value
            continue
        value = (value or "").strip()
        if value == "":
            continue
        if key in INT_FIELDS:
            try:
                value = int(value)
            except ValueError:
                value = _float_or_raw(value)
        elif key in FLOAT_FIELDS:
            value = _float_or_raw(value)
        item[key] = value
    return item


def import_rows(job: ImportJob, rows: list[tuple[int, dict]]) -> None:
    if not rows:
        return
    items = [_item(row) for _, row in rows]
    result = ingest_loadings(items, source="csv")
    errors = list(job.errors)
    for (line, _), item, res in zip(rows, items, result.results, strict=True):
        if res["status"] == "rejected" and len(errors) < MAX_STORED_ERRORS:
            errs = res["errors"]
            if "_extra_cells" in errs:
                errs = dict(errs, _extra_cells=["多于表头的单元格"])
            errors.append({"line": line, "record_id": _printable(item.get("record_id")), "errors": errs})
    job.errors = errors
    job.accepted += result.accepted
    job.duplicates += result.duplicates
    job.rejected += result.rejected
