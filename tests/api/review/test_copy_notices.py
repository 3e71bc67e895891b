"""Copy notices (抄告, X-TRANSPORT-7WD): a closed case is copied to the vehicle's home transport
authority within 7 working days (62号令 Art 44), with the fields that article names; due and
overdue ones are listed, exported (xlsx, PDF) and marked sent."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import update

from models import CopyNotice
from service.extensions import db
from service.rules import copy_notice_due
from tests.api.review.test_law_matters import decided_case
from tests.api.review.test_matters import close_the_other_matters


@pytest.fixture
def closed(app, client, make_site, team, registered, run_worker):
    case_id = decided_case(client, make_site, team, run_worker)
    officer = team["officer"]
    officer.step(case_id, "service", {"method": "direct"})
    officer.step(case_id, "payment", {"amount_yuan": 2000})
    officer.step(case_id, "close")
    close_the_other_matters(client, officer, team["supervisor"], case_id)
    detail = officer.get(case_id).get_json()
    assert detail["status"] == "closed"
    return case_id, detail


def test_a_closed_case_is_due_to_be_copied_with_the_fields_art_44_names(client, team, closed):
    case_id, detail = closed
    (notice,) = client.get("/api/v1/copy-notices?status=due", headers=team["officer"].headers).get_json()
    from datetime import datetime

    closed_at = datetime.fromisoformat(detail["closed_at"])
    assert notice["case_id"] == case_id and notice["due_on"] == copy_notice_due(closed_at).due.isoformat()
    assert notice["plate"] == "吉A12345" and notice["enterprise"] == "长春顺达运输有限公司"
    assert notice["driver"] == "张建军" and notice["decision_number"].startswith("JD")
    assert notice["decision"] == "罚款 2,000 元" and notice["to"] == "车籍地（吉A）道路运输管理机构"
    assert notice["status"] == "due" and notice["overdue"] is False


def test_overdue_notices_are_listed_and_marked_sent_once(app, client, team, closed):
    case_id, _ = closed
    with app.app_context():
        db.session.execute(update(CopyNotice).values(due_on=date.today() - timedelta(days=1)))
        db.session.commit()
    officer = team["officer"]
    (late,) = client.get("/api/v1/copy-notices?status=overdue", headers=officer.headers).get_json()
    assert late["overdue"] and late["status_label"] == "已逾期"
    missing = client.post(f"/api/v1/copy-notices/{late['id']}/sent", headers=officer.headers, json={"reference": ""})
    assert missing.status_code == 422
    body = {"reference": "吉交执抄〔2026〕15号"}
    sent = client.post(f"/api/v1/copy-notices/{late['id']}/sent", headers=officer.headers, json=body)
    assert sent.status_code == 200 and sent.get_json()["status"] == "sent"
    again = client.post(f"/api/v1/copy-notices/{late['id']}/sent", headers=officer.headers, json=body)
    assert again.status_code == 409
    assert client.get("/api/v1/copy-notices?status=overdue", headers=officer.headers).get_json() == []
    timeline = officer.get(case_id).get_json()
    assert timeline["status"] == "closed"
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_the_workbook_and_the_pdf_hold_the_notice(client, team, closed):
    case_id, detail = closed
    headers = team["officer"].headers
    res = client.get("/api/v1/copy-notices/export.xlsx?status=due", headers=headers)
    sheet = load_workbook(io.BytesIO(res.data)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["案件编号", "号牌", "车辆类型"] and "抄告期限" in header
    row = [c.value for c in sheet[2]]
    assert row[0] == detail["case_number"] and row[1] == "吉A12345"
    assert isinstance(row[header.index("抄告期限")], date | type(None)) and row[header.index("抄告期限")] is not None
    (notice,) = client.get("/api/v1/copy-notices", headers=headers).get_json()
    pdf = client.get(f"/api/v1/copy-notices/{notice['id']}.pdf", headers=headers)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).replace("\x00", "")
    assert "违法超限运输案件抄告单" in text.replace(" ", "") and detail["case_number"] in text.replace(" ", "")


def test_the_console_lists_and_marks_a_copy_notice_sent(app, client, team, closed):
    from tests.console.test_console import _csrf, sign_in

    case_id, detail = closed
    sign_in(client, app, username="copy-officer")
    page = client.get("/copy-notices").get_data(as_text=True)
    assert detail["case_number"] in page and "抄告单 PDF" in page
    (notice,) = client.get("/api/v1/copy-notices", headers=team["officer"].headers).get_json()
    res = client.post(
        f"/copy-notices/{notice['id']}/sent", data={"csrf_token": _csrf(page), "reference": "系统回执 20261126-01"}
    )
    assert res.status_code == 302
    assert "系统回执 20261126-01" in client.get("/copy-notices?status=sent").get_data(as_text=True)
