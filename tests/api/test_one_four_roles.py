"""Who may reach the 一超四罚 endpoints (party matters, copy notices, supervision, blacklist): a
role × endpoint matrix. 403 is "not your work"; 200/201/404/409/422 mean the role got through."""

from __future__ import annotations

import pytest

from tests.evidence_kit import give_evidence

ROLES = ("admin", "supervisor", "officer", "investigator", "police")
REFUSED = {401, 403, 404}  # not signed in, not your work, not yours to see
# (method, path, the roles that get through); {case} and {matter} are a real case and its owner's matter
MATRIX = [
    ("GET", "/api/v1/cases/{case}/parties", {"admin", "supervisor", "officer"}),
    ("GET", "/api/v1/matters/{matter}", {"admin", "supervisor", "officer"}),  # the owner's: not police's nor sources'
    ("POST", "/api/v1/matters/{matter}/notice", {"supervisor", "officer"}),
    ("GET", "/api/v1/copy-notices", {"admin", "supervisor", "officer"}),
    ("GET", "/api/v1/copy-notices/export.xlsx", {"admin", "supervisor", "officer"}),
    ("GET", "/api/v1/supervision/proposals", {"admin", "supervisor", "officer", "investigator"}),
    ("GET", "/api/v1/supervision/actions", {"admin", "supervisor", "officer", "investigator"}),
    ("POST", "/api/v1/supervision/actions", {"supervisor", "investigator"}),
    ("GET", "/api/v1/blacklist", {"admin", "supervisor", "officer", "investigator"}),
    # 指使强令者 (F-INSTIGATE): officers and the source investigators record who ordered the overload
    ("POST", "/api/v1/cases/{case}/instigators", {"supervisor", "officer", "investigator"},
     {"name": "王某", "reason": "驾驶人笔录：车队长要求多装"}),
    # B-4: a supervisor records a repairer's licence revocation; the supervision readers list them
    ("GET", "/api/v1/supervision/repairer-revocations", {"admin", "supervisor", "officer", "investigator"}),
    ("POST", "/api/v1/supervision/repairer-revocations", {"supervisor"},
     {"name": "长春市宏达汽车修理厂", "decision_number": "长交执罚〔2026〕17号", "decided_on": "2026-01-05",
      "authority": "长春市交通运输局"}),
]  # fmt: skip


@pytest.fixture
def ids(client, make_site, login):
    from tests.api.review.test_procedure import CHECKLIST, Officer
    from tests.conftest import reading

    _, device = make_site()
    case_id = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]}
    ).get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    officer = Officer(client, login("officer", username="matrix-prep"))
    detail = officer.step(case_id, "confirm", {"checklist": CHECKLIST}).get_json()
    return {"case": case_id, "matter": detail["matters"][0]["id"], "device": device, "version": detail["version"]}


def version(client, case_id: int) -> int:
    """The case's version now (a step another role took moved it on): a stale ETag is not what is tested."""
    from models import Case
    from service.extensions import db

    with client.application.app_context():
        return db.session.get(Case, case_id).version


def test_each_role_reaches_only_its_endpoints(client, login, ids):
    headers = {role: login(role, username=f"matrix-{role}") for role in ROLES}
    headers["device"] = ids["device"]
    failures = []
    for method, path, allowed, *body in MATRIX:
        url = path.format(**ids)
        for role, h in headers.items():
            etag = {"If-Match": f'"{version(client, ids["case"])}"'} if method == "POST" else {}
            res = client.open(
                url, method=method, headers={**h, **etag}, json=(body or [{}])[0] if method == "POST" else None
            )
            if (res.status_code not in REFUSED) != (role in allowed):
                failures.append(f"{role} {method} {url} → {res.status_code}")
    assert failures == []
