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
from service.errors import DomainError
from service.extensions import db
from service.ingest import imports
from service.ingest.schemas import ImportJobSchema, ImportUploadSchema
from service.outbox import enqueue_outbox
from service.registry import editing
from service.registry import operations as ops
from service.registry.schemas import (
    DriverSchema,
    DriverUpdateSchema,
    EnterpriseDossierSchema,
    EnterpriseSchema,
    EnterpriseUpdateSchema,
    PermitSchema,
    PermitUpdateSchema,
    RegistryQueryArgsSchema,
    RegistryUploadSchema,
    RepeatArgsSchema,
    VehicleSchema,
    VehicleUpdateSchema,
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
    """Register a record with `fn` (ops.create_*); a refusal is a DomainError (422 fields, 409 duplicate)."""
    principal = current_principal()
    if not can_edit_registry(principal.role, kind):
        abort(403, message="无权登记")
    row = fn(data)
    if isinstance(row, Vehicle):
        ops.link_plate(row.plate)
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


def _tagged(row):
    """The record with its ETag, for a later If-Match."""
    return row, 200, {"ETag": f'"{editing.record_etag(row)}"'}


def _check_if_match(row) -> None:
    """If-Match (optional): an edit based on an older copy of the record is refused with 412."""
    if request.if_match and not request.if_match.contains(editing.record_etag(row)):
        abort(412, message="该记录已被他人修改，请重新获取后再改")


def _commit_or_409() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent registration took the number, or a new reference appeared
        db.session.rollback()
        raise DomainError("与其他登记记录冲突（编号重复或仍被引用），请刷新后重试", 409) from None


def _update(kind: str, record_id: int, patch: dict):
    """Edit a record; field errors (422) and taken numbers (409) are DomainErrors from editing."""
    principal = current_principal()
    if not can_edit_registry(principal.role, kind):
        abort(403, message=f"无权修改{REGISTRY_KINDS[kind]}登记")
    row = _record(kind, record_id, lock=True)
    _check_if_match(row)
    editing.update_record(kind, row, patch, actor=principal.username, actor_user_id=principal.user_id)
    _commit_or_409()
    return _tagged(_record(kind, record_id))


def _delete(kind: str, record_id: int) -> None:
    """Remove a record; editing.Conflict (409) names what still refers to it."""
    principal = current_principal()
    if not can_delete_registry(principal.role):
        abort(403, message="无权删除登记记录")
    row = _record(kind, record_id, lock=True)
    _check_if_match(row)
    editing.delete_record(kind, row, actor=principal.username, actor_user_id=principal.user_id)
    _commit_or_409()


# ── enterprises ──────────────────────────────────────────────────────────────


@blp.route("/registry/enterprises")
class Enterprises(MethodView):
    @blp.arguments(RegistryQueryArgsSchema, location="query")
    @blp.response(200, EnterpriseSchema(many=True))
    def get(self, args):
        """List enterprises (运输企业 / 货运源头单位); search by name or credit code with q."""
        return _search(Enterprise, (Enterprise.name, Enterprise.uscc), args.get("q"))

    @blp.arguments(EnterpriseSchema)
    @blp.response(201, EnterpriseSchema)
    def post(self, data):
        """Register an enterprise (运输企业 / 货运源头单位)."""
        return _create("enterprises", ops.create_enterprise, data)


@blp.route("/registry/enterprises/<int:record_id>")
class EnterpriseById(MethodView):
    @blp.response(200, EnterpriseSchema)
    @blp.alt_response(404, description="记录不存在")
    def get(self, record_id: int):
        """One enterprise; ETag for If-Match."""
        return _tagged(_record("enterprises", record_id))

    @blp.arguments(EnterpriseUpdateSchema(partial=True))
    @blp.response(200, EnterpriseSchema)
    @blp.alt_response(403, description="无权修改")
    @blp.alt_response(409, description="编号与其他记录重复，或许可已被检测记录引用")
    @blp.alt_response(412, description="记录已被他人修改（If-Match）")
    @blp.alt_response(422, description="数据校验未通过")
    def patch(self, data, record_id: int):
        """Correct an enterprise: checked as on registration; audited with before/after."""
        return _update("enterprises", record_id, data)

    @blp.response(204)
    @blp.alt_response(403, description="无权删除")
    @blp.alt_response(409, description="仍被案件或其他记录引用，不能删除")
    def delete(self, record_id: int):
        """Remove an enterprise; refused (409) while anything refers to it."""
        _delete("enterprises", record_id)


# ── vehicles ─────────────────────────────────────────────────────────────────


@blp.route("/registry/vehicles")
class Vehicles(MethodView):
    @blp.arguments(RegistryQueryArgsSchema, location="query")
    @blp.response(200, VehicleSchema(many=True))
    def get(self, args):
        """List vehicles; search by plate or VIN with q."""
        return _search(Vehicle, (Vehicle.plate, Vehicle.vin), args.get("q"))

    @blp.arguments(VehicleSchema)
    @blp.response(201, VehicleSchema)
    def post(self, data):
        """Register a vehicle; earlier cases of its plate are linked to it."""
        return _create("vehicles", ops.create_vehicle, data)


@blp.route("/registry/vehicles/<int:record_id>")
class VehicleById(MethodView):
    @blp.response(200, VehicleSchema)
    @blp.alt_response(404, description="记录不存在")
    def get(self, record_id: int):
        """One vehicle; ETag for If-Match."""
        return _tagged(_record("vehicles", record_id))

    @blp.arguments(VehicleUpdateSchema(partial=True))
    @blp.response(200, VehicleSchema)
    @blp.alt_response(403, description="无权修改")
    @blp.alt_response(409, description="编号与其他记录重复，或许可已被检测记录引用")
    @blp.alt_response(412, description="记录已被他人修改（If-Match）")
    @blp.alt_response(422, description="数据校验未通过")
    def patch(self, data, record_id: int):
        """Correct a vehicle: checked as on registration; audited with before/after."""
        return _update("vehicles", record_id, data)

    @blp.response(204)
    @blp.alt_response(403, description="无权删除")
    @blp.alt_response(409, description="仍被案件或其他记录引用，不能删除")
    def delete(self, record_id: int):
        """Remove a vehicle; refused (409) while anything refers to it."""
        _delete("vehicles", record_id)


# ── drivers ──────────────────────────────────────────────────────────────────


@blp.route("/registry/drivers")
class Drivers(MethodView):
    @blp.arguments(RegistryQueryArgsSchema, location="query")
    @blp.response(200, DriverSchema(many=True))
    def get(self, args):
        """List drivers; search by name or qualification number with q."""
        return _search(Driver, (Driver.name, Driver.qualification_no), args.get("q"))

    @blp.arguments(DriverSchema)
    @blp.response(201, DriverSchema)
    def post(self, data):
        """Register a driver (licence and identity numbers stored protected)."""
        return _create("drivers", ops.create_driver, data)


@blp.route("/registry/drivers/<int:record_id>")
class DriverById(MethodView):
    @blp.response(200, DriverSchema)
    @blp.alt_response(404, description="记录不存在")
    def get(self, record_id: int):
        """One driver, identity and licence numbers masked; ETag for If-Match."""
        return _tagged(_record("drivers", record_id))

    @blp.arguments(DriverUpdateSchema(partial=True))
    @blp.response(200, DriverSchema)
    @blp.alt_response(403, description="无权修改")
    @blp.alt_response(409, description="编号与其他记录重复，或许可已被检测记录引用")
    @blp.alt_response(412, description="记录已被他人修改（If-Match）")
    @blp.alt_response(422, description="数据校验未通过")
    def patch(self, data, record_id: int):
        """Correct a driver: checked as on registration; audited with before/after (numbers masked)."""
        return _update("drivers", record_id, data)

    @blp.response(204)
    @blp.alt_response(403, description="无权删除")
    @blp.alt_response(409, description="仍被案件或其他记录引用，不能删除")
    def delete(self, record_id: int):
        """Remove a driver; refused (409) while anything refers to them."""
        _delete("drivers", record_id)


# ── oversize permits ─────────────────────────────────────────────────────────


@blp.route("/registry/permits")
class Permits(MethodView):
    @blp.arguments(RegistryQueryArgsSchema, location="query")
    @blp.response(200, PermitSchema(many=True))
    def get(self, args):
        """List oversize permits (大件运输许可); search by number or plate with q."""
        return _search(Permit, (Permit.number, Permit.plate), args.get("q"))

    @blp.arguments(PermitSchema)
    @blp.response(201, PermitSchema)
    def post(self, data):
        """Register an oversize permit (大件运输许可)."""
        return _create("permits", ops.create_permit, data)


@blp.route("/registry/permits/<int:record_id>")
class PermitById(MethodView):
    @blp.response(200, PermitSchema)
    @blp.alt_response(404, description="记录不存在")
    def get(self, record_id: int):
        """One oversize permit; ETag for If-Match."""
        return _tagged(_record("permits", record_id))

    @blp.arguments(PermitUpdateSchema(partial=True))
    @blp.response(200, PermitSchema)
    @blp.alt_response(403, description="无权修改")
    @blp.alt_response(409, description="编号与其他记录重复，或许可已被检测记录引用")
    @blp.alt_response(412, description="记录已被他人修改（If-Match）")
    @blp.alt_response(422, description="数据校验未通过")
    def patch(self, data, record_id: int):
        """Correct an oversize permit: checked as on registration; audited with before/after."""
        return _update("permits", record_id, data)

    @blp.response(204)
    @blp.alt_response(403, description="无权删除")
    @blp.alt_response(409, description="仍被案件或其他记录引用，不能删除")
    def delete(self, record_id: int):
        """Remove an oversize permit; refused (409) while anything refers to it (readings judged under it)."""
        _delete("permits", record_id)


# ── dossier, imports, repeat offenders ───────────────────────────────────────


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
    return job.view()


@blp.route("/registry/imports/<int:job_id>")
@blp.response(200, ImportJobSchema)
def registry_import_status(job_id: int):
    """Progress and per-row errors of a registry import."""
    from models import ImportJob

    job = db.session.get(ImportJob, job_id)
    if job is None or job.kind == "readings":
        abort(404, message="导入任务不存在")
    return job.view()


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


@blp.route("/blacklist")
@blp.response(200)
def blacklist_entries():
    """Parties on the blacklist now (B-1..B-3, B-5; B-4 needs repairers, which are not held): since when, until when."""
    from service.registry.blacklist import entries

    return [{**e, "listed_on": e["listed_on"] and e["listed_on"].isoformat(),
             "ends_on": e["ends_on"] and e["ends_on"].isoformat()} for e in entries()]  # fmt: skip
