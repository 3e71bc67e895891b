"""Storing loadings in bulk: one INSERT … ON CONFLICT (weighbridge_id, record_id) DO NOTHING
RETURNING per batch, the statement built once per column set and dialect — the same technique as
the readings' hot path (service/ingest/store.py)."""

from __future__ import annotations

import functools
from datetime import UTC

from sqlalchemy import text

from models import Loading
from service.extensions import db
from service.ingest.store import _pg_type

KEY = ("weighbridge_id", "record_id")


def insert_loadings(params: list[dict]) -> dict[tuple[int, str], int]:
    """The new rows' ids by (weighbridge_id, record_id); a key already stored is left out."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _insert_pg(params)
    return _insert_sqlite(params)


def _insert_sqlite(params: list[dict]) -> dict[tuple[int, str], int]:
    connection = db.session.connection()
    columns, processors = _sqlite_columns(connection.dialect, frozenset(k for k in params[0] if k[0] != "_"))
    row_sql = "(" + ", ".join("?" * len(columns)) + ")"
    found: dict[tuple[int, str], int] = {}
    for start in range(0, len(params), 500):
        chunk = params[start : start + 500]
        flat = []
        for p in chunk:
            for name, process in processors:
                value = p.get(name)
                flat.append(process(value) if process is not None and value is not None else value)
        sql = (
            f"INSERT INTO loadings ({', '.join(columns)}) VALUES {', '.join([row_sql] * len(chunk))} "
            "ON CONFLICT (weighbridge_id, record_id) DO NOTHING RETURNING id, weighbridge_id, record_id"
        )
        for loading_id, bridge_id, record_id in connection.exec_driver_sql(sql, tuple(flat)):
            found[(bridge_id, record_id)] = loading_id
    return found


@functools.cache
def _sqlite_columns(dialect, keys: frozenset):
    cols = [c for c in Loading.__table__.columns if c.key in keys]
    return [c.name for c in cols], [(c.key, c.type._cached_bind_processor(dialect)) for c in cols]


def _insert_pg(params: list[dict]) -> dict[tuple[int, str], int]:
    sql, columns = _pg_plan(frozenset(k for k in params[0] if k[0] != "_"))
    arrays = {}
    for key, kind in columns:
        values = [p.get(key) for p in params]
        if kind == "double precision":
            values = [None if v is None else float(v) for v in values]
        elif kind == "timestamptz":
            values = [v.astimezone(UTC) if v is not None else None for v in values]
        arrays[key] = values
    return {(r.weighbridge_id, r.record_id): r.id for r in db.session.connection().execute(sql, arrays)}


@functools.cache
def _pg_plan(keys: frozenset):
    columns = [c for c in Loading.__table__.columns if c.key in keys]
    names = ", ".join(c.name for c in columns)
    unnest = ", ".join(f"CAST(:{c.key} AS {_pg_type(c)}[])" for c in columns)
    sql = text(
        f"INSERT INTO loadings ({names}) SELECT {names} FROM unnest({unnest}) AS u({names}) "
        "ON CONFLICT (weighbridge_id, record_id) DO NOTHING RETURNING id, weighbridge_id, record_id"
    )
    return sql, [(c.key, _pg_type(c)) for c in columns]
