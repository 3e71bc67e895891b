"""In a real browser: an officer records on a confirmed case who ordered the overload (指使强令者),
and the case page lists the instigator's matter with the transport authority — on a desktop and on
a 390×844 phone, nothing wider than the screen."""

from __future__ import annotations

import pytest

from tests.api.review.test_procedure import CHECKLIST, Officer
from tests.browser.test_evidence_and_party import PASSWORD, _sign_in
from tests.conftest import reading
from tests.evidence_kit import give_evidence


@pytest.mark.parametrize("viewport", [(1440, 900), (390, 844)], ids=["desktop", "phone"])
def test_an_officer_records_the_instigator_from_the_case_page(page, app, client, make_site, login, tmp_path, viewport):
    if app.config["DB_BACKEND"] != "sqlite":
        pytest.skip("browser flows run once, on SQLite; the step itself is tested on both databases")
    from service.admin.operations import create_user
    from service.extensions import db

    _, device = make_site()
    case_id = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]}
                          ).get_json()["results"][0]["case_id"]  # fmt: skip
    give_evidence(app, case_id)
    assert (
        Officer(client, login("officer", username="prep"))
        .step(case_id, "confirm", {"checklist": CHECKLIST})
        .status_code
        == 200
    )
    with app.app_context():
        create_user("wangli", "officer", PASSWORD, display_name="王丽")
        db.session.commit()
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    _sign_in(page)
    page.goto(f"/cases/{case_id}")
    page.click("text=登记指使强令者（公路安全保护条例第六十八条）")
    form = page.locator("form:has(input[name=reason][placeholder*='指使'])")
    form.locator("input[name=name]").fill("王某（车队长）")
    form.locator("input[name=reason]").fill("驾驶人笔录：车队长要求多装20吨")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    body = page.inner_text("body")
    assert "已保存" in body and "王某（车队长）" in body and "指使、强令超限者" in body
    assert "wangli · 登记指使强令者" in body  # the audit trail names the step in Chinese
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
    page.screenshot(path=str(tmp_path / f"instigator-{viewport[0]}.png"), full_page=True)
