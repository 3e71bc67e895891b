"""Who may reach the source side's endpoints: a role × endpoint matrix. Investigators see a case
only as far as tracing needs — its trace, never the case itself or the owner's procedure; a
weighbridge's token posts loadings and nothing else. 403 is "not your work"; any other answer
means the role got through (200, 201, 404, 409, 422)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from models import Case, PartyMatter, TraceTask
from service.extensions import db
from tests.api.sources.conftest import QUARRY
from tests.api.sources.test_loadings import loading
from tests.conftest import reading

ROLES = ("admin", "supervisor", "officer", "investigator", "police")
REFUSED = {401, 403, 404}  # not signed in, not your work, not yours to see
TRACERS = {"supervisor", "investigator"}
MATRIX = [
    ("POST", "/api/v1/loadings", {"admin", "weighbridge"}),
    ("GET", "/api/v1/loadings/{loading}", {"admin", "supervisor", "investigator"}),
    ("POST", "/api/v1/loadings/imports", {"admin", "supervisor"}),
    ("GET", "/api/v1/weighbridges", {"admin", "supervisor", "investigator"}),
    ("POST", "/api/v1/weighbridges", {"admin"}),
    ("GET", "/api/v1/weighbridges/JS-WB-01/flags", {"admin", "supervisor", "investigator"}),
    ("POST", "/api/v1/weighbridges/JS-WB-01/tokens", {"admin"}),
    ("GET", "/api/v1/cases/{case}/trace", {"admin", "supervisor", "investigator", "officer"}),
    ("PUT", "/api/v1/cases/{case}/trace/leads", {"supervisor", "investigator", "officer"}),
    ("POST", "/api/v1/cases/{case}/trace/confirm", TRACERS),
    ("POST", "/api/v1/cases/{case}/trace/unknown", TRACERS),
    ("GET", "/api/v1/cases/{case}/trace/tasks", {"admin", "supervisor", "investigator", "officer"}),
    ("POST", "/api/v1/cases/{case}/trace/tasks", TRACERS),
    ("POST", "/api/v1/trace-tasks/{task}/outcome", TRACERS),
    ("GET", "/api/v1/trace-queue", {"admin", *TRACERS}),
    # Tracing needs no more of a case: not the case, not its owner's matter or procedure.
    ("GET", "/api/v1/cases/{case}", {"admin", "supervisor", "officer"}),
    ("GET", "/api/v1/cases", {"admin", "supervisor", "officer"}),
    ("GET", "/api/v1/matters/{owner_matter}", {"admin", "supervisor", "officer"}),
    ("GET", "/api/v1/matters/{source_matter}", {"admin", "supervisor", "officer", "investigator"}),
    ("POST", "/api/v1/readings", {"admin", "device"}),
]


@pytest.fixture
def ids(app, client, make_site, weighbridge):
    _, device = make_site()
    _, bridge = weighbridge()
    case_id = client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=62000)]}
    ).get_json()["results"][0]["case_id"]
    src = client.post(
        "/api/v1/loadings", headers=bridge, json={"loadings": [loading(gross_weight_kg=62000)]}
    ).get_json()
    with app.app_context():
        from service.procedure.case_ops import open_matter

        db.session.execute(
            update(Case).where(Case.id == case_id).values(status="confirmed", reviewed_at=datetime.now(UTC))
        )
        case = db.session.get(Case, case_id)
        owner = open_matter(case, "vehicle", "agency", {"rule_id": "L-6AX-C"})
        source = db.session.query(PartyMatter).filter_by(case_id=src["results"][0]["source_case_id"]).one()
        from service.admin.operations import create_user

        prep = create_user("matrix-prep", "investigator", "correct-horse-9")
        task = TraceTask(case_id=case_id, instructions="调取台账", due_on=date(2099, 1, 1), status="open",
                         opened_by_id=prep.id, opened_at=datetime.now(UTC))  # fmt: skip
        db.session.add(task)
        db.session.commit()
        return {"case": case_id, "loading": src["results"][0]["loading_id"], "owner_matter": owner.id,
                "source_matter": source.id, "task": task.id, "device": device, "weighbridge": bridge}  # fmt: skip


def test_each_role_reaches_only_its_source_endpoints(client, login, ids):
    headers = {role: login(role, username=f"m-{role}") for role in ROLES}
    headers["device"], headers["weighbridge"] = ids["device"], ids["weighbridge"]
    failures = []
    for method, path, allowed in MATRIX:
        url = path.format(**ids)
        for role, h in headers.items():
            body = None if method == "GET" else {}
            if "imports" in url:
                res = client.post(url, headers=h, data={}, content_type="multipart/form-data")
            else:
                res = client.open(url, method=method, headers=h, json=body)
            if (res.status_code not in REFUSED) != (role in allowed):
                failures.append(f"{role} {method} {url} → {res.status_code}")
    assert failures == [], "\n".join(failures)
    assert QUARRY  # the weighbridge belongs to the registered quarry
