"""指使强令者 (domain-rules §4.2, F-INSTIGATE): an officer or a source investigator records on a case
that a named person or enterprise instructed or forced the driver to overload, with the evidence;
that opens the instigator's party matter with the transport authority (公路安全保护条例 第六十八条:
责令改正, 3万元以下罚款), tracked here like the other authorities' matters (移送 → 签收 → 结果).

When: from the case's confirmation on (the over-limit act is established by the review), for as
long as the case is open. Not only after the owner's decision, unlike the matters the law opens
by itself (service/procedure/law_matters.py): instigation is the instigator's own offence, learnt
when the driver or the trace shows it, and the transport authority decides it on its own facts.
A dismissal withdraws it with every other open matter (case_ops.approve_dismissal).
"""

from __future__ import annotations

from models import Enterprise, User
from models.case import OPEN_STATUSES
from service import clock
from service.config import rule_settings
from service.errors import DomainError
from service.extensions import db
from service.procedure.case_ops import open_matter
from service.procedure.engine import Effect
from service.rules.deadlines import add_working_days
from service.rules.instigator import instigator_basis

# Confirmed and not finished (awaiting review or dismissal, nothing is established yet).
RECORDABLE = tuple(s for s in OPEN_STATUSES if s not in ("pending_review", "dismissal_requested"))
RECORDERS = ("officer", "supervisor", "investigator")
NAME_MAX = 128
REASON_MAX = 2000


def record(case, actor: User, name: str | None = None, enterprise_id: int | None = None, reason: str = "") -> Effect:
    """登记指使强令者: the instigator's matter, to be sent to the transport authority."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("须写明指使、强令的事实和证据", 422, {"reason": ["必填"]})
    if len(reason) > REASON_MAX:
        raise DomainError(f"事实和证据不超过 {REASON_MAX} 字", 422, {"reason": [f"不超过 {REASON_MAX} 字"]})
    name, enterprise = _party(name, enterprise_id)
    for other in case.matters:
        same = (enterprise is not None and other.enterprise_id == enterprise.id) or other.party_name == name
        if other.party == "instigator" and other.status != "withdrawn" and same:
            raise DomainError(f"本案已登记指使强令者「{name}」", 409)
    settings = rule_settings()
    basis = instigator_basis(clock.local_date(case.captured_at), settings).to_dict()
    basis["facts"] = reason
    matter = open_matter(
        case, "instigator", "transport_authority", basis, name=name, enterprise_id=enterprise.id if enterprise else None
    )
    # Sent within the working days any tracked matter is (a setting, by analogy with X-TRANSPORT-7WD).
    matter.due_on = add_working_days(clock.today(), settings.tracked_send_working_days, settings)
    data = {"matter_id": matter.id, "party_name": name, "enterprise_id": matter.enterprise_id,
            "rule_id": basis["rule_id"], "rule_version": basis["rule_version"]}  # fmt: skip
    return Effect(reason=reason, data=data, result=matter)


def _party(name: str | None, enterprise_id: int | None) -> tuple[str, Enterprise | None]:
    """A registered enterprise (any kind: the transport enterprise, the source, a consignor), or a
    person or unit named as written."""
    if enterprise_id is not None:
        enterprise = db.session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise DomainError("登记簿中没有该企业", 422, {"enterprise_id": ["不存在"]})
        return enterprise.name, enterprise
    name = (name or "").strip()
    if not name:
        raise DomainError("须填写指使强令者的姓名或名称，或选择登记簿中的企业", 422, {"name": ["必填"]})
    if len(name) > NAME_MAX:
        raise DomainError(f"姓名或名称不超过 {NAME_MAX} 字", 422, {"name": [f"不超过 {NAME_MAX} 字"]})
    return name, None
