"""Bulk CSV imports (CONTRACT §4 "Bulk files") of readings and of the registry, in
chunks, with progress.

A chunk is `IMPORT_CHUNK_ROWS` rows, committed together with the job row's progress:
the job row is the truth, and a chunk is stored whole or not at all. The worker runs
one chunk per RQ job and then queues the next one (`workers/jobs.py import_chunk`),
so a long file never holds a worker for long; the operator command
`flask --app wsgi readings import FILE.csv` runs the same chunks here and now
(`run_import`). Where the next chunk starts is a `Cursor`: rows done, and the byte
offset and line number after them, so a chunk reads only its own part of the file.

Reading rows go through `ingest_batch`, so a CSV row is judged exactly like a posted
reading, and a file imported twice adds nothing: every row comes back a duplicate.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from models import ImportJob
from service.extensions import db
from service.ingest.operations import ingest_batch
from service.ingest.validation import FIELDS, has_surrogate, printable_key

INT_FIELDS = {"axle_count", "lane", "length_mm", "width_mm", "height_mm"}
FLOAT_FIELDS = {"gross_weight_kg", "speed_kmh"}
TRUE = {"true", "1", "yes", "y", "是", "t"}
FALSE = {"false", "0", "no", "n", "否", "f"}
MAX_STORED_ERRORS = 10_000
READING_COLUMNS = ("site_code", "record_id", "captured_at", "axle_count", "gross_weight_kg")
# A line the file cannot give as text is refused alone, with its line number, like any bad
# row: its bytes are not UTF-8 (kept escaped as U+DC80–U+DCFF by "surrogateescape" until
# then), or the csv module refuses it (a field over its size limit).
NOT_UTF8 = "不是有效的 UTF-8 编码"
ROW_PROBLEM = "_row"  # the key of a line that is no CSV record at all

Progress = Callable[[int, int], None]
Row = tuple[int, dict]  # (file line number, {column: cell}) as csv.DictReader gives it


@dataclass(frozen=True)
class Cursor:
    """Where the next chunk starts: after `rows` data rows, at byte `offset` of the
    file, after its line `line` (the header is line 1)."""

    rows: int
    offset: int
    line: int


def import_dir() -> Path:
    # Under the evidence volume, which several hosts share in production.
    path = Path(current_app.config["EVIDENCE_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_file(job: ImportJob) -> Path:
    """The job's file: stored relative to EVIDENCE_DIR, so each host finds it wherever it mounts
    the shared volume (a path stored absolute by an earlier version is used as it is)."""
    return Path(current_app.config["EVIDENCE_DIR"]) / job.stored_path


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
        stored_path=str(path.relative_to(current_app.config["EVIDENCE_DIR"])),
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


def _records(path: Path, offset: int, lines_before: int) -> Iterator[tuple[int, list[str], int]]:
    """(line number of the record's last line, cells, byte offset after it) from `offset`.

    csv.reader takes one line at a time, only as far as a record needs, so the offset
    after each record is exact; no UTF-8 character contains the byte of a newline."""
    with open(path, "rb") as f:
        f.seek(offset)
        position = offset

        def lines() -> Iterator[str]:
            nonlocal position
            for raw in f:
                position += len(raw)
                yield raw.decode("utf-8", "surrogateescape")

        reader = csv.reader(lines())
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # the reader starts afresh at the next line
                yield lines_before + reader.line_num, csv.Error(str(exc)), position
                continue
            yield lines_before + reader.line_num, cells, position


def _first_offset(path: Path) -> int:
    with open(path, "rb") as f:
        return len(codecs.BOM_UTF8) if f.read(3) == codecs.BOM_UTF8 else 0


def read_header(path: Path) -> tuple[list[str], Cursor]:
    """The stripped column names and the cursor of the first data row."""
    start = _first_offset(path)
    for line, cells, end in _records(path, start, 0):
        if isinstance(cells, csv.Error):
            raise cells
        return [h.strip() for h in cells], Cursor(0, end, line)
    return [], Cursor(0, start, 0)


def read_chunk(path: Path, header: list[str], cursor: Cursor, limit: int) -> tuple[list[Row], Cursor, bool]:
    """Up to `limit` rows from `cursor`: (rows, the cursor after them, whether more of
    the file follows). Rows are what csv.DictReader gives: blank lines are skipped,
    extra cells are listed under the key None, missing ones are None."""
    rows: list[Row] = []
    after = cursor
    for line, cells, end in _records(path, cursor.offset, cursor.line):
        if isinstance(cells, csv.Error):
            rows.append((line, {ROW_PROBLEM: f"不是有效的 CSV 行：{cells}"}))
        elif cells:
            row = dict(zip(header, cells, strict=False))
            if len(cells) > len(header):
                row[None] = cells[len(header) :]
            for name in header[len(cells) :]:
                row[name] = None
            rows.append((line, row))
        after = Cursor(cursor.rows + len(rows), end, line)
        if len(rows) >= limit:
            break
    return rows, after, after.offset < path.stat().st_size


def cursor_at(job: ImportJob) -> Cursor:
    """The cursor after the job's `rows_done` rows, found by reading them again. Only
    for a chunk whose cursor was lost (a worker or Redis crash between two chunks)."""
    path = stored_file(job)
    header, cursor = read_header(path)
    while cursor.rows < job.rows_done:
        rows, cursor, more = read_chunk(path, header, cursor, min(job.rows_done - cursor.rows, 10_000))
        if not rows:
            break
    return cursor


def _reading_item(row: dict) -> dict:
    """A CSV row to the JSON item the API would receive. Empty cells are absent fields."""
    item = {}
    for key, value in row.items():
        if key is None:  # more cells than header columns
            item["_extra_cells"] = value
            continue
        value = (value or "").strip()
        if value != "":
            item[key] = _convert(key, value) if key in FIELDS else value
    return item


def begin_import(job: ImportJob, commit: bool = True) -> Cursor | None:
    """Check the stored file (UTF-8, the kind's columns) and mark the job running: the
    cursor of the first row, or None when the file cannot be imported (job failed)."""
    path = stored_file(job)
    try:
        data = path.read_bytes()  # a line that is not UTF-8 is refused alone, when its chunk is read
        header, cursor = read_header(path)
    except OSError as exc:
        return _fail(job, f"文件无法读取：{type(exc).__name__}", commit)
    except csv.Error as exc:
        return _fail(job, f"表头不是有效的 CSV：{exc}", commit)
    if any(_unreadable(h) for h in header):
        return _fail(job, f"表头{NOT_UTF8}", commit)
    problem = _header_problem(job.kind, header)
    if problem:
        return _fail(job, problem, commit)
    _start(job, total=max(data.count(b"\n") - 1, 0), commit=commit)
    return cursor


def _header_problem(kind: str, header: list[str]) -> str | None:
    if kind == "loadings":  # source enterprises' exit weighings (CONTRACT §6)
        from service.sources.imports import header_problem as loading_header_problem

        return loading_header_problem(header)
    if kind != "readings":
        from service.registry.imports import header_problem

        return header_problem(kind, header)
    missing = [f for f in READING_COLUMNS if f not in header]
    if missing:
        return "表头缺少必需列：" + "、".join(missing)
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        return "表头含未知列：" + "、".join(unknown)
    return None


def import_chunk(job: ImportJob, cursor: Cursor, progress: Progress | None = None, commit: bool = True):
    """Import the `IMPORT_CHUNK_ROWS` rows from `cursor` and store them with the job's
    progress, in one transaction. Returns the cursor of the next chunk, or None when
    the job has ended (done, or failed on a file that is not valid CSV)."""
    path = stored_file(job)
    try:
        header, _ = read_header(path)
        rows, after, more = read_chunk(path, header, cursor, current_app.config["IMPORT_CHUNK_ROWS"])
    except (OSError, csv.Error) as exc:
        return _fail(job, f"第 {cursor.line + 1} 行起的内容无法读取或不是有效的 CSV：{exc}", commit)
    readable = _refuse_unreadable(job, rows)
    if job.kind == "readings":
        _import_readings(job, readable)
    elif job.kind == "loadings":
        from service.sources.imports import import_rows as import_loadings

        import_loadings(job, readable)
    else:
        from service.registry.imports import import_rows

        import_rows(job, readable)
    job.rows_done += len(rows)
    job.rows_total = max(job.rows_total or 0, job.rows_done)
    if not more:
        _finish(job)
    _save(job, commit)
    if progress:
        progress(job.rows_done, job.rows_total)
    return after if more else None


def run_import(job: ImportJob, progress: Progress | None = None, commit: bool = True) -> ImportJob:
    """The whole file here and now, chunk by chunk (the operator command)."""
    cursor = begin_import(job, commit)
    while cursor is not None:
        cursor = import_chunk(job, cursor, progress, commit)
    return job


def queue_chunk(import_id: int, cursor: Cursor | None = None, rows_done: int = 0) -> bool:
    """Queue the worker's job for the chunk of import `import_id` at `cursor` (without
    one: after `rows_done` rows, the job finds the place itself). False when Redis
    already knows that chunk's job (queued, running or just ended): each chunk has
    one job id, so it is never queued twice."""
    from service.queueing import enqueue
    from workers.queues import IMPORT_CHUNK, import_job_id

    args = (import_id, cursor.rows, cursor.offset, cursor.line) if cursor else (import_id, rows_done)
    job_id = import_job_id(import_id, args[1])
    return enqueue(current_app, IMPORT_CHUNK, *args, job_id=job_id, unique=True) is not None


def _start(job: ImportJob, total: int, commit: bool) -> None:
    # A start after a crash starts over: rows already stored come back as duplicates.
    job.status, job.started_at, job.rows_total = "running", datetime.now(UTC), total
    job.rows_done = job.accepted = job.duplicates = job.rejected = 0
    job.errors = []
    _save(job, commit)


def _unreadable(cell) -> bool:
    """Whether a cell holds bytes that were not UTF-8 (escaped as U+DC80–U+DCFF)."""
    if isinstance(cell, list):
        return any(_unreadable(c) for c in cell)
    return isinstance(cell, str) and has_surrogate(cell)


def _refuse_unreadable(job: ImportJob, rows: list[Row]) -> list[Row]:
    """The rows fit to import; each other one is an error on the job, naming its columns."""
    readable, errors = [], list(job.errors)
    for line, row in rows:
        if ROW_PROBLEM in row:
            problems = {ROW_PROBLEM: [row[ROW_PROBLEM]]}
        else:
            problems = {(k if k is not None else "_extra_cells"): [NOT_UTF8] for k, v in row.items() if _unreadable(v)}
        if not problems:
            readable.append((line, row))
            continue
        job.rejected += 1
        if len(errors) < MAX_STORED_ERRORS:
            record_id = row.get("record_id")
            errors.append({"line": line, "record_id": _printable(record_id), "errors": problems})
    job.errors = errors
    return readable


def _printable(value) -> str | None:
    return printable_key(value) if isinstance(value, str) else None


def _import_readings(job: ImportJob, rows: list[Row]) -> None:
    if not rows:
        return
    items = [_reading_item(row) for _, row in rows]
    result = ingest_batch(items, only_site_id=job.created_by_site_id, source="csv")
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


def _finish(job: ImportJob) -> None:
    job.rows_total = job.rows_done
    job.status, job.finished_at = "done", datetime.now(UTC)
    job.message = f"导入完成：新增 {job.accepted} 条，重复 {job.duplicates} 条，拒收 {job.rejected} 条"
    if job.kind not in ("readings", "loadings"):
        from service.registry.imports import finished

        finished(job)


def _fail(job: ImportJob, message: str, commit: bool) -> None:
    job.status, job.message = "failed", message
    job.finished_at = datetime.now(UTC)
    _save(job, commit)
    return None


def _save(job: ImportJob, commit: bool) -> None:
    # A chunk of readings wrote an outbox row: the commit asks for its drain (service/outbox.py).
    db.session.add(job)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
