"""Tracing a confirmed roadside case to its source (CONTRACT §7): candidates with scores and
Chinese reasons for one clear, two competing and no lead; confirmation (a candidate, or any
source with a reason), unknown with a reason, field investigations; each audited; a confirmed
source names the case's source-enterprise matter of 一超四罚."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from models import AuditEvent, Case, PartyMatter, Site
from service.extensions import db
from tests.api.sources.conftest import SAND
from tests.api.sources.test_loadings import loading
from tests.conftest import ago, reading


@pytest.fixture
def road(app, client, make_site):
    """road(gross, plate=…, hours_ago=…) → a confirmed roadside case id at 长春西 (class-5 WIM)."""
    _, device = make_site("CC-WIM-01", "wim", region_code="220100")
    with app.app_context():
        db.session.execute(update(Site).values(latitude=43.88, longitude=125.20, name="长春西非现场执法点"))
        db.session.commit()
    counter = iter(range(1000))

    def make(gross=62000, plate="吉C12345", hours_ago=1):
        item = reading(site_code="CC-WIM-01", record_id=f"R-{next(counter)}", plate=plate, gross_weight_kg=gross,
                       captured_at=ago(hours=hours_ago))  # fmt: skip
        case_id = client.post("/api/v1/readings", json={"readings": [item]}, headers=device).get_json()["results"][0][
            "case_id"
        ]
        with app.app_context():  # reviewed and confirmed (the officer's desk is tested elsewhere)
            db.session.execute(update(Case).where(Case.id == case_id).values(status="confirmed",
                               reviewed_at=datetime.now(UTC)))  # fmt: skip
            db.session.commit()
        return case_id

    return make


@pytest.fixture
def two_sources(weighbridge):
    _, quarry = weighbridge("JS-WB-01")
    _, sand = weighbridge("HJ-WB-01", SAND, enterprise_name="吉林市丰满区恒基砂石料场")
    return quarry, sand


def load(client, header, code, record, hours_ago, gross=61000, destination="长春市绿园区"):
    item = loading(weighbridge_code=code, record_id=record, weighed_at=ago(hours=hours_ago), plate="吉C12345",
                   gross_weight_kg=gross, destination=destination)  # fmt: skip
    assert client.post("/api/v1/loadings", json={"loadings": [item]}, headers=header).get_json()["accepted"] == 1


def trace(client, headers, case_id):
    res = client.get(f"/api/v1/cases/{case_id}/trace", headers=headers)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def test_one_clear_candidate_from_its_exit_weighing(client, login, road, two_sources):
    load(client, two_sources[0], "JS-WB-01", "L1", hours_ago=4)
    case_id = road()
    body = trace(client, login("investigator"), case_id)
    assert body["status"] == "open" and body["source_enterprise_id"] is None
    (c,) = body["candidates"]
    assert c["enterprise_name"] == "四平市铁东区金石采石有限公司" and c["loading_id"] is not None
    assert c["score"] >= 80 and any("误差之内" in r for r in c["reasons"])


def test_two_competing_candidates_and_none(client, login, road, two_sources):
    load(client, two_sources[0], "JS-WB-01", "L1", hours_ago=6)
    load(client, two_sources[1], "HJ-WB-01", "L2", hours_ago=3)
    inv = login("investigator")
    cands = trace(client, inv, road())["candidates"]
    assert [c["enterprise_name"] for c in cands] == ["吉林市丰满区恒基砂石料场", "四平市铁东区金石采石有限公司"]
    assert cands[0]["score"] > cands[1]["score"] and cands[0]["score"] - cands[1]["score"] <= 15
    assert trace(client, inv, road(plate="吉A99999"))["candidates"] == []


def test_a_loading_outside_the_24_hour_window_is_no_candidate(client, login, road, two_sources):
    load(client, two_sources[0], "JS-WB-01", "L1", hours_ago=26)
    assert trace(client, login("investigator"), road(hours_ago=1))["candidates"] == []


def test_confirming_a_candidate_is_audited_and_names_the_source_matter(app, client, login, road, two_sources):
    load(client, two_sources[0], "JS-WB-01", "L1", hours_ago=4)
    case_id = road()
    with app.app_context():  # the owner's decision opened the source matter as 待查明 (一超四罚)
        from service.procedure.case_ops import open_matter

        m = open_matter(
            db.session.get(Case, case_id), "source_enterprise", "transport_authority", {"rule_id": "S-NO-EXIT"}
        )
        m.status = "unidentified"
        db.session.commit()
    inv = login("investigator")
    quarry = trace(client, inv, case_id)["candidates"][0]["enterprise_id"]
    res = client.post(f"/api/v1/cases/{case_id}/trace/confirm", json={"enterprise_id": quarry}, headers=inv)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["status"] == "confirmed" and res.get_json()["source_enterprise_id"] == quarry
    with app.app_context():
        matter = db.session.scalar(select(PartyMatter).where(PartyMatter.case_id == case_id))
        assert matter.status == "pending" and matter.enterprise_id == quarry
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(case_id))).all()
        assert "case.trace_confirm" in actions and "case.identify" in actions
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0  # the chain holds


def test_any_registered_source_may_be_confirmed_only_with_a_reason(client, login, road, two_sources, app):
    case_id = road()
    inv = login("investigator")
    with app.app_context():
        from models import Enterprise

        sand = db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == SAND))
    res = client.post(f"/api/v1/cases/{case_id}/trace/confirm", json={"enterprise_id": sand}, headers=inv)
    assert res.status_code == 422 and "reason" in res.get_json()["errors"]
    ok = client.post(f"/api/v1/cases/{case_id}/trace/confirm", headers=inv,
                     json={"enterprise_id": sand, "reason": "驾驶人笔录承认在该料场装砂，料场台账可查"})  # fmt: skip
    assert ok.status_code == 200 and ok.get_json()["source_enterprise_id"] == sand


def test_source_unknown_needs_a_reason_and_leaves_the_queue(client, login, road, two_sources):
    case_id = road()
    inv = login("investigator")
    queue = client.get("/api/v1/trace-queue", headers=inv).get_json()
    assert [q["case_id"] for q in queue] == [case_id] and queue[0]["assessment"] == "none"
    bad = client.post(f"/api/v1/cases/{case_id}/trace/unknown", json={"reason": ""}, headers=inv)
    assert bad.status_code == 422
    res = client.post(f"/api/v1/cases/{case_id}/trace/unknown", headers=inv,
                      json={"reason": "驾驶人拒不陈述，途经点位无源头单位，现场调查未发现装载记录"})  # fmt: skip
    assert res.get_json()["status"] == "unknown"
    assert client.get("/api/v1/trace-queue", headers=inv).get_json() == []


def test_the_queue_puts_baidunwang_first_and_leaves_unconfirmed_cases_out(app, client, login, road, make_site):
    small, giant = road(62000), road(104000)
    with app.app_context():
        db.session.execute(update(Case).where(Case.id == small).values(status="pending_review"))
        db.session.commit()
    third = road(70000)
    queue = client.get("/api/v1/trace-queue", headers=login("supervisor")).get_json()
    assert [q["case_id"] for q in queue] == [giant, third]


def test_recorded_leads_match_the_registry(client, login, road, two_sources):
    case_id = road(plate="吉A55555")
    officer = login("officer")
    res = client.put(
        f"/api/v1/cases/{case_id}/trace/leads", json={"origin": "恒基砂石", "cargo": "砂石"}, headers=officer
    )
    assert res.status_code == 200
    (c,) = res.get_json()["candidates"]
    assert c["enterprise_name"] == "吉林市丰满区恒基砂石料场" and any("起运地" in r for r in c["reasons"])


def test_a_field_investigation_is_opened_with_a_due_date_and_its_outcome_recorded(app, client, login, road):
    case_id = road()
    inv = login("investigator")
    due = (date.today() + timedelta(days=7)).isoformat()
    res = client.post(f"/api/v1/cases/{case_id}/trace/tasks", headers=inv,
                      json={"due_on": due, "instructions": "赴旺起镇砂石料场调取出场台账与监控"})  # fmt: skip
    assert res.status_code == 201
    task = res.get_json()
    assert task["status"] == "open" and task["overdue"] is False
    done = client.post(f"/api/v1/trace-tasks/{task['id']}/outcome", json={"outcome": "台账显示该车当日装砂 58 吨"},
                       headers=inv)  # fmt: skip
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    again = client.post(f"/api/v1/trace-tasks/{task['id']}/outcome", json={"outcome": "x"}, headers=inv)
    assert again.status_code == 409
    past = client.post(f"/api/v1/cases/{case_id}/trace/tasks", headers=inv,
                       json={"due_on": "2020-01-01", "instructions": "x"})  # fmt: skip
    assert past.status_code == 422


def test_a_case_awaiting_review_cannot_be_decided_and_a_source_case_has_no_trace(app, client, login, road, weighbridge):
    case_id = road()
    with app.app_context():
        db.session.execute(update(Case).where(Case.id == case_id).values(status="pending_review"))
        db.session.commit()
    inv = login("investigator")
    res = client.post(f"/api/v1/cases/{case_id}/trace/unknown", json={"reason": "x"}, headers=inv)
    assert res.status_code == 409
    _, bridge = weighbridge("JS-WB-09")
    src = client.post("/api/v1/loadings", headers=bridge,
                      json={"loadings": [loading(weighbridge_code="JS-WB-09", gross_weight_kg=62000)]}).get_json()  # fmt: skip
    source_case = src["results"][0]["source_case_id"]
    assert client.get(f"/api/v1/cases/{source_case}/trace", headers=inv).status_code == 409


def test_a_source_confirmed_before_the_decision_is_the_party_of_the_matter_the_decision_opens(
    app, client, login, road, two_sources
):
    load(client, two_sources[0], "JS-WB-01", "L1", hours_ago=4)
    case_id = road()
    inv = login("investigator")
    quarry = trace(client, inv, case_id)["candidates"][0]["enterprise_id"]
    client.post(f"/api/v1/cases/{case_id}/trace/confirm", json={"enterprise_id": quarry}, headers=inv)
    with app.app_context():
        from service.procedure.law_matters import _refs

        assert _refs(db.session.get(Case, case_id), "source_enterprise") == {"enterprise_id": quarry}


def test_cases_traced_to_a_source_count_for_its_supervision_before_any_decision(app, client, login, road, two_sources):
    from models import Enterprise
    from service.rules.settings import RuleSettings
    from tests.api.sources.conftest import QUARRY

    inv = login("investigator")
    with app.app_context():
        quarry = db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == QUARRY))
    for i in range(2):
        case_id = road(plate=f"吉C1000{i}")
        res = client.post(f"/api/v1/cases/{case_id}/trace/confirm", json={"enterprise_id": quarry, "reason": "台账可查"},
                          headers=inv)  # fmt: skip
        assert res.status_code == 200
    old = app.config["RULE_SETTINGS"]
    app.config["RULE_SETTINGS"] = RuleSettings(supervision_interview_source_cases=2)
    try:
        proposals = client.get("/api/v1/supervision/proposals", headers=inv).get_json()
    finally:
        app.config["RULE_SETTINGS"] = old
    mine = [p for p in proposals if p["enterprise_id"] == quarry]
    assert mine and len(mine[0]["case_ids"]) == 2, proposals


def test_a_case_whose_source_matter_was_answered_leaves_the_queue(app, client, login, road, two_sources):
    named, closed, waiting = road(), road(plate="吉A00001"), road(plate="吉A00002")
    with app.app_context():
        from models import Enterprise
        from service.procedure.case_ops import open_matter
        from tests.api.sources.conftest import QUARRY

        quarry = db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == QUARRY))
        open_matter(db.session.get(Case, named), "source_enterprise", "transport_authority", {}, enterprise_id=quarry)
        gone = open_matter(db.session.get(Case, closed), "source_enterprise", "transport_authority", {})
        gone.status = "closed"  # 无法查明，办结 by a supervisor
        db.session.commit()
    queue = client.get("/api/v1/trace-queue", headers=login("investigator")).get_json()
    assert [q["case_id"] for q in queue] == [waiting]
