"""Whole-database fixtures for migration tests: `dump` a database to plain JSON, `load` it into another.

A migration test builds a database at an old revision, loads what the old code stored there (the
fixture was dumped from it while that code existed), upgrades to the new head and compares. So
neither function uses the models: both work on the tables as reflected from the connected
database, on SQLite and PostgreSQL alike.

The dump, as JSON::

    {"format": "zhichao-table-dump/1", "dialect": "sqlite", "revision": "8b663364eb5e",
     "tables": {"users": {"columns": ["id", …], "types": ["integer", …], "rows": [[1, …], …]}, …}}

Tables come in foreign-key order (parents first), rows in primary-key order. Each column's type
says how its values are written:

* ``datetime`` — ISO 8601. An aware value (PostgreSQL ``timestamptz``) is written in UTC with
  ``+00:00``; a naive one (SQLite, which has no time zones) is written without an offset, as
  stored. The service stores naive UTC on SQLite (``models.base.UTCDateTime``), so `load`
  reads a naive value as UTC on a database with time zones, and stores every value as naive UTC
  on SQLite.
* ``date``, ``time`` — ISO 8601; ``numeric`` — the decimal as a string (exact);
  ``binary`` — base64; ``integer``, ``float``, ``boolean``, ``string`` — JSON's own values.
* ``json`` — the stored document itself; ``null`` is SQL NULL. A column holding the JSON document
  ``null`` (not SQL NULL) lists those rows' positions under ``"json_nulls": {column: [i, …]}``.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, Table, Text, bindparam, cast, func, select, text
from sqlalchemy import types as sqltypes
from sqlalchemy.schema import sort_tables_and_constraints

FORMAT = "zhichao-table-dump/1"
SKIP = frozenset({"alembic_version"})
CHUNK = 1000


def _kind(column) -> str:
    t = column.type
    for cls, name in (
        (sqltypes.JSON, "json"),
        (sqltypes.DateTime, "datetime"),
        (sqltypes.Date, "date"),
        (sqltypes.Time, "time"),
        (sqltypes.Boolean, "boolean"),
        (sqltypes.Float, "float"),  # before Numeric: Float is a Numeric
        (sqltypes.Numeric, "numeric"),
        (sqltypes.Integer, "integer"),
        (sqltypes.LargeBinary, "binary"),
        (sqltypes.String, "string"),
    ):
        if isinstance(t, cls):
            return name
    raise TypeError(f"{column.table.name}.{column.name}: no dump format for column type {t!r}")


def _reflect(connection: Connection) -> MetaData:
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return metadata


def _revision(connection: Connection, metadata: MetaData) -> str | None:
    if "alembic_version" not in metadata.tables:
        return None
    revisions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return ",".join(sorted(revisions)) or None


# --------------------------------------------------------------------------- dump


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if kind in ("date", "time"):
        return value.isoformat()
    if kind == "numeric":
        return str(value)
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "boolean":
        return bool(value)
    return value


def _dump_table(connection: Connection, table: Table) -> dict:
    columns = list(table.columns)
    kinds = [_kind(c) for c in columns]
    # JSON documents are read as their text, so that a stored JSON `null` is told from SQL NULL.
    selected = [cast(c, Text).label(c.name) if k == "json" else c for c, k in zip(columns, kinds, strict=True)]
    order = list(table.primary_key.columns) or columns
    rows, json_nulls = [], {}
    for i, raw in enumerate(connection.execute(select(*selected).order_by(*order))):
        row = []
        for column, kind, value in zip(columns, kinds, raw, strict=True):
            if kind == "json" and value is not None:
                value = json.loads(value)
                if value is None:
                    json_nulls.setdefault(column.name, []).append(i)
            row.append(_encode(kind, value))
        rows.append(row)
    out = {"columns": [c.name for c in columns], "types": kinds, "rows": rows}
    if json_nulls:
        out["json_nulls"] = json_nulls
    return out


def dump(connection: Connection) -> dict:
    """Every table but alembic_version, as JSON-safe values (see the module docstring)."""
    metadata = _reflect(connection)
    return {
        "format": FORMAT,
        "dialect": connection.dialect.name,
        "revision": _revision(connection, metadata),
        "tables": {t.name: _dump_table(connection, t) for t in _sorted_tables(metadata) if t.name not in SKIP},
    }


# --------------------------------------------------------------------------- load


def _decoder(kind: str, column, dialect: str) -> Callable[[Any], Any]:
    if kind == "datetime":
        if dialect == "sqlite":
            return lambda v: _naive_utc(datetime.fromisoformat(v))
        if getattr(column.type, "timezone", False):
            return lambda v: _aware(datetime.fromisoformat(v))
        return lambda v: _naive_utc(datetime.fromisoformat(v))
    return {
        "date": date.fromisoformat,
        "time": time.fromisoformat,
        "numeric": Decimal,
        "binary": base64.b64decode,
        "boolean": bool,
    }.get(kind, lambda v: v)


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _sorted_tables(metadata: MetaData) -> list[Table]:
    """Parents before children (cycles, if any, are broken by `_postponed`)."""
    return [t for t, _ in sort_tables_and_constraints(metadata.sorted_tables) if t is not None]


def _postponed(metadata: MetaData) -> dict[str, set[str]]:
    """Foreign-key columns written NULL first and set once every row is in: self references
    (cases.merged_into_id) and any constraint in a cycle between tables."""
    out: dict[str, set[str]] = {}
    for table in metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table is table:
                out.setdefault(table.name, set()).add(fk.parent.name)
    cycles = [fkcs for t, fkcs in sort_tables_and_constraints(metadata.sorted_tables) if t is None]
    for fkcs in cycles:
        for fkc in fkcs:
            out.setdefault(fkc.table.name, set()).update(c.name for c in fkc.columns)
    return out


def _rows(table: Table, spec: dict, dialect: str) -> list[dict]:
    names = spec["columns"]
    unknown = [n for n in names if n not in table.c]
    if unknown:
        raise ValueError(f"{table.name}: the database has no column {', '.join(unknown)}")
    decoders = [_decoder(k, table.c[n], dialect) for n, k in zip(names, spec["types"], strict=True)]
    rows = [
        {n: None if v is None else d(v) for n, d, v in zip(names, decoders, raw, strict=True)} for raw in spec["rows"]
    ]
    for name, positions in spec.get("json_nulls", {}).items():
        for i in positions:
            rows[i][name] = sqltypes.JSON.NULL
    return rows


def _load_table(connection: Connection, table: Table, spec: dict, later: set[str]) -> list[dict]:
    """Insert the rows with the postponed columns NULL; returns the updates still to make."""
    for column in table.columns:
        if isinstance(column.type, sqltypes.JSON):
            column.type.none_as_null = True  # None is SQL NULL; a JSON null comes as JSON.NULL
    rows = _rows(table, spec, connection.dialect.name)
    updates = []
    key = [c.name for c in table.primary_key.columns]
    for row in rows:
        deferred = {c: row[c] for c in later if c in row and row[c] is not None}
        if deferred:
            updates.append({**{f"k_{k}": row[k] for k in key}, **{f"v_{c}": v for c, v in deferred.items()}})
            row.update(dict.fromkeys(deferred))
    for start in range(0, len(rows), CHUNK):
        connection.execute(table.insert(), rows[start : start + CHUNK])
    return updates


def _apply_updates(connection: Connection, table: Table, updates: list[dict]) -> None:
    key = [c.name for c in table.primary_key.columns]
    for update in updates:  # few rows: one statement each, only the columns this row sets
        values = {k[2:]: bindparam(k) for k in update if k.startswith("v_")}
        where = [table.c[k] == bindparam(f"k_{k}") for k in key]
        connection.execute(table.update().where(*where).values(values), update)


def _reset_sequences(connection: Connection, table: Table) -> None:
    """PostgreSQL: the next id after the loaded ones (serial and identity columns)."""
    key = list(table.primary_key.columns)
    if len(key) != 1 or not isinstance(key[0].type, sqltypes.Integer):
        return
    sequence = connection.scalar(select(func.pg_get_serial_sequence(table.name, key[0].name)))
    if sequence is None:
        return
    top = connection.scalar(select(func.max(key[0])))
    if top is None:
        connection.execute(select(func.setval(sequence, 1, False)))
    else:
        connection.execute(select(func.setval(sequence, top, True)))


def load(connection: Connection, data: dict) -> dict[str, int]:
    """Insert a dump's rows into the tables of the connected database (which must be at the
    dump's revision and empty). Commits nothing: the caller does. Returns rows per table."""
    if data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} dump: {data.get('format')!r}")
    metadata = _reflect(connection)
    missing = sorted(set(data["tables"]) - set(metadata.tables))
    if missing:
        raise ValueError(f"the database has no table {', '.join(missing)}")
    postponed = _postponed(metadata)
    pending: list[tuple[Table, list[dict]]] = []
    loaded = {}
    for table in _sorted_tables(metadata):
        spec = data["tables"].get(table.name)
        if spec is None:
            continue
        updates = _load_table(connection, table, spec, postponed.get(table.name, set()))
        if updates:
            pending.append((table, updates))
        loaded[table.name] = len(spec["rows"])
    for table, updates in pending:
        _apply_updates(connection, table, updates)
    if connection.dialect.name == "postgresql":
        for table in _sorted_tables(metadata):
            if table.name in loaded:
                _reset_sequences(connection, table)
    return loaded


# --------------------------------------------------------------------------- files


def _lines(data: dict):
    head = {k: v for k, v in data.items() if k != "tables"}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ',"tables":{'
    for i, (name, spec) in enumerate(data["tables"].items()):
        meta = {k: v for k, v in spec.items() if k != "rows"}
        yield ("," if i else "") + f"\n{json.dumps(name)}:" + json.dumps(meta, ensure_ascii=False)[:-1] + ',"rows":['
        for j, row in enumerate(spec["rows"]):
            yield ("," if j else "") + "\n" + json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        yield "]}"
    yield "}}\n"


def save(data: dict, path: Path) -> None:
    """gzip'd JSON with one table row per line (readable with zcat), the same bytes for the same data."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        for chunk in _lines(data):
            gz.write(chunk.encode("utf-8"))


def read(path: Path) -> dict:
    with gzip.open(path, "rb") as gz:
        return json.loads(gz.read().decode("utf-8"))
