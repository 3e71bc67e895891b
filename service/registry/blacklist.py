"""The blacklist (严重违法失信超限超载运输当事人名单, domain-rules §3.2) as it stands: who is listed
under B-1..B-5, since when and until when.

* B-1 a vehicle, B-2 a driver with more than 3 violations in the cycle (the 4th decided one
  lists it, on the day of that decision);
* B-3 a transport enterprise over R-ENT-10's 10 % **and** ordered to 停业整顿 (listed on the day of
  the order);
* B-5 an instigator (指使强令) fined ≥ 20 000 yuan, or penalised ≥ 3 times within a year, by the
  transport authority's decisions recorded on the instigator matters (service/procedure/instigator.py;
  listed on the day of the decision that met the condition, service/rules/instigator.assess_b5);
* B-4 a vehicle repairer whose licence was revoked for illegal modification: the service regulates
  no repairers and no weighing or case names one, so it lists one only from the revoking
  authority's decision a supervisor recorded (service/supervision/repairers.py), from its date.

The listing ends after `blacklist_valid_years` ([PROV Shitai] 2; None: no end computed).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select

from models import Case, Enterprise, PartyMatter, RepairerRevocation
from service.config import rule_settings
from service.extensions import db
from service.registry.repeat import listed
from service.rules import blacklist_listing_ends
from service.rules.instigator import Penalty, assess_b5
from service.rules.repeat import MORE_THAN_TIMES

SITUATIONS = {
    "B-1": "1年内违法超限运输超过3次的货运车辆",
    "B-2": "1年内违法超限运输超过3次的货运车辆驾驶人",
    "B-3": "违法超限运输车辆超过本单位货运车辆总数10%且被责令停业整顿的道路运输企业",
    "B-4": "非法改装车辆情节严重被吊销资质的维修企业（依执法负责人登记的吊销资质决定）",
    "B-5": "指使、强令驾驶人超限运输，罚款2万元以上或1年内受罚3次以上（依指使强令者事项登记的交通运输主管部门处罚决定）",
}
SUBJECTS = {
    "vehicle": "车辆",
    "driver": "驾驶人",
    "enterprise": "运输企业",
    "instigator": "指使强令者",
    "repairer": "维修企业",
}
BASIS = "交通运输部办公厅《关于界定严重违法失信超限超载运输行为和相关责任主体有关事项的通知》（交办公路〔2017〕8号）"


def _fourth_decision(status: dict) -> date | None:
    days = sorted(c["decided_on"] for c in status.get("cases", []) if c.get("counted") and c.get("decided_on"))
    return date.fromisoformat(days[MORE_THAN_TIMES]) if len(days) > MORE_THAN_TIMES else None


def entries() -> list[dict]:
    """Every party listed now, with its situation, listing day and end."""
    settings = rule_settings()
    out = []
    for kind, code, name_of in (
        ("vehicle", "B-1", lambda s: s["plate"]),
        ("driver", "B-2", lambda s: s.get("name") or f"驾驶人 {s['driver_id']}"),
    ):
        for status in listed(kind):
            if code in status.get("blacklist", ()):
                listed_on = _fourth_decision(status)
                out.append(_entry(code, kind, name_of(status), status, listed_on, settings))
    for status in listed("enterprise"):
        if "B-3" in status.get("blacklist", ()):
            enterprise = db.session.get(Enterprise, status.get("enterprise_id"))
            ordered = enterprise.suspension_ordered_at if enterprise else None
            listed_on = ordered.date() if ordered else None
            out.append(_entry("B-3", "enterprise", enterprise.name if enterprise else "—", status, listed_on, settings))
    out += repairer_entries(settings)
    out += instigator_entries(settings)
    return out


def repairer_entries(settings=None, enterprise: Enterprise | None = None) -> list[dict]:
    """B-4: each repairer by the revocation decision recorded for it (only `enterprise`'s: by its
    统一社会信用代码, or by its exact name where the decision was recorded without one)."""
    settings = settings or rule_settings()
    query = select(RepairerRevocation).order_by(RepairerRevocation.decided_on, RepairerRevocation.id)
    if enterprise is not None:
        query = query.where(
            or_(
                RepairerRevocation.uscc == enterprise.uscc,
                and_(RepairerRevocation.uscc.is_(None), RepairerRevocation.name == enterprise.name),
            )
        )
    rows = db.session.scalars(query)
    return [{
        "code": "B-4", "situation": SITUATIONS["B-4"], "subject": "repairer", "name": r.name,
        "listed_on": r.decided_on, "ends_on": blacklist_listing_ends(r.decided_on, settings), "statutory_count": None,
        "rule_id": "B-4", "reason": f"{r.authority} {r.decision_number} 吊销资质" + (f"：{r.note}" if r.note else ""),
        "basis": BASIS, "decision_numbers": [r.decision_number], "case_numbers": [],
    } for r in rows]  # fmt: skip


def instigator_entries(settings=None, enterprise_id: int | None = None) -> list[dict]:
    """B-5: each instigator (a registered enterprise, else the name as recorded) by the decisions
    the transport authority recorded on its matters (only the registered enterprise `enterprise_id`'s)."""
    settings = settings or rule_settings()
    query = (
        select(PartyMatter, Case)
        .join(Case, Case.id == PartyMatter.case_id)
        .where(PartyMatter.party == "instigator", PartyMatter.status == "closed")
        .order_by(PartyMatter.id)
    )
    if enterprise_id is not None:
        query = query.where(PartyMatter.enterprise_id == enterprise_id)
    rows = db.session.execute(query).all()
    parties: dict[tuple, dict] = {}
    for matter, case in rows:
        outcome = matter.outcome or {}
        if not outcome.get("decided_on"):
            continue  # closed as 无法查明: nobody was decided against
        key = ("enterprise", matter.enterprise_id) if matter.enterprise_id else ("name", matter.party_name)
        party = parties.setdefault(key, {"name": matter.party_name, "enterprise_id": matter.enterprise_id, "of": {}})
        penalty = Penalty(date.fromisoformat(outcome["decided_on"]), outcome.get("fine_yuan"),
                          outcome.get("decision_number") or "")  # fmt: skip
        party["of"][penalty] = case.case_number
    out = []
    for party in parties.values():
        found = assess_b5(list(party["of"]))
        if found is None:
            continue
        out.append({
            "code": "B-5", "situation": SITUATIONS["B-5"], "subject": "instigator", "name": party["name"],
            "enterprise_id": party["enterprise_id"], "listed_on": found.listed_on,
            "ends_on": blacklist_listing_ends(found.listed_on, settings), "statutory_count": len(found.penalties),
            "rule_id": "B-5", "reason": found.reason, "basis": BASIS,
            "decision_numbers": [p.decision_number for p in found.penalties],
            "case_numbers": [party["of"][p] for p in found.penalties],
        })  # fmt: skip
    return out


def _entry(code: str, kind: str, name: str, status: dict, listed_on: date | None, settings) -> dict:
    return {
        "code": code,
        "situation": SITUATIONS[code],
        "subject": kind,
        "name": name,
        "listed_on": listed_on,
        "ends_on": blacklist_listing_ends(listed_on, settings) if listed_on else None,
        "statutory_count": status.get("statutory_count"),
        "rule_id": status.get("rule_id"),
        "basis": BASIS,
        "case_numbers": [c["case_number"] for c in status.get("cases", []) if c.get("counted")],
    }


def workbook(rows: list[dict]) -> bytes:
    """The list as a workbook: Chinese headers, real dates."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append(["情形", "说明", "对象", "名称", "列入日期", "届满日期", "法定周期内次数", "依据案件", "列入理由"])
    subjects = SUBJECTS
    for r in rows:
        sheet.append([r["code"], r["situation"], subjects.get(r["subject"], r["subject"]), r["name"], r["listed_on"],
                      r["ends_on"], r["statutory_count"], "、".join(r["case_numbers"]), r.get("reason")])  # fmt: skip
    for column in ("E", "F"):
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
