"""Headers (issue 16 item 9): the console sends a CSP without inline script, forbids framing, sets
a Referrer-Policy; cookies are Secure when PUBLIC_BASE_URL is https; a chunked body over the limit
is 413 like a sized one. (That the console's scripts still run under the CSP: tests/browser/test_csp.py.)"""

from __future__ import annotations

import io
import re

import pytest

from tests.conftest import reading
from tests.console.test_admin_console import console_sign_in
from tests.evidence_kit import give_evidence

PAGES = ["/", "/cases", "/cases/{case}", "/cases/{case}/documents/notice", "/registry", "/hotspots", "/admin/users"]


@pytest.fixture
def case_id(client, make_site, login):
    from tests.api.review.test_procedure import CHECKLIST, Officer

    _, device = make_site()
    res = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]})
    case = res.get_json()["results"][0]["case_id"]
    give_evidence(client.application, case)  # a notice needs the evidence set
    officer = Officer(client, login("officer"))
    officer.step(case, "confirm", {"checklist": CHECKLIST})
    officer.step(case, "notice")
    return case


def _directives(csp: str) -> dict[str, str]:
    return {part.split()[0]: part for part in (p.strip() for p in csp.split(";")) if part}


def test_console_pages_send_a_csp_without_inline_script_and_cannot_be_framed(app, login, case_id):
    login("admin", username="root")
    browser = console_sign_in(app, "root", "correct-horse-9")
    for path in [p.format(case=case_id) for p in PAGES] + ["/login", "/party/"]:
        res = browser.get(path)
        assert res.status_code == 200, path
        csp = _directives(res.headers["Content-Security-Policy"])
        assert csp["script-src"] == "script-src 'self'", path  # no 'unsafe-inline', no 'unsafe-eval'
        assert csp["frame-ancestors"] == "frame-ancestors 'none'" and csp["object-src"] == "object-src 'none'"
        assert res.headers["X-Frame-Options"] == "DENY" and res.headers["Referrer-Policy"] == "same-origin"
        assert res.headers["X-Content-Type-Options"] == "nosniff"
        html = res.get_data(as_text=True)
        # What the policy would block: a script element with code in it, an inline event handler.
        inline = [m for m in re.findall(r"<script\b([^>]*)>", html) if "src=" not in m and "application/json" not in m]
        assert inline == [], (path, inline)
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path
        assert "javascript:" not in html, path


def test_api_answers_cannot_be_framed_either(client, login):
    res = client.get("/api/v1/cases", headers=login("officer"))
    assert res.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in res.headers["Content-Security-Policy"]
    assert client.get("/healthz").headers["Referrer-Policy"] == "same-origin"


def test_cookies_are_secure_when_the_public_address_is_https(app, login):
    from service import create_app

    login("officer", username="wang")
    for base, secure in (("https://zhichao.example.gov.cn", True), ("http://127.0.0.1:8000", False)):
        other = create_app({**app.config, "PUBLIC_BASE_URL": base, "SESSION_COOKIE_SECURE": False})
        browser = other.test_client()
        page = browser.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        res = browser.post("/login", data={"username": "wang", "password": "correct-horse-9", "csrf_token": csrf})
        cookie = res.headers["Set-Cookie"]
        assert ("; Secure" in cookie) is secure, (base, cookie)
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Strict-Transport-Security" in res.headers) is secure


def _chunked(client, path: str, body: bytes, content_type: str, **headers):
    """A body sent with Transfer-Encoding: chunked and no Content-Length (as gunicorn passes it on)."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": content_type, **headers},
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )


def test_a_chunked_json_body_over_the_limit_is_413_like_a_sized_one(app, client, make_site, login):
    _, device = make_site()
    limit = app.config["MAX_JSON_BODY_BYTES"]
    big = b'{"username": "' + b"a" * limit + b'", "password": "x"}'
    assert client.post("/api/v1/auth/token", data=big, content_type="application/json").status_code == 413
    assert _chunked(client, "/api/v1/auth/token", big, "application/json").status_code == 413
    readings = b'{"readings": [' + b"1," * limit + b"1]}"
    assert _chunked(client, "/api/v1/readings", readings, "application/json", **device).status_code == 413
    small = b'{"readings": [' + ",".join(['{"record_id": "x"}'] * 3).encode() + b"]}"
    assert _chunked(client, "/api/v1/readings", small, "application/json", **device).status_code == 200


def test_a_chunked_upload_over_the_limit_is_413(app, client, login):
    admin = login("admin")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    try:
        boundary = b"XXBOUNDARY"
        body = (
            b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\n\r\n'
            + b"site_code,record_id\r\n" + b"JL-WIM-01,R\r\n" * 20_000 + b"\r\n--" + boundary + b"--\r\n"
        )  # fmt: skip
        res = _chunked(client, "/api/v1/readings/imports", body, "multipart/form-data; boundary=XXBOUNDARY", **admin)
        assert res.status_code == 413, res.get_data()[:200]
        form = b"username=" + b"a" * (70 * 1024)
        assert _chunked(client, "/login", form, "application/x-www-form-urlencoded").status_code == 413
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024
