"""Demo: what the police find after `make run` — referrals waiting (a 百吨王 and a repeat
offender), one package exported and acknowledged, one outcome recorded (the closed 百吨王's, taken
there by service/demo/procedure.py). Every step is the service's own operation, audited."""

from __future__ import annotations

from sqlalchemy import select

from models import Case, Referral, User
from service.extensions import db

REPEAT = ("vehicle_repeat", "driver_repeat")


def demo_referrals() -> int | None:
    """Run after the demo's procedure; returns the acknowledged package's id (None: nothing to show)."""
    from models.case import REVIEW_CHECKS
    from service.demo.procedure import held_by
    from service.procedure import ANY_VERSION, run_step
    from service.referrals.exports import create_export, run_export
    from service.referrals.operations import acknowledge_export

    officer = db.session.scalar(select(User).where(User.username == "officer1"))
    police = db.session.scalar(select(User).where(User.username == "police"))
    if officer is None or police is None:
        return None
    # A 百吨王 confirmed today: referred at once, waiting in the police's inbox.
    waiting = db.session.scalar(
        select(Case)
        .where(
            Case.status == "pending_review",
            Case.baidunwang.is_(True),
            Case.penalty_usable.is_(True),
            Case.plate.is_not(None),  # an unread plate is entered from the images before review
            *held_by(officer),  # a case of officer1's agency (长春)
        )
        .order_by(Case.captured_at.desc(), Case.id.desc())
        .limit(1)
    )
    if waiting is not None:
        from service.evidence.samples import attach_samples

        attach_samples([waiting.reading_id])  # its evidence ready before review (domain-rules §6.2)
        run_step("confirm", waiting, officer, {"checklist": {k: True for k in REVIEW_CHECKS}},
                 expected_version=ANY_VERSION)  # fmt: skip
    db.session.commit()
    # Everything else referred so far went out in one package, which the police acknowledged.
    keep = {waiting.id} if waiting is not None else set()
    ids = [
        r.id
        for r in db.session.scalars(select(Referral).order_by(Referral.id))
        if r.case_id not in keep and not any(x["trigger"] in REPEAT for x in r.reasons) and r.status != "withdrawn"
    ]
    if not ids:
        return None
    export = create_export(police, ids)
    db.session.commit()
    run_export(export.id)  # here and now: the demo is loaded before the worker starts
    export = db.session.get(type(export), export.id)
    if export.status == "done":
        acknowledge_export(export, police)
    db.session.commit()
    return export.id
