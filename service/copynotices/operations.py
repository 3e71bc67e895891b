"""Copy notices (抄告, X-TRANSPORT-7WD): opened when a case closes, due within 7 working days,
holding what 62号令 Art 44 (Art 45 after 2021) names; marked sent with the reference."""

from __future__ import annotations

from sqlalchemy import select

from models import Case, CopyNotice, Driver, Enterprise, Reading, Site, User, Vehicle
from models.reading import PLATE_COLOR_LABELS
from service import audit, clock
from service.config import rule_settings
from service.errors import DomainError
from service.extensions import db
from service.rules import copy_notice_due

VEHICLE_CN = {"truck": "货车", "combination": "汽车列车"}


def open_for(case: Case) -> CopyNotice | None:
    """The case has closed: its copy notice, due 7 working days later (once per case)."""
    if case.status != "closed" or case.closed_at is None:
        return None
    if case.loading_id is not None:  # a source case (S-NO-EXIT): no vehicle's home authority to copy
        return None
    existing = db.session.scalar(select(CopyNotice).where(CopyNotice.case_id == case.id))
    if existing is not None:
        return existing
    due = copy_notice_due(case.closed_at, rule_settings())
    notice = CopyNotice(case=case, status="due", due_on=due.due, content=content_for(case), created_at=clock.now())
    db.session.add(notice)
    return notice


def _enterprise(enterprise_id: int | None) -> dict | None:
    e = db.session.get(Enterprise, enterprise_id) if enterprise_id else None
    return {"name": e.name, "uscc": e.uscc} if e else None


def content_for(case: Case) -> dict:
    """(1) the vehicle and its enterprise, (2) the driver, (3) the source unit and loading record,
    (4) the decision, (5) the act — the fields Art 44 lists, as they stand now."""
    reading = db.session.get(Reading, case.weighing_reading_id)
    site = db.session.get(Site, reading.site_id)
    vehicle = db.session.get(Vehicle, case.vehicle_id) if case.vehicle_id else None
    driver = db.session.get(Driver, case.driver_id) if case.driver_id else None
    lead = case.lead_matter
    source = next((m for m in case.matters if m.party == "source_enterprise"), None)
    return {
        "case_number": case.case_number,
        "plate": case.plate,
        "plate_color": PLATE_COLOR_LABELS.get(reading.plate_color or "", ""),
        "vehicle_type": f"{reading.axle_count} 轴{VEHICLE_CN.get(reading.vehicle_type or '', '货车')}",
        "enterprise": _enterprise(case.enterprise_id),
        "transport_cert_no": vehicle.transport_cert_no if vehicle else None,
        "driver": {
            "name": driver.name,
            "qualification_no": driver.qualification_no,
            "enterprise": (_enterprise(driver.enterprise_id) or {}).get("name"),
        }
        if driver
        else None,
        "source": _enterprise(source.enterprise_id) if source and source.enterprise_id else None,
        "loading_record": None,  # 货物装载单: from the source tracing once it links a loading record
        "decision": {
            "number": lead.decision_number,
            "kind": lead.decision_kind,
            "amount_yuan": lead.decision_amount_yuan,
            "decided_on": clock.local_date(lead.decided_at).isoformat() if lead.decided_at else None,
        }
        if lead
        else None,
        "act": {
            "site": f"{site.code} {site.name}",
            "captured_at": reading.captured_at.astimezone(clock.CST).strftime("%Y-%m-%d %H:%M"),
            "gross_weight_kg": case.gross_weight_kg,
            "limit_kg": case.limit_kg,
            "excess_kg": case.excess_kg,
            "excess_pct": case.excess_pct,
            "rule_article": case.rule_article,
        },
        "matters": [
            {"party": m.party_label, "authority": m.authority_label, "status": m.status_label, "outcome": m.outcome}
            for m in case.matters
            if m.party != "vehicle" or m.authority != "agency"
        ],
        "to": home_authority(case.plate),
    }


def home_authority(plate: str | None) -> str:
    """Where the vehicle is registered, from its plate's province and issuing office (GA 36-2018)."""
    if not plate or len(plate) < 2:
        return "车籍地道路运输管理机构（号牌未识别，须查明车籍）"
    return f"车籍地（{plate[:2]}）道路运输管理机构"


def mark_sent(notice: CopyNotice, actor: User, reference: str = "", sent_to: str | None = None) -> CopyNotice:
    """The notice went out (车辆超限管理信息系统 or on paper): its reference is kept, audited."""
    if notice.status == "sent":
        raise DomainError(f"抄告已于 {notice.sent_at.astimezone(clock.CST):%Y-%m-%d} 发出，无需重复登记", 409)
    if not (reference or "").strip():
        raise DomainError("须填写抄告文号或系统回执", 422, {"reference": ["必填"]})
    notice.status, notice.sent_at, notice.sent_by_id = "sent", clock.now(), actor.id
    notice.reference, notice.sent_to = reference.strip()[:500], (sent_to or notice.content.get("to"))[:128]
    audit.record(
        "case.copy_notice_sent",
        "case",
        notice.case_id,
        actor=actor.username,
        actor_user_id=actor.id,
        reason=notice.reference,
        data={"copy_notice_id": notice.id, "sent_to": notice.sent_to, "due_on": notice.due_on.isoformat()},
    )
    db.session.flush()
    return notice
