"""Police see only what was referred (CONTRACT §5): a role × endpoint matrix over the referral API,
and a sweep of every endpoint in the spec with the police's token — each answers 401/403/404 except
the referral API, their sign-in and the matters referred to them."""

from __future__ import annotations

import re

import pytest

from tests.api.police.conftest import confirmed, referrals
from tests.api.police.test_packages import export

ROLES = ("admin", "supervisor", "officer", "investigator", "police")
REFUSED = {401, 403, 404, 405}
READERS = {"admin", "supervisor", "officer", "police"}
ACTORS = {"supervisor", "officer", "police"}
MATRIX = [
    ("GET", "/api/v1/referrals", READERS),
    ("GET", "/api/v1/referrals/{referral}", READERS),
    ("POST", "/api/v1/referrals/{referral}/ack", ACTORS),
    ("POST", "/api/v1/referrals/{referral}/outcome", ACTORS),
    ("POST", "/api/v1/referrals/{referral}/withdraw", {"supervisor"}),
    ("GET", "/api/v1/referrals/exports", READERS),
    ("POST", "/api/v1/referrals/exports", ACTORS),
    ("GET", "/api/v1/referrals/exports/{export}", READERS),
    ("GET", "/api/v1/referrals/exports/{export}/file", READERS),
    ("POST", "/api/v1/referrals/exports/{export}/ack", ACTORS),
    ("GET", "/api/v1/referrals/public-key", READERS),
]
BODIES = {"outcome": {"decision_number": "X-1", "decided_on": "2026-06-16"}, "withdraw": {"reason": "测试"}}


@pytest.fixture
def ids(client, people, station, truck, run_worker):
    case = confirmed(client, people, station, run_worker, "X-1", plate="吉B54321", gross_weight_kg=100_500)
    other = confirmed(client, people, station, run_worker, "X-2", plate="吉C11111", gross_weight_kg=56_000)
    (ref,) = referrals(client, people["officer"].headers)
    package = export(client, people["officer"].headers, run_worker, {"referral_ids": [ref["id"]]})
    owner = people["officer"].get(other).get_json()["matters"][0]["id"]
    return {"referral": ref["id"], "export": package["id"], "case": case, "other": other, "matter": owner}


def test_each_role_reaches_only_its_referral_endpoints(client, login, people, station, ids):
    headers = {role: login(role, username=f"m-{role}") for role in ROLES}
    headers["device"] = station
    failures = []
    for method, path, allowed in MATRIX:
        url = path.format(**ids)
        body = BODIES.get(url.rsplit("/", 1)[-1], {}) if method == "POST" else None
        for role, h in headers.items():
            res = client.open(url, method=method, headers=h, json=body)
            if (res.status_code not in REFUSED) != (role in allowed):  # 409/422: got through
                failures.append(f"{role} {method} {url} → {res.status_code}")
    assert failures == []


# What the police may reach at all: the referral API, signing in, and matters referred to them.
POLICE_OPEN = re.compile(r"^/api/v1/(referrals|auth/token|matters/\{matter_id\}(/ack|/outcome)?$)")


def test_the_police_reach_nothing_but_what_was_referred(app, client, people, ids):
    spec = client.get("/api/v1/openapi.json").get_json()
    police = people["police"]
    reached = []
    for path, operations in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", lambda m: str(ids["other"] if "case" in m.group(0) else ids["matter"]), path)
        for method in operations:
            if method not in ("get", "post", "put", "patch", "delete") or POLICE_OPEN.match(path):
                continue
            res = client.open("/api/v1" + url if not url.startswith("/api") else url, method=method.upper(),
                              headers=police, json={} if method != "get" else None)  # fmt: skip
            # 422: the body was refused before anything was looked up (nothing read, nothing done)
            if res.status_code not in REFUSED | {422}:
                reached.append(f"{method.upper()} {path} → {res.status_code}")
    assert reached == [], "\n".join(reached)
    # A case not referred is not there; the owner's matter of the referred case neither.
    assert client.get(f"/api/v1/cases/{ids['case']}", headers=police).status_code == 403
    assert client.get(f"/api/v1/matters/{ids['matter']}", headers=police).status_code == 404
    assert client.get(f"/api/v1/referrals/{ids['referral'] + 100}", headers=police).status_code == 404
