"""The supervisor's inbox: dismissals and decisions awaiting approval, statements awaiting review
and overdue deadlines, with the count in the navigation; cases assigned one by one on the case
page or many at once from the queue; every status can be filtered and the filter survives paging."""

from __future__ import annotations

import re

from models import AuditEvent, Case
from service.extensions import db
from tests.api.review.test_procedure import CHECKLIST, Officer
from tests.conftest import reading
from tests.console.test_console import _csrf, sign_in
from tests.evidence_kit import give_evidence


def _cases(client, device, n: int) -> list[int]:
    items = [reading(record_id=f"I-{i}", plate=f"吉A1234{i}", gross_weight_kg=56000 + i) for i in range(n)]
    return [
        r["case_id"]
        for r in client.post("/api/v1/readings", headers=device, json={"readings": items}).get_json()["results"]
    ]


def test_the_inbox_lists_what_waits_for_the_supervisor_with_its_count(app, client, make_site, login):
    _, device = make_site()
    dismiss, decide, state = _cases(client, device, 3)
    officer = Officer(client, login("officer", username="inbox-officer"))
    assert officer.step(dismiss, "dismissal", {"reason": "跨道行驶"}).status_code == 200
    for case_id in (decide, state):
        give_evidence(client.application, case_id)
        officer.step(case_id, "confirm", {"checklist": CHECKLIST})
        officer.step(case_id, "notice")
    officer.step(decide, "statements", {"kind": "waiver"})
    assert officer.step(decide, "decision", {"kind": "fine", "amount_yuan": 2000}).status_code == 200
    officer.step(state, "statements", {"kind": "statement", "text": "请从轻处理"})

    sign_in(client, app, "supervisor", "inbox-boss")
    page = client.get("/inbox").get_data(as_text=True)
    assert re.search(r'待办 <span class="tag bdw" id="inbox-count">3</span>', page)
    numbers = {cid: db_number(app, cid) for cid in (dismiss, decide, state)}
    assert numbers[dismiss] in section(page, "inbox-dismissals") and "跨道行驶" in page
    assert numbers[decide] in section(page, "inbox-decisions") and "罚款 2,000 元" in page
    assert numbers[state] in section(page, "inbox-statements") and "请从轻处理" in page
    # An officer has no inbox, and no count in the navigation.
    sign_in(client, app, "officer", "plain-officer")
    assert client.get("/inbox").status_code in (302, 403)
    assert 'id="inbox-count"' not in client.get("/cases").get_data(as_text=True)


def db_number(app, case_id: int) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).case_number


def section(page: str, ident: str) -> str:
    return re.search(rf'<section id="{ident}">.*?</section>', page, re.S).group(0)


def test_cases_are_assigned_one_by_one_and_in_bulk(app, client, make_site, login):
    _, device = make_site()
    ids = _cases(client, device, 3)
    login("officer", username="assignee")
    sign_in(client, app, "supervisor", "assign-boss")
    with app.app_context():
        from models import User

        assignee = db.session.query(User).filter_by(username="assignee").one().id
    queue = client.get("/cases").get_data(as_text=True)
    form = {"csrf_token": _csrf(queue), "user_id": str(assignee), "case_id": [str(i) for i in ids[:2]]}
    res = client.post("/cases/assign", data=form, follow_redirects=True).get_data(as_text=True)
    assert "已将 2 件案件分配给 assignee" in res
    page = client.get(f"/cases/{ids[2]}").get_data(as_text=True)
    assert 'id="assign-form"' in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    one = {"csrf_token": _csrf(page), "version": version, "user_id": str(assignee)}
    assert client.post(f"/cases/{ids[2]}/act/assign", data=one).status_code == 302
    with app.app_context():
        assert {c.assigned_to_id for c in db.session.query(Case).filter(Case.id.in_(ids))} == {assignee}
        assert db.session.query(AuditEvent).filter_by(action="case.assign").count() == 3


def test_every_status_can_be_filtered_and_the_filter_survives_paging(app, client, make_site, login):
    _, device = make_site()
    ids = _cases(client, device, 3)
    Officer(client, login("officer", username="f-officer")).step(ids[0], "dismissal", {"reason": "车牌不清"})
    sign_in(client, app)
    page = client.get("/cases?status=dismissal_requested").get_data(as_text=True)
    assert '<option value="dismissal_requested" selected>撤销待批</option>' in page
    assert db_number(app, ids[0]) in page and db_number(app, ids[1]) not in page
    from service.review import console

    old, console.PAGE_SIZE = console.PAGE_SIZE, 1
    try:
        page = client.get("/cases?status=pending_review&plate=吉A1234").get_data(as_text=True)
        nxt = re.search(r'<a href="([^"]+)" rel="next">', page).group(1).replace("&amp;", "&")
        assert "status=pending_review" in nxt and "plate=" in nxt and "page=2" in nxt
    finally:
        console.PAGE_SIZE = old
