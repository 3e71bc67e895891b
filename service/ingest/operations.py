"""Ingest: validate, classify, store readings and open cases in one transaction.

The hot path works batch-wise with Core statements: one INSERT … ON CONFLICT DO
NOTHING RETURNING for the readings, one for the cases, one outbox row for the
follow-up work. It only flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select

from models import Case, OutboxEvent, Permit, Reading
from service.clock import CST
from service.config import rule_settings
from service.extensions import db
from service.ingest.sites import SiteInfo, load_sites
from service.ingest.store import insert_for, insert_readings_pg, insert_readings_sqlite
from service.ingest.validation import text_problem, validate_reading
from service.rules import NoRuleInForce, ReadingFacts, classify, penalty_bars

CASE_DECISION_DAYS = 90  # 行政处罚法 第六十条: decide within 90 days of 立案
READINGS_TOPIC = "readings.ingested"

CLASS_FIELDS = (
    "limit_kg",
    "tolerance_kg",
    "overlimit_kg",
    "overlimit_pct",
    "overlimit",
    "baidunwang",
    "rule_id",
)


@dataclass
class BatchResult:
    results: list[dict] = field(default_factory=list)
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    outbox_written: bool = False

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "results": self.results,
        }


def ingest_batch(
    items: Sequence,
    *,
    only_site_id: int | None = None,
    source: str = "api",
    now: datetime | None = None,
    future_skew_s: int = 300,
    known_sites: Sequence[SiteInfo] = (),
) -> BatchResult:
    """Store every valid item; reject each bad one alone, naming its fields.

    `only_site_id` restricts a device token to its own site. `known_sites` were
    loaded already (a device's own site, with its token); only the others are read.
    """
    now = now or datetime.now(UTC)
    skew = timedelta(seconds=future_skew_s)
    sites = {s.code: s for s in known_sites}
    codes = {
        c for i in items if isinstance(i, dict) and isinstance(c := i.get("site_code"), str) and text_problem(c) is None
    }  # a code that cannot be text is rejected by its item, never looked up
    if not codes <= sites.keys():
        sites.update(load_sites(codes - sites.keys()))
    out = BatchResult(results=[None] * len(items))  # type: ignore[list-item]
    rows: dict[tuple[int, str], dict] = {}
    indexes: dict[tuple[int, str], list[int]] = {}
    settings = rule_settings()
    for index, item in enumerate(items):
        row, errors = _prepare(item, sites, only_site_id, now, skew, settings)
        if errors:
            out.results[index] = {"index": index, "status": "rejected", "errors": errors}
            out.rejected += 1
            continue
        key = (row["site_id"], row["record_id"])
        indexes.setdefault(key, []).append(index)
        rows.setdefault(key, row)  # a repeat inside the batch is a duplicate
    if rows:
        _apply_permits(rows)
        _store(rows, indexes, out, now, source, settings)
    return out


def _prepare(item, sites, only_site_id, now, skew, settings) -> tuple[dict | None, dict | None]:
    clean, errors = validate_reading(item, now, skew)
    code = item.get("site_code") if isinstance(item, dict) else None
    site = sites.get(code) if isinstance(code, str) else None
    if isinstance(code, str) and code and "site_code" not in errors:
        if site is None:
            errors["site_code"] = [f"未知点位编码：{code}"]
        elif only_site_id is not None and site.id != only_site_id:
            errors["site_code"] = ["设备令牌只能上报本点位的记录"]
    if errors:
        return None, errors
    try:
        decision = classify(_facts(clean), site.facts, decided_on=now.astimezone(CST).date(), settings=settings)
    except NoRuleInForce as exc:
        return None, {"captured_at": [str(exc)]}
    return _row(clean, site, decision, now), None


def _facts(clean: dict) -> ReadingFacts:
    return ReadingFacts(
        captured_at=clean["captured_at"],
        axle_count=clean["axle_count"],
        gross_weight_kg=clean["gross_weight_kg"],
        vehicle_type=clean["vehicle_type"],
        single_drive_axle=clean["single_drive_axle"],
        length_mm=clean["length_mm"],
        width_mm=clean["width_mm"],
        height_mm=clean["height_mm"],
    )


def _row(clean: dict, site: SiteInfo, d, now: datetime) -> dict:
    row = {k: v for k, v in clean.items() if k != "site_code"}
    row.update(
        site_id=site.id,
        received_at=now,
        limit_kg=d.limit_kg,
        tolerance_kg=d.tolerance_kg,
        overlimit_kg=d.overlimit_kg,
        overlimit_pct=d.overlimit_pct,
        overlimit=d.overlimit,
        dimension_overlimit=list(d.dimension_overlimit) or None,
        baidunwang=d.baidunwang,
        rule_id=d.rule_id,
        rule_article=d.article,
        rule_version=d.rule_version,
        tolerance_rule=d.tolerance_rule,
        tolerance_basis=d.tolerance_basis,
    )
    row["permit_status"] = row["permit_number"] = None
    row["_site"] = site
    return row


_P = Permit.__table__.c
_PERMITS = select(Permit.__table__).where(
    _P.plate.in_(bindparam("plates", expanding=True)),
    _P.valid_from <= bindparam("last"),
    _P.valid_until >= bindparam("first"),
)


def _apply_permits(rows: dict) -> None:
    """大件运输许可 for over-limit rows: permitted ones open no case (one query per batch)."""
    from service.rules import PermitFacts, check_permits

    over = [r for r in rows.values() if r["overlimit"] and r["plate"] and r["plate_valid"]]
    if not over:
        return
    days = [r["captured_at"].astimezone(CST).date() for r in over]
    permits: dict[str, list] = {}
    found = db.session.connection().execute(
        _PERMITS, {"plates": list({r["plate"] for r in over}), "last": max(days), "first": min(days)}
    )
    for p in found:
        permits.setdefault(p.plate, []).append(
            PermitFacts(
                p.number,
                p.valid_from,
                p.valid_until,
                p.permitted_gross_kg,
                tuple(p.route or ()),
                p.permitted_length_mm,
                p.permitted_width_mm,
                p.permitted_height_mm,
            )
        )
    deemed_from = rule_settings().permit_deemed_from  # 62号令 Art 44 (2021), domain-rules §12
    for row, day in zip(over, days, strict=True):
        if row["plate"] not in permits:
            continue
        finding = check_permits(
            permits[row["plate"]],
            day=day,
            site_code=row["_site"].code,
            gross_kg=row["gross_weight_kg"],
            dims={"length": row["length_mm"], "width": row["width_mm"], "height": row["height_mm"]},
            deemed_from=deemed_from,
        )
        if finding is None:
            continue
        row["permit_status"], row["permit_number"] = finding.status, finding.permit_number
        if finding.status != "permitted":
            row["_permit_issue"] = finding.to_dict()


def _store(rows: dict, indexes: dict, out: BatchResult, now: datetime, source: str, settings) -> None:
    params = list(rows.values())  # the inserts take the table's columns; "_" keys stay behind
    for p in params:
        p["source"] = source
    insert = insert_readings_pg if db.session.get_bind().dialect.name == "postgresql" else insert_readings_sqlite
    new_ids = insert(params)
    dupes = _existing([k for k in rows if k not in new_ids])
    for _ in range(3):
        # A conflicting row whose own transaction rolled back is neither new nor
        # stored: insert those again.
        known = new_ids.keys() | dupes.keys()
        lost = [p for p in params if (p["site_id"], p["record_id"]) not in known]
        if not lost:
            break
        new_ids.update(insert(lost))
        dupes.update(
            _existing([(p["site_id"], p["record_id"]) for p in lost if (p["site_id"], p["record_id"]) not in new_ids])
        )
    case_ids = _open_cases(rows, new_ids, now, settings)
    site_days: set[tuple[int, str]] = set()
    for key, row in rows.items():
        first, *repeats = indexes[key]
        if key in new_ids:
            result = _accepted(first, new_ids[key], row, case_ids.get(new_ids[key]))
            out.results[first] = result
            out.accepted += 1
            site_days.add((key[0], row["captured_at"].astimezone(CST).date().isoformat()))
        else:
            out.results[first] = dict(dupes[key], index=first)
            out.duplicates += 1
            result = dupes[key]
        for index in repeats:
            out.results[index] = dict(result, index=index, status="duplicate")
            out.duplicates += 1
    if new_ids:
        _write_outbox(sorted(new_ids.values()), sorted(case_ids.values()), site_days, now)
        out.outbox_written = True


def _kg(value: float) -> int | float:
    """Whole kilograms as integers in responses, whatever the column type."""
    return int(value) if float(value).is_integer() else value


def _accepted(index: int, reading_id: int, row: dict, case_id: int | None) -> dict:
    result = {"index": index, "status": "accepted", "reading_id": reading_id}
    for name in CLASS_FIELDS:
        result[name] = row[name]
    result["overlimit_kg"] = _kg(row["overlimit_kg"])
    result["plate_valid"] = row["plate_valid"]
    result["permit_status"] = row["permit_status"]
    result["dimension_overlimit"] = row["dimension_overlimit"] or []
    result["case_id"] = case_id
    return result


def _open_cases(rows: dict, new_ids: dict, now: datetime, settings) -> dict[int, int]:
    """Open a pending_review case for every new over-limit reading, standing on that weighing."""
    from service.procedure.case_ops import weighing_columns

    params = []
    for key, reading_id in new_ids.items():
        row = rows[key]
        if not row["overlimit"] or row["permit_status"] == "permitted":
            continue
        bars = penalty_bars(row["captured_at"], row["_site"].facts_on(row["captured_at"]), now, settings=settings)
        params.append(
            {
                "reading_id": reading_id,
                "site_id": key[0],
                "status": "pending_review",
                "plate": row["plate"],
                "captured_at": row["captured_at"],
                "opened_at": now,
                "decide_by": now + timedelta(days=CASE_DECISION_DAYS),
                "weighing_reading_id": reading_id,
                **weighing_columns(row),
                "penalty_usable": not bars,
                "penalty_bars": [asdict(b) for b in bars] or None,
                "permit_issue": row.get("_permit_issue"),
                "version": 1,
            }
        )
    if not params:
        return {}
    stmt = insert_for(Case.__table__).returning(Case.__table__.c.id, Case.__table__.c.reading_id)
    return {r.reading_id: r.id for r in db.session.connection().execute(stmt, params)}


def _existing(keys: list[tuple[int, str]]) -> dict[tuple[int, str], dict]:
    """The first stored reading for each key, shaped like an accepted result.

    One `site_id = ? AND record_id IN (…)` per site: it uses the unique index on
    both databases, where a row-value IN makes SQLite scan the whole table."""
    if not keys:
        return {}
    by_site: dict[int, list[str]] = {}
    for site_id, record_id in keys:
        by_site.setdefault(site_id, []).append(record_id)
    found: dict[tuple[int, str], dict] = {}
    for site_id, record_ids in by_site.items():
        for start in range(0, len(record_ids), 500):
            stmt = (
                select(Reading, Case.id.label("case_id"))
                .outerjoin(Case, Case.reading_id == Reading.id)
                .where(Reading.site_id == site_id, Reading.record_id.in_(record_ids[start : start + 500]))
            )
            for reading, case_id in db.session.execute(stmt):
                found[(reading.site_id, reading.record_id)] = duplicate_result(reading, case_id)
    return found


def duplicate_result(reading: Reading, case_id: int | None) -> dict:
    result = {"status": "duplicate", "reading_id": reading.id}
    for name in CLASS_FIELDS:
        result[name] = getattr(reading, name)
    result["overlimit_kg"] = _kg(reading.overlimit_kg)
    result["plate_valid"] = reading.plate_valid
    result["permit_status"] = reading.permit_status
    result["dimension_overlimit"] = reading.dimension_overlimit or []
    result["case_id"] = case_id
    return result


def _write_outbox(reading_ids, case_ids, site_days, now) -> None:
    from service.outbox import mark_outbox_written

    db.session.connection().execute(
        insert_for(OutboxEvent.__table__),
        [
            {
                "topic": READINGS_TOPIC,
                "payload": {
                    "reading_ids": reading_ids,
                    "case_ids": case_ids,
                    "site_days": sorted([s, d] for s, d in site_days),
                },
                "created_at": now,
                "attempts": 0,
            }
        ],
    )
    mark_outbox_written()  # the commit asks for the drain (service/outbox.py)
