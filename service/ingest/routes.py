"""Devices and station systems post weighing records (CONTRACT §4)."""

from __future__ import annotations

from flask import current_app, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from models import Case, ImportJob, Reading, Site
from service.auth.guard import current_principal, protect
from service.extensions import db
from service.ingest import imports
from service.ingest.operations import ingest_batch
from service.ingest.schemas import (
    EvidenceFileSchema,
    EvidenceSchema,
    EvidenceUploadFormSchema,
    EvidenceUploadSchema,
    ImportJobSchema,
    ImportUploadSchema,
    ReadingBatchResultSchema,
    ReadingBatchSchema,
    StoredReadingSchema,
)
from service.inputs import load_json, read_body

blp = Blueprint("ingest", __name__, description="称重检测记录接入")
POSTERS = ("device", "admin")
READERS = ("admin", "supervisor", "officer", "investigator")
protect(blp, roles=tuple(set(POSTERS + READERS)))


def require_role(*roles: str) -> None:
    if current_principal().role not in roles:
        abort(403, message="当前账号无权执行此操作")


def _json_body() -> dict:
    return load_json(read_body(current_app.config["MAX_JSON_BODY_BYTES"]))  # 413 also for a chunked body


@blp.route("/readings")
class Readings(MethodView):
    own_json_body = True  # parsed here; a lone surrogate rejects its item alone (service/inputs.py)

    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": ReadingBatchSchema}}})
    @blp.doc(
        responses={
            "200": {"description": "逐条结果", "content": {"application/json": {"schema": ReadingBatchResultSchema}}},
            "400": {"description": "请求体不是 JSON"},
            "413": {"description": "请求体过大"},
            "422": {"description": "缺少 readings 列表，或条数不在 1–1000 之间"},
        }
    )
    def post(self):
        """Post 1–1000 weighing records; each is accepted, a duplicate or rejected."""
        require_role(*POSTERS)
        body = _json_body()
        items = body.get("readings") if isinstance(body, dict) else None
        if not isinstance(items, list):
            abort(422, message='请求体须为 {"readings": [...]}', errors={"readings": ["必填，须为列表"]})
        limit = current_app.config["MAX_READINGS_PER_POST"]
        if not 1 <= len(items) <= limit:
            abort(422, message=f"每次上报 1 到 {limit} 条", errors={"readings": [f"条数须在 1 到 {limit} 之间"]})
        principal = current_principal()
        result = ingest_batch(
            items,
            only_site_id=principal.site_id if principal.kind == "device" else None,
            future_skew_s=current_app.config["FUTURE_SKEW_S"],
            known_sites=[principal.site] if principal.site is not None else (),
        )
        db.session.commit()  # with an outbox row, the commit asks for the drain (service/outbox.py)
        return jsonify(result.as_dict())


@blp.route("/readings/<int:reading_id>")
class ReadingById(MethodView):
    @blp.response(200, StoredReadingSchema)
    @blp.alt_response(404, description="记录不存在")
    def get(self, reading_id: int):
        """A stored reading with its classification and case."""
        require_role(*READERS)
        reading = db.session.get(Reading, reading_id)
        if reading is None:
            abort(404, message="检测记录不存在")
        case = db.session.scalar(select(Case).where(Case.reading_id == reading.id))
        data = {c.key: getattr(reading, c.key) for c in Reading.__table__.columns}
        data["site"] = db.session.get(Site, reading.site_id)
        data["case_id"] = case.id if case else None
        data["penalty_usable"] = case.penalty_usable if case else None
        data["penalty_bars"] = case.penalty_bars if case else None
        return data


@blp.route("/readings/imports")
class Imports(MethodView):
    @blp.arguments(ImportUploadSchema, location="files")
    @blp.response(202, ImportJobSchema)
    @blp.alt_response(413, description="文件过大")
    def post(self, files):
        """Upload a CSV of readings; imported in the background, with progress."""
        require_role("admin", "supervisor", "device")
        upload = files["file"]
        data = upload.read()
        if not data:
            abort(422, message="上传的文件为空", errors={"file": ["文件为空"]})
        principal = current_principal()
        job = imports.store_upload(
            upload.filename or "upload.csv",
            data,
            user_id=principal.user_id,
            site_id=principal.site_id,
        )
        from service.outbox import enqueue_outbox

        enqueue_outbox("import.requested", {"import_job_id": job.id})
        db.session.commit()
        return job.view()


@blp.route("/readings/imports/<int:job_id>")
class ImportById(MethodView):
    @blp.response(200, ImportJobSchema)
    @blp.alt_response(404, description="导入任务不存在")
    def get(self, job_id: int):
        """Progress and, at the end, per-row errors of a CSV import."""
        job = db.session.get(ImportJob, job_id)
        principal = current_principal()
        if job is None or (principal.kind == "device" and job.created_by_site_id != principal.site_id):
            abort(404, message="导入任务不存在")
        return job.view()


@blp.route("/evidence")
class Evidence(MethodView):
    @blp.arguments(EvidenceUploadFormSchema, location="form")
    @blp.arguments(EvidenceFileSchema, location="files")
    @blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": EvidenceUploadSchema}}})
    @blp.response(201, EvidenceSchema)
    @blp.alt_response(200, description="同一记录的同一图像已存在（重复上传）")
    @blp.alt_response(413, description="图像超过大小上限")
    @blp.alt_response(409, description="该记录的此类图像已达上限（EVIDENCE_PER_RECORD_KIND）")
    def post(self, form, files):
        """Upload one evidence image (JPEG/PNG) for a site's record; it may arrive before the reading."""
        from service.ingest.evidence import evidence_view, store_evidence

        require_role("device", "admin")
        limit = current_app.config["EVIDENCE_MAX_BYTES"]
        upload = files["file"]
        data = upload.read(limit + 1)
        if len(data) > limit:
            abort(413, message=f"图像超过 {limit // (1024 * 1024)} MiB 上限")
        if not data:
            abort(422, message="图像文件为空", errors={"file": ["文件为空"]})
        principal = current_principal()
        site = db.session.scalar(select(Site).where(Site.code == form["site_code"]))
        if site is None:
            abort(422, message="未知点位", errors={"site_code": [f"未知点位编码：{form['site_code']}"]})
        if principal.kind == "device" and site.id != principal.site_id:
            abort(403, message="设备令牌只能上传本点位的图像")
        row, created = store_evidence(site.id, form["record_id"], form["kind"], upload.filename, data)
        db.session.commit()
        return dict(evidence_view(row), duplicate=not created), 201 if created else 200
