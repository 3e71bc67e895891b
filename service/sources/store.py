"""Storing loadings in bulk: the readings' hot path (service/ingest/store.py) on the loadings
table, keyed by (weighbridge_id, record_id)."""

from __future__ import annotations

from models import Loading
from service.extensions import db
from service.ingest.store import insert_new_pg, insert_new_sqlite

KEY = ("weighbridge_id", "record_id")


def insert_loadings(params: list[dict]) -> dict[tuple[int, str], int]:
    """The new rows' ids by (weighbridge_id, record_id); a key already stored is left out."""
    if db.session.get_bind().dialect.name == "postgresql":
        return insert_new_pg(Loading, KEY, params)
    return insert_new_sqlite(Loading, KEY, params)
