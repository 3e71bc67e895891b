"""Party matters (当事人事项): each party's own proceeding within a case (一超四罚, domain-rules §4.2).

A matter this agency handles runs the administrative-penalty procedure
(告知 → 陈述申辩 / 听证 → 决定 → 送达 → 执行 → 结案); one another authority handles (the
police, the transport authority where the vehicle is registered) is tracked:
移送 → 签收 → 结果登记. The steps are service/procedure/steps.py's.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.case import Case
from models.reading import BigId

PARTY_LABELS = {
    "vehicle": "车辆所有人",
    "driver": "驾驶人",
    "transport_enterprise": "运输企业",
    "source_enterprise": "货运源头单位",
    "instigator": "指使、强令超限者",
}
AUTHORITY_LABELS = {
    "agency": "本机关",
    "police": "公安机关交通管理部门",
    "transport_authority": "车籍地交通运输主管部门",
}
# Matters handled here run the procedure; the others are tracked.
PROCEDURE_STATUS_LABELS = {
    "unidentified": "待查明当事人",
    "pending": "待告知",
    "notice_issued": "已告知（陈述申辩期）",
    "hearing_requested": "已申请听证",
    "decision_proposed": "处罚决定待批",
    "decided": "已作出决定",
    "served": "已送达",
    "executed": "已执行",
    "closed": "已办结",
    "withdrawn": "已撤销",
}
TRACKED_STATUS_LABELS = {
    "unidentified": "待查明当事人",
    "pending": "待移送",
    "referred": "已移送",
    "acknowledged": "已签收",
    "closed": "已办结",
    "withdrawn": "已撤销",
}
MATTER_DONE = ("closed", "withdrawn")
SERVICE_METHODS = {
    "direct": "直接送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "left": "留置送达",
    "announcement": "公告送达",
}


class PartyMatter(Base):
    __tablename__ = "party_matters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    party: Mapped[str] = mapped_column(String(24))  # a PARTY_LABELS key
    # Who the party is, where the registry knows it (none for an unidentified party).
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"))
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("drivers.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    party_name: Mapped[str | None] = mapped_column(String(128))
    authority: Mapped[str] = mapped_column(String(24))  # an AUTHORITY_LABELS key
    # The legal basis: {"rule_id", "article", "text"}; for a matter other than the vehicle
    # owner's, also the lawful band {"kind", "min_yuan", "max_yuan", "proposed_yuan", "items"}.
    basis: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(24), default="pending")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A tracked matter's next date: the other authority's acknowledgement is due.
    due_on: Mapped[date | None] = mapped_column(Date)

    # Notice (告知书) and the party's rights (陈述、申辩、听证)
    notice_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    notice_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    party_code_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    statement_due: Mapped[date | None] = mapped_column(Date)
    hearing_request_due: Mapped[date | None] = mapped_column(Date)
    hearing_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hearing_held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hearing_record: Mapped[str | None] = mapped_column(Text)
    # Decision (决定): proposed by an officer, approved by a supervisor.
    # The penalty stated in the notice: the decision may not be heavier (行政处罚法 第四十五条).
    notified_penalty: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    decision_kind: Mapped[str | None] = mapped_column(String(16))  # fine | warning
    decision_amount_yuan: Mapped[int | None] = mapped_column(Integer)
    decision_basis: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decision_proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Repeat-offender counts at the moment of the decision (R-VEH-3 / R-DRV-3 / R-ENT-10).
    repeat_at_decision: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # Service (送达) and execution (执行)
    service_due: Mapped[date | None] = mapped_column(Date)
    service_method: Mapped[str | None] = mapped_column(String(16))
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_due: Mapped[date | None] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_amount_yuan: Mapped[int | None] = mapped_column(Integer)
    late_fee_yuan: Mapped[int | None] = mapped_column(Integer)

    # Tracked with another authority: 移送 → 签收 → 结果
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # {"decision_number", "decided_on", "fine_yuan", "points", "note"}
    outcome: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="matters")
    statements: Mapped[list[CaseStatement]] = relationship(back_populates="matter", order_by="CaseStatement.id")

    @property
    def handled_here(self) -> bool:
        """This agency runs the procedure; otherwise the matter is tracked with its authority."""
        return self.authority == "agency"

    @property
    def party_label(self) -> str:
        return PARTY_LABELS.get(self.party, self.party)

    @property
    def authority_label(self) -> str:
        return AUTHORITY_LABELS.get(self.authority, self.authority)

    @property
    def status_label(self) -> str:
        labels = PROCEDURE_STATUS_LABELS if self.handled_here else TRACKED_STATUS_LABELS
        return labels.get(self.status, self.status)

    @property
    def done(self) -> bool:
        return self.status in MATTER_DONE


class CaseStatement(Base):
    """What the party said: a statement or defence (陈述申辩), a hearing request (听证) or a waiver."""

    __tablename__ = "case_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("party_matters.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # statement | hearing_request | waiver
    channel: Mapped[str] = mapped_column(String(16))  # party_page | officer
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 复核 (行政处罚法 第四十五条): the officer reviews what the party said, with the outcome and reasons.
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_outcome: Mapped[str | None] = mapped_column(String(16))  # adopted | partly | rejected
    review_reasons: Mapped[str | None] = mapped_column(Text)

    matter: Mapped[PartyMatter] = relationship(back_populates="statements")

    @property
    def awaits_review(self) -> bool:
        return self.kind == "statement" and self.reviewed_at is None
