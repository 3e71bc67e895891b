"""No input yields a 500 (issue 16 item 2): each input fuzzing found to answer HTTP 500, and
what it answers now. The property-based fuzz of the whole spec is test_openapi_fuzz.py."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from models import StationAction
from service.extensions import db
from tests.conftest import reading

BIG_IDS = [str(2**63), str(10**30), "9" * 5000]


@pytest.fixture
def case_id(client, make_site):
    _, device = make_site("JL-WIM-01")
    res = client.post("/api/v1/readings", json={"readings": [reading(gross_weight_kg=60000)]}, headers=device)
    return res.get_json()["results"][0]["case_id"]


def _rules(app, prefix: str, method: str):
    """URL templates of the app's rules under `prefix` that take `method` and an <int:…> id."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix) and method in rule.methods and "<int:" in rule.rule:
            yield rule.rule


def _fill(rule: str, value: str) -> str:
    path = re.sub(r"<int:[a-z_]+>", value, rule)
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "x", path)


# ── If-Match on every case step ──

STEP_RULES = [
    "/api/v1/cases/{id}/confirm",
    "/api/v1/cases/{id}/dismissal",
    "/api/v1/cases/{id}/assign",
    "/api/v1/cases/{id}/station-actions",
    "/api/v1/cases/{id}/referral",
    "/api/v1/cases/{id}/notice",
    "/api/v1/cases/{id}/decision",
    "/api/v1/cases/{id}/close",
]


@pytest.mark.parametrize("header", ['""', '"", "1"', '"abc"', '"1x"', '"99999999999999999999999"', '"²"'])
def test_an_if_match_that_names_no_version_is_412_on_every_case_step(app, client, login, case_id, header):
    supervisor = login("supervisor")
    for rule in _rules(app, "/api/v1/cases/", "POST"):
        res = client.post(_fill(rule, str(case_id)), json={}, headers={**supervisor, "If-Match": header})
        # 422 where the (empty) body is refused first, before the version is looked at
        assert res.status_code in (412, 422), (rule, header, res.get_json())
        assert res.status_code == 412 or "json" in res.get_json()["errors"]


@pytest.mark.parametrize("header", ["", "*"])
def test_an_if_match_that_names_no_version_is_428_on_every_case_step(client, login, case_id, header):
    """RFC 9110 §13.1.1: `*` is true of any existing case, so it names no version and cannot
    prevent a lost update; a step requires a version (RFC 6585 §3) and says so."""
    supervisor = login("supervisor")
    for path in STEP_RULES:
        res = client.post(path.format(id=case_id), json={}, headers={**supervisor, "If-Match": header})
        assert res.status_code in (422, 428), (path, header, res.get_json())
        if res.status_code == 428:
            assert ("*" in res.get_json()["message"]) == (header == "*"), res.get_json()
    res = client.post(
        f"/api/v1/cases/{case_id}/assign", json={"user_id": 1}, headers={**supervisor, "If-Match": header}
    )
    assert res.status_code == 428


@pytest.mark.parametrize("header", ['W/""', 'W/"1"', 'W/"2"'])
def test_a_weak_if_match_never_matches_a_case_version(client, login, case_id, header):
    """If-Match compares strongly (RFC 9110 §13.1.1): a weak tag is 412, even of the current version."""
    supervisor = login("supervisor")
    res = client.post(
        f"/api/v1/cases/{case_id}/assign", json={"user_id": 1}, headers={**supervisor, "If-Match": header}
    )
    assert res.status_code == 412, res.get_json()


def test_a_registry_if_match_star_is_true_of_an_existing_record(client, login):
    """The registry's If-Match is optional: `*` (any current record) proceeds, a weak tag is 412."""
    from tests.api.test_registry import USCC

    admin = login("admin")
    ent = client.post("/api/v1/registry/enterprises", headers=admin, json={"uscc": USCC, "name": "甲"}).get_json()
    url = f"/api/v1/registry/enterprises/{ent['id']}"
    etag = client.get(url, headers=admin).headers["ETag"]
    assert client.patch(url, headers={**admin, "If-Match": "W/" + etag}, json={"name": "乙"}).status_code == 412
    assert client.patch(url, headers={**admin, "If-Match": "*"}, json={"name": "乙"}).status_code == 200


# ── ids, pages and after_id beyond a database integer ──


@pytest.mark.parametrize("value", BIG_IDS, ids=["2^63", "10^30", "5000 digits"])
def test_an_id_beyond_a_database_integer_is_404_on_every_api_route(app, client, login, value):
    admin = login("admin")
    for method in ("GET", "POST", "PATCH", "DELETE"):
        for rule in _rules(app, "/api/", method):
            res = client.open(_fill(rule, value), method=method, json={}, headers=admin)
            assert res.status_code == 404, (method, rule, res.status_code)


@pytest.mark.parametrize("value", BIG_IDS[:2], ids=["2^63", "10^30"])
def test_an_id_beyond_a_database_integer_is_404_on_every_console_page(app, client, value):
    from tests.console.test_console import sign_in

    sign_in(client, app, role="supervisor")
    for rule in _rules(app, "/", "GET"):
        if not rule.startswith("/api/"):
            assert client.get(_fill(rule, value)).status_code == 404, rule


def test_the_spec_states_the_bound_of_every_id(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for param in item.get("parameters", []):
            if param["schema"].get("type") == "integer":
                assert param["schema"]["maximum"] == 2**63 - 1, (path, param)


@pytest.mark.parametrize("page", [str(2**63), str(10**30)])
def test_a_page_beyond_a_database_integer_is_refused_not_a_500(client, login, case_id, page):
    res = client.get(f"/api/v1/cases?page={page}", headers=login("officer"))
    assert res.status_code in (200, 422), res.get_json()
    if res.status_code == 200:
        assert res.get_json() == []


@pytest.mark.parametrize("after_id", [str(2**63), str(10**30)])
def test_an_after_id_beyond_a_database_integer_is_422_naming_it(client, login, after_id):
    res = client.get(f"/api/v1/alerts?after_id={after_id}", headers=login("officer"))
    assert res.status_code == 422
    assert "after_id" in res.get_json()["errors"]["query"]


def test_a_registry_number_beyond_its_column_is_422_not_a_500(client, login):
    """The last line behind each schema's own bounds (service/errors.py)."""
    res = client.post(
        "/api/v1/registry/vehicles",
        json={"plate": "吉A12345", "plate_color": "yellow", "rated_load_kg": 2**63},
        headers=login("admin"),
    )
    assert res.status_code == 422 and res.get_json()["message"]


# ── JSON bodies ──


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "path,body",
    [
        ("/api/v1/readings", '{"readings": ' + _nested(100_000) + "}"),
        ("/api/v1/auth/token", '{"username": ' + _nested(100_000) + ', "password": "x"}'),
        ("/api/v1/registry/enterprises", '{"name": {"a": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001 + "}"),
    ],
    ids=["readings", "auth token", "registry"],
)
def test_deeply_nested_json_is_400(client, make_site, login, path, body):
    headers = make_site("JL-WIM-01")[1] if path == "/api/v1/readings" else login("admin")
    res = client.post(path, data=body, content_type="application/json", headers=headers)
    assert res.status_code == 400 and "嵌套" in res.get_json()["message"]


def test_a_lone_surrogate_as_username_is_400(client):
    body = json.dumps({"username": "\ud800", "password": "whatever-1"})
    res = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert res.status_code == 400 and "Unicode" in res.get_json()["message"]


def test_a_lone_surrogate_anywhere_in_a_json_body_is_400(client, login):
    body = json.dumps({"uscc": "91220101MA0000000X", "name": "企业\udfff", "kind": "transport"})
    res = client.post(
        "/api/v1/registry/enterprises", data=body, content_type="application/json", headers=login("admin")
    )
    assert res.status_code == 400


def test_a_surrogate_pair_is_a_character_like_any_other(client, login):
    """An emoji arrives as the pair "\\ud83d\\ude9a": one character, not a broken one."""
    body = json.dumps({"username": "🚚", "password": "whatever-1"})
    assert client.post("/api/v1/auth/token", data=body, content_type="application/json").status_code == 401


def test_a_json_body_over_the_limit_is_413(app, client):
    body = json.dumps({"username": "x" * (app.config["MAX_JSON_BODY_BYTES"] + 1), "password": "y"})
    res = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert res.status_code == 413


def test_a_form_part_without_a_readable_name_is_422(client, login):
    boundary = "b0undary"
    data = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="%0D"\r\n\r\nnull\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="v.csv"\r\n\r\nplate\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    res = client.post(
        "/api/v1/registry/imports",
        data=data,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=login("admin"),
    )
    assert res.status_code == 422 and res.get_json()["errors"]


# ── methods ──


@pytest.mark.parametrize("method", ["TRACE", "PUT", "PATCH"])
def test_an_unsupported_method_is_405_with_allow(client, method):
    res = client.open("/api/v1/auth/token", method=method)
    assert res.status_code == 405
    assert set(res.headers["Allow"].split(", ")) >= {"POST"}
    assert res.get_json()["code"] == 405


# ── the console ──


@pytest.mark.parametrize("kg", ["abc", "nan", "inf", "-inf", "1e999"])
def test_console_station_action_refuses_a_weight_that_is_no_number(app, client, case_id, kg):
    from tests.console.test_console import _csrf, sign_in

    sign_in(client, app, role="officer")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    res = client.post(
        f"/cases/{case_id}/act/station_action",
        data={"kind": "unloading", "kg": kg, "csrf_token": _csrf(page), "version": "1"},
    )
    assert res.status_code == 303  # back to the case page, with the reason
    assert "不是有效的数字" in client.get(res.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StationAction)) == 0


def test_console_form_with_an_id_beyond_a_database_integer_is_refused(app, client, case_id):
    from tests.console.test_console import _csrf, sign_in

    sign_in(client, app, role="supervisor")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    res = client.post(
        f"/cases/{case_id}/act/assign",
        data={"user_id": str(2**63), "csrf_token": _csrf(page), "version": "1"},
    )
    assert res.status_code in (303, 422)


def test_upload_with_a_file_name_that_is_not_utf8_is_not_a_500(client, make_site):
    """The multipart parser drops a part whose header is not text: the upload has no file (422);
    nothing undecodable reaches the database."""
    _, device = make_site("JL-WIM-01")
    boundary = "b0undary"
    data = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + b"\xff\xfe.csv"
        + f'"\r\n\r\nsite_code,record_id\r\n--{boundary}--\r\n'.encode()
    )
    res = client.post(
        "/api/v1/readings/imports", data=data, content_type=f"multipart/form-data; boundary={boundary}", headers=device
    )
    assert res.status_code == 422 and "file" in res.get_json()["errors"]["files"]


# ── the spec says what the service does ──


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "responses" in op:
                yield path, method, op


def test_every_step_that_needs_if_match_documents_412_and_428(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    steps = [
        (path, op)
        for path, _, op in _operations(spec)
        if any(p.get("name") == "If-Match" and p.get("required") for p in op.get("parameters", []))
    ]
    assert len(steps) > 20
    for path, op in steps:
        assert {"412", "428"} <= set(op["responses"]), path


def test_x_pagination_is_documented_as_the_json_text_it_is(client, login, case_id):
    spec = client.get("/api/v1/openapi.json").get_json()
    header = spec["paths"]["/api/v1/cases"]["get"]["responses"]["200"]["headers"]["X-Pagination"]
    assert header["schema"] == {"type": "string"}
    sent = client.get("/api/v1/cases", headers=login("officer")).headers["X-Pagination"]
    assert json.loads(sent)["total"] == 1


def test_a_body_is_documented_as_required_only_when_it_has_a_required_field(app, client, login):
    spec = client.get("/api/v1/openapi.json").get_json()
    bodies = {(m, p): op["requestBody"]["required"] for p, m, op in _operations(spec) if "requestBody" in op}
    assert bodies[("post", "/api/v1/auth/token")] is True
    assert bodies[("patch", "/api/v1/registry/vehicles/{record_id}")] is False
    # and a PATCH without a body is indeed taken as "change nothing"
    admin = login("admin")
    made = client.post("/api/v1/registry/vehicles", json={"plate": "吉A12345"}, headers=admin)
    assert made.status_code == 201, made.get_json()
    res = client.patch(f"/api/v1/registry/vehicles/{made.get_json()['id']}", headers=admin)
    assert res.status_code == 200 and res.get_json()["plate"] == "吉A12345"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("assign", {"user_id": 2**40}, "user_id"),
        ("driver", {"driver_id": 2**63}, "driver_id"),
        ("station-actions", {"kind": "unloading", "kg": 1e308}, "kg"),
    ],
)
def test_review_inputs_beyond_what_can_be_true_are_422_naming_the_field(client, login, case_id, path, body, field):
    supervisor = login("supervisor")
    etag = client.get(f"/api/v1/cases/{case_id}", headers=supervisor).headers["ETag"]
    res = client.post(f"/api/v1/cases/{case_id}/{path}", json=body, headers={**supervisor, "If-Match": etag})
    assert res.status_code == 422, res.get_json()
    assert field in str(res.get_json()["errors"])
