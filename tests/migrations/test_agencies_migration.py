"""The agencies migration (b3e7a9d1c5f2) gives every region code already on a user or a site its
agency, with the agencies above it up to the province, named from the code, and puts each user and
site in the agency of its code: a database taken back to before it and upgraded again keeps the
jurisdiction its users had by region code."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from tests.conftest import BACKENDS
from tests.harness import create_database

BEFORE = "f5b8d2c7a413"


@pytest.fixture(params=BACKENDS)
def old_app(request, tmp_path, redis_server):
    from flask_migrate import upgrade

    from service import create_app
    from service.extensions import db

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'agencies.db'}"
    else:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        url = create_database(request.getfixturevalue("pg_base_url"), f"zhichao_agencies_mig_{worker}")
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_server.url,
        "EVIDENCE_DIR": tmp_path / "evidence", "SECRET_KEY": "test-secret-not-for-production",
    })  # fmt: skip
    with app.app_context():
        upgrade(revision=BEFORE)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_upgrading_makes_agencies_of_the_region_codes_in_use(old_app):
    from flask_migrate import downgrade, upgrade

    from models import Agency, Site, User
    from service.extensions import db
    from service.review.jurisdiction import site_clause

    with old_app.app_context():
        for code, region in (("CC-1", "220104"), ("SP-1", "220300"), ("NONE-1", None)):
            db.session.execute(
                text("INSERT INTO sites (code, name, kind, region_code, created_at) VALUES (:c, :c, 'wim', :r, :t)"),
                {"c": code, "r": region, "t": "2026-11-01 00:00:00"},
            )
        for name, role, region in (("cc", "officer", "220100"), ("cy", "officer", "220104"), ("x", "officer", None)):
            db.session.execute(
                text("INSERT INTO users (username, password_hash, role, region_code, active, token_generation,"
                     " created_at) VALUES (:n, 'x', :role, :r, true, 0, :t)"),
                {"n": name, "role": role, "r": region, "t": "2026-11-01 00:00:00"},
            )  # fmt: skip
        db.session.commit()
        upgrade()
        tree = {a.code: (a.name, a.parent_id) for a in db.session.query(Agency)}
        by_id = {a.id: a.code for a in db.session.query(Agency)}
        assert {code: (name, by_id.get(parent)) for code, (name, parent) in tree.items()} == {
            "220000": ("吉林省交通运输综合行政执法局", None),
            "220100": ("长春市交通运输综合行政执法支队", "220000"),
            "220104": ("长春市朝阳区交通运输综合行政执法大队", "220100"),
            "220300": ("四平市交通运输综合行政执法支队", "220000"),
        }
        sites = {s.code: by_id.get(s.agency_id) for s in db.session.query(Site)}
        assert sites == {"CC-1": "220104", "SP-1": "220300", "NONE-1": None}
        users = {u.username: u for u in db.session.query(User)}
        assert {n: by_id.get(u.agency_id) for n, u in users.items()} == {"cc": "220100", "cy": "220104", "x": None}
        # 朝阳区's officer acts on 朝阳区's site; 长春's officer (a city detachment) not on its child's.
        seen = lambda user: set(db.session.scalars(db.select(Site.code).where(site_clause(user))))  # noqa: E731
        assert seen(users["cy"]) == {"CC-1"} and seen(users["cc"]) == set() and seen(users["x"]) == set()
        db.session.remove()
        downgrade(revision=BEFORE)  # and back: the migration runs both ways
        upgrade()
        assert db.session.query(Agency).count() == 4
