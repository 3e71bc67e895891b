"""Police packages (CONTRACT §5): built by a worker with progress, read back (xlsx with openpyxl,
csv with its BOM, the original images, every manifest hash), signed, the hash in the audit chain;
`referrals verify` names every altered, missing or unlisted file and a manifest not signed by us."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from service.extensions import db
from tests.api.police.conftest import confirmed, referrals


@pytest.fixture
def two_referrals(client, people, station, truck, run_worker):
    bdw = confirmed(client, people, station, run_worker, "P-1", plate="吉B54321", gross_weight_kg=100_500)
    over = confirmed(client, people, station, run_worker, "P-2", gross_weight_kg=60_000)
    return bdw, over


def export(client, headers, run_worker, body=None) -> dict:
    res = client.post("/api/v1/referrals/exports", json=body or {}, headers=headers)
    assert res.status_code == 202, res.get_json()
    job = res.get_json()
    assert (job["status"], job["progress"]) == ("queued", 0)
    run_worker(["exports"])
    done = client.get(f"/api/v1/referrals/exports/{job['id']}", headers=headers).get_json()
    assert done["status"] == "done" and done["progress"] == 100, done
    return done


def download(client, headers, export_id) -> bytes:
    res = client.get(f"/api/v1/referrals/exports/{export_id}/file", headers=headers)
    assert res.status_code == 200 and res.mimetype == "application/zip"
    return res.get_data()


def test_a_package_holds_the_tables_the_originals_and_a_signed_manifest(app, client, people, two_referrals, run_worker):
    police = people["police"]
    done = export(client, police, run_worker)
    data = download(client, police, done["id"])
    assert hashlib.sha256(data).hexdigest() == done["sha256"] and done["referral_count"] == 2
    zf = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["export_id"] == done["id"] and manifest["created_by"]["username"] == "jiaojing"
    assert datetime.fromisoformat(manifest["created_at"]).utcoffset().total_seconds() == 8 * 3600
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(zf.namelist()) - {"manifest.json"} == set(listed)
    for name, entry in listed.items():  # every manifest hash and size holds
        body = zf.read(name)
        assert (len(body), hashlib.sha256(body).hexdigest()) == (entry["size"], entry["sha256"]), name
    # The evidence images are the originals, byte for byte.
    with app.app_context():
        from models import EvidenceImage

        originals = {row.sha256 for row in db.session.query(EvidenceImage)}
    images = [n for n in listed if n.startswith("evidence/")]
    assert len(images) == 4 and {listed[n]["sha256"] for n in images} == originals
    assert all(n.split("/")[1].startswith("ZC2026-") for n in images)
    # referrals.csv: UTF-8 with BOM, Chinese headers, one row per referral.
    raw = zf.read("referrals.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("移交编号,案件编号,号牌,检测时间") and len(lines) == 3
    # referrals.xlsx: real numbers and dates.
    sheet = load_workbook(io.BytesIO(zf.read("referrals.xlsx"))).active
    header = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(header, sheet[2], strict=True)}
    assert row["百吨王"] == "是" and row["车货总质量（千克）"] == 100_500 and isinstance(row["检测时间"], datetime)
    assert "X-POLICE-BDW" in row["规则编号"] and row["证据图像数"] == 2
    overload = {h: c.value for h, c in zip(header, sheet[3], strict=True)}
    assert overload["记分"] == 1 and overload["记分计算基数"] == "最大允许总质量"


def test_the_package_hash_is_in_the_audit_chain_and_each_export_has_its_own_id(app, client, people, two_referrals,
                                                                                 run_worker):  # fmt: skip
    officer = people["officer"].headers
    first = export(client, officer, run_worker)
    again = client.post("/api/v1/referrals/exports", json={}, headers=officer)
    assert again.status_code == 409  # nothing left that was not exported
    ids = [r["id"] for r in referrals(client, officer)]
    second = export(client, officer, run_worker, {"referral_ids": ids[:1]})
    assert second["id"] != first["id"]
    (twice,) = [r for r in referrals(client, people["police"]) if r["id"] == ids[0]]
    assert twice["packages"] == [first["id"], second["id"]] and twice["status"] == "exported"
    with app.app_context():
        from models import AuditEvent

        events = db.session.query(AuditEvent).filter_by(action="referral.export").order_by(AuditEvent.id).all()
        assert [e.data["sha256"] for e in events] == [first["sha256"], second["sha256"]]
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_an_exported_referral_can_no_longer_be_withdrawn(client, people, two_referrals, run_worker):
    export(client, people["police"], run_worker)
    ref = referrals(client, people["supervisor"].headers)[0]
    res = client.post(f"/api/v1/referrals/{ref['id']}/withdraw", json={"reason": "误报"},
                      headers=people["supervisor"].headers)  # fmt: skip
    assert res.status_code == 409 and "已导出" in res.get_json()["message"]


def test_the_public_key_is_shown(client, people, app):
    key = client.get("/api/v1/referrals/public-key", headers=people["police"]).get_json()
    assert key["algorithm"] == "Ed25519" and key["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert len(key["fingerprint"].replace(" ", "")) == 64


# ── tampering: `referrals verify` ───────────────────────────────────────────


def _rewrite(data: bytes, path, *, drop=(), replace=None, add=None, manifest=None) -> None:
    src = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w") as out:
        for name in src.namelist():
            if name in drop:
                continue
            body = (replace or {}).get(name, src.read(name))
            if name == "manifest.json" and manifest is not None:
                body = manifest(json.loads(body))
            out.writestr(name, body)
        for name, body in (add or {}).items():
            out.writestr(name, body)


def _unsigned_rebuild(manifest: dict, zf: zipfile.ZipFile, image: str, new: bytes) -> bytes:
    """A forger's manifest: the altered image's true hash, no signature."""
    for entry in manifest["files"]:
        if entry["name"] == image:
            entry["size"], entry["sha256"] = len(new), hashlib.sha256(new).hexdigest()
    manifest.pop("signature")
    return json.dumps(manifest, ensure_ascii=False).encode()


def test_verify_names_every_altered_missing_or_unlisted_file_and_an_unsigned_manifest(app, client, people,
                                                                                      two_referrals, run_worker,
                                                                                      tmp_path):  # fmt: skip
    data = download(client, people["police"], export(client, people["police"], run_worker)["id"])
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    image, other = [n for n in names if n.startswith("evidence/")][:2]
    runner = app.test_cli_runner()

    def verify(path, *extra):
        return runner.invoke(args=["referrals", "verify", str(path), *extra])

    intact = tmp_path / "intact.zip"
    intact.write_bytes(data)
    ok = verify(intact)
    assert ok.exit_code == 0 and "核验通过" in ok.output, ok.output

    altered = tmp_path / "altered.zip"
    _rewrite(data, altered, replace={image: b"\xff\xd8 not the original"})
    out = verify(altered)
    assert out.exit_code != 0 and f"文件被改动：{image}" in out.output and other not in out.output

    dropped = tmp_path / "dropped.zip"
    _rewrite(data, dropped, drop=(image,))
    out = verify(dropped)
    assert out.exit_code != 0 and f"缺失文件：{image}" in out.output

    added = tmp_path / "added.zip"
    _rewrite(data, added, add={"evidence/ZC2026-99999999/plate-1.jpg": b"planted"})
    out = verify(added)
    assert out.exit_code != 0 and "清单外文件：evidence/ZC2026-99999999/plate-1.jpg" in out.output

    new = b"\xff\xd8 a forged image"
    forged = tmp_path / "forged.zip"
    _rewrite(data, forged, replace={image: new},
             manifest=lambda m: _unsigned_rebuild(m, None, image, new))  # fmt: skip
    out = verify(forged)
    assert out.exit_code != 0 and "签名缺失" in out.output and "文件被改动" not in out.output

    # Another key's public key: the genuine package does not verify against it.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from service.referrals.signing import public_pem

    stranger = tmp_path / "stranger.pem"
    stranger.write_text(public_pem(Ed25519PrivateKey.generate()))
    out = verify(intact, "--public-key", str(stranger))
    assert out.exit_code != 0 and "签名无效" in out.output
    ours = tmp_path / "ours.pem"
    ours.write_text(client.get("/api/v1/referrals/public-key", headers=people["police"]).get_json()["public_key_pem"])
    assert verify(intact, "--public-key", str(ours)).exit_code == 0
