"""The registry: enterprises, vehicles, drivers, oversize permits; lists, records and CSV imports."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import or_, select

from models import Driver, Enterprise, Permit, Vehicle
from service.auth.guard import current_principal, protect
from service.extensions import db
from service.ingest import imports
from service.ingest.schemas import ImportJobSchema, ImportUploadSchema
from service.outbox import enqueue_outbox
from service.queueing import request_drain
from service.registry import operations as ops
from service.registry.schemas import (
    DriverSchema,
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


def _create(fn, data):
    if current_principal().role not in WRITERS and not (
        fn is ops.create_enterprise and current_principal().role == "investigator"
    ):
        abort(403, message="无权登记")
    try:
        row = fn(data)
    except ops.Duplicate:
        abort(409, message="登记簿中已有该记录")
    except ops.RegistryError as exc:
        abort(422, message="数据校验未通过", errors=exc.errors)
    if isinstance(row, Vehicle):
        ops.link_plate(row.plate)
    db.session.commit()
    return row


def _resource(path: str, model, schema, fn, columns, summary: str):
    class Collection(MethodView):
        @blp.arguments(RegistryQueryArgsSchema, location="query")
        @blp.response(200, schema(many=True))
        def get(self, args):
            return _search(model, columns, args.get("q"))

        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, data):
            return _create(fn, data)

    Collection.get.__doc__ = f"List {summary} (search with q)."
    Collection.post.__doc__ = f"Register one of the {summary}."
    Collection.__name__ = f"{model.__name__}s"
    blp.route(f"/registry/{path}")(Collection)


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
    request_drain(current_app)
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
