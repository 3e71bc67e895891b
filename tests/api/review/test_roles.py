"""Each procedure step, allowed and refused per role (issue: who may do what)."""

from __future__ import annotations

import pytest

from tests.api.review.test_procedure import CHECKLIST, Officer
from tests.conftest import reading
from tests.evidence_kit import give_evidence

# (step, body, role, expected status) — the case is in the state the step needs.
TABLE = [
    ("confirm", {"checklist": CHECKLIST}, "officer", 200),
    ("confirm", {"checklist": CHECKLIST}, "supervisor", 200),
    ("confirm", {"checklist": CHECKLIST}, "admin", 403),
    ("confirm", {"checklist": CHECKLIST}, "investigator", 403),
    ("confirm", {"checklist": CHECKLIST}, "police", 403),
    ("dismissal", {"reason": "重复记录"}, "officer", 200),
    ("dismissal", {"reason": "重复记录"}, "police", 403),
    ("notice", None, "officer", 201),
    ("notice", None, "admin", 403),
    ("decision", {"kind": "fine", "amount_yuan": 2000}, "officer", 200),
    ("decision", {"kind": "fine", "amount_yuan": 2000}, "investigator", 403),
    ("decision/approve", None, "officer", 403),
    ("decision/approve", None, "supervisor", 200),
    ("dismissal/approve", None, "officer", 403),
    ("dismissal/approve", None, "supervisor", 200),
]

STATE_FOR = {  # the steps that bring a fresh case to the state each step needs
    "confirm": [],
    "dismissal": [],
    "dismissal/approve": [("dismissal", {"reason": "重复记录"})],
    "notice": [("confirm", {"checklist": CHECKLIST})],
    "decision": [("confirm", {"checklist": CHECKLIST}), ("notice", None), ("statements", {"kind": "waiver"})],
    "decision/approve": [
        ("confirm", {"checklist": CHECKLIST}),
        ("notice", None),
        ("statements", {"kind": "waiver"}),
        ("decision", {"kind": "fine", "amount_yuan": 2000}),
    ],
}


@pytest.mark.parametrize("step, body, role, expected", TABLE, ids=[f"{r} {s} → {e}" for s, _, r, e in TABLE])
def test_step_per_role(client, make_site, login, step, body, role, expected):
    _, device = make_site()
    case_id = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]}
    ).get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)
    preparer = Officer(client, login("officer", username="preparer"))
    for prior, prior_body in STATE_FOR[step]:
        assert preparer.step(case_id, prior, prior_body).status_code in (200, 201)
    actor_headers = login(role, username=f"actor-{role}")
    etag = f'"{client.get(f"/api/v1/cases/{case_id}", headers=preparer.headers).get_json()["version"]}"'
    res = client.post(f"/api/v1/cases/{case_id}/{step}", json=body or {}, headers={**actor_headers, "If-Match": etag})
    assert res.status_code == expected, res.get_json()
