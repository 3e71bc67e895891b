"""The party's own channel (行政处罚法 第四十一条第三款): query the record, see the
evidence and state a case, with the plate and the code printed on the notice."""

from __future__ import annotations

import hmac
import logging

import redis
from flask import current_app
from sqlalchemy import select

from models import Case, PartyMatter
from service.extensions import db
from service.procedure.matter_ops import hash_party_code
from service.queueing import get_redis
from service.rules import normalise_plate

log = logging.getLogger(__name__)
WINDOW_S = 15 * 60


def too_many_attempts(client_key: str) -> bool:
    """A fixed-window counter in Redis, shared by every web host.

    The code has ~40 bits, so guessing is hopeless even unthrottled: when Redis is
    down the page stays open (logged) rather than locking parties out."""
    key = f"zhichao:party:attempts:{client_key}"
    try:
        pipe = get_redis(current_app).pipeline()
        pipe.set(key, 0, ex=WINDOW_S, nx=True)  # the window starts at the first attempt
        pipe.incr(key)
        _, count = pipe.execute()
    except redis.RedisError:
        log.warning("party page: Redis unreachable, rate limit not applied")
        return False
    return count > current_app.config["PARTY_ATTEMPTS_PER_15_MIN"]


def find_matter(plate: str, code: str) -> PartyMatter | None:
    """The matter whose notice carries this plate and code; None reveals nothing either way."""
    plate = normalise_plate(plate or "") or ""
    digest = hash_party_code(code or "")
    matters = db.session.scalars(
        select(PartyMatter)
        .join(Case, Case.id == PartyMatter.case_id)
        .where(Case.plate == plate, PartyMatter.party_code_hash.is_not(None))
    )
    for matter in matters:
        if hmac.compare_digest(matter.party_code_hash, digest):
            return matter
    return None
