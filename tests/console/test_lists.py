"""Lists that work: the plate filter takes part of a plate in any case, a reversed date range is
said (and searched the right way round), a page beyond the last shows the last, and the registry
pages instead of stopping at 200 rows."""

from __future__ import annotations

from tests.conftest import ago, reading
from tests.console.test_console import sign_in


def _queue(client, **args) -> str:
    return client.get("/cases", query_string={"status": "", **args}).get_data(as_text=True)


def test_plate_filter_matches_part_and_lower_case(app, client, make_site):
    _, device = make_site()
    items = [
        reading(record_id="a", plate="吉AX1641", gross_weight_kg=60000),
        reading(record_id="b", plate="吉B12345", gross_weight_kg=60000),
    ]
    client.post("/api/v1/readings", headers=device, json={"readings": items})
    sign_in(client, app)
    for typed in ("ax1641", "AX16", "吉ax 1641", "ｘ１６４"):
        page = _queue(client, plate=typed)
        assert "吉AX1641" in page and "吉B12345" not in page, typed
    api = client.get("/api/v1/cases?plate=x164&status=", headers=_token(app, client))
    assert [c["plate"] for c in api.get_json()] == ["吉AX1641"]


def _token(app, client) -> dict:
    res = client.post("/api/v1/auth/token", json={"username": "zhang", "password": "password-123"})
    return {"Authorization": f"Bearer {res.get_json()['access_token']}"}


def test_a_reversed_date_range_is_said_and_searched_the_right_way_round(app, client, make_site):
    _, device = make_site()
    client.post(
        "/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=60000, captured_at=ago(days=2))]}
    )
    sign_in(client, app)
    from datetime import date, timedelta

    start, end = (date.today() - timedelta(days=5)).isoformat(), date.today().isoformat()
    page = _queue(client, **{"from": end, "to": start})
    assert "截止日期早于起始日期，已按" in page and "吉A12345" in page
    api = client.get(f"/api/v1/cases?from={end}&to={start}", headers=_token(app, client))
    assert api.status_code == 422 and "早于起始日期" in str(api.get_json()["errors"])


def test_a_page_beyond_the_last_shows_the_last(app, client, make_site):
    _, device = make_site()
    client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=60000)]})
    sign_in(client, app)
    for page in ("99", "0", "-3"):
        html = _queue(client, page=page)
        assert "吉A12345" in html and "第 1 / 1 页" in html, page


def test_the_registry_pages_past_200_rows(app, client):
    from models import Driver
    from service.extensions import db

    with app.app_context():
        from datetime import UTC, datetime

        for i in range(230):
            db.session.add(Driver(name=f"驾驶人{i:03d}", created_at=datetime.now(UTC)))
        db.session.commit()
    sign_in(client, app, "supervisor", "registry-boss")
    first = client.get("/registry?kind=drivers").get_data(as_text=True)
    assert "驾驶人229" in first and "第 1 / 3 页（共 230 条）" in first and "驾驶人000" not in first
    last = client.get("/registry?kind=drivers&page=3").get_data(as_text=True)
    assert "驾驶人000" in last and "驾驶人229" not in last
    beyond = client.get("/registry?kind=drivers&page=40").get_data(as_text=True)
    assert "第 3 / 3 页" in beyond and "驾驶人000" in beyond
    found = client.get("/registry?kind=drivers&q=驾驶人1").get_data(as_text=True)
    assert "驾驶人100" in found and "驾驶人199" in found and "驾驶人200" not in found


def test_a_running_import_updates_itself_and_names_bad_columns_in_chinese(app, client):
    from datetime import UTC, datetime

    from models import ImportJob
    from service.extensions import db

    with app.app_context():
        job = ImportJob(
            kind="vehicles", filename="车辆.csv", stored_path="imports/x", sha256="0" * 64, size_bytes=10,
            status="running", rows_total=10, rows_done=4, rejected=1, created_at=datetime.now(UTC),
            errors=[{"line": 3, "errors": {"plate": ["号牌格式不正确"], "rated_load_kg": ["须为正整数"]}}],
        )  # fmt: skip
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    sign_in(client, app, "supervisor", "import-boss")
    page = client.get("/registry?kind=vehicles").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page  # the progress updates by itself
    assert "「号牌（plate）」号牌格式不正确" in page and "「核定载质量（rated_load_kg）」须为正整数" in page
    with app.app_context():
        db.session.get(ImportJob, job_id).status = "done"
        db.session.commit()
    assert 'http-equiv="refresh"' not in client.get("/registry?kind=vehicles").get_data(as_text=True)
