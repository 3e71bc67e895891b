"""Linking a station's static re-weigh (复核) to the non-site case of the same vehicle.

Run by the follow-up job for new readings. The case then stands on the effective weighing
(domain-rules §6.4), stored with its figures. The re-weigh's own case, if it opened one, is
merged into the earlier case: one act, one penalty (行政处罚法 第二十九条).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from models import Case, Reading, Site
from models.case import REWEIGHABLE
from service import audit, clock
from service.config import rule_settings
from service.extensions import db
from service.procedure.case_ops import set_effective_weighing
from service.rules import penalty_bars

ONE_ACT = "同一违法行为已由非现场案件立案，静态复核并入原案（行政处罚法第二十九条：一事不二罚）"


def link_reweighs(reading_ids: list[int]) -> int:
    """Returns how many cases got a re-weigh linked."""
    window = timedelta(hours=current_app.config["REWEIGH_WINDOW_HOURS"])
    statics = (
        db.session.execute(
            select(Reading)
            .join(Site, Site.id == Reading.site_id)
            .where(Reading.id.in_(reading_ids), Site.kind == "static", Reading.plate.is_not(None), Reading.plate_valid)
        )
        .scalars()
        .all()
    )
    linked = 0
    for static in statics:
        case = db.session.scalar(
            select(Case)
            .join(Site, Site.id == Case.site_id)
            .where(
                Case.plate == static.plate,
                Site.kind.in_(("wim", "toll_entry")),
                Case.status.in_(REWEIGHABLE),
                Case.captured_at <= static.captured_at,
                Case.captured_at >= static.captured_at - window,
                Case.reweigh_reading_id.is_(None),
            )
            .order_by(Case.captured_at.desc())
            .limit(1)
        )
        if case is not None:
            _link(case, static)
            linked += 1
    db.session.flush()
    return linked


def _link(case: Case, static: Reading) -> None:
    from service.ingest.sites import load_sites

    site = db.session.get(Site, static.site_id)
    bars = penalty_bars(
        static.captured_at,
        load_sites([site.code])[site.code].facts_on(static.captured_at),
        static.received_at,
        settings=rule_settings(),
    )
    case.reweigh_reading_id = static.id
    if not case.penalty_usable and not bars:
        # The station's verified scale cures the non-site device's defect.
        case.penalty_usable, case.penalty_bars = True, None
    effective = set_effective_weighing(case)
    case.version += 1
    audit.record(
        "case.reweigh_linked",
        "case",
        case.id,
        actor="system",
        from_state=case.status,
        to_state=case.status,
        data={
            "reweigh_reading_id": static.id,
            "gross_weight_kg": static.gross_weight_kg,
            "effective_reading_id": effective.id,
            "excess_kg": case.excess_kg,
            "excess_pct": case.excess_pct,
        },
    )
    own = db.session.scalar(select(Case).where(Case.reading_id == static.id))
    if own is not None and own.status in REWEIGHABLE:
        frm = own.status
        own.status, own.merged_into_id, own.version = "merged", case.id, own.version + 1
        for matter in own.matters:  # the re-weigh's own case had been reviewed: its matters go too
            if not matter.done:
                matter.status, matter.closed_at = "withdrawn", clock.now()
        audit.record(
            "case.merged",
            "case",
            own.id,
            actor="system",
            from_state=frm,
            to_state="merged",
            reason=ONE_ACT,
            data={"merged_into": case.id},
        )
