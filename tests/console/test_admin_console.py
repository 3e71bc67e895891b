"""Console: the administration pages — users (create, deactivate, reset a password) and sites
with their device tokens (shown once, revoked at once). Admins only."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from models import User
from service.extensions import db
from tests.conftest import reading
from tests.console.test_console import _csrf, sign_in

TOKEN = re.compile(r"dev_[A-Za-z0-9_-]{20,}")


@pytest.fixture
def admin(client, app):
    """The test client signed in to the console as an admin; returns a fresh form token."""
    assert sign_in(client, app, role="admin", username="root").status_code == 302
    return lambda path="/admin/users": _csrf(client.get(path).get_data(as_text=True))


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def api_token(client, username: str, password: str):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def bearer(res) -> dict:
    assert res.status_code == 200, res.get_json()
    return {"Authorization": f"Bearer {res.get_json()['access_token']}"}


def console_sign_in(app, username: str, password: str):
    """Another browser: a second test client signed in as `username`."""
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    res = other.post("/login", data={"username": username, "password": password, "csrf_token": _csrf(page)})
    assert res.status_code == 302
    return other


def post_reading(client, token: str, record_id: str):
    return client.post(
        "/api/v1/readings",
        headers={"Authorization": f"Bearer {token}"},
        json={"readings": [reading(record_id=record_id)]},
    )


# ── users ────────────────────────────────────────────────────────────────────


def test_admin_creates_a_user_who_can_then_log_in(client, app, admin):
    res = client.post(
        "/admin/users",
        data={
            "csrf_token": admin(),
            "username": "wang",
            "display_name": "王强",
            "role": "officer",
            "password": "initial-pass-1",
        },
    )
    assert res.status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "已保存" in page and "wang" in page and "王强" in page and "执法人员" in page
    assert api_token(client, "wang", "initial-pass-1").status_code == 200
    assert console_sign_in(app, "wang", "initial-pass-1").get("/").status_code == 200


def test_a_refused_user_is_explained_and_not_created(client, app, admin):
    token = admin()
    short = {
        "csrf_token": token,
        "username": "wang",
        "role": "officer",
        "password": "short",
        "return_to": "/admin/users",
    }
    res = client.post("/admin/users", data=short)
    assert res.status_code == 303 and res.headers["Location"].endswith("/admin/users")
    assert "密码至少 8 位" in client.get("/admin/users").get_data(as_text=True)
    assert user_id(app, "wang") is None
    taken = {**short, "username": "root", "password": "long-enough-1"}
    client.post("/admin/users", data=taken)
    assert "用户名 root 已存在" in client.get("/admin/users").get_data(as_text=True)


def test_deactivating_a_user_ends_their_api_token_and_console_session(client, app, admin, login):
    officer = login("officer", username="wang")  # password correct-horse-9
    browser = console_sign_in(app, "wang", "correct-horse-9")
    assert client.get("/api/v1/registry/enterprises", headers=officer).status_code == 200
    assert browser.get("/").status_code == 200

    res = client.post(f"/admin/users/{user_id(app, 'wang')}/active", data={"csrf_token": admin(), "active": "0"})
    assert res.status_code == 302
    assert "已停用" in client.get("/admin/users").get_data(as_text=True)
    assert client.get("/api/v1/registry/enterprises", headers=officer).status_code == 401
    ended = browser.get("/")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    assert api_token(client, "wang", "correct-horse-9").status_code == 401

    # Reactivated, the user logs in again; the old token stays dead.
    client.post(f"/admin/users/{user_id(app, 'wang')}/active", data={"csrf_token": admin(), "active": "1"})
    assert api_token(client, "wang", "correct-horse-9").status_code == 200
    assert client.get("/api/v1/registry/enterprises", headers=officer).status_code == 401


def test_an_admin_cannot_deactivate_themselves(client, app, admin):
    res = client.post(
        f"/admin/users/{user_id(app, 'root')}/active",
        data={"csrf_token": admin(), "active": "0", "return_to": "/admin/users"},
    )
    assert res.status_code == 303
    page = client.get("/admin/users")
    assert page.status_code == 200 and "不能停用自己的账号" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id(app, "root")).active is True


def test_a_reset_password_works_and_the_old_one_no_longer_does(client, app, admin, login):
    officer = login("officer", username="wang")
    browser = console_sign_in(app, "wang", "correct-horse-9")
    res = client.post(
        f"/admin/users/{user_id(app, 'wang')}/password", data={"csrf_token": admin(), "password": "brand-new-pass-7"}
    )
    assert res.status_code == 302 and "已保存" in client.get("/admin/users").get_data(as_text=True)
    assert client.get("/api/v1/registry/enterprises", headers=officer).status_code == 401
    assert browser.get("/").status_code == 302
    assert api_token(client, "wang", "correct-horse-9").status_code == 401
    fresh = bearer(api_token(client, "wang", "brand-new-pass-7"))
    assert client.get("/api/v1/registry/enterprises", headers=fresh).status_code == 200


def test_user_changes_are_audited(client, app, admin, login):
    from models import AuditEvent

    login("officer", username="wang")
    wang = user_id(app, "wang")
    client.post(f"/admin/users/{wang}/password", data={"csrf_token": admin(), "password": "brand-new-pass-7"})
    client.post(f"/admin/users/{wang}/active", data={"csrf_token": admin(), "active": "0"})
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "user", AuditEvent.object_id == "wang")
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.actor) for e in events][-2:] == [
            ("user.password_reset", "root"),
            ("user.deactivate", "root"),
        ]
        assert all("brand-new-pass-7" not in str(e.data) for e in events)


# ── sites and device tokens ──────────────────────────────────────────────────


def test_a_new_site_shows_its_token_once_and_the_token_posts_readings(client, app, admin):
    res = client.post(
        "/admin/sites",
        data={
            "csrf_token": admin("/admin/sites"),
            "code": "JL-WIM-01",
            "name": "长春绕城高速 K12",
            "kind": "wim",
            "region_code": "220100",
            "calibrated_until": "2099-12-31",
            "accuracy_class": "5",
        },
    )
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "只显示这一次" in page
    assert res.headers["Cache-Control"] == "no-store"
    token = TOKEN.search(page).group(0)
    assert post_reading(client, token, "R-1").status_code == 200

    listing = client.get("/admin/sites").get_data(as_text=True)
    detail = client.get("/admin/sites/JL-WIM-01").get_data(as_text=True)
    assert "JL-WIM-01" in listing and "非现场执法点" in listing and "2099-12-31" in listing
    assert token not in listing and token not in detail  # never shown again
    assert re.search(r'<td class="n">1</td>', listing)  # one active device token


def test_a_duplicate_site_code_is_refused(client, app, admin, make_site):
    make_site("JL-WIM-01")
    form = {"csrf_token": admin("/admin/sites"), "code": "JL-WIM-01", "name": "重复", "kind": "wim"}
    res = client.post("/admin/sites", data={**form, "return_to": "/admin/sites"})
    assert res.status_code == 303 and res.headers["Location"].endswith("/admin/sites")
    page = client.get("/admin/sites").get_data(as_text=True)
    assert "点位编码 JL-WIM-01 已存在" in page and not TOKEN.search(page)


def test_an_expired_calibration_is_tagged(client, app, admin, make_site):
    make_site("JL-WIM-01", calibrated_until=date(2099, 12, 31))
    make_site("JL-WIM-02", calibrated_until=date(2020, 1, 1))
    rows = re.findall(r"<tr>.*?</tr>", client.get("/admin/sites").get_data(as_text=True), re.S)
    assert "已过期" in next(r for r in rows if "JL-WIM-02" in r)
    assert "已过期" not in next(r for r in rows if "JL-WIM-01" in r)


def test_a_revoked_token_is_refused_and_a_new_one_works(client, app, admin, make_site):
    make_site("JL-WIM-01")
    issued = client.post(
        "/admin/sites/JL-WIM-01/tokens", data={"csrf_token": admin("/admin/sites/JL-WIM-01"), "label": "更换主机"}
    )
    assert issued.status_code == 200 and "只显示这一次" in issued.get_data(as_text=True)
    token = TOKEN.search(issued.get_data(as_text=True)).group(0)
    assert post_reading(client, token, "R-1").status_code == 200
    token_id = max(
        int(i) for i in re.findall(r"/tokens/(\d+)/revoke", client.get("/admin/sites/JL-WIM-01").get_data(as_text=True))
    )

    # Without the confirmation box nothing is revoked.
    csrf = admin("/admin/sites/JL-WIM-01")
    unconfirmed = client.post(
        f"/admin/sites/JL-WIM-01/tokens/{token_id}/revoke",
        data={"csrf_token": csrf, "return_to": "/admin/sites/JL-WIM-01"},
    )
    assert unconfirmed.status_code == 303 and unconfirmed.headers["Location"].endswith("/admin/sites/JL-WIM-01")
    assert "请勾选“确认吊销”后再吊销" in client.get("/admin/sites/JL-WIM-01").get_data(as_text=True)
    assert post_reading(client, token, "R-2").status_code == 200

    revoked = client.post(f"/admin/sites/JL-WIM-01/tokens/{token_id}/revoke", data={"csrf_token": csrf, "confirm": "1"})
    assert revoked.status_code == 302
    assert "已吊销" in client.get("/admin/sites/JL-WIM-01").get_data(as_text=True)
    assert post_reading(client, token, "R-3").status_code == 401


def test_a_form_without_its_token_is_refused(client, app, admin):
    res = client.post("/admin/users", data={"username": "wang", "role": "officer", "password": "initial-pass-1"})
    assert res.status_code == 400 and user_id(app, "wang") is None


# ── access ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("path", ["/admin/users", "/admin/sites"])
def test_an_officer_may_not_open_the_administration_pages(client, app, path):
    assert sign_in(client, app, role="officer").status_code == 302
    assert client.get(path).status_code == 403
    assert client.post(path, data={"csrf_token": _csrf(client.get("/").get_data(as_text=True))}).status_code == 403


def test_strangers_are_sent_to_the_login_page(client):
    res = client.get("/admin/users")
    assert res.status_code == 302 and "/login" in res.headers["Location"]


def test_an_officer_gets_an_agency_and_a_certificate_number(client, app, admin):
    """执法证号 (printed on notices and decisions, 行政处罚法 第四十二条) and the agency a user's
    jurisdiction follows, chosen from the agencies: set when the user is created, changed later, audited."""
    from models import AuditEvent
    from tests.api.review.test_jurisdiction import make_agencies

    agencies = make_agencies(app)
    page = client.get("/admin/users").get_data(as_text=True)
    assert f'<option value="{agencies["220104"]}">　　长春市朝阳区交通运输综合行政执法大队</option>' in page
    form = {
        "csrf_token": _csrf(page), "username": "wangfa", "display_name": "王法", "role": "officer",
        "password": "new-officer-9", "agency_id": agencies["220100"], "certificate_number": "吉交执22010099",
    }  # fmt: skip
    client.post("/admin/users", data=form)
    page = client.get("/admin/users").get_data(as_text=True)
    row = re.search(r'<tr id="user-\d+">\s*<td>wangfa</td>.*?</tr>', page, re.S).group(0)
    assert "<td>长春市交通运输综合行政执法支队</td>" in row and "吉交执22010099" in row
    uid = user_id(app, "wangfa")
    edit = {"csrf_token": _csrf(page), "agency_id": agencies["220104"], "certificate_number": "吉交执22010100"}
    assert client.post(f"/admin/users/{uid}/profile", data=edit).status_code == 302
    bad = client.post(f"/admin/users/{uid}/profile", data={**edit, "agency_id": "99999"}, follow_redirects=True)
    assert "所属机构不存在" in bad.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, uid)
        assert (user.agency_id, user.region_code, user.certificate_number) == (
            agencies["220104"],
            "220104",
            "吉交执22010100",
        )
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.profile")).one()
        assert event.data["before"]["certificate_number"] == "吉交执22010099"
        assert (event.data["before"]["agency_id"], event.data["after"]["agency_id"]) == (
            agencies["220100"],
            agencies["220104"],
        )


def test_the_status_page_shows_settings_outbox_and_queues(client, app, admin, make_site):
    """系统状态: the rule settings in force, the follow-up work waiting and the job queues."""
    _, device = make_site()
    client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=60000)]})
    page = client.get("/admin/status").get_data(as_text=True)
    assert "<code>fine_rounding</code></td><td>floor</td>" in page
    assert "<code>permit_deemed_from</code></td><td>2021-08-31</td>" in page
    assert re.search(r"<td>readings\.ingested</td><td class=\"n\">1</td>", page)
    assert "证据图像（evidence）" in page and "需处理" not in page
