"""Blacklist B-4 (交办公路〔2017〕8号, domain-rules §3.2): a vehicle repairer whose licence was revoked
for illegal modification serious enough to lose it. The service learns of it only from a
supervisor, who records the revoking authority's decision (number and date); the repairer is
listed from that date. Audited; a decision number is recorded once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import RepairerRevocation, User
from service import audit, clock
from service.errors import DomainError
from service.extensions import db
from service.rules import normalise_uscc, uscc_is_valid

RECORDERS = ("supervisor",)


def record_revocation(
    actor: User,
    *,
    name: str,
    decision_number: str,
    decided_on: date,
    authority: str,
    uscc: str | None = None,
    note: str | None = None,
) -> RepairerRevocation:
    if actor.role not in RECORDERS:
        raise DomainError("只有执法负责人可以登记维修企业被吊销资质的决定", 403)
    errors = {}
    if not (name or "").strip():
        errors["name"] = ["必填"]
    if not (decision_number or "").strip():
        errors["decision_number"] = ["必填"]
    if not (authority or "").strip():
        errors["authority"] = ["必填"]
    if decided_on is None or decided_on > clock.today():
        errors["decided_on"] = ["须填写，且不能晚于今天"]
    code = normalise_uscc(uscc) if uscc else None
    if code and not uscc_is_valid(code):
        errors["uscc"] = ["统一社会信用代码无效"]
    if errors:
        raise DomainError("维修企业吊销资质决定的信息不完整或不正确", 422, errors)
    number = decision_number.strip()
    if db.session.scalar(select(RepairerRevocation.id).where(RepairerRevocation.decision_number == number)):
        raise DomainError(f"决定书 {number} 已登记", 409, {"decision_number": ["已登记"]})
    row = RepairerRevocation(
        name=name.strip(), uscc=code, decision_number=number, decided_on=decided_on, authority=authority.strip(),
        note=(note or "").strip() or None, recorded_at=clock.now(), recorded_by_id=actor.id,
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    audit.record(
        "repairer.revocation", "repairer", row.id, actor=actor.username, actor_user_id=actor.id,
        reason=row.note, data={"name": row.name, "decision_number": number, "decided_on": decided_on.isoformat(),
                               "authority": row.authority},
    )  # fmt: skip
    return row


def revocations() -> list[RepairerRevocation]:
    return list(db.session.scalars(select(RepairerRevocation).order_by(RepairerRevocation.decided_on.desc())))
