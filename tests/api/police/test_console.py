"""The police's console (/referrals): the inbox of what was referred to them, a package asked for,
built by the worker, downloaded and acknowledged, and the outcome recorded from the page."""

from __future__ import annotations

import io
import zipfile

from tests.api.police.conftest import confirmed, referrals
from tests.console.test_console import _csrf, sign_in


def test_the_police_export_download_acknowledge_and_report_back_from_the_console(app, client, people, station,
                                                                                 run_worker):  # fmt: skip
    confirmed(client, people, station, run_worker, "C-1", plate="吉B54321", gross_weight_kg=100_500)
    confirmed(client, people, station, run_worker, "C-2", plate="吉C11111", gross_weight_kg=56_000)  # not referred
    sign_in(client, app, username="jj-console", role="police")
    page = client.get("/referrals").get_data(as_text=True)
    assert "吉B54321" in page and "吉C11111" not in page and "新移交 1" in page and "百吨王" in page
    assert "6 分（P-PTS-6" in page  # the points a 百吨王 certainly carries, its 行驶证 unregistered
    res = client.post("/referrals/exports", data={"csrf_token": _csrf(page)})
    assert res.status_code == 302
    page = client.get("/referrals").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page  # the page follows the package's progress
    run_worker(["exports"])
    page = client.get("/referrals").get_data(as_text=True)
    assert "已完成" in page and "下载" in page
    data = client.get("/referrals/exports/1/download").get_data()
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    client.post("/referrals/exports/1/ack", data={"csrf_token": _csrf(page)})
    (ref,) = referrals(client, people["police"])
    assert ref["status"] == "acknowledged"
    page = client.get("/referrals").get_data(as_text=True)
    form = {"csrf_token": _csrf(page), "version": ref["version"], "decision_number": "吉公交决字〔2026〕第7号",
            "decided_on": "2026-06-16", "fine_yuan": "2000", "points": "6"}  # fmt: skip
    assert client.post(f"/referrals/{ref['matter_id']}/act/outcome", data=form).status_code == 302
    page = client.get("/referrals?status=closed").get_data(as_text=True)
    assert "吉公交决字〔2026〕第7号" in page and "记 6 分" in page


def test_a_supervisor_sees_the_key_to_hand_to_the_police(app, client):
    sign_in(client, app, username="boss-console", role="supervisor")
    page = client.get("/referrals/public-key").get_data(as_text=True)
    assert "BEGIN PUBLIC KEY" in page and "指纹" in page


def test_a_supervisor_withdraws_from_the_case_page_before_export(app, client, people, station, run_worker):
    case_id = confirmed(client, people, station, run_worker, "C-9", plate="吉B54321", gross_weight_kg=100_500)
    sign_in(client, app, username="boss-case-page", role="supervisor")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "撤回移交公安（导出前）" in page
    (ref,) = referrals(client, people["supervisor"].headers)
    form = {"csrf_token": _csrf(page), "version": ref["version"], "matter_id": ref["matter_id"], "reason": "称重有误"}
    client.post(f"/cases/{case_id}/act/withdraw_referral", data=form)
    (after,) = referrals(client, people["supervisor"].headers)
    assert after["status"] == "withdrawn" and after["withdrawal_reason"] == "称重有误"
