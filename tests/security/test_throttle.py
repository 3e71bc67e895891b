"""Password guessing (issue 16 item 6): throttled per account and per client with notices in
Chinese, counted in the database (Redis down does not open the door), behind a reverse proxy only
the configured proxies' X-Forwarded-For is believed; the party page is throttled per plate and
client, so a wrong-code burst does not lock out the real party."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

MOMENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RIGHT, WRONG = "correct-horse-9", "wrong-password"


def token(client, username: str, password: str, addr: str = "10.0.0.5", **headers):
    return client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": addr},
        headers=headers,
    )


@pytest.fixture
def wang(app, login):
    login("officer", username="wang")
    return "wang"


def test_eighty_wrong_logins_are_stopped_after_the_account_limit_and_it_reopens_after_the_window(app, client, wang):
    limit = app.config["LOGIN_FAILURES_PER_ACCOUNT"]
    with time_machine.travel(MOMENT, tick=False) as traveller:
        codes = [token(client, wang, WRONG, addr=f"10.0.{i // 200}.{i % 200 + 1}").status_code for i in range(80)]
        assert codes[:limit] == [401] * limit and set(codes[limit:]) == {429}
        locked = token(client, wang, RIGHT, addr="10.9.9.9")  # even the right password, from elsewhere
        assert locked.status_code == 429
        assert "账号登录失败次数过多" in locked.get_json()["message"]
        assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
        traveller.shift(timedelta(minutes=16))
        assert token(client, wang, RIGHT, addr="10.9.9.9").status_code == 200


def test_a_right_password_does_not_count_against_the_account(app, client, wang):
    for _ in range(app.config["LOGIN_FAILURES_PER_ACCOUNT"] * 2):
        assert token(client, wang, RIGHT).status_code == 200
    assert token(client, wang, WRONG).status_code == 401


def test_one_client_guessing_many_accounts_is_stopped_and_others_are_not(app, client, wang):
    limit = app.config["LOGIN_FAILURES_PER_CLIENT"]
    codes = [token(client, f"user{i}", WRONG, addr="10.6.6.6").status_code for i in range(limit + 5)]
    assert codes[:limit] == [401] * limit and set(codes[limit:]) == {429}
    refused = token(client, wang, RIGHT, addr="10.6.6.6")
    assert refused.status_code == 429 and "本机登录失败次数过多" in refused.get_json()["message"]
    assert token(client, wang, RIGHT, addr="10.7.7.7").status_code == 200  # another client


def test_parallel_guessers_get_no_more_tries_than_the_limit(app, wang):
    limit = app.config["LOGIN_FAILURES_PER_ACCOUNT"]

    def guess(i: int) -> int:
        return token(app.test_client(), wang, WRONG, addr=f"10.1.{i}.1").status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(guess, range(40)))
    assert codes.count(401) == limit and codes.count(429) == 40 - limit


def test_the_throttle_holds_while_redis_is_down(app, client, wang, redis_server):
    limit = app.config["LOGIN_FAILURES_PER_ACCOUNT"]
    redis_server.stop()
    try:
        codes = [token(client, wang, WRONG).status_code for _ in range(limit + 3)]
    finally:
        redis_server.start()
    assert codes[-1] == 429 and codes.count(401) == limit


def test_x_forwarded_for_is_believed_only_from_a_configured_proxy(app, client, wang):
    limit = app.config["LOGIN_FAILURES_PER_CLIENT"]
    # Not a proxy: a client cannot escape its count by sending the header.
    codes = [
        token(client, f"u{i}", WRONG, addr="10.2.2.2", **{"X-Forwarded-For": f"172.16.0.{i}"}).status_code
        for i in range(limit + 2)
    ]
    assert codes[-1] == 429
    app.config["TRUSTED_PROXIES"] = "10.3.0.0/16"
    try:
        # Behind the proxy, each real client has its own count; the proxy itself is never locked.
        codes = [
            token(client, f"v{i}", WRONG, addr="10.3.0.1", **{"X-Forwarded-For": f"1.2.3.4, 172.16.1.{i}"}).status_code
            for i in range(limit + 2)
        ]
        assert set(codes) == {401}
        spoof = [
            token(client, f"w{i}", WRONG, addr="10.3.0.1", **{"X-Forwarded-For": f"9.9.9.{i}, 172.16.2.2"}).status_code
            for i in range(limit + 2)
        ]
        assert spoof[-1] == 429  # what the client wrote left of the proxy's entry does not count
    finally:
        app.config["TRUSTED_PROXIES"] = ""


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_console_login_is_throttled_with_a_chinese_notice(app, wang):
    browser = app.test_client()
    limit = app.config["LOGIN_FAILURES_PER_ACCOUNT"]
    codes = []
    for _ in range(limit + 1):
        page = browser.get("/login").get_data(as_text=True)
        res = browser.post("/login", data={"username": wang, "password": WRONG, "csrf_token": _csrf(page)})
        codes.append(res.status_code)
    assert codes == [401] * limit + [429]
    assert "登录失败次数过多" in res.get_data(as_text=True)


# ── the party page ──


@pytest.fixture
def party_code(client, make_site, login) -> str:
    """The code printed on a notice for 吉A12345."""
    from tests.api.review.test_procedure import CHECKLIST, Officer
    from tests.conftest import reading
    from tests.evidence_kit import give_evidence

    _, device = make_site()
    res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]})
    case_id = res.get_json()["results"][0]["case_id"]
    give_evidence(client.application, case_id)  # a notice needs the evidence set
    officer = Officer(client, login("officer"))
    officer.step(case_id, "confirm", {"checklist": CHECKLIST})
    return officer.step(case_id, "notice").get_json()["party_code"]


def _party(app, plate: str, code: str, addr: str):
    browser = app.test_client()
    page = browser.get("/party/").get_data(as_text=True)
    return browser.post(
        "/party/", data={"plate": plate, "code": code, "csrf_token": _csrf(page)}, environ_base={"REMOTE_ADDR": addr}
    )


def test_a_wrong_code_burst_does_not_lock_out_the_real_party_even_without_redis(app, party_code, redis_server):
    redis_server.stop()
    try:
        burst = [_party(app, "吉A12345", "XXXXXXXX", "10.4.4.4").status_code for _ in range(15)]
        assert burst[:10] == [404] * 10 and set(burst[10:]) == {429}  # no Redis: still limited
        assert _party(app, "吉A12345", party_code, "10.5.5.5").status_code == 302  # the party, elsewhere
    finally:
        redis_server.start()
