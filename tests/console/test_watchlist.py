"""布控: plates are validated, a plate already watched is extended rather than watched twice, and
the end date shown is the one entered (a watch to 31 Mar runs through 31 Mar, not "2027-04-01")."""

from __future__ import annotations

import re
from datetime import date, timedelta

from models import AuditEvent, WatchEntry
from service import clock
from service.extensions import db
from tests.console.test_console import _csrf, sign_in


def _add(client, plate: str, until: date, reason: str = "群众举报"):
    page = client.get("/watchlist").get_data(as_text=True)
    form = {"csrf_token": _csrf(page), "plate": plate, "reason": reason, "until": until.isoformat()}
    return client.post("/watchlist", data=form, follow_redirects=True)


def test_the_end_date_shown_is_the_one_entered(app, client):
    sign_in(client, app, "supervisor", "watch-boss")
    until = clock.today() + timedelta(days=30)
    page = _add(client, "吉A12345", until).get_data(as_text=True)
    row = re.search(r"<tr><td>吉A12345</td>.*?</tr>", page, re.S).group(0)
    assert (
        f'<td data-label="截止">{until.isoformat()}</td>' in row and (until + timedelta(days=1)).isoformat() not in row
    )
    api = client.get("/api/v1/watchlist", headers=_token(client))
    assert api.status_code == 200 and api.get_json()[0]["last_day"] == until.isoformat()


def _token(client) -> dict:
    res = client.post("/api/v1/auth/token", json={"username": "watch-boss", "password": "password-123"})
    return {"Authorization": f"Bearer {res.get_json()['access_token']}"}


def test_a_plate_that_is_not_a_plate_is_refused_by_name(app, client):
    sign_in(client, app, "supervisor", "watch-boss")
    page = _add(client, "ABC123", clock.today() + timedelta(days=3)).get_data(as_text=True)
    assert "「ABC123」不是有效的号牌" in page
    with app.app_context():
        assert db.session.query(WatchEntry).count() == 0


def test_a_plate_already_watched_is_extended_not_doubled(app, client):
    sign_in(client, app, "supervisor", "watch-boss")
    first, later = clock.today() + timedelta(days=10), clock.today() + timedelta(days=40)
    _add(client, "吉A12345", first)
    page = _add(client, "吉a 12345", later, reason="再次举报").get_data(as_text=True)
    assert page.count("<tr><td>吉A12345</td>") == 1 and f'<td data-label="截止">{later.isoformat()}</td>' in page
    _add(client, "吉A12345", first)  # an earlier date never shortens it
    with app.app_context():
        (entry,) = db.session.query(WatchEntry).all()
        assert entry.last_day == later and "再次举报" in entry.reason
        assert db.session.query(AuditEvent).filter_by(action="watch.extend").count() == 2


def test_the_alert_badge_is_hidden_at_zero_and_toasts_can_be_closed(app, client):
    sign_in(client, app, "supervisor", "watch-boss")
    page = client.get("/watchlist").get_data(as_text=True)
    assert re.search(r'<span id="alert-count" class="tag bdw" hidden>', page)
    css = client.get("/static/console.css").get_data(as_text=True)
    assert "[hidden] { display:none !important; }" in css  # .tag's display must not show it again
    js = client.get("/static/alerts.js").get_data(as_text=True)
    assert 'close.className = "close"' in js and "div.remove()" in js
