"""A regular overloader taken through the case procedure, so the demo shows decided cases and 屡犯 flags."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Case, User
from service.extensions import db


def _decide_a_regular() -> tuple[str | None, int]:
    """The demo officer and supervisor take the busiest regular overloader's four oldest cases
    through the whole procedure (driver, review, notice, waiver, decision, approval), so the
    屡犯 list, the flags on its later cases and the decision documents have something to show.
    Every step is the service's own operation, audited as any officer's would be."""
    from models import Driver
    from models.case import REVIEW_CHECKS
    from service.procedure import ANY_VERSION, run_step
    from service.procedure.matter_ops import case_proposal

    officer = db.session.scalar(select(User).where(User.username == "officer1"))
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    pending = (Case.status == "pending_review", Case.penalty_usable.is_(True), Case.enterprise_id.is_not(None))
    plates = db.session.scalars(
        select(Case.plate)
        .where(*pending)
        .group_by(Case.plate)
        .having(func.count() >= 4)
        .order_by(func.count().desc(), Case.plate)  # ties by plate: the same regular on every database
    ).all()
    if officer is None or supervisor is None:
        return None, 0
    for plate in plates:  # the busiest regular with four cases a fine or a warning fits
        cases = db.session.scalars(select(Case).where(*pending, Case.plate == plate).order_by(Case.captured_at)).all()
        if sum(case_proposal(c).kind in ("fine", "warning") for c in cases) >= 4:
            break
    else:
        return None, 0
    driver = db.session.scalar(
        select(Driver).where(Driver.enterprise_id == cases[0].enterprise_id).order_by(Driver.id)
    ) or db.session.scalar(select(Driver).order_by(Driver.id))
    decided = 0

    def step(name: str, case: Case, who: User, **params) -> None:
        run_step(name, case, who, params, expected_version=ANY_VERSION)

    for case in cases:
        if driver is not None:
            step("driver", case, officer, driver_id=driver.id)
        if decided == 4:
            continue  # the later ones wait in the queue, flagged 屡犯
        proposal = case_proposal(case)
        if proposal.kind not in ("fine", "warning"):
            continue
        step("confirm", case, officer, checklist={key: True for key in REVIEW_CHECKS})
        step("notice", case, officer)
        step("statement", case, officer, kind="waiver", text="当事人当场表示放弃陈述申辩（演示）", channel="officer")
        step("decision", case, officer, kind=proposal.kind, amount_yuan=proposal.proposed_yuan)
        step("approve_decision", case, supervisor)
        decided += 1
    if driver is not None:
        # The same driver made the trips a lapsed verification bars from a penalty: recorded on
        # those too, every case of the regular waiting for review carries the driver's 屡犯 flag.
        rest = select(Case).where(Case.plate == plate, Case.status == "pending_review", Case.driver_id.is_(None))
        for case in db.session.scalars(rest.order_by(Case.captured_at)).all():
            step("driver", case, officer, driver_id=driver.id)
    return plate, decided
