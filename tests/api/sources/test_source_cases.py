"""A source case (源头超限装载, S-NO-EXIT) goes through the same step table as any case: its
source enterprise's matter is sent to the transport authority, or, with a provincial band, runs
the penalty procedure here; it closes like any case, and is no roadside truck's case."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Case, CopyNotice, PartyMatter
from service.extensions import db
from service.rules.settings import RuleSettings
from tests.api.sources.test_loadings import loading, post


@pytest.fixture
def band(app):
    old = app.config["RULE_SETTINGS"]
    app.config["RULE_SETTINGS"] = RuleSettings(source_loading_fine_min_yuan=10000, source_loading_fine_max_yuan=30000)
    yield
    app.config["RULE_SETTINGS"] = old


def source_case(app, client, header) -> tuple[int, int]:
    case_id = post(client, header, loading(gross_weight_kg=62000)).get_json()["results"][0]["source_case_id"]
    with app.app_context():
        return case_id, db.session.scalar(select(PartyMatter.id).where(PartyMatter.case_id == case_id))


def step(client, headers, matter_id: int, name: str, body: dict | None = None):
    version = client.get(f"/api/v1/matters/{matter_id}", headers=headers).headers["ETag"]
    return client.post(f"/api/v1/matters/{matter_id}/{name}", json=body or {}, headers={**headers, "If-Match": version})


def test_without_a_band_the_matter_is_sent_tracked_and_closes_the_case(app, client, weighbridge, login):
    _, header = weighbridge()
    case_id, matter_id = source_case(app, client, header)
    officer = login("officer")
    detail = client.get(f"/api/v1/matters/{matter_id}", headers=officer).get_json()
    assert [a["step"] for a in detail["actions"]] == ["refer"]
    assert step(client, officer, matter_id, "refer", {"note": "移送市交通运输局"}).status_code == 200
    res = step(
        client, officer, matter_id, "outcome", {"decision_number": "交责改〔2026〕7号", "decided_on": "2026-11-20"}
    )
    assert res.status_code == 200, res.get_json()
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "closed"
        # A copy notice goes to the home authority of a vehicle: a source case has none.
        assert db.session.scalar(select(CopyNotice.id).where(CopyNotice.case_id == case_id)) is None


def test_with_a_provincial_band_the_penalty_procedure_runs_here(app, client, weighbridge, login, band):
    _, header = weighbridge()
    case_id, matter_id = source_case(app, client, header)
    officer = login("officer")
    res = step(client, officer, matter_id, "notice")
    assert res.status_code == 201, res.get_json()
    matter = client.get(f"/api/v1/matters/{matter_id}", headers=officer).get_json()
    assert matter["status"] == "notice_issued" and matter["notified_penalty"]["min_yuan"] == 10000


def test_the_source_case_is_readable_on_the_case_api(app, client, weighbridge, login):
    _, header = weighbridge()
    case_id, _ = source_case(app, client, header)
    res = client.get(f"/api/v1/cases/{case_id}", headers=login("supervisor"))
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["reading_id"] is None and body["status"] == "matters_open"
    assert body["gross_weight_kg"] == 62000 and body["rule_id"] == "L-6AX-C"


def test_officers_run_a_source_case_from_its_own_page(app, client, weighbridge):
    from tests.console.test_console import _csrf, sign_in

    _, header = weighbridge()
    case_id, matter_id = source_case(app, client, header)
    assert sign_in(client, app, role="officer", username="off").status_code == 302
    res = client.get(f"/cases/{case_id}")
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/sources/source-cases/{case_id}")
    page = client.get(f"/sources/source-cases/{case_id}").get_data(as_text=True)
    assert "出场称重（证据）" in page and "62,000" in page and "不拟定罚款数额" in page and "移送" in page
    with app.app_context():
        version = db.session.get(Case, case_id).version
    sent = client.post(f"/cases/{case_id}/act/refer",
                       data={"csrf_token": _csrf(page), "matter_id": matter_id, "version": version, "note": "移送市局"})  # fmt: skip
    assert sent.status_code == 302
    after = client.get(f"/sources/source-cases/{case_id}", follow_redirects=True).get_data(as_text=True)
    assert "已移送" in after and "移送市局" in after


def test_a_source_case_notice_states_the_exit_weighing_and_follows_the_enterprise_s_region(
    app, client, weighbridge, login, band
):
    from models import Enterprise, User
    from service.review.documents import facts_text
    from service.review.jurisdiction import may_see
    from tests.api.review.test_jurisdiction import make_agencies

    _, header = weighbridge()
    case_id, matter_id = source_case(app, client, header)
    with app.app_context():
        db.session.query(Enterprise).update({"region_code": "220300"})
        db.session.commit()
        case = db.session.get(Case, case_id)
        text = facts_text(case)
        assert "四平市铁东区金石采石有限公司" in text and "出场地磅" in text and "62,000 千克" in text
        assert "第四十一条第一款" in text
    agencies = make_agencies(app)  # 吉林省 → 长春 (→ 朝阳区), 四平
    with app.app_context():
        case = db.session.get(Case, case_id)
        here = User(username="sp", role="officer", agency_id=agencies["220300"])
        there = User(username="cc", role="officer", agency_id=agencies["220100"])
        province = User(username="jl", role="supervisor", agency_id=agencies["220000"])
        nowhere = User(username="no", role="supervisor")
        assert may_see(here, case) and not may_see(there, case) and may_see(province, case)
        assert not may_see(nowhere, case)  # agencies are set up: a supervisor in none sees nothing
    officer = login("officer")
    with app.app_context():  # 四平's officer acts on it
        db.session.query(User).filter_by(username="officer-user").update({"agency_id": agencies["220300"]})
        db.session.commit()
    assert step(client, officer, matter_id, "notice").status_code == 201
