"""Console: a site's verification certificates (检定证书) — listed on its page with the one that
covers today, recorded from a form (checked, errors in Chinese, audited) — and each site's
verification state on the sites list (有效至 / 即将到期 / 已过期 / 未登记), so an administrator sees
which WIM points cannot support penalties. Beijing time 2026-06-15 throughout."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from models import AuditEvent, Site, SiteCalibration
from service.extensions import db
from tests.console.test_console import _csrf, sign_in

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def admin(client, app, travel):
    assert sign_in(client, app, role="admin", username="root").status_code == 302


def _row(page: str, code: str) -> str:
    rows = re.findall(r"<tr>.*?</tr>", page, re.S)
    return re.sub(r"\s+", " ", next(r for r in rows if f">{code}<" in r))


def _certificates(app, code: str) -> list[SiteCalibration]:
    with app.app_context():
        stmt = select(SiteCalibration).join(Site).where(Site.code == code).order_by(SiteCalibration.id)
        rows = db.session.scalars(stmt).all()
        db.session.expunge_all()
        return rows


def test_the_sites_list_shows_each_sites_verification_state(client, app, admin, make_site, monkeypatch):
    make_site("JL-WIM-01", calibrated_until=date(2026, 12, 31))
    make_site("JL-WIM-02", calibrated_until=date(2026, 7, 1))  # 16 days left
    make_site("JL-WIM-03", calibrated_until=date(2026, 6, 14))  # ended yesterday
    make_site("JL-WIM-04", calibrated_until=date(2026, 6, 15))  # its last day: still valid
    make_site("JL-WIM-05", calibrated_until=None)
    make_site("JL-ST-01", kind="static", calibrated_until=None)  # a static scale: no bar without one

    page = client.get("/admin/sites").get_data(as_text=True)

    assert "有效</span> 至 2026-12-31" in _row(page, "JL-WIM-01") and "即将到期" not in _row(page, "JL-WIM-01")
    assert "即将到期</span> 至 2026-07-01（剩 16 天）" in _row(page, "JL-WIM-02")
    assert "已过期</span> 2026-06-14 届满" in _row(page, "JL-WIM-03")
    assert "不能作为处罚依据" in _row(page, "JL-WIM-03")
    assert "即将到期</span> 至 2026-06-15（剩 0 天）" in _row(page, "JL-WIM-04")
    assert "未登记" in _row(page, "JL-WIM-05") and "不能作为处罚依据" in _row(page, "JL-WIM-05")
    assert "未登记" in _row(page, "JL-ST-01") and "不能作为处罚依据" not in _row(page, "JL-ST-01")
    assert "届满前 30 天内" in page

    monkeypatch.setitem(app.config, "CALIBRATION_WARN_DAYS", 10)  # the deployment's choice
    page = client.get("/admin/sites").get_data(as_text=True)
    assert "有效</span> 至 2026-07-01" in _row(page, "JL-WIM-02") and "即将到期" not in _row(page, "JL-WIM-02")


def test_an_administrator_records_a_renewal_and_the_page_shows_which_certificate_covers_today(
    client, app, admin, make_site
):
    make_site("JL-WIM-01", calibrated_until=date(2026, 6, 30))
    page = client.get("/admin/sites/JL-WIM-01").get_data(as_text=True)
    assert 'id="calibration-create"' in page and "即将到期" in page
    form = {
        "csrf_token": _csrf(page),
        "return_to": "/admin/sites/JL-WIM-01#calibrations",
        "certificate_no": "吉计检 2026-0612",
        "accuracy_class": "2",
        "valid_from": "2026-06-12",
        "valid_until": "2027-06-11",
    }

    res = client.post("/admin/sites/JL-WIM-01/calibrations", data=form, follow_redirects=True)

    assert res.status_code == 200
    page = res.get_data(as_text=True)
    assert "已登记检定证书 吉计检 2026-0612" in page
    listed = re.search(r'<table class="admin" id="calibration-list">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr.*?</tr>", listed, re.S)[1:]
    assert len(rows) == 2
    assert "吉计检 2026-0612" in rows[0] and "2 级" in rows[0] and "今日适用" in rows[0]
    assert "2026-06-30" in rows[1] and "覆盖今日" in rows[1]  # the old one still runs, the later end decides
    assert "有效</span> 至 2027-06-11" in page
    sites = client.get("/admin/sites").get_data(as_text=True)
    assert "有效</span> 至 2027-06-11" in _row(sites, "JL-WIM-01")
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "site.calibration")).one()
        assert event.actor == "root" and event.data["certificate_no"] == "吉计检 2026-0612"
        assert event.data["valid_from"] == "2026-06-12" and event.data["valid_until"] == "2027-06-11"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"certificate_no": " "}, "请填写检定证书编号"),
        ({"valid_from": ""}, "请填写检定日期（有效期起）"),
        ({"valid_until": "2027-02-30"}, "有效期至格式应为 YYYY-MM-DD"),
        ({"valid_from": "2026-06-20", "valid_until": "2026-06-19"}, "检定日期不能晚于有效期截止日期"),
        ({"valid_from": "2026-06-16"}, "检定日期不能晚于今天"),
        ({"accuracy_class": "3"}, "准确度等级须为 0.2 / 0.5 / 1 / 2 / 5 / 10 级"),
        ({"valid_until": "2200-01-01"}, "有效期至须在 1990-01-01 至 2099-12-31 之间"),
        ({"certificate_no": "JD-0001"}, "本点位已登记检定证书 JD-0001"),
    ],
)
def test_a_refused_certificate_is_explained_and_not_recorded(client, app, admin, make_site, change, message):
    make_site("JL-WIM-01", calibrated_until=None)
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "JL-WIM-01"))
        db.session.add(SiteCalibration(site=site, certificate_no="JD-0001", valid_until=date(2026, 6, 1)))
        db.session.commit()
    page = client.get("/admin/sites/JL-WIM-01").get_data(as_text=True)
    form = {
        "csrf_token": _csrf(page),
        "return_to": "/admin/sites/JL-WIM-01#calibrations",
        "certificate_no": "吉计检 2026-0612",
        "valid_from": "2026-06-12",
        "valid_until": "2027-06-11",
        **change,
    }

    res = client.post("/admin/sites/JL-WIM-01/calibrations", data=form)

    assert res.status_code == 303 and "/admin/sites/JL-WIM-01" in res.headers["Location"]
    assert message in client.get("/admin/sites/JL-WIM-01").get_data(as_text=True)
    assert [c.certificate_no for c in _certificates(app, "JL-WIM-01")] == ["JD-0001"]


def test_only_an_administrator_records_a_certificate(client, app, make_site, travel):
    make_site("JL-WIM-01")
    sign_in(client, app, role="supervisor", username="boss")
    page = client.get("/queue").get_data(as_text=True)
    res = client.post(
        "/admin/sites/JL-WIM-01/calibrations",
        data={
            "csrf_token": _csrf(page),
            "certificate_no": "X-1",
            "valid_from": "2026-06-01",
            "valid_until": "2027-05-31",
        },
    )
    assert res.status_code == 403
    assert [c.certificate_no for c in _certificates(app, "JL-WIM-01")] == [None]
