"""Daily figures per site, kept current as the data changes: never counted from readings on read.

`SiteDailyStats` holds what the readings say (检测车辆数, 超限数, bands, axles, online hours), added
by the follow-up drain in increments (service/followup.py → service/stats/rollup.py);
`SiteDailyCaseStats` holds what officers did (审核, 决定, 卸载 …), added in the transaction
that did it (service/stats/case_rollup.py). What each figure means is written once, in
service/stats/definitions.py. Days are Beijing dates.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.matter import PartyMatter


def _count(**kw):
    return mapped_column(Integer, default=0, server_default="0", **kw)


class SiteDailyStats(Base):
    """What a site's readings of one day add up to (increments commute: any drain, any order)."""

    __tablename__ = "site_daily_stats"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # Asia/Shanghai date
    checked: Mapped[int] = mapped_column(Integer, default=0)
    overlimit: Mapped[int] = mapped_column(Integer, default=0)
    baidunwang: Mapped[int] = mapped_column(Integer, default=0)
    unreadable_plates: Mapped[int] = mapped_column(Integer, default=0)
    # Over-limit readings by how far over (the stored rate over the limit) …
    over_gt10: Mapped[int] = _count()
    over_gt20: Mapped[int] = _count()
    over_gt100: Mapped[int] = _count()
    # … by gross band …
    over_lt55t: Mapped[int] = _count()
    over_55_100t: Mapped[int] = _count()
    over_ge100t: Mapped[int] = _count()
    # … and by axle count (7p: more than 6 axles).
    over_ax2: Mapped[int] = _count()
    over_ax3: Mapped[int] = _count()
    over_ax4: Mapped[int] = _count()
    over_ax5: Mapped[int] = _count()
    over_ax6: Mapped[int] = _count()
    over_ax7p: Mapped[int] = _count()
    cases_opened: Mapped[int] = _count()
    # Hours of the day (bit h = hour h, Beijing time) the site sent a reading or a heartbeat;
    # combined with OR, which commutes like the increments.
    online_hours: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), default=0, server_default="0"
    )


class SiteDailyCaseStats(Base):
    """What officers did on a site's cases on one day (increments, in the step's own transaction)."""

    __tablename__ = "site_daily_case_stats"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    confirmed: Mapped[int] = _count()
    dismissed: Mapped[int] = _count()
    decided: Mapped[int] = _count()
    warnings: Mapped[int] = _count()
    fines: Mapped[int] = _count()
    fines_yuan: Mapped[int] = _count()
    collected_yuan: Mapped[int] = _count()
    unloaded: Mapped[int] = _count()
    unloaded_kg: Mapped[float] = mapped_column(Float, default=0, server_default="0")
    transferred: Mapped[int] = _count()
    transferred_kg: Mapped[float] = mapped_column(Float, default=0, server_default="0")
    turned_back: Mapped[int] = _count()
    source_penalties: Mapped[int] = _count()
    referrals: Mapped[int] = _count()
    police_outcomes: Mapped[int] = _count()


class StatsReport(Base):
    """A monthly report workbook (月报): built by a background job, kept for download."""

    __tablename__ = "stats_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    region_code: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    progress: Mapped[int] = mapped_column(Integer, default=0)
    requested_by: Mapped[str | None] = mapped_column(String(64))  # a username, or 自动 (the schedule)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    path: Mapped[str | None] = mapped_column(String(255))  # relative to EVIDENCE_DIR
    message: Mapped[str | None] = mapped_column(Text)


class SiteAlert(Base):
    """A site not heard from (no reading, no heartbeat) for longer than SITE_SILENCE_HOURS: shown
    to the administrator until the site is heard from again (cleared) or acknowledged."""

    __tablename__ = "site_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="silent")
    last_heard_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: never heard from
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SiteHeartbeat(Base):
    """When each site was last heard from (a reading or a device heartbeat): one row per site."""

    __tablename__ = "site_heartbeats"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    last_heard_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Source enterprises penalised in a period (a count of distinct enterprises, which daily sums
# cannot give) are read from the few source-enterprise matters decided in it.
Index("ix_party_matters_party_decided", PartyMatter.party, PartyMatter.decided_at)
