"""Every place states the same excess and rate: after deducting the measurement error, from the
weighing the case stands on (domain-rules §1.5, §1.7, §6.4).

The notice and the decision (print view and PDF text), the case page, the queue (console and
API), the party page and the evidence watermark, for a non-site case with the class-5
deduction, one with a configured deduction, and one a station re-weigh superseded.
"""

from __future__ import annotations

import io
import re
from decimal import ROUND_DOWN, Decimal

import pytest
from pypdf import PdfReader

from tests.api.review.test_procedure import CHECKLIST, Officer
from tests.conftest import ago, reading
from tests.console.test_console import sign_in
from tests.console.test_party_and_documents import party_login
from tests.evidence_kit import give_evidence


def expected(gross: float, limit: int, tolerance: int) -> tuple[str, str]:
    """The two figures, worked out here from the weighing's own numbers (not the service's code)."""
    excess = Decimal(str(gross)) - tolerance - limit
    rate = (excess / limit * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{excess:,.0f}", f"{rate}"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return squeeze(text.replace("\x00", ""))  # fpdf2's CJK subset reads back as UTF-16 code units


@pytest.fixture
def decided(app, client, make_site, login, run_worker):
    """decided(kind) → (case id, party code, (excess text, rate text)) for a case taken to its decision."""
    officer = Officer(client, login("officer", username="fig-officer"))
    boss = Officer(client, login("supervisor", username="fig-boss"))
    make_site("JL-WIM-01", "wim")  # class 5: 5 % of the gross is deducted
    make_site("JL-WIM-02", "wim", tolerance_pct=2.0)  # a deduction the jurisdiction configured
    _, station = make_site("JL-STA-01", "static")
    devices = {}

    def post(site: str, record: str, gross: int, when: str, plate: str):
        from models import DeviceToken, Site
        from service.extensions import db

        if site not in devices:  # each site posts with its own token
            with app.app_context():
                site_row = db.session.query(Site).filter_by(code=site).one()
                token, clear = DeviceToken.issue(site_row, label="figures")
                db.session.add(token)
                db.session.commit()
            devices[site] = {"Authorization": f"Bearer {clear}"}
        body = {
            "readings": [
                reading(site_code=site, record_id=record, gross_weight_kg=gross, captured_at=when, plate=plate)
            ]
        }
        result = client.post("/api/v1/readings", headers=devices[site], json=body).get_json()["results"][0]
        return {**result, "gross_weight_kg": gross}

    def make(kind: str):
        if kind == "class-5 deduction":
            first = post("JL-WIM-01", "a1", 56000, ago(hours=2), "吉A12345")
            weighing = first
        elif kind == "configured deduction":
            first = post("JL-WIM-02", "b1", 61337, ago(hours=2), "吉A22345")
            weighing = first
        else:  # re-weighed at a station: its static figures supersede the non-site ones
            first = post("JL-WIM-01", "c1", 58000, ago(hours=3), "吉A32345")
            weighing = post("JL-STA-01", "c2", 53000, ago(hours=1), "吉A32345")
            run_worker()
        case_id = first["case_id"]
        give_evidence(app, case_id)
        assert officer.step(case_id, "confirm", {"checklist": CHECKLIST}).status_code == 200
        code = officer.step(case_id, "notice").get_json()["party_code"]
        assert officer.step(case_id, "statements", {"kind": "waiver"}).status_code == 200
        amount = officer.get(case_id).get_json()["penalty_proposal"]["proposed_yuan"]
        assert officer.step(case_id, "decision", {"kind": "fine", "amount_yuan": amount}).status_code == 200
        assert boss.step(case_id, "decision/approve").status_code == 200
        figures = expected(weighing["gross_weight_kg"], weighing["limit_kg"], weighing["tolerance_kg"])
        return case_id, code, figures, weighing

    return make


@pytest.mark.parametrize("kind", ["class-5 deduction", "configured deduction", "re-weighed"])
def test_every_document_and_page_states_the_same_excess_and_rate(app, client, login, decided, kind):
    case_id, code, (excess, rate), weighing = decided(kind)
    assert weighing["tolerance_kg"] > 0 or kind == "re-weighed"
    sentence = f"扣除计量误差{weighing['tolerance_kg']:,}千克后超限{excess}千克，超限率{rate}%"

    api = client.get(f"/api/v1/cases/{case_id}", headers=login("officer", username="reader")).get_json()
    assert (f"{api['excess_kg']:,.0f}", f"{api['excess_pct']:.2f}") == (excess, rate)
    assert api["weighing_reading_id"] == weighing["reading_id"]
    queue = client.get("/api/v1/cases?status=decided", headers=login("officer", username="reader2")).get_json()
    row = next(c for c in queue if c["id"] == case_id)
    assert (f"{row['excess_kg']:,.0f}", f"{row['excess_pct']:.2f}") == (excess, rate)

    sign_in(client, app, username="fig-console")
    for kind_of_document in ("notice", "decision"):
        page = client.get(f"/cases/{case_id}/documents/{kind_of_document}").get_data(as_text=True)
        assert sentence in squeeze(page), kind_of_document
        pdf = client.get(f"/cases/{case_id}/documents/{kind_of_document}.pdf")
        assert sentence in pdf_text(pdf.data), kind_of_document
    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"{excess} kg · {rate}%" in case_page
    console_queue = squeeze(client.get("/cases?status=decided").get_data(as_text=True))
    assert f'{excess}</td><tdclass="n"data-label="超限率">{rate}%' in console_queue

    with app.app_context():
        from service.evidence.processing import _lines

        watermark = _lines(weighing["reading_id"])[-1]
    assert f"后超限 {excess} kg（{rate}%）" in watermark


def test_the_party_page_states_the_same_figures(app, decided):
    case_id, code, (excess, rate), _ = decided("class-5 deduction")
    browser, res = party_login(app, "吉A12345", code)
    assert res.status_code == 302
    page = browser.get("/party/record").get_data(as_text=True)
    assert f"{excess} 千克，超限率 {rate}%" in page
