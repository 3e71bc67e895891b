"""Property-based fuzz of the whole OpenAPI spec (issue 16 item 2): every operation, with
generated valid and invalid inputs, called as each kind of caller — no answer is a 5xx, and
every answer matches what the spec says (status, content type, headers, body schema).

Bounded for the suite: FUZZ_EXAMPLES examples per operation (default 8), each sent with the
token of every role, derandomized so that a run is reproducible. Set FUZZ_EXAMPLES=200 and
FUZZ_SEED=<n> for a long exploratory run, FUZZ_REPORT=<file> for the counts of answers."""

from __future__ import annotations

import os
from collections import Counter
from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from sqlalchemy import text

from tests.conftest import _tables, reading

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
STATUSES: Counter[int] = Counter()  # answers seen, by status: written to the file FUZZ_REPORT names
SEED = os.environ.get("FUZZ_SEED")
ROLES = ("officer", "supervisor", "admin", "police", "investigator", "device")
PASSWORD = "fuzz-horse-battery-9"


@pytest.fixture(scope="module")
def world(_app, redis_server):
    """One seeded database per backend for the whole module: users of every role, a site
    and its device, readings with cases. Emptied again by the next test's `app` fixture."""
    from service.admin.operations import create_site, create_user
    from service.extensions import db

    with _app.app_context():
        db.session.remove()
        if _app.config["DB_BACKEND"] == "postgresql":
            db.session.execute(text(f"TRUNCATE {', '.join(_tables())} RESTART IDENTITY CASCADE"))
        else:
            for table in _tables():
                db.session.execute(text(f"DELETE FROM {table}"))
        db.session.commit()
        users = {role: create_user(f"fuzz-{role}", role, PASSWORD).id for role in ROLES if role != "device"}
        site, device_token = create_site(
            "JL-WIM-01", "模糊测试点位", "wim", accuracy_class="5", calibrated_until=date(2099, 12, 31)
        )
        db.session.commit()
    _seed(_app.test_client(), device_token)
    return {"users": users, "device_token": device_token}


def _seed(client, device_token: str) -> None:
    """Something behind the small ids the fuzz tries first: cases (one with its owner's matter
    and a notice), registry records of each kind, a watch entry and its alert."""
    from models.case import REVIEW_CHECKS
    from service.rules import uscc_check_digit
    from tests.evidence_kit import give_all_evidence

    device = {"Authorization": f"Bearer {device_token}"}
    items = [reading(record_id=f"F-{i}", gross_weight_kg=42000 + 4000 * i) for i in range(6)]
    assert client.post("/api/v1/readings", json={"readings": items}, headers=device).status_code == 200
    give_all_evidence(client.application)  # the plate close-up and overview a WIM record carries (§6.2)
    login = {"username": "fuzz-supervisor", "password": PASSWORD}
    token = client.post("/api/v1/auth/token", json=login).get_json()["access_token"]
    boss = {"Authorization": f"Bearer {token}"}
    case_id = client.get("/api/v1/cases", headers=boss).get_json()[0]["id"]
    for step, body in (("confirm", {"checklist": dict.fromkeys(REVIEW_CHECKS, True)}), ("notice", {})):
        etag = client.get(f"/api/v1/cases/{case_id}", headers=boss).headers["ETag"]
        res = client.post(f"/api/v1/cases/{case_id}/{step}", json=body, headers={**boss, "If-Match": etag})
        assert res.status_code in (200, 201), res.get_json()
    uscc = "91220101MA0000000" + uscc_check_digit("91220101MA0000000")
    today = date.today()
    for path, body in (
        ("enterprises", {"uscc": uscc, "name": "长春某运输有限公司", "kind": "transport"}),
        ("vehicles", {"plate": "吉A12345", "enterprise_uscc": uscc, "rated_load_kg": 31000, "axle_count": 6}),
        ("drivers", {"name": "王强", "licence_no": "220102198001011234"}),
        (
            "permits",
            {
                "number": "JL-DJ-2026-001",
                "plate": "吉A12345",
                "valid_from": (today - timedelta(days=5)).isoformat(),
                "valid_until": (today + timedelta(days=5)).isoformat(),
                "permitted_gross_kg": 70000,
                "route": ["JL-WIM-01"],
            },
        ),
    ):
        res = client.post(f"/api/v1/registry/{path}", json=body, headers=boss)
        assert res.status_code == 201, (path, res.get_json())
    until = (today + timedelta(days=30)).isoformat() + "T00:00:00+08:00"
    watch = {"plate": "吉A12345", "reason": "模糊测试布控", "ends_at": until}
    assert client.post("/api/v1/watchlist", json=watch, headers=boss).status_code == 201


@pytest.fixture
def tokens(_app, world):
    """A fresh token per role for each operation: an earlier operation may have reset a password
    or deactivated a user (the fuzz is an administrator too)."""
    from models import User
    from service.auth.guard import issue_user_token
    from service.extensions import db

    with _app.app_context():
        found = {}
        for role, user_id in world["users"].items():
            user = db.session.get(User, user_id)
            user.active = True
            db.session.commit()
            found[role] = issue_user_token(user)
        found["device"] = world["device_token"]
    return found


def _spec() -> dict:
    """The spec as the app serves it (no database needed to describe the API)."""
    from service import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "spec-only"})
    return app.test_client().get("/api/v1/openapi.json").get_json()


# Loaded at collection: one test per operation. (schemathesis.pytest.from_fixture would load it
# from the app fixture, but its lazy loader does not run under pytest 9.)
# Every built-in check runs. A schema-valid request may still be refused with 412 (a stale
# If-Match) or 422 (a rule JSON Schema cannot state: a USCC's check digit, a date in the future,
# one of two fields): both are documented answers of those operations, not a spec violation.
# Likewise a schema-violating request may be refused with 412 (an If-Match that is no version).
# 429 is the sign-in throttle's documented answer: the fuzz signs in wrongly far more often than
# the per-account and per-client limits allow, so /auth/token ends up refusing every try.
REFUSED = ["400", "401", "403", "404", "405", "409", "412", "413", "415", "422", "428", "429"]
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422", "429"]},
            "negative_data_rejection": {"expected-statuses": REFUSED},
        }
    }
)
schema = schemathesis.openapi.from_dict(_spec(), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=SEED is None,
    suppress_health_check=list(HealthCheck),
)
@seed(int(SEED or 0))  # used only when not derandomized
def test_no_input_yields_a_5xx_and_every_answer_matches_the_spec(case, _app, tokens):
    case.operation.schema.app = _app  # this backend's app, also for the checks that send a request again
    if case.operation.schema.is_security_param_negated(case):
        STATUSES[case.call_and_validate(app=_app).status_code] += 1  # the case is about a missing token
        return
    for role in ROLES:
        response = case.call_and_validate(app=_app, headers={"Authorization": f"Bearer {tokens[role]}"})
        STATUSES[response.status_code] += 1


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if os.environ.get("FUZZ_REPORT"):  # a file the counts are appended to (pytest holds stderr)
        with open(os.environ["FUZZ_REPORT"], "a", encoding="utf-8") as out:
            print(f"fuzz: {sum(STATUSES.values())} requests, by status {dict(sorted(STATUSES.items()))}", file=out)
        STATUSES.clear()
