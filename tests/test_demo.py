"""The demo data set: what a newcomer sees after `flask --app wsgi demo load`."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from models import AuditEvent, Case, Reading, Site, SiteDailyStats, User
from models.site import SITE_KINDS
from models.user import ROLES
from service.demo import ALREADY_LOADED, DEMO_USERS, load_demo
from service.extensions import db


@pytest.fixture(scope="module")
def demo3(_app, redis_server):
    """A 3-day demo, loaded once per database for the tests of this module that only read it
    (loading takes most of their time); reloaded if another module's test emptied the tables."""
    from tests.conftest import empty

    empty(_app, redis_server)
    with _app.app_context():
        summary = load_demo(days=3)
    return _app, summary


@pytest.fixture(scope="module")
def demo14(_app, redis_server):
    """A 14-day demo (the procedure examples need two weeks), loaded once per database."""
    from tests.conftest import empty

    empty(_app, redis_server)
    with _app.app_context():
        summary = load_demo(days=14)
    return _app, summary


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_users_of_every_role_can_log_in(demo3):
    app, summary = demo3
    with app.app_context():
        roles = set(db.session.scalars(select(User.role)))
    assert roles == set(ROLES)
    client = app.test_client()
    for user in DEMO_USERS:
        assert f"{user.username} / {user.password}" in summary  # the printed logins work
        res = client.post("/api/v1/auth/token", json={"username": user.username, "password": user.password})
        assert res.status_code == 200, (user.username, res.get_json())
        assert res.get_json()["role"] == user.role


def test_demo_data_looks_like_real_traffic(demo3):
    app, _ = demo3
    with app.app_context():
        kinds = set(db.session.scalars(select(Site.kind)))
        readings = _count(Reading)
        overlimit = _count(Reading, Reading.overlimit.is_(True))
        giants = _count(Case, Case.baidunwang.is_(True))
        barred = db.session.scalars(select(Case).where(Case.penalty_usable.is_(False))).all()
        unreadable = _count(Reading, Reading.plate.is_(None))
        checked = db.session.scalar(select(func.sum(SiteDailyStats.checked)))
        repeaters = _count(Case, Case.prior_case_count > 0)
        permitted = _count(Reading, Reading.permit_status == "permitted")

        assert kinds == set(SITE_KINDS)
        assert readings >= 5000
        assert 0.02 <= overlimit / readings <= 0.06
        # Every over-limit reading waits for review, except the oversize haul on its permitted route.
        assert permitted > 0 and _count(Case, Case.reading_id.is_not(None)) == overlimit - permitted
        assert giants >= 5
        assert barred and all(c.penalty_bars[0]["code"] == "calibration_lapsed" for c in barred)
        lapsed = {c.site_id for c in barred}
        assert len(lapsed) == 1 and db.session.get(Site, lapsed.pop()).kind == "wim"
        assert unreadable > 0
        assert checked == readings  # the daily figures are there without a worker
        assert repeaters > 0  # repeat offenders show their earlier cases


def test_second_demo_load_changes_nothing(demo3):
    app, _ = demo3
    with app.app_context():
        before = [_count(m) for m in (Site, User, Reading, Case, AuditEvent)]
        again = load_demo(days=3)
        after = [_count(m) for m in (Site, User, Reading, Case, AuditEvent)]
    assert again.startswith(ALREADY_LOADED)
    assert after == before


def test_demo_registry_links_cases_and_shows_a_dossier(demo3):
    from models import Driver, Enterprise, Permit, Vehicle
    from service.rules import uscc_is_valid

    app, summary = demo3
    with app.app_context():
        enterprises = db.session.scalars(select(Enterprise)).all()
        assert {e.kind for e in enterprises} == {"transport", "source", "both"}
        assert {e.region_code for e in enterprises} == {"220100", "220200", "220300"}
        assert all(uscc_is_valid(e.uscc) for e in enterprises)
        assert _count(Vehicle, Vehicle.enterprise_id.is_not(None)) == _count(Vehicle) > 40
        drivers = db.session.scalars(select(Driver)).all()
        assert len(drivers) >= 3 and all("*" in d.identity_masked for d in drivers)
        assert _count(Permit) >= 1
        # The regular overloaders' cases carry their vehicle and transport enterprise, linked by the service.
        linked = _count(Case, Case.enterprise_id.is_not(None))
        assert linked > 0 and linked == _count(Case, Case.vehicle_id.is_not(None))
        # The oversize haul: on its route within the permit, no case; off route or over the figures, a case.
        issues = db.session.scalars(select(Case.permit_issue).where(Case.permit_issue.is_not(None)))
        assert {i["status"] for i in issues} == {"off_route", "over_permit"}
        busiest, cases = db.session.execute(
            select(Case.enterprise_id, func.count())
            .where(Case.enterprise_id.is_not(None))
            .group_by(Case.enterprise_id)
            .order_by(func.count().desc())
        ).first()
        name = db.session.get(Enterprise, busiest).name
    assert "登记簿：新建 企业 6 家" in summary and "持大件运输许可在许可路线上通行，未立案" in summary

    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "investigator", "password": "demo-investigator-2026", "csrf_token": token})
    dossier = client.get(f"/registry/enterprises/{busiest}").get_data(as_text=True)
    assert name in dossier and f"案件（{cases}" in dossier and "R-ENT-10" in dossier


def test_demo_takes_a_regular_overloader_through_the_procedure(demo14):
    """A newcomer finds decided cases, a 屡犯 vehicle and driver, and the flag on the next case."""
    from service.audit import verify
    from service.registry.repeat import listed, repeat_flags

    app, summary = demo14
    with app.app_context():
        (plate,) = db.session.scalars(select(Case.plate).where(Case.status == "decided").distinct()).all()
        # Listed by the legal count, or by the rolling 12 months when the anniversary of the
        # vehicle's 道路运输证 or the driver's 从业资格证 splits the four decisions.
        vehicles, drivers = listed("vehicle"), listed("driver")
        assert [(i["plate"], i["rolling_count"]) for i in vehicles] == [(plate, 4)]
        assert [i["rolling_count"] for i in drivers] == [4]
        decided = db.session.scalars(select(Case).where(Case.plate == plate, Case.status == "decided")).all()
        assert len(decided) == 4 and all(
            c.lead_matter.decision_number and c.lead_matter.repeat_at_decision for c in decided
        )
        waiting = db.session.scalars(select(Case).where(Case.plate == plate, Case.status == "pending_review")).all()
        flags = repeat_flags(waiting)
        assert all({"vehicle", "driver"} <= {f["subject"] for f in flags[c.id]} for c in waiting)
        intact, bad, checked = verify()
        assert intact and bad is None and checked > 4 * 6  # every step of the four cases is in the chain
    assert f"办案示例：{plate} 的 4 件案件" in summary


def registered_regulars() -> set[int]:
    return set(db.session.scalars(select(Case.enterprise_id).where(Case.enterprise_id.is_not(None))))


def test_demo_closes_a_baidunwang_case_through_every_party_and_lists_its_enterprise(demo14):
    """一超四罚 to the end: every party's matter closed, the case closed and its copy notice due;
    the truck's enterprise under 挂牌督办 with a deadline next week."""
    from datetime import timedelta

    from models import CopyNotice, SupervisionAction
    from service import clock
    from service.audit import verify

    app, summary = demo14
    with app.app_context():
        closed = db.session.scalars(select(Case).where(Case.status == "closed", Case.baidunwang.is_(True))).all()
        assert len(closed) == 1
        (case,) = closed
        parties = {m.party for m in case.matters}
        assert {"vehicle", "driver", "transport_enterprise", "source_enterprise"} <= parties
        assert all(m.status == "closed" for m in case.matters)
        assert any(m.authority == "police" and m.outcome["points"] for m in case.matters)
        source = next(m for m in case.matters if m.party == "source_enterprise")
        assert source.enterprise_id is not None  # traced to a registered source unit
        assert db.session.scalar(select(CopyNotice).where(CopyNotice.case_id == case.id)).status == "due"
        (listed,) = db.session.scalars(select(SupervisionAction).where(SupervisionAction.kind == "listed")).all()
        assert listed.status == "open" and listed.enterprise_id in (case.enterprise_id, *registered_regulars())
        assert clock.today() < listed.due_on <= clock.today() + timedelta(days=7)
        assert verify()[0]
    assert f"一超四罚示例：百吨王案件 {case.case_number}" in summary and "挂牌督办" in summary


def test_demo_police_find_referrals_waiting_a_package_acknowledged_and_an_outcome(demo14):
    """The police's inbox after `make run`: a 百吨王 and a repeat offender waiting, one package
    exported and acknowledged, the closed 百吨王's outcome recorded."""
    from models import Referral, ReferralExport

    app, summary = demo14
    with app.app_context():
        referrals = db.session.scalars(select(Referral)).all()
        waiting = [r for r in referrals if r.status == "queued"]
        triggers = {x["trigger"] for r in waiting for x in r.reasons}
        assert "baidunwang" in triggers and triggers & {"vehicle_repeat", "driver_repeat"}
        (package,) = db.session.scalars(select(ReferralExport)).all()
        assert package.status == "done" and package.acknowledged_at is not None and package.sha256
        assert any(r.status == "closed" and r.matter.outcome["points"] for r in referrals)
    assert f"移交包 {package.id} 已导出并签收" in summary
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "police", "password": "demo-police-2026"})
    seen = client.get("/api/v1/referrals", headers={"Authorization": f"Bearer {token.get_json()['access_token']}"})
    assert {r["status"] for r in seen.get_json()} >= {"queued", "closed"}


def test_demo_has_a_new_point_whose_over_limit_rate_drops(demo14):
    """The dashboard's 威慑效果 has something to show: CC-WIM-02 went live during the period, and
    its over-limit rate fell after its first days (the figures from the daily rollups)."""
    from datetime import timedelta

    from service.stats.deterrence import deterrence, went_live
    from service.stats.queries import summary, visible_sites

    app, _ = demo14
    with app.app_context():
        sites = visible_sites(None)
        (new,) = [s for s in sites if s.code == "CC-WIM-02"]
        first = went_live(new.id)
        others = min(went_live(s.id) for s in sites if s.code != "CC-WIM-02")
        assert first > others + timedelta(days=3)  # live during the period, not from its start
        early = summary(first, first + timedelta(days=2), [new])
        late = summary(first + timedelta(days=6), first + timedelta(days=8), [new])
        assert early["checked"] > 500 and late["checked"] > 500
        assert early["overlimit_rate_pct"] > 1.5 * late["overlimit_rate_pct"]
        view = deterrence(new, sites, first + timedelta(days=4))
        assert view["before"]["overlimit_rate_pct"] > view["after"]["overlimit_rate_pct"]
        assert [n["site_code"] for n in view["nearby"]] == ["CC-TOL-01", "CC-WIM-01"]


# Last in the module: it empties the tables and loads its own demo at a fixed moment, and the
# module's shared demos above are not loaded again within the module.
# The demo is generated relative to "now": at this moment (09:10 in Beijing) its regular overloader
# has cases waiting from the 吉林 WIM point whose verification had lapsed (issue item 11).
LAPSED_DEVICE_MOMENT = datetime(2026, 11, 26, 1, 10, tzinfo=UTC)


def test_demo_regular_s_cases_barred_by_a_lapsed_device_carry_the_driver_flag_too(app):
    """Every case of the regular waiting for review shows the driver's 屡犯 flag, the ones a
    lapsed verification bars from a penalty included: the same driver made those trips."""
    from service.registry.repeat import repeat_flags

    with time_machine.travel(LAPSED_DEVICE_MOMENT, tick=True), app.app_context():
        load_demo(days=14)
        (plate,) = db.session.scalars(select(Case.plate).where(Case.status == "decided").distinct()).all()
        (driver_id,) = db.session.scalars(select(Case.driver_id).where(Case.status == "decided").distinct()).all()
        waiting = db.session.scalars(select(Case).where(Case.plate == plate, Case.status == "pending_review")).all()
        # Which of them a lapsed verification bars depends on the routes the generated traffic
        # takes (it changes whenever the demo gains a site); the driver is recorded on every case
        # left waiting by the same step whether its device had lapsed or not, so every waiting
        # case must carry the flags.
        assert waiting
        assert all(c.driver_id == driver_id for c in waiting)
        flags = repeat_flags(waiting)
        assert all({"vehicle", "driver"} <= {f["subject"] for f in flags[c.id]} for c in waiting)
