"""Evidence images: uploaded by devices, processed by a real worker."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from tests.conftest import reading


def jpeg(width=800, height=600, color=(40, 90, 160)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def upload(client, headers, data: bytes, record_id="R-0001", kind="overview", site="JL-WIM-01", name="a.jpg"):
    return client.post(
        "/api/v1/evidence",
        headers=headers,
        content_type="multipart/form-data",
        data={"site_code": site, "record_id": record_id, "kind": kind, "file": (io.BytesIO(data), name)},
    )


@pytest.fixture
def device(make_site):
    return make_site("JL-WIM-01")[1]


def test_image_before_its_reading_is_kept_and_attached_when_it_arrives(app, client, device, login, run_worker):
    data = jpeg()
    res = upload(client, device, data)
    assert res.status_code == 201
    body = res.get_json()
    assert body["reading_id"] is None and body["sha256"] == hashlib.sha256(data).hexdigest()
    run_worker()

    posted = client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]})
    case_id = posted.get_json()["results"][0]["case_id"]
    run_worker()  # drain: attaches the image and queues its processing
    run_worker()  # the image job

    officer = login("officer")
    case = client.get(f"/api/v1/cases/{case_id}", headers=officer).get_json()
    [image] = case["evidence"]
    assert image["status"] == "ready" and image["reading_id"] == case["reading_id"]
    original = client.get(image["original_url"], headers=officer)
    assert original.data == data  # the original bytes, untouched
    thumb = Image.open(io.BytesIO(client.get(image["thumb_url"], headers=officer).data))
    assert max(thumb.size) <= 320
    marked = client.get(image["watermarked_url"], headers=officer)
    assert marked.status_code == 200 and marked.data != data
    assert Image.open(io.BytesIO(marked.data)).size == (800, 600)


def test_same_image_twice_is_a_duplicate(client, device):
    data = jpeg()
    first = upload(client, device, data).get_json()
    again = upload(client, device, data)
    assert again.status_code == 200 and again.get_json()["id"] == first["id"] and again.get_json()["duplicate"]


@pytest.mark.parametrize(
    "data, name, reason",
    [
        pytest.param(jpeg()[: len(jpeg()) // 2], "cut.jpg", "截断", id="truncated JPEG"),
        pytest.param(b"GIF89a" + b"\x00" * 100, "a.gif", "GIF", id="GIF not allowed"),
        pytest.param(b"hello, not an image", "a.jpg", "无法识别", id="text named .jpg"),
    ],
)
def test_bad_image_becomes_an_evidence_defect_not_a_crash(app, client, device, login, run_worker, data, name, reason):
    client.post("/api/v1/readings", headers=device, json={"readings": [reading(gross_weight_kg=56000)]})
    res = upload(client, device, data, name=name)
    assert res.status_code == 201
    run_worker(), run_worker()
    from models import EvidenceImage
    from service.extensions import db

    with app.app_context():
        row = db.session.get(EvidenceImage, res.get_json()["id"])
        assert row.status == "defect" and reason in row.defect


def test_oversize_image_is_413(app, client, device):
    app.config["EVIDENCE_MAX_BYTES"] = 1000
    try:
        assert upload(client, device, jpeg()).status_code == 413
    finally:
        app.config["EVIDENCE_MAX_BYTES"] = 8 * 1024 * 1024


def test_device_cannot_upload_for_another_site(client, make_site, device):
    _, other = make_site("JL-WIM-02")
    assert upload(client, other, jpeg()).status_code == 403


def test_police_cannot_fetch_evidence_directly(client, device, login):
    image = upload(client, device, jpeg()).get_json()
    assert client.get(image["original_url"], headers=login("police")).status_code == 403
    assert client.get(image["original_url"], headers=login("officer")).status_code == 200
