"""The police package (CONTRACT §5): one ZIP, built by a worker, streamed to disk.

    referrals.xlsx / referrals.csv   one row per referred case, Chinese headers (csv: UTF-8 + BOM)
    evidence/<case_number>/…          the case's evidence images, the original bytes untouched
    manifest.json                     every other file's name, size and SHA-256, the export's id,
                                      time and creator, signed with the agency's Ed25519 key

Nothing is held in memory but one chunk of referrals: rows go to the xlsx (openpyxl's
write-only mode) and csv on disk as they come, each image is copied into the ZIP in blocks
while it is hashed. `verify_package` is what `flask referrals verify` runs.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from flask import current_app
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import select

from models import Case, EvidenceImage, PartyMatter, Referral, ReferralExport, Site, User
from service import audit, clock
from service.extensions import db
from service.referrals import signing

BLOCK = 1 << 20
CHUNK = 100  # referrals loaded at a time
FORMAT = "zhichao-referral-package/1"
CST_FORMAT = "yyyy-mm-dd hh:mm:ss"
# (header, width, number format)
COLUMNS = (
    ("移交编号", 10, None),
    ("案件编号", 18, None),
    ("号牌", 12, None),
    ("检测时间", 20, CST_FORMAT),
    ("检测点位", 24, None),
    ("轴数", 6, "0"),
    ("车货总质量（千克）", 14, "#,##0"),
    ("限值（千克）", 12, "#,##0"),
    ("扣除误差后超限（千克）", 16, "#,##0"),
    ("超限率（%）", 10, "0.00"),
    ("百吨王", 8, None),
    ("驾驶人", 10, None),
    ("移交理由", 60, None),
    ("规则编号", 24, None),
    ("公安罚款下限（元）", 12, "#,##0"),
    ("公安罚款上限（元）", 12, "#,##0"),
    ("罚款计算基数", 14, None),
    ("记分", 6, "0"),
    ("记分计算基数", 14, None),
    ("扣留车辆", 8, None),
    ("移交时间", 20, CST_FORMAT),
    ("签收期限", 12, "yyyy-mm-dd"),
    ("证据图像数", 10, "0"),
)


def package_path(export: ReferralExport) -> Path:
    return Path(current_app.config["EVIDENCE_DIR"]) / "referral_packages" / f"referrals-{export.id:08d}.zip"


def canonical(manifest: dict) -> bytes:
    """The bytes the signature covers: the manifest without its signature, keys sorted."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _Writer:
    """Adds files to the ZIP in blocks, remembering each one's size and SHA-256."""

    def __init__(self, zf: zipfile.ZipFile, when: datetime):
        self.zf, self.files = zf, []
        self.date_time = when.timetuple()[:6]

    def add(self, name: str, blocks: Iterable[bytes], compress: bool) -> None:
        info = zipfile.ZipInfo(name, self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        digest, size = hashlib.sha256(), 0
        with self.zf.open(info, "w", force_zip64=True) as out:
            for block in blocks:
                out.write(block)
                digest.update(block)
                size += len(block)
        self.files.append({"name": name, "size": size, "sha256": digest.hexdigest()})


def _blocks(path: Path) -> Iterable[bytes]:
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            yield block


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(clock.CST).replace(tzinfo=None) if value else None


def _row(referral: Referral, case: Case, site: Site, matter: PartyMatter, images: int) -> list:
    police = referral.assessment or {}
    fine, points = police.get("fine") or {}, police.get("points") or {}
    reasons = referral.reasons or [{"text": (matter.basis or {}).get("text", ""), "rule_id": ""}]
    return [
        referral.id,
        case.case_number,
        case.plate or "未识别",
        _local(case.captured_at),
        f"{site.code} {site.name}" if site else "",
        case.reading.axle_count if case.reading else None,
        case.gross_weight_kg,
        case.limit_kg,
        case.excess_kg,
        case.excess_pct,
        "是" if case.baidunwang else "否",
        matter.party_name or "待查明",
        "；".join(r["text"] for r in reasons),
        "、".join(r["rule_id"] for r in reasons if r.get("rule_id")),
        fine.get("min_yuan"),
        fine.get("max_yuan"),
        fine.get("denominator") or "",
        points.get("points"),
        points.get("denominator") or "",
        "是" if police.get("detain") else "否",
        _local(referral.queued_at),
        matter.due_on,
        images,
    ]


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _evidence(case_ids_readings: dict[int, list[int]]) -> dict[int, list[EvidenceImage]]:
    by_reading: dict[int, list[EvidenceImage]] = {}
    reading_ids = [r for rs in case_ids_readings.values() for r in rs]
    for image in db.session.scalars(
        select(EvidenceImage).where(EvidenceImage.reading_id.in_(reading_ids)).order_by(EvidenceImage.id)
    ):
        by_reading.setdefault(image.reading_id, []).append(image)
    return {cid: [i for r in rs for i in by_reading.get(r, [])] for cid, rs in case_ids_readings.items()}


def _image_name(image: EvidenceImage) -> str:
    ext = (image.format or Path(image.filename or "").suffix.lstrip(".") or "bin").lower()
    return f"{image.kind}-{image.id}.{'jpg' if ext == 'jpeg' else ext}"


def build(export: ReferralExport, progress: Callable[[int], None]) -> None:
    """Write the package of `export` to disk and record its hash; `progress(0–100)` as it goes."""
    root = Path(current_app.config["EVIDENCE_DIR"])
    ids = [item.referral_id for item in export.items]
    creator = db.session.get(User, export.created_by_id)
    created = clock.now()
    target = package_path(export)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(".part")
    with tempfile.TemporaryDirectory(prefix="referrals-") as tmp, zipfile.ZipFile(part, "w") as zf:
        writer = _Writer(zf, _local(created))
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("移交公安清单")
        for i, (_, width, _) in enumerate(COLUMNS):
            sheet.column_dimensions[chr(ord("A") + i)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([header for header, _, _ in COLUMNS])
        csv_path = Path(tmp) / "referrals.csv"
        with csv_path.open("w", encoding="utf-8-sig", newline="") as csv_file:
            table = csv.writer(csv_file)
            table.writerow([header for header, _, _ in COLUMNS])
            done = 0
            for chunk in _chunks(ids):
                rows = db.session.execute(
                    select(Referral, Case, Site, PartyMatter)
                    .join(Case, Case.id == Referral.case_id)
                    .join(PartyMatter, PartyMatter.id == Referral.matter_id)
                    .outerjoin(Site, Site.id == Case.site_id)
                    .where(Referral.id.in_(chunk))
                    .order_by(Referral.id)
                ).all()
                readings = {c.id: [r for r in {c.reading_id, c.weighing_reading_id} if r] for _, c, _, _ in rows}
                images = _evidence(readings)
                for referral, case, site, matter in rows:
                    for image in images[case.id]:
                        name = f"evidence/{case.case_number}/{_image_name(image)}"
                        writer.add(name, _blocks(root / image.original_path), compress=False)
                    row = _row(referral, case, site, matter, len(images[case.id]))
                    sheet.append([_cell(sheet, v, fmt) for v, (_, _, fmt) in zip(row, COLUMNS, strict=True)])
                    table.writerow([_csv_value(v) for v in row])
                done += len(rows)
                db.session.expunge_all()  # keep one chunk in memory, not the package
                progress(min(95, done * 95 // max(1, len(ids))))
        xlsx_path = Path(tmp) / "referrals.xlsx"
        workbook.save(xlsx_path)
        writer.add("referrals.xlsx", _blocks(xlsx_path), compress=True)
        writer.add("referrals.csv", _blocks(csv_path), compress=True)
        manifest = _manifest(export, creator, created, ids, writer.files)
        zf.writestr(
            zipfile.ZipInfo("manifest.json", writer.date_time), json.dumps(manifest, ensure_ascii=False, indent=2)
        )
    _finish(export, part, target, len(writer.files) + 1, ids)


def _cell(sheet, value, number_format):
    cell = WriteOnlyCell(sheet, value=value)
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def _manifest(export: ReferralExport, creator: User, created: datetime, ids: list[int], files: list) -> dict:
    key = signing.private_key()
    manifest = {
        "format": FORMAT,
        "export_id": export.id,
        "created_at": created.astimezone(clock.CST).isoformat(timespec="seconds"),
        "created_by": {"username": creator.username, "role": creator.role},
        "agency": current_app.config["AGENCY_NAME"],
        "referral_count": len(ids),
        "referral_ids": ids,
        "files": files,
    }
    manifest["signature"] = {
        "algorithm": "Ed25519",
        "signed": "manifest.json 去掉 signature 后按键排序、紧凑格式的 UTF-8 JSON",
        "public_key": signing.public_pem(key),
        "fingerprint": signing.fingerprint(key),
        "value": signing.sign(key, canonical(manifest)),
    }
    return manifest


def _finish(export: ReferralExport, part: Path, target: Path, file_count: int, ids: list[int]) -> None:
    digest, size = hashlib.sha256(), 0
    for block in _blocks(part):
        digest.update(block)
        size += len(block)
    part.replace(target)
    export = db.session.get(ReferralExport, export.id)
    now = clock.now()
    export.status, export.progress, export.finished_at = "done", 100, now
    export.sha256, export.size_bytes, export.file_count = digest.hexdigest(), size, file_count
    export.stored_path = str(target.relative_to(Path(current_app.config["EVIDENCE_DIR"])))
    for referral in db.session.scalars(select(Referral).where(Referral.id.in_(ids), Referral.exported_at.is_(None))):
        referral.exported_at = now
    creator = db.session.get(User, export.created_by_id)
    audit.record(
        "referral.export",
        "referral_export",
        export.id,
        actor=creator.username,
        actor_user_id=creator.id,
        to_state="done",
        reason=f"移交包 SHA-256 {export.sha256}",
        data={"sha256": export.sha256, "size_bytes": size, "referral_ids": ids},
    )


# ── checking a package (flask referrals verify) ─────────────────────────────


def verify_package(path: Path, public_key) -> tuple[list[str], int]:
    """(problems in Chinese, files checked). No problems: every file matches a signed manifest."""
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return [f"不是有效的 ZIP 文件：{exc}"], 0
    with zf:
        names = {n for n in zf.namelist() if not n.endswith("/")}
        if "manifest.json" not in names:
            return ["缺少 manifest.json（清单）"], 0
        try:
            manifest = json.loads(zf.read("manifest.json").decode("utf-8"))
            listed = {f["name"]: f for f in manifest["files"]}
        except (ValueError, KeyError, TypeError):
            return ["manifest.json 不是有效的清单"], 0
        signature = manifest.get("signature") or {}
        if not signature.get("value"):
            problems.append("签名缺失：manifest.json 未签名")
        elif not signing.verify(public_key, canonical(manifest), signature["value"]):
            problems.append("签名无效：manifest.json 不是用该公钥对应的私钥签发的，或签名后被改动")
        for name in sorted(listed):
            if name not in names:
                problems.append(f"缺失文件：{name}")
                continue
            digest, size = hashlib.sha256(), 0
            with zf.open(name) as f:
                while block := f.read(BLOCK):
                    digest.update(block)
                    size += len(block)
            if digest.hexdigest() != listed[name].get("sha256") or size != listed[name].get("size"):
                problems.append(f"文件被改动：{name}（大小或 SHA-256 与清单不符）")
        for name in sorted(names - set(listed) - {"manifest.json"}):
            problems.append(f"清单外文件：{name}")
    return problems, len(listed)
