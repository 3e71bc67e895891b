"""Enforcement cases (案件): one act, the weighing it stands on, and what happened at the station.

A case holds the facts of the act: the reading it was opened from and the **effective
weighing** (domain-rules §6.4: a linked station re-weigh supersedes the non-site reading),
stored with its figures, rule and article. Each party answers in its own matter
(models/matter.py); the case closes when every matter has. Who may do what is the step
table's (service/procedure/steps.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.reading import BigId, Reading

# The case's own states; after confirmation the case shows its lead matter's procedure
# (the vehicle owner's), and closes when every matter has closed.
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
    "matters_open": "其他当事人事项办理中",
    "closed": "已结案",
    "merged": "已并案（静态复核）",
}
FINISHED = ("dismissed", "closed", "merged")
OPEN_STATUSES = tuple(s for s in CASE_STATUS_LABELS if s not in FINISHED)
# The lead matter has a penalty decision: these count for the repeat-offender rules.
DECIDED = ("decided", "served", "executed", "matters_open", "closed")
# Before a decision, a static re-weigh can still change the figures a case stands on.
REWEIGHABLE = ("pending_review", "confirmed", "notice_issued", "hearing_requested", "dismissal_requested")
# The driver may be recorded or corrected until the decision is made; the decision stores the
# repeat-offender counts of the driver it names (repeat_at_decision).
DRIVER_RECORDABLE = (*REWEIGHABLE, "decision_proposed")
# 行政处罚法 第四十一条第二款 / domain-rules.md §6.2: what the reviewing officer confirms.
REVIEW_CHECKS = {
    "plate_matches_image": "车牌清晰可辨，且与图像一致",
    "axle_count_matches_image": "轴数与图像一致",
    "speed_in_verified_range": "车速在设备检定的有效测量范围内",
    "no_lane_straddling": "无跨道行驶、无紧跟车辆",
}
# 冲卡、闯岗 (evading or forcing the station) is the police's to handle: it refers the case (§5.3).
STATION_ACTION_LABELS = {"unloading": "卸载", "transfer": "驳载", "turned_back": "劝返", "evasion": "冲卡闯岗"}


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The review queue: 百吨王 first, then by the over-limit rate after the deduction.
        Index("ix_cases_queue", "status", "baidunwang", "excess_pct"),
        Index("ix_cases_plate", "plate"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # A roadside case stands on a reading at a site; a source case (源头超限装载, S-NO-EXIT) on
    # a source enterprise's own exit weighing (models/loading.py), and has neither.
    reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"), unique=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    loading_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("loadings.id"), unique=True)
    status: Mapped[str] = mapped_column(String(24), default="pending_review")
    plate: Mapped[str | None] = mapped_column(String(16))
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # 立案 starts the 90-day clock (行政处罚法 第六十条).
    decide_by: Mapped[datetime] = mapped_column(UTCDateTime)
    # False when the weighing cannot support a penalty (lapsed calibration,
    # 2-year limitation); `penalty_bars` lists why, with the article.
    penalty_usable: Mapped[bool] = mapped_column(Boolean)
    penalty_bars: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    # Earlier cases of the same plate, filled by the follow-up job.
    prior_case_count: Mapped[int | None] = mapped_column(Integer)
    # Optimistic lock over the case and its matters: every step bumps it.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # The effective weighing (domain-rules §6.4), stored, never recomputed on read: the
    # reading the figures come from (the case's own, or the station re-weigh that superseded
    # it), gross, limit, the measurement deduction, and the excess and rate after it.
    weighing_reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    gross_weight_kg: Mapped[float] = mapped_column(Float)
    limit_kg: Mapped[int] = mapped_column(Integer)
    tolerance_kg: Mapped[int] = mapped_column(Integer)
    excess_kg: Mapped[float] = mapped_column(Float)
    excess_pct: Mapped[float] = mapped_column(Float)
    baidunwang: Mapped[bool] = mapped_column(Boolean)
    rule_id: Mapped[str] = mapped_column(String(32))
    rule_article: Mapped[str] = mapped_column(String(255))
    rule_version: Mapped[str] = mapped_column(String(64))

    # Registry links (filled by the follow-up job when the plate matches)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("drivers.id"), index=True)
    # Configuration facts found by an officer or read from the registry (drive axle, articulated,
    # axle spacing, type), each {value, source, by, at}; the limit was re-classified from them.
    vehicle_facts: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # A 大件 permit that did not cover the weighing (车证不符 / 未按许可路线行驶), with its article.
    permit_issue: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
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
    # When the last matter closed (结案).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reading: Mapped[Reading | None] = relationship(foreign_keys=[reading_id])
    matters: Mapped[list[PartyMatter]] = relationship(back_populates="case", order_by="PartyMatter.id")  # noqa: F821
    station_actions: Mapped[list[StationAction]] = relationship(back_populates="case", order_by="StationAction.id")

    @property
    def case_number(self) -> str:
        """Human case number, e.g. ZC2026-00000042 (year of opening + id)."""
        return f"ZC{self.opened_at:%Y}-{self.id:08d}"

    @property
    def status_label(self) -> str:
        return CASE_STATUS_LABELS.get(self.status, self.status)

    @property
    def lead_matter(self):
        """The vehicle owner's matter: the procedure the case page leads with (None before review)."""
        return next((m for m in self.matters if m.party == "vehicle"), None)


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
