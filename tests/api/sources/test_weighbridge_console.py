"""Console: admins register an exit weighbridge; its token is shown once and posts loadings."""

from __future__ import annotations

import re

from tests.api.sources.conftest import QUARRY
from tests.api.sources.test_loadings import loading
from tests.console.test_console import _csrf, sign_in

TOKEN = re.compile(r"wb_[A-Za-z0-9_-]{20,}")


def test_admin_registers_a_weighbridge_in_the_console_and_its_token_posts(app, client, enterprise):
    enterprise(QUARRY)
    assert sign_in(client, app, role="admin", username="root").status_code == 302
    page = client.get("/admin/weighbridges").get_data(as_text=True)
    assert "四平市铁东区金石采石有限公司" in page and "尚无出场地磅" in page
    res = client.post(
        "/admin/weighbridges",
        data={"csrf_token": _csrf(page), "code": "JS-WB-07", "name": "东门地磅", "enterprise": QUARRY,
              "calibrated_until": "2027-03-31", "return_to": "/admin/weighbridges"},
    )  # fmt: skip
    assert res.status_code == 200 and res.headers["Cache-Control"] == "no-store"
    token = TOKEN.search(res.get_data(as_text=True)).group()
    api = app.test_client()
    body = api.post("/api/v1/loadings", json={"loadings": [loading(weighbridge_code="JS-WB-07")]},
                    headers={"Authorization": f"Bearer {token}"}).get_json()  # fmt: skip
    assert body["accepted"] == 1
    listing = client.get("/admin/weighbridges").get_data(as_text=True)
    assert "JS-WB-07" in listing and "2027-03-31" in listing and token not in listing


def test_the_weighbridge_page_is_for_admins_only(app, client):
    assert sign_in(client, app, role="investigator", username="inv").status_code == 302
    assert client.get("/admin/weighbridges").status_code == 403
