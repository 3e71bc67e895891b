"""Monthly reports (月报): requested by a person or, after each month ends, by the worker's own
schedule (`ensure_monthly_reports`, called by the relay every few seconds); built by a job on
the exports queue with its progress on the row; the workbook is kept under EVIDENCE_DIR for
download."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from models import StatsReport
from service import clock
from service.errors import DomainError
from service.extensions import db
from service.stats.queries import visible_sites
from service.stats.workbook import build, tables

log = logging.getLogger(__name__)
AUTO = "自动"  # requested_by of the reports the schedule makes
STATUS_LABELS = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败"}


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def request_report(month: date, region: str | None, requested_by: str) -> StatsReport:
    """A report of a month that has begun (flush only; queue it after the commit)."""
    month = month.replace(day=1)
    if month > clock.today().replace(day=1):
        raise DomainError("只能生成已开始月份的月报", 422, {"month": ["不能晚于本月"]})
    row = StatsReport(month=month, region_code=region, status="queued", progress=0, requested_by=requested_by,
                      created_at=clock.now())  # fmt: skip
    db.session.add(row)
    db.session.flush()
    return row


def queue_report(report_id: int) -> bool:
    from service.queueing import enqueue
    from workers.queues import STATS_REPORT, stats_report_job_id

    try:
        return enqueue(current_app, STATS_REPORT, report_id, job_id=stats_report_job_id(report_id)) is not None
    except Exception:  # noqa: BLE001 - Redis down: the row stays queued; the relay asks again
        log.exception("stats report %s: could not queue its job", report_id)
        return False


def region_label(region: str | None) -> str:
    return f"区划 {region}" if region else "全部点位"


def file_path(report: StatsReport) -> Path:
    return Path(current_app.config["EVIDENCE_DIR"]) / report.path


def run_report(report_id: int) -> StatsReport | None:
    """Build the workbook (the worker's job), committing progress as it goes."""
    report = db.session.get(StatsReport, report_id)
    if report is None or report.status == "done":
        return report
    report.status, report.progress, report.message = "running", 0, None
    db.session.commit()

    def progress(pct: int) -> None:
        db.session.query(StatsReport).filter_by(id=report_id).update({"progress": pct})
        db.session.commit()

    try:
        from service.stats.standing import standing

        data = tables(report.month, visible_sites(None, region=report.region_code))
        data["standing"] = standing()
        content = build(data, region_label(report.region_code), progress)
        relative = Path("reports") / f"月报-{report.month:%Y-%m}-{report.region_code or '全部'}-{report.id}.xlsx"
        target = Path(current_app.config["EVIDENCE_DIR"]) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        report = db.session.get(StatsReport, report_id)
        report.status, report.progress, report.path, report.finished_at = "done", 100, str(relative), clock.now()
        db.session.commit()
    except OSError as exc:
        db.session.rollback()
        report = db.session.get(StatsReport, report_id)
        report.status, report.message, report.finished_at = (
            "failed",
            f"月报文件写入失败：{exc.strerror or exc}",
            clock.now(),
        )
        db.session.commit()
    return report


def ensure_monthly_reports(app) -> int | None:
    """After a month ends (Beijing time), its report of all sites is made once. Several
    workers' relays call this: a Redis key taken with NX lets one of them create the row;
    the row itself says it was made (a Redis that lost the key finds the row)."""
    from service.queueing import get_redis

    with app.app_context():
        month = previous_month(clock.today())
        exists = db.session.scalar(
            select(StatsReport.id).where(StatsReport.month == month, StatsReport.requested_by == AUTO).limit(1)
        )
        db.session.rollback()
        if exists is not None:
            return None
        if not get_redis(app).set(f"stats-report-auto:{month:%Y-%m}", "1", nx=True, ex=3600):
            return None
        report = request_report(month, None, AUTO)
        db.session.commit()
        queue_report(report.id)
        log.info("stats report %s for %s queued by the schedule", report.id, f"{month:%Y-%m}")
        return report.id


def report_region(user, region: str | None) -> str | None:
    """The region a user's 月报 covers. An officer or supervisor in an agency reports on their
    agency's area (by default) or a part of it; with no agencies set up, an officer of a region
    on it or a part of it; everyone else on any region."""
    from service.review.jurisdiction import agency_code, scope
    from service.stats.queries import in_region

    if user is not None and user.role in ("officer", "supervisor") and user.agency_id is not None:
        s = scope(user)
        if s is None:  # the province: any region
            return region
        if region is None:
            return agency_code(user.agency_id)
        if not s.covers_region(region):
            raise DomainError("只能生成本辖区的月报", 403, {"region": ["不在本辖区"]})
        return region
    if user is not None and user.role == "officer" and user.region_code:
        if region is None:
            return user.region_code
        if not in_region(region, user.region_code):
            raise DomainError("只能生成本辖区的月报", 403, {"region": ["不在本辖区"]})
    return region


def may_see_report(user, report: StatsReport) -> bool:
    """A report of a region the user's jurisdiction covers (a report of all sites: an unscoped
    or provincial user's)."""
    from service.review.jurisdiction import scope
    from service.stats.queries import in_region

    if user is not None and user.role in ("officer", "supervisor") and user.agency_id is not None:
        s = scope(user)
        return s is None or (report.region_code is not None and s.covers_region(report.region_code))
    if user is None or user.role != "officer" or not user.region_code:
        return True
    return report.region_code is not None and in_region(report.region_code, user.region_code)


def download_name(report: StatsReport) -> str:
    return f"治超统计月报-{report.month:%Y-%m}-{report.region_code or '全部点位'}.xlsx"


def view(report: StatsReport) -> dict:
    return {
        "id": report.id,
        "month": f"{report.month:%Y-%m}",
        "region": report.region_code,
        "status": report.status,
        "status_label": STATUS_LABELS.get(report.status, report.status),
        "progress": report.progress,
        "requested_by": report.requested_by,
        "created_at": report.created_at,
        "finished_at": report.finished_at,
        "message": report.message,
    }
