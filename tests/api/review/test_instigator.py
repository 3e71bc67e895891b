"""指使强令者 (F-INSTIGATE, 公路安全保护条例 第六十八条): an officer or investigator records on a case who
instructed or forced the overload; that opens the instigator's matter with the transport authority,
tracked to its outcome; the case closes only when it has; its decisions list the party under B-5."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditEvent
from service.extensions import db
from tests.api.review.test_law_matters import decided_case
from tests.api.review.test_matters import matter_step
from tests.conftest import reading
from tests.evidence_kit import give_evidence

FACTS = "驾驶人笔录：车队长王某电话要求多装20吨，否则扣运费；微信记录截图附卷"


def record(client, who, case_id, body):
    """POST the instigator with the ETag of the case as an officer last saw it."""
    etag = client.get(f"/api/v1/cases/{case_id}", headers=who.headers).headers["ETag"]
    return client.post(f"/api/v1/cases/{case_id}/instigators", json=body, headers={**who.headers, "If-Match": etag})


def test_a_recorded_instigator_answers_to_the_transport_authority(app, client, make_site, team, registered, run_worker):
    case_id = decided_case(client, make_site, team, run_worker)
    officer, boss = team["officer"], team["supervisor"]
    res = record(client, officer, case_id, {"enterprise_id": registered, "reason": FACTS})
    assert res.status_code == 201, res.get_json()
    matter = res.get_json()
    assert matter["party"] == "instigator" and matter["party_name"] == "长春顺达运输有限公司"
    assert matter["authority"] == "transport_authority" and matter["status"] == "pending" and matter["due_on"]
    basis = matter["basis"]
    assert basis["rule_id"] == "F-INSTIGATE" and basis["max_yuan"] == 30_000 and basis["facts"] == FACTS
    assert "第六十八条" in basis["article"] and "第四十九条" in basis["article"]  # an act of today: 2021 numbering
    assert "refer" in [a["step"] for a in matter["actions"]]
    # The same party twice on one case is refused; without the facts, nothing is recorded.
    again = record(client, officer, case_id, {"enterprise_id": registered, "reason": FACTS})
    assert again.status_code == 409 and "已登记" in again.get_json()["message"]
    missing = record(client, officer, case_id, {"name": "王某"})
    assert missing.status_code == 422 and "reason" in str(missing.get_json()["errors"])
    nobody = record(client, officer, case_id, {"reason": FACTS})
    assert nobody.status_code == 422 and "name" in str(nobody.get_json()["errors"])
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.instigator"))
        assert event is not None and event.reason == FACTS and event.actor == "law-officer"
    # Every other matter done, the instigator's still open: the case stays open until it closes.
    mid = matter["id"]
    assert matter_step(client, officer, mid, "refer").status_code == 200
    assert officer.step(case_id, "service", {"method": "post"}).status_code == 200
    assert officer.step(case_id, "payment", {"amount_yuan": 2000}).status_code == 200
    assert officer.step(case_id, "close").status_code == 200
    for other in officer.get(case_id).get_json()["matters"]:
        if other["party"] in ("vehicle", "instigator"):
            continue
        if other["status"] == "unidentified":
            body = {"reason": "经倒查运单、轨迹，无法查明"}
            assert matter_step(client, boss, other["id"], "unidentifiable", body).status_code == 200
            continue
        if other["status"] == "pending":
            assert matter_step(client, officer, other["id"], "refer").status_code == 200
        if other["status"] != "closed":
            body = {"decision_number": f"回执-{other['id']}", "decided_on": date.today().isoformat()}
            assert matter_step(client, officer, other["id"], "outcome", body).status_code == 200
    detail = officer.get(case_id).get_json()
    assert detail["status"] == "matters_open"
    assert [m["status"] for m in detail["matters"] if m["party"] == "instigator"] == ["referred"]
    outcome = {"decision_number": "吉交罚〔2026〕88号", "decided_on": date.today().isoformat(), "fine_yuan": 20000}
    assert matter_step(client, officer, mid, "outcome", outcome).status_code == 200
    assert officer.get(case_id).get_json()["status"] == "closed"
    # Fined 20 000 yuan: listed under B-5 on the day of that decision, for 2 years ([PROV Shitai]).
    (row,) = [r for r in client.get("/api/v1/blacklist", headers=boss.headers).get_json() if r["code"] == "B-5"]
    assert row["subject"] == "instigator" and row["name"] == "长春顺达运输有限公司"
    assert row["enterprise_id"] == registered and row["listed_on"] == date.today().isoformat()
    assert row["decision_numbers"] == ["吉交罚〔2026〕88号"] and "20000" in row["reason"]


def instigated_and_decided(client, make_site, team, run_worker, record_id: str, name: str, fine: int, day: date):
    case_id = decided_case(client, make_site, team, run_worker, record=record_id)
    mid = record(client, team["officer"], case_id, {"name": name, "reason": FACTS}).get_json()["id"]
    assert matter_step(client, team["officer"], mid, "refer").status_code == 200
    body = {"decision_number": f"吉交罚-{record_id}", "decided_on": day.isoformat(), "fine_yuan": fine}
    assert matter_step(client, team["officer"], mid, "outcome", body).status_code == 200


def test_three_penalties_within_a_year_list_the_instigator(app, client, make_site, team, registered, run_worker):
    today = date.today()
    for i, (record_id, back) in enumerate((("L-1", 300), ("L-2", 120), ("L-3", 2))):
        day = today - timedelta(days=back)
        instigated_and_decided(client, make_site, team, run_worker, record_id, "王某（车队长）", 2000, day)
        rows = [r for r in client.get("/api/v1/blacklist", headers=team["supervisor"].headers).get_json()
                if r["code"] == "B-5"]  # fmt: skip
        assert len(rows) == (1 if i == 2 else 0)
    (row,) = rows
    assert (
        row["name"] == "王某（车队长）"
        and row["listed_on"] == (today - timedelta(days=2)).isoformat()
        and row["statutory_count"] == 3
    )
    assert len(row["case_numbers"]) == 3
    from tests.console.test_console import sign_in

    sign_in(client, app, role="supervisor", username="inst-bl-boss")
    page = client.get("/blacklist").get_data(as_text=True)
    assert "指使强令者" in page and "王某（车队长）" in page and "1年内受罚 3 次" in page
    sheet = load_workbook(io.BytesIO(client.get("/blacklist?format=xlsx").data)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert ["B-5", "指使强令者", "王某（车队长）"] == [rows[0][0], rows[0][2], rows[0][3]]


def test_the_instigator_is_recorded_only_on_a_confirmed_open_case(client, make_site, team):
    _, device = make_site()
    case_id = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]}
                          ).get_json()["results"][0]["case_id"]  # fmt: skip
    give_evidence(client.application, case_id)
    res = record(client, team["officer"], case_id, {"name": "王某", "reason": FACTS})
    assert res.status_code == 409 and "待审核" in res.get_json()["message"]


def test_who_may_record_an_instigator(client, make_site, team, login, run_worker):
    from tests.api.review.test_procedure import CHECKLIST, Officer

    _, device = make_site()
    case_id = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]}
                          ).get_json()["results"][0]["case_id"]  # fmt: skip
    give_evidence(client.application, case_id)
    assert team["officer"].step(case_id, "confirm", {"checklist": CHECKLIST}).status_code == 200
    police = Officer(client, login("police", username="inst-police"))
    version = team["officer"].get(case_id).headers["ETag"]
    res = client.post(f"/api/v1/cases/{case_id}/instigators", json={"name": "王某", "reason": FACTS},
                      headers={**police.headers, "If-Match": version})  # fmt: skip
    assert res.status_code == 403
    res = client.post(f"/api/v1/cases/{case_id}/instigators", json={"name": "王某", "reason": FACTS},
                      headers={**team["investigator"].headers, "If-Match": version})  # fmt: skip
    assert res.status_code == 201 and res.get_json()["party_name"] == "王某"
    # The investigator sees the matter they opened.
    assert (
        client.get(f"/api/v1/matters/{res.get_json()['id']}", headers=team["investigator"].headers).status_code == 200
    )


def test_the_outcome_fine_stays_within_article_68_and_the_dossier_shows_b4_b5(
    app, client, make_site, team, registered, run_worker, login
):
    """The transport authority's fine on an instigator is at most 3万元 (公路安全保护条例 第六十八条):
    a larger one is refused, naming the field. The enterprise's dossier shows its B-5 listing, and
    its B-4 listing once a revocation is recorded under its 统一社会信用代码."""
    from tests.api.test_registry import USCC

    case_id = decided_case(client, make_site, team, run_worker)
    officer, boss = team["officer"], team["supervisor"]
    mid = record(client, officer, case_id, {"enterprise_id": registered, "reason": FACTS}).get_json()["id"]
    assert matter_step(client, officer, mid, "refer").status_code == 200
    day = date(2026, 3, 2)
    outcome = {"decision_number": "吉交罚〔2026〕90号", "decided_on": day.isoformat(), "fine_yuan": 30_001}
    refused = matter_step(client, officer, mid, "outcome", outcome)
    assert refused.status_code == 422 and "fine_yuan" in refused.get_json()["errors"]
    assert "30000" in refused.get_json()["message"]
    dossier = f"/api/v1/registry/enterprises/{registered}/dossier"
    assert client.get(dossier, headers=boss.headers).get_json()["blacklist_listings"] == []
    assert matter_step(client, officer, mid, "outcome", {**outcome, "fine_yuan": 30_000}).status_code == 200
    (b5,) = client.get(dossier, headers=boss.headers).get_json()["blacklist_listings"]
    assert b5["code"] == "B-5" and b5["listed_on"] == "2026-03-02" and b5["ends_on"] == "2028-03-02"
    assert b5["decision_numbers"] == ["吉交罚〔2026〕90号"] and "30000" in b5["reason"]
    revocation = {"name": "顺达汽修（登记名不同）", "uscc": USCC, "decision_number": "长交执罚〔2026〕18号",
                  "decided_on": "2026-03-05", "authority": "长春市交通运输局"}  # fmt: skip
    res = client.post("/api/v1/supervision/repairer-revocations", headers=boss.headers, json=revocation)
    assert res.status_code == 201, res.get_json()
    other = {**revocation, "uscc": None, "name": "别家修理厂", "decision_number": "长交执罚〔2026〕19号"}
    assert client.post("/api/v1/supervision/repairer-revocations", headers=boss.headers, json=other).status_code == 201
    rows = client.get(dossier, headers=boss.headers).get_json()["blacklist_listings"]
    assert [(r["code"], r["listed_on"], r["decision_numbers"]) for r in rows] == [
        ("B-4", "2026-03-05", ["长交执罚〔2026〕18号"]),
        ("B-5", "2026-03-02", ["吉交罚〔2026〕90号"]),
    ]
    from tests.console.test_console import sign_in

    sign_in(client, app, role="supervisor", username="dossier-boss")
    page = client.get(f"/registry/enterprises/{registered}").get_data(as_text=True)
    assert "长交执罚〔2026〕18号" in page and "吉交罚〔2026〕90号" in page and "2028-03-05" in page
    assert "别家修理厂" not in page and "长交执罚〔2026〕19号" not in page
