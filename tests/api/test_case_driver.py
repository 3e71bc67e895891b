"""The driver on a case, and the 屡犯 flag on every case of a listed vehicle, driver or enterprise
(公路安全保护条例 第六十六条: R-VEH-3, R-DRV-3, R-ENT-10)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, Driver
from service.extensions import db
from tests.api.test_registry import USCC, valid_id_number
from tests.conftest import ago, mark_decided, reading

LICENCE = valid_id_number("22010219800101123")  # 驾驶证号: the identity number, as usual


def open_cases(client, device, plates: list[str], site: str = "JL-WIM-01") -> list[int]:
    items = [
        reading(
            site_code=site, record_id=f"r-{i}", plate=plate, gross_weight_kg=60000, captured_at=ago(days=10 + 20 * i)
        )
        for i, plate in enumerate(plates)
    ]
    res = client.post("/api/v1/readings", headers=device, json={"readings": items}).get_json()
    assert all(r.get("case_id") for r in res["results"]), res
    return [r["case_id"] for r in res["results"]]


def decide(app, ids: list[int]) -> None:
    mark_decided(app, ids)


def record_driver(client, headers, case_id: int, body: dict):
    etag = client.get(f"/api/v1/cases/{case_id}", headers=headers).headers["ETag"]
    return client.post(f"/api/v1/cases/{case_id}/driver", headers={**headers, "If-Match": etag}, json=body)


def test_station_records_the_driver_and_it_is_shown_masked(app, client, make_site, login):
    _, device = make_site("JL-STA-01", kind="static")
    case_id, other_id = open_cases(client, device, ["吉A11111", "吉A22222"], "JL-STA-01")
    officer = login("officer")
    papers = {"name": "张三", "licence_no": LICENCE, "qualification_no": "220100001", "identity_number": LICENCE}

    res = record_driver(client, officer, case_id, papers)

    assert res.status_code == 200, res.get_json()
    driver = res.get_json()["driver"]
    assert driver["name"] == "张三" and LICENCE not in str(res.get_json())
    assert driver["identity_masked"] == LICENCE[:3] + "*" * 11 + LICENCE[-4:]
    # The same papers on another case: the same registered driver, not a second one.
    again = record_driver(client, officer, other_id, {"name": "张三", "qualification_no": "220100001"})
    assert again.get_json()["driver"]["id"] == driver["id"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Driver)) == 1
        row = db.session.get(Driver, driver["id"])
        assert row.identity_encrypted and LICENCE not in row.identity_encrypted
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.driver"))
        assert event.object_id == str(case_id) and LICENCE not in str(event.data) + (event.reason or "")


def test_recording_a_driver_needs_papers_if_match_and_an_undecided_case(app, client, make_site, login):
    _, device = make_site("JL-STA-01", kind="static")
    (case_id,) = open_cases(client, device, ["吉A11111"], "JL-STA-01")
    officer = login("officer")

    missing = record_driver(client, officer, case_id, {"name": "张三"})
    assert missing.status_code == 422 and "driver_id" in str(missing.get_json())
    bad_id = record_driver(
        client, officer, case_id, {"name": "张三", "identity_number": "220102198001011230"[:17] + "X"}
    )
    assert bad_id.status_code == 422
    no_version = client.post(f"/api/v1/cases/{case_id}/driver", headers=officer, json={"driver_id": 1})
    assert no_version.status_code == 428
    decide(app, [case_id])
    late = record_driver(client, officer, case_id, {"name": "张三", "licence_no": LICENCE})
    assert late.status_code == 409 and "决定" in late.get_json()["message"]


@pytest.mark.parametrize("role", ["investigator", "police"])
def test_only_officers_record_drivers(client, make_site, login, role):
    _, device = make_site("JL-STA-01", kind="static")
    (case_id,) = open_cases(client, device, ["吉A11111"], "JL-STA-01")
    other = login(role)
    res = client.post(
        f"/api/v1/cases/{case_id}/driver", headers={**other, "If-Match": '"1"'}, json={"licence_no": LICENCE}
    )
    assert res.status_code == 403


@pytest.mark.parametrize(
    "decided, flagged",
    [
        pytest.param(3, False, id="R-DRV-3 公路安全保护条例 Art66 exactly 3: not listed"),
        pytest.param(4, True, id="R-DRV-3 公路安全保护条例 Art66 the 4th decided violation lists the driver"),
    ],
)
def test_every_case_of_a_listed_driver_carries_the_flag(app, client, make_site, login, decided, flagged):
    _, device = make_site("JL-STA-01", kind="static")
    # Different trucks, one driver: the vehicles are not repeat offenders, the driver is.
    plates = [f"吉A3000{i}" for i in range(decided)] + ["吉A39999"]
    ids = open_cases(client, device, plates, "JL-STA-01")
    officer = login("officer")
    for case_id in ids:
        assert record_driver(client, officer, case_id, {"name": "李四", "licence_no": LICENCE}).status_code == 200
    decide(app, ids[:decided])

    fresh = client.get(f"/api/v1/cases/{ids[-1]}", headers=officer).get_json()
    queue = client.get("/api/v1/cases?status=pending_review", headers=officer).get_json()

    expected = [("driver", True)] if flagged else []
    assert [(f["subject"], f["triggered"]) for f in fresh["repeat_flags"]] == expected
    assert [(f["subject"], f["triggered"]) for f in queue[0]["repeat_flags"]] == expected
    if flagged:
        assert fresh["repeat_flags"][0]["rule_id"] == "R-DRV-3" and "第六十六条" in fresh["repeat_flags"][0]["article"]


@pytest.mark.parametrize(
    "violating, flagged",
    [
        pytest.param(1, False, id="R-ENT-10 公路安全保护条例 Art66 1 of 10 vehicles = 10%: not more than 10%"),
        pytest.param(2, True, id="R-ENT-10 公路安全保护条例 Art66 2 of 10 vehicles = 20%: listed"),
    ],
)
def test_every_case_of_a_listed_enterprise_carries_the_flag(
    app, client, make_site, login, run_worker, violating, flagged
):
    admin = login("admin")
    client.post(
        "/api/v1/registry/enterprises",
        headers=admin,
        json={"uscc": USCC, "name": "长春某运输有限公司", "kind": "transport", "declared_fleet_size": 10},
    )
    plates = [f"吉A4000{i}" for i in range(violating)] + ["吉A49999"]
    for plate in plates:
        res = client.post("/api/v1/registry/vehicles", headers=admin, json={"plate": plate, "enterprise_uscc": USCC})
        assert res.status_code == 201, res.get_json()
    _, device = make_site()
    ids = open_cases(client, device, plates)
    run_worker()  # links the cases to the registered vehicles and their enterprise
    decide(app, ids[:violating])

    officer = login("officer")
    fresh = client.get(f"/api/v1/cases/{ids[-1]}", headers=officer).get_json()

    assert fresh["enterprise_id"] is not None
    assert [f["subject"] for f in fresh["repeat_flags"]] == (["enterprise"] if flagged else [])
    if flagged:
        assert fresh["repeat_flags"][0]["rule_id"] == "R-ENT-10" and fresh["repeat_flags"][0]["triggered"]


def test_the_console_records_the_driver_and_shows_the_flags(app, client, make_site, login):
    from tests.console.test_console import _csrf, sign_in

    _, device = make_site("JL-STA-01", kind="static")
    ids = open_cases(client, device, [f"吉A5000{i}" for i in range(5)], "JL-STA-01")
    officer = login("officer")
    for case_id in ids[:4]:
        record_driver(client, officer, case_id, {"name": "王五", "licence_no": LICENCE})
    decide(app, ids[:4])
    sign_in(client, app, username="zhao")

    form = client.get(f"/cases/{ids[-1]}").get_data(as_text=True)
    assert "登记驾驶人" in form
    version = client.get(f"/api/v1/cases/{ids[-1]}", headers=officer).get_json()["version"]
    client.post(
        f"/cases/{ids[-1]}/act/driver",
        data={"csrf_token": _csrf(form), "version": version, "name": "王五", "licence_no": LICENCE.lower()},
    )
    page = client.get(f"/cases/{ids[-1]}").get_data(as_text=True)
    queue = client.get("/cases").get_data(as_text=True)

    assert "已保存" in page and "王五" in page and LICENCE not in page
    assert "驾驶人屡犯" in page and "R-DRV-3" in page
    assert "驾驶人屡犯" in queue
