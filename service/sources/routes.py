"""The source investigators' API (CONTRACT §6–§7): exit weighbridges, loadings posted by them
(出场称重) and their CSV import. Tracing lives in `trace_routes.py`."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from models import Case, Enterprise, ImportJob, Loading, Weighbridge, WeighbridgeToken
from service.auth.guard import current_principal, protect
from service.extensions import db
from service.ingest import imports
from service.ingest.schemas import ImportJobSchema, ImportUploadSchema
from service.inputs import load_json, read_body
from service.sources import weighbridges as ops
from service.sources.ingest import ingest_loadings
from service.sources.queries import weighbridge_rows
from service.sources.schemas import (
    LoadingBatchResultSchema,
    LoadingBatchSchema,
    StoredLoadingSchema,
    WeighbridgeCreatedSchema,
    WeighbridgeCreateSchema,
    WeighbridgeFlagSchema,
    WeighbridgeSchema,
    WeighbridgeTokenSchema,
)

blp = Blueprint("sources", __name__, description="货运源头：出场地磅、出场称重、倒查")
POSTERS = ("weighbridge", "admin")
READERS = ("admin", "supervisor", "investigator")
IMPORTERS = ("admin", "supervisor")
protect(blp, roles=(*POSTERS, "supervisor", "investigator", "officer"))
TRACERS = ("supervisor", "investigator")
# Who may take each action, checked before its body is read: a role that may not act is told
# so (403), not that its body is incomplete (422).
ACTIONS = {
    ("/api/v1/loadings/imports", "POST"): IMPORTERS,
    ("/api/v1/weighbridges", "POST"): ("admin",),
    ("/api/v1/weighbridges/<code>/tokens", "POST"): ("admin",),
    ("/api/v1/weighbridges/<code>/tokens/<int:token_id>/revoke", "POST"): ("admin",),
    ("/api/v1/cases/<int:case_id>/trace/leads", "PUT"): (*TRACERS, "officer"),
    ("/api/v1/cases/<int:case_id>/trace/confirm", "POST"): TRACERS,
    ("/api/v1/cases/<int:case_id>/trace/unknown", "POST"): TRACERS,
    ("/api/v1/cases/<int:case_id>/trace/tasks", "POST"): TRACERS,
    ("/api/v1/trace-tasks/<int:task_id>/outcome", "POST"): TRACERS,
}


@blp.before_request
def _may_act() -> None:
    roles = ACTIONS.get((request.url_rule.rule if request.url_rule else "", request.method))
    if roles is not None:
        require_role(*roles)


def require_role(*roles: str) -> None:
    if current_principal().role not in roles:
        abort(403, message="当前账号无权执行此操作")


def _user():
    from models import User

    return db.session.get(User, current_principal().user_id)


def _actor() -> dict:
    p = current_principal()
    return {"actor": p.username or "unknown", "actor_user_id": p.user_id}


@blp.route("/loadings")
class Loadings(MethodView):
    own_json_body = True  # each item is judged alone (service/inputs.py)

    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": LoadingBatchSchema}}})
    @blp.doc(
        responses={
            "200": {"description": "逐条结果", "content": {"application/json": {"schema": LoadingBatchResultSchema}}},
            "400": {"description": "请求体不是 JSON"},
            "413": {"description": "请求体过大"},
            "422": {"description": "缺少 loadings 列表，或条数不在 1–1000 之间"},
        }
    )
    def post(self):
        """Post 1–1000 exit weighings; each is accepted, a duplicate or rejected; an over-limit one opens a source case."""
        require_role(*POSTERS)
        body = load_json(read_body(current_app.config["MAX_JSON_BODY_BYTES"]))  # 413 also for a chunked body
        items = body.get("loadings") if isinstance(body, dict) else None
        if not isinstance(items, list):
            abort(422, message='请求体须为 {"loadings": [...]}', errors={"loadings": ["必填，须为列表"]})
        if not 1 <= len(items) <= 1000:
            abort(422, message="每次上报 1 到 1000 条", errors={"loadings": ["条数须在 1 到 1000 之间"]})
        principal = current_principal()
        result = ingest_loadings(
            items, only_bridge=principal.weighbridge, future_skew_s=current_app.config["FUTURE_SKEW_S"]
        )
        db.session.commit()
        return jsonify(result.as_dict())


@blp.route("/loadings/<int:loading_id>")
class LoadingById(MethodView):
    @blp.response(200, StoredLoadingSchema)
    @blp.alt_response(404, description="记录不存在")
    def get(self, loading_id: int):
        """A stored loading with its classification and the source case it opened."""
        require_role(*READERS)
        from service.review.jurisdiction import region_covers

        loading = db.session.get(Loading, loading_id)
        region = db.session.get(Enterprise, loading.enterprise_id).region_code if loading else None
        if loading is None or not region_covers(_user(), region):  # another agency's area: not found
            abort(404, message="出场称重记录不存在")
        return loading_view(loading)


def loading_view(loading: Loading) -> dict:
    data = {c.key: getattr(loading, c.key) for c in Loading.__table__.columns}
    data["weighbridge_code"] = db.session.get(Weighbridge, loading.weighbridge_id).code
    data["enterprise_name"] = db.session.get(Enterprise, loading.enterprise_id).name
    data["source_case_id"] = db.session.scalar(select(Case.id).where(Case.loading_id == loading.id))
    return data


@blp.route("/loadings/imports")
class LoadingImports(MethodView):
    @blp.arguments(ImportUploadSchema, location="files")
    @blp.response(202, ImportJobSchema)
    def post(self, files):
        """Upload a CSV of loadings (CONTRACT §6 columns); imported in the background, with progress and per-row errors."""
        require_role(*IMPORTERS)
        data = files["file"].read()
        if not data:
            abort(422, message="上传的文件为空", errors={"file": ["文件为空"]})
        job = imports.store_upload(
            files["file"].filename or "loadings.csv", data, user_id=current_principal().user_id, kind="loadings"
        )
        from service.outbox import enqueue_outbox

        enqueue_outbox("import.requested", {"import_job_id": job.id})
        db.session.commit()
        return job.view()


@blp.route("/loadings/imports/<int:job_id>")
class LoadingImportById(MethodView):
    @blp.response(200, ImportJobSchema)
    @blp.alt_response(404, description="导入任务不存在")
    def get(self, job_id: int):
        """Progress and, at the end, per-row errors of a loadings import."""
        require_role(*IMPORTERS)
        job = db.session.get(ImportJob, job_id)
        if job is None or job.kind != "loadings":
            abort(404, message="导入任务不存在")
        return job.view()


@blp.route("/weighbridges")
class Weighbridges(MethodView):
    @blp.response(200, WeighbridgeSchema(many=True))
    def get(self):
        """Every registered exit weighbridge with its last record (of the caller's agency's area and below)."""
        require_role(*READERS)
        return weighbridge_rows(viewer=_user())

    @blp.arguments(WeighbridgeCreateSchema)
    @blp.response(201, WeighbridgeCreatedSchema)
    def post(self, data):
        """Register a source enterprise's exit weighbridge; the response carries its token, once."""
        require_role("admin")
        bridge, clear = ops.create_weighbridge(
            data["code"], data["enterprise"], data["name"], data.get("calibrated_until"),
            data.get("accuracy_class"), data.get("certificate_no"), **_actor(),
        )  # fmt: skip
        db.session.commit()
        row = next(r for r in weighbridge_rows() if r["id"] == bridge.id)
        return {**row, "device_token": clear}


def _bridge_or_404(code: str) -> Weighbridge:
    bridge = db.session.scalar(select(Weighbridge).where(Weighbridge.code == code))
    if bridge is None:
        abort(404, message="地磅不存在")
    return bridge


@blp.route("/weighbridges/<code>/tokens", methods=["POST"])
@blp.response(201, WeighbridgeTokenSchema)
@blp.alt_response(404, description="地磅不存在")
def weighbridge_token_issue(code: str):
    """Issue another token for the weighbridge; its clear text is in this answer only."""
    require_role("admin")
    token, clear = ops.issue_token(_bridge_or_404(code), "api", **_actor())
    db.session.commit()
    return {"id": token.id, "created_at": token.created_at, "revoked_at": None, "device_token": clear}


@blp.route("/weighbridges/<code>/tokens/<int:token_id>/revoke", methods=["POST"])
@blp.response(200, WeighbridgeTokenSchema)
@blp.alt_response(404, description="地磅或令牌不存在")
def weighbridge_token_revoke(code: str, token_id: int):
    """Revoke a weighbridge token at once (a lost or leaked one)."""
    require_role("admin")
    bridge = _bridge_or_404(code)
    token = db.session.get(WeighbridgeToken, token_id)
    if token is None or token.weighbridge_id != bridge.id:
        abort(404, message="令牌不存在")
    ops.revoke_token(token, **_actor())
    db.session.commit()
    return {"id": token.id, "created_at": token.created_at, "revoked_at": token.revoked_at}


@blp.route("/weighbridges/<code>/flags")
class WeighbridgeFlags(MethodView):
    @blp.response(200, WeighbridgeFlagSchema(many=True))
    @blp.alt_response(404, description="地磅不存在")
    def get(self, code: str):
        """The weighbridge's integrity flags (疑似称重数据不实 / 称重设备离线) with the trips behind each."""
        from service.sources.integrity import bridge_flags

        require_role(*READERS)
        bridge = db.session.scalar(select(Weighbridge).where(Weighbridge.code == code))
        if bridge is None:
            abort(404, message="地磅不存在")
        return bridge_flags(bridge)


from service.sources import trace_routes  # noqa: E402, F401  (the tracing views, on this blueprint)
