"""Password login and bearer tokens (CONTRACT §3)."""

from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from models.user import ROLES


@pytest.mark.parametrize("role", ROLES)
def test_every_role_logs_in_and_gets_its_role_back(client, login, role):
    header = login(role, username=f"u-{role}")
    assert header["Authorization"].startswith("Bearer ")


def test_wrong_password_and_unknown_user_are_both_401(client, login):
    login("officer", username="li.na", password="right-password")
    for body in ({"username": "li.na", "password": "wrong-password"}, {"username": "nobody", "password": "x"}):
        res = client.post("/api/v1/auth/token", json=body)
        assert res.status_code == 401
        assert res.get_json()["message"] == "用户名或密码错误"


def test_missing_fields_are_422(client):
    res = client.post("/api/v1/auth/token", json={"username": "x"})
    assert res.status_code == 422


def test_expired_token_is_401(app, client, login):
    header = login("officer")
    app.config["TOKEN_MAX_AGE_S"] = -1
    try:
        assert client.get("/api/v1/cases", headers=header).status_code == 401
    finally:
        app.config["TOKEN_MAX_AGE_S"] = 12 * 3600


def test_token_signed_with_another_key_is_401(client, login):
    login("officer")
    forged = URLSafeTimedSerializer("not-our-key", salt="zhichao-user-token").dumps({"uid": 1, "gen": 1})
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_password_change_ends_outstanding_tokens(app, client, login):
    from sqlalchemy import select

    from models import User
    from service.extensions import db

    header = login("officer", username="wang")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "wang"))
        user.set_password("a-new-password")
        db.session.commit()
    assert client.get("/api/v1/cases", headers=header).status_code == 401


@pytest.mark.parametrize(
    "role, allowed", [("officer", 200), ("supervisor", 200), ("investigator", 403), ("police", 403)]
)
def test_case_queue_is_for_enforcement_staff(client, login, role, allowed):
    assert client.get("/api/v1/cases", headers=login(role)).status_code == allowed


@pytest.mark.parametrize("role", ["officer", "supervisor", "investigator", "police"])
def test_only_admins_manage_sites_and_users(client, login, role):
    header = login(role)
    assert client.get("/api/v1/sites", headers=header).status_code == 403
    assert (
        client.post(
            "/api/v1/users", headers=header, json={"username": "x", "password": "y" * 8, "role": "admin"}
        ).status_code
        == 403
    )


def test_openapi_describes_every_endpoint_and_docs_render(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method.upper()) for path, ops in spec["paths"].items() for method in ops if method != "parameters"
    }
    for rule in app.url_map.iter_rules():
        # The docs page and the files it loads (service/apidocs.py) are the documentation itself.
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith(("api-docs", "apidocs.")):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} missing from the OpenAPI spec"
    body = spec["paths"]["/api/v1/readings"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("ReadingBatch")
    assert "gross_weight_kg" in spec["components"]["schemas"]["Reading"]["properties"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.data
