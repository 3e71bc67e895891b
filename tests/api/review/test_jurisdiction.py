"""Jurisdiction (管辖), as a matrix over the agency tree: 吉林省 (220000) → the city detachments
长春 (220100) and 四平 (220300) → 长春's county detachment 朝阳区 (220104). An officer sees and acts
on their own agency's cases (not a child's, not a sibling's); a supervisor on their agency's and
those below; a user of the province on all; an officer or supervisor with no agency on none — in
the API, the console, the step engine, the lists, the exports and the inbox. Another agency's case
is not found, and its steps are refused."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.conftest import reading

AGENCIES = (("220000", None), ("220100", "220000"), ("220300", "220000"), ("220104", "220100"))
SITES = {"CC": "220100", "CC-CY": "220104", "SP": "220300"}  # 长春's own, 长春's child's, the sibling's
USERS = {
    "officer-cc": ("officer", "220100"),
    "officer-cy": ("officer", "220104"),
    "officer-sp": ("officer", "220300"),
    "officer-jl": ("officer", "220000"),  # the province
    "officer-none": ("officer", None),
    "boss-cc": ("supervisor", "220100"),
    "boss-sp": ("supervisor", "220300"),
    "boss-jl": ("supervisor", "220000"),
    "boss-none": ("supervisor", None),
}
# Whose cases each user sees (sites by their key above).
SEES = {
    "officer-cc": {"CC"},
    "officer-cy": {"CC-CY"},
    "officer-sp": {"SP"},
    "officer-jl": {"CC", "CC-CY", "SP"},
    "officer-none": set(),
    "boss-cc": {"CC", "CC-CY"},
    "boss-sp": {"SP"},
    "boss-jl": {"CC", "CC-CY", "SP"},
    "boss-none": set(),
}
PASSWORD = "correct-horse-9"


def make_agencies(app) -> dict[str, int]:
    from service.admin.agencies import create_agency
    from service.extensions import db

    ids: dict[str, int] = {}
    with app.app_context():
        for code, parent in AGENCIES:
            ids[code] = create_agency(code, parent_id=ids.get(parent)).id
        db.session.commit()
    return ids


@pytest.fixture
def world(app, client, make_site):
    from service.admin.operations import create_user
    from service.extensions import db

    agencies = make_agencies(app)
    cases = {}
    for key, region in SITES.items():
        code = f"JL-{key}"
        _, device = make_site(code, region_code=region)  # joins the agency of its region code
        body = {
            "readings": [
                reading(site_code=code, record_id=f"{key}-1", plate=f"吉A1{len(cases)}345", gross_weight_kg=56000)
            ]
        }
        cases[key] = client.post("/api/v1/readings", headers=device, json=body).get_json()["results"][0]["case_id"]
    heads = {}
    with app.app_context():
        for name, (role, region) in USERS.items():
            create_user(name, role, PASSWORD, agency_id=agencies[region] if region else None)
        db.session.commit()
    for name in USERS:
        token = client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD}).get_json()
        heads[name] = {"Authorization": f"Bearer {token['access_token']}"}
    return cases, heads


def test_sites_join_the_agency_of_their_region_or_the_nearest_above(app, world, make_site):
    from models import Agency, Site
    from service.extensions import db

    make_site("JL-CC-NK", region_code="220122")  # 农安县: no detachment of its own → 长春's
    make_site("JL-TH", region_code="220500")  # 通化市: no detachment → the province's
    with app.app_context():
        agency = {s.code: db.session.get(Agency, s.agency_id).code for s in db.session.query(Site)}
    assert agency == {
        "JL-CC": "220100",
        "JL-CC-CY": "220104",
        "JL-SP": "220300",
        "JL-CC-NK": "220100",
        "JL-TH": "220000",
    }


@pytest.mark.parametrize("user", list(USERS))
def test_each_user_sees_and_acts_on_their_jurisdiction_only(client, world, user):
    cases, heads = world
    listed = {c["id"] for c in client.get("/api/v1/cases?status=", headers=heads[user]).get_json()}
    assert listed == {cases[k] for k in SEES[user]}
    for key, case_id in cases.items():
        visible = key in SEES[user]
        res = client.get(f"/api/v1/cases/{case_id}", headers=heads[user])
        assert res.status_code == (200 if visible else 404), (user, key)
        step = client.post(
            f"/api/v1/cases/{case_id}/dismissal", json={"reason": "测试"}, headers={**heads[user], "If-Match": '"1"'}
        )
        assert step.status_code == (200 if visible else 404), (user, key, step.get_json())


@pytest.mark.parametrize("user", ["officer-cc", "boss-cc", "boss-jl", "officer-none"])
def test_the_console_and_its_exports_keep_to_the_jurisdiction(app, client, world, user):
    from openpyxl import load_workbook

    from models import Case
    from service.extensions import db
    from tests.console.test_console import _csrf

    cases, _ = world
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": _csrf(page)})
    token = _csrf(client.get("/cases?status=").get_data(as_text=True))
    for key, case_id in cases.items():
        visible = key in SEES[user]
        assert client.get(f"/cases/{case_id}").status_code == (200 if visible else 404), (user, key)
        form = {"csrf_token": token, "version": "1", "reason": "越权"}
        res = client.post(f"/cases/{case_id}/act/dismissal", data=form)
        assert res.status_code == (302 if visible else 404), (user, key)
        with app.app_context():
            status = db.session.get(Case, case_id).status
        assert (status == "dismissal_requested") == visible, (user, key)
    queue = client.get("/cases?status=").get_data(as_text=True)
    assert {k for k in SITES if f"JL-{k}<" in queue or f"JL-{k} " in queue} == SEES[user]
    sheet = load_workbook(BytesIO(client.get("/cases?status=&format=xlsx").data)).active
    assert sorted(r[2] for r in sheet.iter_rows(min_row=2, values_only=True)) == sorted(f"JL-{k}" for k in SEES[user])


@pytest.mark.parametrize("user", ["boss-cc", "boss-sp", "boss-jl", "boss-none"])
def test_the_inbox_lists_the_supervisors_jurisdiction(app, client, world, user):
    from tests.console.test_console import _csrf

    cases, heads = world
    for case_id in cases.values():  # the province's officer asks to dismiss each case
        res = client.post(
            f"/api/v1/cases/{case_id}/dismissal", json={"reason": "测试"},
            headers={**heads["officer-jl"], "If-Match": '"1"'},
        )  # fmt: skip
        assert res.status_code == 200
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": _csrf(page)})
    inbox = client.get("/inbox").get_data(as_text=True)
    numbers = {
        k: client.get(f"/api/v1/cases/{i}", headers=heads["boss-jl"]).get_json()["case_number"]
        for k, i in cases.items()
    }
    assert {k for k, number in numbers.items() if number in inbox} == SEES[user]


def test_the_step_engine_refuses_another_agencys_case_whoever_calls_it(app, world):
    from models import Case, User
    from service.errors import DomainError
    from service.extensions import db
    from service.procedure import ANY_VERSION, run_step

    cases, _ = world
    with app.app_context():
        officer = db.session.query(User).filter_by(username="officer-sp").one()
        theirs, ours = db.session.get(Case, cases["CC"]), db.session.get(Case, cases["SP"])
        with pytest.raises(DomainError) as refused:
            run_step("dismissal", theirs, officer, {"reason": "越权"}, expected_version=ANY_VERSION)
        assert refused.value.status == 404 and "管辖" in refused.value.message
        assert theirs.status == "pending_review"
        run_step("dismissal", ours, officer, {"reason": "误检"}, expected_version=ANY_VERSION)
        assert ours.status == "dismissal_requested"
        db.session.rollback()


def test_a_new_detachment_takes_over_the_sites_of_its_area(app, client, world):
    """Creating 四平's county detachment 铁西区 moves 四平's 铁西 site to it: 四平's officer no
    longer acts on its cases, 四平's supervisor still does (it is below them)."""
    from models import Agency, Site
    from service.admin.agencies import create_agency
    from service.extensions import db

    cases, heads = world
    with app.app_context():
        db.session.query(Site).filter_by(code="JL-SP").one().region_code = "220302"
        sp = db.session.query(Agency).filter_by(code="220300").one()
        create_agency("220302", parent_id=sp.id)
        db.session.commit()
        assert db.session.get(Agency, db.session.query(Site).filter_by(code="JL-SP").one().agency_id).code == "220302"
    assert client.get(f"/api/v1/cases/{cases['SP']}", headers=heads["officer-sp"]).status_code == 404
    assert client.get(f"/api/v1/cases/{cases['SP']}", headers=heads["boss-sp"]).status_code == 200


def test_without_any_agency_every_officer_sees_every_case(app, client, make_site, login):
    """A service that never set agencies up works as one detachment: an officer sees all."""
    cases = []
    for code in ("JL-A", "JL-B"):
        _, device = make_site(code, region_code="220100" if code == "JL-A" else "220300")
        body = {"readings": [reading(site_code=code, record_id=f"{code}-1", gross_weight_kg=56000)]}
        cases.append(client.post("/api/v1/readings", headers=device, json=body).get_json()["results"][0]["case_id"])
    officer = login("officer")
    assert {c["id"] for c in client.get("/api/v1/cases?status=", headers=officer).get_json()} == set(cases)


def test_another_agencys_evidence_is_not_served(app, client, world):
    from tests.console.test_console import _csrf
    from tests.evidence_kit import give_evidence

    cases, _ = world
    give_evidence(app, cases["CC"])
    with app.app_context():
        from models import Case, EvidenceImage
        from service.extensions import db

        reading_id = db.session.get(Case, cases["CC"]).reading_id
        image = db.session.query(EvidenceImage).filter_by(reading_id=reading_id).first().id
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "officer-sp", "password": PASSWORD, "csrf_token": _csrf(page)})
    assert client.get(f"/evidence/{image}/thumb").status_code == 404
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "officer-cc", "password": PASSWORD, "csrf_token": _csrf(page)})
    assert client.get(f"/evidence/{image}/thumb").status_code == 200


def test_copy_notices_keep_to_the_jurisdiction(app, client, world):
    from datetime import UTC, datetime

    from models import Case
    from service.copynotices.operations import open_for
    from service.extensions import db

    cases, heads = world
    with app.app_context():
        for key in ("CC", "SP"):
            case = db.session.get(Case, cases[key])
            case.status, case.closed_at = "closed", datetime.now(UTC)
            open_for(case)
        db.session.commit()
    seen = lambda user: {n["case_id"] for n in client.get("/api/v1/copy-notices", headers=heads[user]).get_json()}  # noqa: E731
    assert seen("officer-sp") == {cases["SP"]}
    assert seen("boss-jl") == {cases["CC"], cases["SP"]}
    assert seen("boss-none") == set()


def test_a_case_is_assigned_only_to_an_officer_who_can_open_it(app, client, world):
    from models import User
    from service.extensions import db

    cases, heads = world
    with app.app_context():
        ids = {u.username: u.id for u in db.session.query(User)}
    assign = lambda who: client.post(  # noqa: E731
        f"/api/v1/cases/{cases['CC']}/assign",
        json={"user_id": ids[who]},
        headers={**heads["boss-jl"], "If-Match": '"1"'},
    )
    refused = assign("officer-sp")  # 四平's officer could not open 长春's case
    assert refused.status_code == 422 and "管辖" in str(refused.get_json())
    assert assign("officer-cc").status_code == 200


# Whom each supervisor's assign lists offer (the queue's bulk form and the case page).
OFFERS = {
    "boss-cc": {"officer-cc", "officer-cy", "boss-cc"},
    "boss-sp": {"officer-sp", "boss-sp"},
    "boss-jl": set(USERS) - {"officer-none", "boss-none"},
    "boss-none": set(),
}


@pytest.mark.parametrize("user", sorted(OFFERS))
def test_the_assign_list_offers_only_the_supervisors_agency_and_those_below(app, client, world, user):
    import re

    from tests.console.test_console import _csrf

    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": _csrf(page)})
    queue = client.get("/cases").get_data(as_text=True)
    form = re.search(r'<select name="user_id"[^>]*>(.*?)</select>', queue, re.S)
    offered = set(re.findall(r"<option value=\"\d+\">([^<（]+)（", form.group(1))) if form else set()
    assert offered == OFFERS[user]


@pytest.mark.parametrize("user", sorted(USERS))
def test_the_figures_keep_to_the_jurisdiction(app, client, world, user, run_worker):
    """统计分析 counts the readings of the sites a user's jurisdiction covers (one reading each)."""
    from datetime import timedelta

    from service import clock

    _, heads = world
    run_worker()  # the daily figures are added up by the follow-up job
    today = clock.today()
    span = {"from": (today - timedelta(days=2)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    summary = client.get("/api/v1/stats/summary", query_string=span, headers=heads[user])
    assert summary.status_code == 200 and summary.get_json()["checked"] == len(SEES[user])


# The 月报 each supervisor asks for without naming a region, and whether they may ask for 长春's.
REPORTS = {
    "boss-cc": ("220100", True),
    "boss-sp": ("220300", False),
    "boss-jl": (None, True),  # the province: all sites
    "officer-cy": ("220104", False),
}


@pytest.mark.parametrize("user", sorted(REPORTS))
def test_monthly_reports_keep_to_the_jurisdiction(app, client, world, user):
    from service import clock

    _, heads = world
    month = clock.today().replace(day=1).strftime("%Y-%m")
    own, may_ask_cc = REPORTS[user]
    mine = client.post("/api/v1/stats/reports", json={"month": month}, headers=heads[user])
    assert mine.status_code == 202 and mine.get_json()["region"] == own
    cc = client.post("/api/v1/stats/reports", json={"month": month, "region": "220100"}, headers=heads[user])
    assert cc.status_code == (202 if may_ask_cc else 403)
    listed = {r["id"] for r in client.get("/api/v1/stats/reports", headers=heads["boss-sp"]).get_json()}
    assert (mine.get_json()["id"] in listed) == (own == "220300")  # 四平's supervisor sees 四平's only
