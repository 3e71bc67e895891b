"""The demo data set: what a newcomer sees after `flask --app wsgi demo load`."""

from __future__ import annotations

from sqlalchemy import func, select

from models import AuditEvent, Case, Reading, Site, SiteDailyStats, User
from models.site import SITE_KINDS
from models.user import ROLES
from service.demo import ALREADY_LOADED, DEMO_USERS, load_demo
from service.extensions import db


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_users_of_every_role_can_log_in(app):
    with app.app_context():
        summary = load_demo(days=3)
        roles = set(db.session.scalars(select(User.role)))
    assert roles == set(ROLES)
    client = app.test_client()
    for user in DEMO_USERS:
        assert f"{user.username} / {user.password}" in summary  # the printed logins work
        res = client.post("/api/v1/auth/token", json={"username": user.username, "password": user.password})
        assert res.status_code == 200, (user.username, res.get_json())
        assert res.get_json()["role"] == user.role


def test_demo_data_looks_like_real_traffic(app):
    with app.app_context():
        load_demo(days=3)
        kinds = set(db.session.scalars(select(Site.kind)))
        readings = _count(Reading)
        overlimit = _count(Reading, Reading.overlimit.is_(True))
        giants = _count(Case, Case.baidunwang.is_(True))
        barred = db.session.scalars(select(Case).where(Case.penalty_usable.is_(False))).all()
        unreadable = _count(Reading, Reading.plate.is_(None))
        checked = db.session.scalar(select(func.sum(SiteDailyStats.checked)))
        repeaters = _count(Case, Case.prior_case_count > 0)

        assert kinds == set(SITE_KINDS)
        assert readings >= 5000
        assert 0.02 <= overlimit / readings <= 0.06
        assert _count(Case) == overlimit  # every over-limit reading waits for review
        assert giants >= 5
        assert barred and all(c.penalty_bars[0]["code"] == "calibration_lapsed" for c in barred)
        lapsed = {c.site_id for c in barred}
        assert len(lapsed) == 1 and db.session.get(Site, lapsed.pop()).kind == "wim"
        assert unreadable > 0
        assert checked == readings  # the daily figures are there without a worker
        assert repeaters > 0  # repeat offenders show their earlier cases


def test_second_demo_load_changes_nothing(app):
    with app.app_context():
        load_demo(days=3)
        before = [_count(m) for m in (Site, User, Reading, Case, AuditEvent)]
        again = load_demo(days=3)
        after = [_count(m) for m in (Site, User, Reading, Case, AuditEvent)]
    assert again.startswith(ALREADY_LOADED)
    assert after == before
