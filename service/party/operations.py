"""The party's own channel (行政处罚法 第四十一条第三款): query the record, see the
evidence and state a case, with the plate and the code printed on the notice."""

from __future__ import annotations

import hmac

from sqlalchemy import select

from models import Case, PartyMatter
from service.extensions import db
from service.procedure.matter_ops import hash_party_code
from service.rules import normalise_plate


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
