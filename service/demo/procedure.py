"""A regular overloader taken through the case procedure, so the demo shows decided cases and 屡犯 flags."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Case, User
from service.evidence.samples import attach_samples
from service.extensions import db


def held_by(user: User | None) -> tuple:
    """The condition keeping the demo's walk to the cases `user`'s agency holds (jurisdiction:
    the step engine refuses another agency's case)."""
    from service.review.jurisdiction import case_clause

    clause = case_clause(user) if user is not None else None
    return () if clause is None else (clause,)


def acting_officer(case: Case) -> User | None:
    """The demo officer whose agency holds the case (officer1 长春, officer2 四平, officer3 梨树县);
    the province's supervisor where none does (吉林市's points)."""
    from service.review.jurisdiction import may_see

    for name in ("officer1", "officer2", "officer3", "supervisor"):
        user = db.session.scalar(select(User).where(User.username == name))
        if user is not None and may_see(user, case):
            return user
    return None


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
    pending = (
        Case.status == "pending_review", Case.penalty_usable.is_(True), Case.enterprise_id.is_not(None), *held_by(officer)
    )  # fmt: skip
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
        attach_samples([case.reading_id])  # its evidence ready before review (§6.2)
        # 行政处罚法 第四十二条: two officers — the supervisor takes the case with the officer.
        step("assign", case, supervisor, user_id=supervisor.id)
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
        for case in db.session.scalars(rest.order_by(Case.captured_at)).all():  # each by its agency's officer
            step("driver", case, acting_officer(case) or officer, driver_id=driver.id)
    return plate, decided


def _close_a_baidunwang(regular: str | None) -> tuple[str | None, int | None]:
    """一超四罚 to the end: a registered truck's 百吨王 case through the owner's procedure and every
    other party's matter — the police's (receipt and outcome), the transport authority's, the
    source traced to a registered quarry — so the case closes and its copy notice falls due.
    Returns the case number and the enterprise whose truck it was (it is put under 挂牌督办)."""
    from models import Driver, Enterprise
    from models.case import REVIEW_CHECKS
    from service import clock
    from service.procedure import ANY_VERSION, run_step
    from service.procedure.matter_ops import case_proposal

    officer = db.session.scalar(select(User).where(User.username == "officer1"))
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    police = db.session.scalar(select(User).where(User.username == "police"))
    case = db.session.scalar(
        select(Case)
        .where(
            Case.status == "pending_review",
            Case.baidunwang.is_(True),
            Case.penalty_usable.is_(True),
            Case.plate != (regular or ""),
            *held_by(officer),
        )
        # A registered truck's first (its enterprise and driver answer by name); else any.
        .order_by(Case.enterprise_id.is_(None), Case.captured_at, Case.id)
        .limit(1)
    )
    quarry = db.session.scalar(select(Enterprise).where(Enterprise.kind == "source").order_by(Enterprise.id))
    if None in (officer, supervisor, police, case, quarry):
        return None, None

    def step(name: str, who: User, matter=None, **params) -> None:
        run_step(name, case, who, params, matter=matter, expected_version=ANY_VERSION)

    # A driver of its enterprise with no case of their own yet: the regular's driver keeps the four
    # decisions the 屡犯 example counts.
    unused = Driver.id.not_in(select(Case.driver_id).where(Case.driver_id.is_not(None)))
    driver = db.session.scalar(
        select(Driver).where(unused).order_by(Driver.enterprise_id != case.enterprise_id, Driver.id).limit(1)
    )
    if driver is not None:
        step("driver", officer, driver_id=driver.id)
    proposal = case_proposal(case)
    attach_samples([case.reading_id])  # its evidence ready before review (§6.2)
    step("assign", supervisor, user_id=supervisor.id)  # 行政处罚法 第四十二条: two officers
    step("confirm", officer, checklist={key: True for key in REVIEW_CHECKS})
    step("notice", officer)
    step("statement", officer, kind="waiver", text="当事人当场表示放弃陈述申辩（演示）", channel="officer")
    step("decision", officer, kind=proposal.kind, amount_yuan=proposal.proposed_yuan)
    step("approve_decision", supervisor)
    step("service", officer, method="direct")
    step("payment", officer, amount_yuan=proposal.proposed_yuan)
    step("close", officer)
    today = clock.today()
    for matter in [m for m in case.matters if not m.done]:
        if matter.status == "unidentified" and matter.party == "source_enterprise":
            step("identify", officer, matter, enterprise_id=quarry.id)
        elif matter.status == "unidentified":
            step("unidentifiable", supervisor, matter, reason="经调取运单、通行记录，未能查明（演示）")
            continue
        if matter.status == "pending":
            step("refer", officer, matter, note="通过车辆超限管理信息系统移送（演示）")
        if matter.authority == "police":
            police_facts = (matter.basis or {}).get("police") or {}
            fine = (police_facts.get("fine") or {}).get("max_yuan")
            points = (police_facts.get("points") or {}).get("points") or 6
            step("acknowledge", police, matter)
            outcome = {
                "decision_number": f"吉公交决字〔{today:%Y}〕{case.id:05d}号",
                "fine_yuan": fine,
                "points": points,
            }
            step("outcome", police, matter, decided_on=today, note="驾驶人已接受处罚（演示）", **outcome)
        else:
            step("outcome", officer, matter, decision_number=f"抄告回执 {case.id}-{matter.id}", decided_on=today,
                 note="车籍地交通运输主管部门已接收（演示）")  # fmt: skip
    regulars = select(Case.enterprise_id).where(Case.plate == regular, Case.enterprise_id.is_not(None)).limit(1)
    return case.case_number, case.enterprise_id or db.session.scalar(regulars)


def _list_an_enterprise(enterprise_id: int | None, case_number: str | None) -> str | None:
    """The 百吨王 truck's enterprise under 挂牌督办, due next week (企业监管)."""
    from datetime import timedelta

    from models import Enterprise
    from service import clock
    from service.supervision.operations import figures_for, open_action

    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    enterprise = db.session.get(Enterprise, enterprise_id) if enterprise_id else None
    if supervisor is None or enterprise is None:
        return None
    _, case_ids = figures_for(enterprise)
    open_action(
        enterprise,
        supervisor,
        kind="listed",
        reason=f"所属车辆“百吨王”（{case_number}）问题突出，挂牌督办（演示）",
        due_on=clock.today() + timedelta(days=7),
        responsible_person="企业安全负责人",
        case_ids=case_ids,
        rule_id="SV-BDW-LISTED",
    )
    return enterprise.name
