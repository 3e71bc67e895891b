"""Revocation (issue 16 item 7): deactivating a user or resetting a password — CLI, API, admin
console — ends their API tokens and console sessions at once; logging out ends the session on the
server (a copy of the cookie opens nothing after); a session ends after idle time.
Secrets in cookies (item 8): no party code and no user id travel in a cookie."""

from __future__ import annotations

import base64
import json
import re
import zlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.console.test_admin_console import api_token, bearer, console_sign_in
from tests.evidence_kit import give_evidence

MOMENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _cookie(browser) -> str:
    return browser.get_cookie("session").value


def _replay(app, cookie: str):
    """Another browser holding a copy of the cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _payload(cookie: str) -> dict:
    """What anyone holding the cookie can read (Flask signs it, it does not encrypt it)."""
    data = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    if cookie.startswith("."):
        raw = zlib.decompress(raw)
    return json.loads(raw)


@pytest.fixture
def wang(app, login):
    login("officer", username="wang")  # password correct-horse-9
    return "wang"


def test_logout_ends_the_session_on_the_server(app, wang):
    browser = console_sign_in(app, wang, "correct-horse-9")
    cookie = _cookie(browser)
    assert _replay(app, cookie).get("/cases").status_code == 200
    page = browser.get("/").get_data(as_text=True)
    assert browser.post("/logout", data={"csrf_token": _csrf(page)}).status_code == 302
    replayed = _replay(app, cookie).get("/cases")
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_the_cookie_carries_no_user_id_and_no_party_code(app, client, login, make_site):
    from tests.conftest import reading

    _, device = make_site()
    res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=60000)]})
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(app, case_id)  # a notice needs the evidence set
    login("supervisor", username="li")
    browser = console_sign_in(app, "li", "correct-horse-9")
    page = browser.get(f"/cases/{case_id}").get_data(as_text=True)
    from models.case import REVIEW_CHECKS

    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    form = {"csrf_token": _csrf(page), "version": version, **{c: "1" for c in REVIEW_CHECKS}}
    browser.post(f"/cases/{case_id}/act/confirm", data=form)
    page = browser.get(f"/cases/{case_id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    sent = browser.post(f"/cases/{case_id}/act/notice", data={"csrf_token": _csrf(page), "version": version})
    assert sent.status_code in (302, 303)
    shown = browser.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "已发出告知书" in shown
    notice = browser.get(f"/cases/{case_id}/documents/notice").get_data(as_text=True)
    code = re.search(r"在线查询码：([A-Z0-9]{8})", notice).group(1)  # printed once, from the server

    payload = json.dumps(_payload(_cookie(browser)), ensure_ascii=False)
    assert code not in payload and "party_code" not in payload and "uid" not in payload
    # the party's own look-up keeps nothing of the code in the party's cookie either
    visitor = app.test_client()
    form = visitor.get("/party/").get_data(as_text=True)
    assert (
        visitor.post("/party/", data={"plate": "吉A12345", "code": code, "csrf_token": _csrf(form)}).status_code == 302
    )
    assert visitor.get("/party/record").status_code == 200
    party_payload = json.dumps(_payload(_cookie(visitor)))
    assert code not in party_payload and "hash" not in party_payload and "matter" not in party_payload
    visitor.post("/party/logout", data={"csrf_token": _csrf(form)})
    assert visitor.get("/party/record").status_code == 302


def test_a_session_ends_after_idle_time_and_a_visit_keeps_it_alive(app, wang):
    with time_machine.travel(MOMENT, tick=False) as traveller:
        browser = console_sign_in(app, wang, "correct-horse-9")
        traveller.shift(timedelta(minutes=25))
        assert browser.get("/cases").status_code == 200  # seen: the idle time starts again
        traveller.shift(timedelta(minutes=25))
        assert browser.get("/cases").status_code == 200
        traveller.shift(timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))
        ended = browser.get("/cases")
        assert ended.status_code == 302 and "/login" in ended.headers["Location"]


def test_a_session_ends_at_its_lifetime_however_busy(app, wang):
    app.config["PERMANENT_SESSION_LIFETIME"] = 3600  # the cookie's own signature would last 12 h
    try:
        with time_machine.travel(MOMENT, tick=False) as traveller:
            browser = console_sign_in(app, wang, "correct-horse-9")
            for _ in range(3):
                traveller.shift(timedelta(minutes=20))
                assert browser.get("/cases").status_code == 200
            traveller.shift(timedelta(minutes=5))
            assert browser.get("/cases").status_code == 302
    finally:
        app.config["PERMANENT_SESSION_LIFETIME"] = 12 * 3600


@pytest.mark.parametrize("how", ["cli", "api"])
def test_deactivation_ends_tokens_and_sessions_at_once(app, client, login, wang, how):
    token = bearer(api_token(client, wang, "correct-horse-9"))
    browser = console_sign_in(app, wang, "correct-horse-9")
    if how == "cli":
        res = app.test_cli_runner().invoke(args=["users", "deactivate", wang])
        assert res.exit_code == 0 and "已停用" in res.output
    else:
        admin = login("admin")
        users = {u["username"]: u["id"] for u in client.get("/api/v1/users", headers=admin).get_json()}
        res = client.patch(f"/api/v1/users/{users[wang]}", headers=admin, json={"active": False})
        assert res.status_code == 200 and res.get_json()["active"] is False
        assert (
            client.patch(f"/api/v1/users/{users['admin-user']}", headers=admin, json={"active": False}).status_code
            == 409
        )
    assert client.get("/api/v1/cases", headers=token).status_code == 401
    assert browser.get("/cases").status_code == 302
    assert api_token(client, wang, "correct-horse-9").status_code == 401


@pytest.mark.parametrize("how", ["cli", "api"])
def test_a_password_reset_ends_tokens_and_sessions_and_the_new_password_works(app, client, login, wang, how):
    token = bearer(api_token(client, wang, "correct-horse-9"))
    browser = console_sign_in(app, wang, "correct-horse-9")
    if how == "cli":
        res = app.test_cli_runner().invoke(args=["users", "reset-password", wang, "--password", "new-secret-77"])
        assert res.exit_code == 0, res.output
    else:
        admin = login("admin")
        users = {u["username"]: u["id"] for u in client.get("/api/v1/users", headers=admin).get_json()}
        short = client.post(f"/api/v1/users/{users[wang]}/password", headers=admin, json={"password": "short"})
        assert short.status_code == 422
        res = client.post(f"/api/v1/users/{users[wang]}/password", headers=admin, json={"password": "new-secret-77"})
        assert res.status_code == 204
    assert client.get("/api/v1/cases", headers=token).status_code == 401
    assert browser.get("/cases").status_code == 302
    assert api_token(client, wang, "correct-horse-9").status_code == 401
    assert api_token(client, wang, "new-secret-77").status_code == 200
