"""The registry: enterprises, vehicles, drivers, oversize permits; lists, records and CSV imports."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from models import Driver, Enterprise, Permit, Vehicle
from models.registry import REGISTRY_KINDS, can_delete_registry, can_edit_registry
from service.auth.guard import current_principal, protect
from service.extensions import db
from service.ingest import imports
from service.ingest.schemas import ImportJobSchema, ImportUploadSchema
from service.outbox import enqueue_outbox
from service.registry import editing
from service.registry import operations as ops
from service.registry.schemas import (
    UPDATE_SCHEMAS,
    DriverSchema,
    EnterpriseDossierSchema,
    EnterpriseSchema,
    PermitSchema,
    RegistryQueryArgsSchema,
    RegistryUploadSchema,
    RepeatArgsSchema,
    VehicleSchema,
)

blp = Blueprint("registry", __name__, description="登记簿：企业、车辆、驾驶人、大件运输许可")
protect(blp, roles=("admin", "supervisor", "officer", "investigator"))
WRITERS = ("admin", "supervisor")


def _search(model, columns, q: str | None):
    stmt = select(model).order_by(model.id.desc())
    if q:
        stmt = stmt.where(or_(*(c.contains(q.strip()) for c in columns)))
    return db.session.scalars(stmt.limit(500)).all()


def _create(kind: str, fn, data):
    if not can_edit_registry(current_principal().role, kind):
        abort(403, message="无权登记")
    try:
        row = fn(data)
    except ops.Duplicate:
        abort(409, message="登记簿中已有该记录")
    except ops.RegistryError as exc:
        abort(422, message="数据校验未通过", errors=exc.errors)
    if isinstance(row, Vehicle):
        ops.link_plate(row.plate)
    principal = current_principal()
    editing.record_created(kind, row, actor=principal.username or "api", actor_user_id=principal.user_id)
    db.session.commit()
    return row


def _record(kind: str, record_id: int, lock: bool = False):
    model = editing.MODELS[kind]
    stmt = select(model).where(model.id == record_id)
    if lock:
        stmt = stmt.with_for_update()  # two concurrent edits: the second waits, then sees the new values
    row = db.session.scalar(stmt)
    if row is None:
        abort(404, message=f"登记簿中没有该{REGISTRY_KINDS[kind]}记录")
    return row


def _check_if_match(row) -> None:
    """If-Match (optional): an edit based on an older copy of the record is refused with 412."""
    if request.if_match and not request.if_match.contains(editing.record_etag(row)):
        abort(412, message="该记录已被他人修改，请重新获取后再改")


def _commit_or_409() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent registration took the number, or a new reference appeared
        db.session.rollback()
        abort(409, message="与其他登记记录冲突（编号重复或仍被引用），请刷新后重试")


def _update(kind: str, record_id: int, patch: dict):
    principal = current_principal()
    if not can_edit_registry(principal.role, kind):
        abort(403, message=f"无权修改{REGISTRY_KINDS[kind]}登记")
    row = _record(kind, record_id, lock=True)
    _check_if_match(row)
    try:
        editing.update_record(kind, row, patch, actor=principal.username, actor_user_id=principal.user_id)
    except ops.RegistryError as exc:
        db.session.rollback()
        abort(422, message="数据校验未通过", errors=exc.errors)
    except editing.Conflict as exc:
        db.session.rollback()
        abort(409, message=exc.message, errors=exc.errors)
    _commit_or_409()
    row = _record(kind, record_id)
    return row, 200, {"ETag": f'"{editing.record_etag(row)}"'}


def _delete(kind: str, record_id: int):
    principal = current_principal()
    if not can_delete_registry(principal.role):
        abort(403, message="无权删除登记记录")
    row = _record(kind, record_id, lock=True)
    _check_if_match(row)
    try:
        editing.delete_record(kind, row, actor=principal.username, actor_user_id=principal.user_id)
    except editing.Conflict as exc:
        db.session.rollback()
        abort(409, message=exc.message, errors=exc.errors)
    _commit_or_409()


def _resource(path: str, model, schema, fn, columns, summary: str):
    class Collection(MethodView):
        @blp.arguments(RegistryQueryArgsSchema, location="query")
        @blp.response(200, schema(many=True))
        def get(self, args):
            return _search(model, columns, args.get("q"))

        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, data):
            return _create(path, fn, data)

    class Item(MethodView):
        @blp.response(200, schema)
        @blp.alt_response(404, description="记录不存在")
        def get(self, record_id: int):
            row = _record(path, record_id)
            return row, 200, {"ETag": f'"{editing.record_etag(row)}"'}

        @blp.arguments(UPDATE_SCHEMAS[schema](partial=True))
        @blp.response(200, schema)
        @blp.alt_response(403, description="无权修改")
        @blp.alt_response(409, description="编号与其他记录重复，或许可已被检测记录引用")
        @blp.alt_response(412, description="记录已被他人修改（If-Match）")
        @blp.alt_response(422, description="数据校验未通过")
        def patch(self, data, record_id: int):
            return _update(path, record_id, data)

        @blp.response(204)
        @blp.alt_response(403, description="无权删除")
        @blp.alt_response(409, description="仍被案件或其他记录引用，不能删除")
        def delete(self, record_id: int):
            _delete(path, record_id)

    Collection.get.__doc__ = f"List {summary} (search with q)."
    Collection.post.__doc__ = f"Register one of the {summary}."
    Collection.__name__ = f"{model.__name__}s"
    Item.get.__doc__ = f"One of the {summary}; ETag for If-Match (identity numbers masked)."
    Item.patch.__doc__ = f"Correct one of the {summary}: checked as on registration; audited with before/after."
    Item.delete.__doc__ = f"Remove one of the {summary}; refused (409) while anything refers to it."
    Item.__name__ = f"{model.__name__}ById"
    blp.route(f"/registry/{path}")(Collection)
    blp.route(f"/registry/{path}/<int:record_id>")(Item)


_resource(
    "enterprises",
    Enterprise,
    EnterpriseSchema,
    ops.create_enterprise,
    (Enterprise.name, Enterprise.uscc),
    "enterprises (运输企业 / 货运源头单位)",
)
_resource("vehicles", Vehicle, VehicleSchema, ops.create_vehicle, (Vehicle.plate, Vehicle.vin), "vehicles")
_resource("drivers", Driver, DriverSchema, ops.create_driver, (Driver.name, Driver.qualification_no), "drivers")
_resource(
    "permits", Permit, PermitSchema, ops.create_permit, (Permit.number, Permit.plate), "oversize permits (大件运输许可)"
)


@blp.route("/registry/enterprises/<int:enterprise_id>/dossier")
@blp.response(200, EnterpriseDossierSchema)
@blp.alt_response(404, description="企业不存在")
def enterprise_dossier(enterprise_id: int):
    """An enterprise's dossier: record, vehicles with their repeat status, drivers, cases, permits, R-ENT-10."""
    from service.registry.dossier import enterprise_dossier as dossier

    return dossier(_record("enterprises", enterprise_id))


@blp.route("/registry/imports", methods=["POST"])
@blp.arguments(RegistryUploadSchema, location="form")
@blp.arguments(ImportUploadSchema, location="files")
@blp.response(202, ImportJobSchema)
def registry_import(form, files):
    """Upload a registry CSV; imported in the background with progress and per-row errors."""
    if current_principal().role not in WRITERS:
        abort(403, message="无权导入登记簿")
    data = files["file"].read()
    if not data:
        abort(422, message="上传的文件为空", errors={"file": ["文件为空"]})
    job = imports.store_upload(
        files["file"].filename or "registry.csv", data, user_id=current_principal().user_id, kind=form["kind"]
    )
    enqueue_outbox("import.requested", {"import_job_id": job.id})
    db.session.commit()
    return imports.job_view(job)


@blp.route("/registry/imports/<int:job_id>")
@blp.response(200, ImportJobSchema)
def registry_import_status(job_id: int):
    """Progress and per-row errors of a registry import."""
    from models import ImportJob

    job = db.session.get(ImportJob, job_id)
    if job is None or job.kind == "readings":
        abort(404, message="导入任务不存在")
    return imports.job_view(job)


@blp.route("/repeat-offenders")
@blp.arguments(RepeatArgsSchema, location="query")
@blp.response(200)
def repeat_offenders(args):
    """Vehicles, drivers or enterprises past the Art 66 threshold (legal trigger) or the rolling watch signal."""
    from service.registry.repeat import listed

    return listed(args["kind"])


@blp.route("/repeat-offenders/plates/<plate>")
@blp.response(200)
def plate_repeat_status(plate: str):
    """One plate's repeat-offender status: statutory cycle count, rolling 12 months, consequence and article."""
    from service.registry.repeat import vehicle_status
    from service.rules import normalise_plate

    return vehicle_status(normalise_plate(plate) or plate)
