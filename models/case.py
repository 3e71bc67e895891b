"""Enforcement cases (案件) opened from over-limit readings, and their procedure.

告知 → 陈述申辩 / 听证 → 决定 → 送达 → 执行 → 结案 (domain-rules.md §11). Who may
move a case is decided by the `can_*` predicates at the bottom of this module.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.reading import BigId, Reading

CASE_STATUS_LABELS = {
    "pending_review": "待审核",
    "dismissal_requested": "撤销待批",
    "dismissed": "已撤销",
    "confirmed": "已审核确认",
    "notice_issued": "已告知（陈述申辩期）",
    "hearing_requested": "已申请听证",
    "decision_proposed": "处罚决定待批",
    "decided": "已作出决定",
    "served": "已送达",
    "executed": "已执行",
    "closed": "已结案",
    "merged": "已并案（静态复核）",
}
AUDIT_ACTION_LABELS = {
    "case.confirm": "审核确认",
    "case.request_dismissal": "申请撤销",
    "case.approve_dismissal": "批准撤销",
    "case.reject_dismissal": "驳回撤销申请",
    "case.issue_notice": "发出告知书",
    "case.statement": "陈述申辩",
    "case.hearing_request": "申请听证",
    "case.waiver": "放弃陈述申辩",
    "case.record_hearing": "登记听证",
    "case.propose_decision": "提出处罚决定",
    "case.approve_decision": "批准处罚决定",
    "case.reject_decision": "退回处罚决定",
    "case.serve": "登记送达",
    "case.record_payment": "登记缴款",
    "case.close": "结案",
    "case.assign": "分配案件",
    "case.unloading": "登记卸载",
    "case.transfer": "登记驳载",
    "case.turned_back": "登记劝返",
    "case.reweigh_linked": "关联静态复核",
    "case.merged": "并入原案件",
    "case.driver": "登记驾驶人",
}
OPEN_STATUSES = tuple(s for s in CASE_STATUS_LABELS if s not in ("dismissed", "closed", "merged"))
# Before a decision, a static re-weigh can still change the figures a case stands on.
REWEIGHABLE = ("pending_review", "confirmed", "notice_issued", "hearing_requested", "dismissal_requested")
# The driver may be recorded or corrected until the decision is made; the decision stores the
# repeat-offender counts of the driver it names (repeat_at_decision).
DRIVER_RECORDABLE = (*REWEIGHABLE, "decision_proposed")
SERVICE_METHODS = {
    "direct": "直接送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "left": "留置送达",
    "announcement": "公告送达",
}
# 行政处罚法 第四十一条第二款 / domain-rules.md §6.2: what the reviewing officer confirms.
REVIEW_CHECKS = {
    "plate_matches_image": "车牌清晰可辨，且与图像一致",
    "axle_count_matches_image": "轴数与图像一致",
    "speed_in_verified_range": "车速在设备检定的有效测量范围内",
    "no_lane_straddling": "无跨道行驶、无紧跟车辆",
}


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The review queue: 百吨王 first, then by over-limit %.
        Index("ix_cases_queue", "status", "baidunwang", "overlimit_pct"),
        Index("ix_cases_plate", "plate"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), default="pending_review")
    plate: Mapped[str | None] = mapped_column(String(16))
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # 立案 starts the 90-day clock (行政处罚法 第六十条).
    decide_by: Mapped[datetime] = mapped_column(UTCDateTime)
    baidunwang: Mapped[bool] = mapped_column(Boolean)
    overlimit_pct: Mapped[float] = mapped_column(Float)
    # False when the reading cannot support a penalty (lapsed calibration,
    # 2-year limitation); `penalty_bars` lists why, with the article.
    penalty_usable: Mapped[bool] = mapped_column(Boolean)
    penalty_bars: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    # Earlier cases of the same plate, filled by the follow-up job.
    prior_case_count: Mapped[int | None] = mapped_column(Integer)
    # Optimistic lock: every change bumps it; an edit based on an older version is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Registry links (filled by the follow-up job when the plate matches)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("drivers.id"), index=True)
    # A 大件 permit that did not cover the weighing (车证不符 / 未按许可路线行驶), with its article.
    permit_issue: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # Repeat-offender counts at the moment of the decision (R-VEH-3 / R-DRV-3 / R-ENT-10).
    repeat_at_decision: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Review (审核), 行政处罚法 第四十一条第二款
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_checklist: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # A static re-weigh (复核) of the same vehicle, linked by the follow-up job.
    reweigh_reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    # Dismissal: requested by one person, approved by a supervisor who is someone else.
    dismissal_reason: Mapped[str | None] = mapped_column(Text)
    dismissal_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dismissal_from_status: Mapped[str | None] = mapped_column(String(24))
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Notice (告知书) and the party's rights (陈述、申辩、听证)
    notice_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    notice_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    party_code_hash: Mapped[str | None] = mapped_column(String(64))
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
    service_due: Mapped[date | None] = mapped_column(Date)
    # Service (送达) and execution (执行)
    service_method: Mapped[str | None] = mapped_column(String(16))
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_due: Mapped[date | None] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_amount_yuan: Mapped[int | None] = mapped_column(Integer)
    late_fee_yuan: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    reading: Mapped[Reading] = relationship(foreign_keys=[reading_id])
    statements: Mapped[list[CaseStatement]] = relationship(back_populates="case", order_by="CaseStatement.id")
    station_actions: Mapped[list[StationAction]] = relationship(back_populates="case", order_by="StationAction.id")

    @property
    def case_number(self) -> str:
        """Human case number, e.g. ZC2026-00000042 (year of opening + id)."""
        return f"ZC{self.opened_at:%Y}-{self.id:08d}"

    @property
    def status_label(self) -> str:
        return CASE_STATUS_LABELS.get(self.status, self.status)


class CaseStatement(Base):
    """What the party said: a statement or defence (陈述申辩) or a hearing request (听证)."""

    __tablename__ = "case_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # statement | hearing_request
    channel: Mapped[str] = mapped_column(String(16))  # party_page | officer
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="statements")


class StationAction(Base):
    """What happened at a weigh station: unloading (卸载), transfer (驳载), turning back (劝返)."""

    __tablename__ = "station_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # unloading | transfer | turned_back
    kg: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="station_actions")


STATION_ACTION_LABELS = {"unloading": "卸载", "transfer": "驳载", "turned_back": "劝返"}


# ── who may do what (object-level permissions) ─────────────────────────────────
# Roles: officers review, confirm and issue notices; dismissals and decisions need
# a supervisor's approval, and nobody approves what they asked for themselves.

REVIEWERS = ("officer", "supervisor")
APPROVERS = ("supervisor",)


def can_review(role: str) -> bool:
    return role in REVIEWERS


def can_request_dismissal(role: str, case: Case) -> bool:
    return role in REVIEWERS and case.status in ("pending_review", "confirmed", "notice_issued")


def can_approve_dismissal(role: str, user_id: int, case: Case) -> bool:
    return role in APPROVERS and case.status == "dismissal_requested" and case.dismissal_requested_by_id != user_id


def can_propose_decision(role: str, case: Case) -> bool:
    return role in REVIEWERS and case.status == "notice_issued"


def can_approve_decision(role: str, user_id: int, case: Case) -> bool:
    return role in APPROVERS and case.status == "decision_proposed" and case.decision_proposed_by_id != user_id
