"""The web console: login, the review queue and the case page (server-rendered, Chinese)."""

from __future__ import annotations

import re

from tests.conftest import reading


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, app, role="officer", username="zhang", password="password-123"):
    from service.admin.operations import create_user
    from service.extensions import db

    with app.app_context():
        create_user(username, role, password, display_name="张丽")
        db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": _csrf(page)})


def test_root_sends_strangers_to_the_chinese_login_page(client):
    res = client.get("/")
    assert res.status_code == 302 and "/login" in res.headers["Location"]
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and 'lang="zh-CN"' in page


def test_wrong_password_is_refused_in_chinese(client, app):
    sign_in(client, app)
    client.post("/logout", data={"csrf_token": _csrf(client.get("/").get_data(as_text=True))})
    page = client.get("/login").get_data(as_text=True)
    res = client.post("/login", data={"username": "zhang", "password": "nope", "csrf_token": _csrf(page)})
    assert res.status_code == 401 and "用户名或密码错误" in res.get_data(as_text=True)


def test_login_without_the_form_token_is_refused(client, app):
    from service.admin.operations import create_user
    from service.extensions import db

    with app.app_context():
        create_user("li", "officer", "password-123")
        db.session.commit()
    client.get("/login")
    res = client.post("/login", data={"username": "li", "password": "password-123"})
    assert res.status_code == 400 and "表单已过期" in res.get_data(as_text=True)


def test_officer_sees_the_queue_with_baidunwang_first_and_opens_a_case(client, app, make_site):
    _, device = make_site()
    client.post(
        "/api/v1/readings",
        headers=device,
        json={
            "readings": [
                reading(record_id="a", plate="吉A11111", gross_weight_kg=60000),
                reading(record_id="b", plate="吉B22222", gross_weight_kg=104000),
                reading(record_id="c", plate="吉C33333", gross_weight_kg=30000),
            ]
        },
    )
    assert sign_in(client, app).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "2</b> 件待审核" in home and "1</b> 件百吨王待审核" in home
    queue = client.get("/cases").get_data(as_text=True)
    assert queue.index("吉B22222") < queue.index("吉A11111")
    assert "吉C33333" not in queue  # legal: no case
    case_id = re.search(r'href="/cases/(\d+)">ZC', queue).group(1)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "104,000 kg" in page and "49,000 kg" in page and "百吨王" in page
    assert "第三条" in page and "检定有效期" in page
    # The browser tab names the case; the timeline and the keyboard script are in the page body.
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert re.fullmatch(r"ZC\S+ · 治超案件管理服务", title), title
    assert page.index("办理记录") > page.index("</title>") and "console.js" in page.split("</title>")[1]


def test_queue_filters_by_plate(client, app, make_site):
    _, device = make_site()
    client.post(
        "/api/v1/readings",
        headers=device,
        json={
            "readings": [
                reading(record_id="a", plate="吉A11111", gross_weight_kg=60000),
                reading(record_id="b", plate="吉B22222", gross_weight_kg=61000),
            ]
        },
    )
    sign_in(client, app)
    page = client.get("/cases?plate=吉A11111").get_data(as_text=True)
    assert "吉A11111" in page and "吉B22222" not in page and "共 1 件" in page


def test_police_cannot_open_the_review_queue(client, app):
    sign_in(client, app, role="police", username="jc")
    res = client.get("/cases")
    assert res.status_code == 403 and "无权" in res.get_data(as_text=True)


def test_login_does_not_redirect_to_another_site(client, app):
    from service.admin.operations import create_user
    from service.extensions import db

    with app.app_context():
        create_user("wang", "officer", "password-123")
        db.session.commit()
    page = client.get("/login?next=//evil.example/").get_data(as_text=True)
    res = client.post(
        "/login?next=//evil.example/", data={"username": "wang", "password": "password-123", "csrf_token": _csrf(page)}
    )
    assert res.headers["Location"] == "/"


def test_registry_repeat_and_hotspot_pages_render(client, app):
    sign_in(client, app, role="supervisor", username="boss")
    for path in (
        "/registry?kind=vehicles",
        "/registry?kind=enterprises",
        "/registry?kind=drivers",
        "/registry?kind=permits",
        "/repeat-offenders",
        "/repeat-offenders?kind=enterprise",
        "/hotspots?days=90",
        "/watchlist",
        "/alerts",
        "/my-cases",
        "/deadlines",
    ):
        res = client.get(path)
        assert res.status_code == 200, path
        assert 'lang="zh-CN"' in res.get_data(as_text=True)
