"""Locks by key, always taken in one order, so work on shared rows cannot deadlock.

Several workers drain the outbox at once. Two drains may touch the same plate (its cases'
prior counts, a re-weigh link, its 百吨王 watch entry) from different readings; if each
locked the rows it meets in its own order they would wait for each other for ever (PostgreSQL
detects it and kills one: a deadlock). Instead, a transaction that works on plates first
takes one lock per plate, all at once, in ascending key order, and only then touches the
plates' rows: two such transactions never hold what the other waits for.

PostgreSQL only: transaction-level advisory locks, released at commit or rollback. SQLite
admits one writer at a time, which already serialises the work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import text

from service.extensions import db

PLATE_LOCKS = 0x5A43_0001  # namespace of pg_advisory_xact_lock(namespace, key) for plates
_LOCK = text("SELECT count(pg_advisory_xact_lock(CAST(:ns AS integer), k)) FROM unnest(CAST(:keys AS integer[])) AS k")


def plate_key(plate: str) -> int:
    """A stable 32-bit key per plate (two plates sharing one only wait for each other)."""
    return int.from_bytes(hashlib.blake2b(plate.encode(), digest_size=4).digest(), "big", signed=True)


def lock_plates(plates: Iterable[str | None]) -> None:
    """Take the lock of every plate for the rest of this transaction, in ascending key order.

    Call it before touching any row of those plates, with every plate the transaction will
    touch (one call per transaction: a second call could take a lower key after a higher one)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({plate_key(p) for p in plates if p})
    if keys:
        # unnest yields the array in order, and the locks are taken in that order.
        db.session.execute(_LOCK, {"ns": PLATE_LOCKS, "keys": keys})
