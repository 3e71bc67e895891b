"""Exports (导出移交包): asked for by the police or an officer, built by a worker.

The export's row is the truth: queued → running (progress 0–100) → done (its file, size and
SHA-256, the hash also in the audit chain) or failed (why). The job is queued after the row
is committed; the same referral may go out again in a later package, each with its own id.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from models import PartyMatter, Referral, ReferralExport, ReferralExportItem, User
from service import clock
from service.errors import DomainError
from service.extensions import db

log = logging.getLogger(__name__)
MAX_REFERRALS = 5000  # one package; more is asked for in several


def create_export(actor: User, referral_ids: list[int] | None) -> ReferralExport:
    """A package of these referrals, or (None / empty) of every referral not yet exported — of
    the actor's jurisdiction only (another agency's referral does not exist for them)."""
    from models import Case
    from service.review.jurisdiction import case_clause

    stmt = (
        select(Referral.id)
        .join(PartyMatter, PartyMatter.id == Referral.matter_id)
        .where(Referral.withdrawn_at.is_(None), PartyMatter.status != "withdrawn")
    )
    if (clause := case_clause(actor)) is not None:
        stmt = stmt.where(Referral.case_id.in_(select(Case.id).where(clause)))
    if referral_ids:
        ids = list(dict.fromkeys(referral_ids))
        found = set(db.session.scalars(stmt.where(Referral.id.in_(ids))))
        missing = [i for i in ids if i not in found]
        if missing:
            raise DomainError(
                "移交不存在或已撤回", 422, {"referral_ids": [f"无效：{', '.join(map(str, missing[:20]))}"]}
            )
    else:
        ids = list(db.session.scalars(stmt.where(Referral.exported_at.is_(None)).order_by(Referral.id)))
        if not ids:
            raise DomainError("没有尚未导出的移交", 409)
    if len(ids) > MAX_REFERRALS:
        raise DomainError(f"一个移交包最多 {MAX_REFERRALS} 件，请分批导出", 422, {"referral_ids": ["过多"]})
    export = ReferralExport(
        status="queued", progress=0, referral_count=len(ids), created_by_id=actor.id, created_at=clock.now()
    )
    db.session.add(export)
    db.session.flush()
    db.session.add_all(ReferralExportItem(export_id=export.id, referral_id=i) for i in sorted(ids))
    db.session.flush()
    return export


def queue_export(export_id: int) -> bool:
    """After the commit: ask a worker to build it (once: the job id is the export's)."""
    from service.queueing import enqueue
    from workers.queues import REFERRAL_PACKAGE, referral_package_job_id

    try:
        return enqueue(current_app, REFERRAL_PACKAGE, export_id, job_id=referral_package_job_id(export_id)) is not None
    except Exception:  # noqa: BLE001 - Redis down: the row stays queued and says so
        log.exception("export %s: could not queue the package job", export_id)
        return False


def run_export(export_id: int) -> ReferralExport | None:
    """Build the package (the worker's job); commits its progress as it goes."""
    from service.referrals.package import build

    export = db.session.get(ReferralExport, export_id)
    if export is None or export.status == "done":
        return export
    export.status, export.started_at, export.progress, export.message = "running", clock.now(), 0, None
    db.session.commit()

    def progress(pct: int) -> None:
        db.session.query(ReferralExport).filter_by(id=export_id).update({"progress": pct})
        db.session.commit()

    try:
        build(db.session.get(ReferralExport, export_id), progress)
        db.session.commit()
    except DomainError as exc:  # a setting missing (the signing key on a shared database)
        db.session.rollback()
        _fail(export_id, exc.message)
    except OSError as exc:
        db.session.rollback()
        _fail(export_id, f"证据文件读取或移交包写入失败：{exc.strerror or exc}")
    return db.session.get(ReferralExport, export_id)


def _fail(export_id: int, message: str) -> None:
    export = db.session.get(ReferralExport, export_id)
    export.status, export.message, export.finished_at = "failed", message, clock.now()
    db.session.commit()
    log.error("export %s failed: %s", export_id, message)
