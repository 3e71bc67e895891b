"""Storing readings in bulk: one INSERT … ON CONFLICT DO NOTHING RETURNING per batch, built once
per column set and dialect (the hot path of every device post)."""

from __future__ import annotations

import functools
import json
from datetime import UTC

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from models import Reading
from service.extensions import db


def insert_for(model):
    """The dialect's INSERT of `model`'s table (ON CONFLICT support), one object per table."""
    return _insert_for(db.session.get_bind().dialect.name, model)


@functools.cache
def _insert_for(dialect: str, model):
    """One statement object per table and dialect: SQLAlchemy's compiled cache then
    finds it without building a cache key from a new statement on every post."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def insert_readings_sqlite(params: list[dict]) -> dict[tuple[int, str], int]:
    """SQLite: the readings of a batch (see `insert_new_sqlite`), keyed by (site_id, record_id)."""
    return insert_new_sqlite(Reading, ("site_id", "record_id"), params)


def insert_new_sqlite(model, key: tuple[str, str], params: list[dict]) -> dict[tuple[int, str], int]:
    """SQLite: INSERT … VALUES (…), (…) ON CONFLICT (key) DO NOTHING RETURNING, 500 rows at a time;
    the new rows' ids by key, a key already stored left out.

    The values go through each column type's own bind processor, so they are stored
    exactly as an ORM insert would store them; only SQLAlchemy's per-row bookkeeping
    (about a third of a batch's time) is skipped. Keys starting with "_" are not columns."""
    connection = db.session.connection()
    columns, processors = _sqlite_columns(connection.dialect, model, frozenset(params[0]))
    row_sql = "(" + ", ".join("?" * len(columns)) + ")"
    conflict = f"ON CONFLICT ({', '.join(key)}) DO NOTHING RETURNING id, {', '.join(key)}"
    found: dict[tuple[int, str], int] = {}
    for start in range(0, len(params), 500):
        chunk = params[start : start + 500]
        flat = []
        for p in chunk:
            for name, process in processors:
                value = p.get(name)
                flat.append(process(value) if process is not None and value is not None else value)
        sql = (
            f"INSERT INTO {model.__tablename__} ({', '.join(columns)}) "
            f"VALUES {', '.join([row_sql] * len(chunk))} {conflict}"
        )
        for row_id, owner_id, record_id in connection.exec_driver_sql(sql, tuple(flat)):
            found[(owner_id, record_id)] = row_id
    return found


@functools.cache
def _sqlite_columns(dialect, model, keys: frozenset) -> tuple[list[str], list[tuple[str, object]]]:
    table_columns = [c for c in model.__table__.columns if c.key in keys]
    return [c.name for c in table_columns], [(c.key, c.type._cached_bind_processor(dialect)) for c in table_columns]


_PG_TYPES = {
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "FLOAT": "double precision",
    "BOOLEAN": "boolean",
    "JSON": "text",
    "DATE": "date",
}


def _pg_type(column) -> str:
    name = type(column.type).__name__.upper()
    if name == "UTCDATETIME":
        return "timestamptz"
    if name in ("VARCHAR", "STRING", "TEXT"):
        return "text"
    return _PG_TYPES.get(name, "text")


def insert_readings_pg(params: list[dict]) -> dict[tuple[int, str], int]:
    """PostgreSQL: the readings of a batch (see `insert_new_pg`), keyed by (site_id, record_id)."""
    if len(params) <= 20:  # a device posting a vehicle at a time: plain VALUES is cheaper than arrays
        stmt = _pg_values_insert()
        table = Reading.__table__
        rows = [{c.key: p.get(c.key) for c in table.columns if c.key in p} for p in params]
        return {(r.site_id, r.record_id): r.id for r in db.session.connection().execute(stmt, rows)}
    return insert_new_pg(Reading, ("site_id", "record_id"), params)


def insert_new_pg(model, key: tuple[str, str], params: list[dict]) -> dict[tuple[int, str], int]:
    """PostgreSQL: one INSERT … SELECT FROM unnest(arrays) ON CONFLICT (key) DO NOTHING RETURNING,
    one array per column; the new rows' ids by key.

    The multi-row VALUES form has ~30 placeholders per row; psycopg re-parses such a
    long query text on every batch, which cost about half the server's time. With
    unnest the statement text is the same for every batch."""
    sql, columns = _pg_insert_plan(model, key, frozenset(params[0]))
    arrays = {}
    for name, kind in columns:
        values = [p.get(name) for p in params]
        if kind == "json":
            values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        elif kind == "double precision":
            # psycopg refuses a list that mixes int and float ("cannot dump lists of mixed
            # types"): speed 60 and 60.5, or overlimit_kg 0 and 500.5, in one batch.
            values = [None if v is None else float(v) for v in values]
        elif kind == "timestamptz":
            values = [v.astimezone(UTC) if v is not None else None for v in values]
        arrays[name] = values
    owner, record = key
    return {(getattr(r, owner), getattr(r, record)): r.id for r in db.session.connection().execute(sql, arrays)}


@functools.cache
def _pg_values_insert():
    table = Reading.__table__
    return (
        postgresql.insert(table)
        .on_conflict_do_nothing(index_elements=["site_id", "record_id"])
        .returning(table.c.id, table.c.site_id, table.c.record_id)
    )


@functools.cache
def _pg_insert_plan(model, key: tuple[str, str], keys: frozenset):
    """The statement (built once per table and set of columns, so SQLAlchemy and psycopg reuse it)."""
    columns = [c for c in model.__table__.columns if c.key in keys]
    kinds = ["json" if type(c.type).__name__ == "JSON" else _pg_type(c) for c in columns]
    names = ", ".join(c.name for c in columns)
    selects = ", ".join(
        f"u.{c.name}::json" if k == "json" else f"u.{c.name}" for c, k in zip(columns, kinds, strict=True)
    )
    unnest = ", ".join(f"CAST(:{c.key} AS {_pg_type(c)}[])" for c in columns)
    sql = text(
        f"INSERT INTO {model.__tablename__} ({names}) SELECT {selects} FROM unnest({unnest}) AS u({names}) "
        f"ON CONFLICT ({', '.join(key)}) DO NOTHING RETURNING id, {', '.join(key)}"
    )
    return sql, [(c.key, k) for c, k in zip(columns, kinds, strict=True)]
