"""The registry in the console: the lists and their CSV imports, one record to view, correct
or remove, the enterprise dossier, and the repeat-offender lists. The same operations as
the API (service/registry/editing.py) do the work, so the two cannot disagree.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from models import Driver, Enterprise, ImportJob, Permit, Site, Vehicle
from models.reading import PLATE_COLOR_LABELS
from models.registry import ENTERPRISE_KINDS, REGISTRY_KINDS, can_delete_registry, can_edit_registry
from service import audit
from service.console.session import check_csrf, current_user, login_required
from service.extensions import db
from service.registry import editing
from service.registry import operations as ops

bp = Blueprint("registry_console", __name__, template_folder="templates")
REGISTRY_PAGE = 100  # rows per page of a registry list
REGISTRY_TITLES = {"vehicles": "车辆", "enterprises": "企业", "drivers": "驾驶人", "permits": "大件运输许可"}
REGISTRY_COLUMNS = {
    "vehicles": [
        ("车牌", lambda v: v.plate), ("轴数", lambda v: v.axle_count), ("核定载质量（kg）", lambda v: v.rated_load_kg),
        ("最大允许总质量（kg）", lambda v: v.max_total_mass_kg), ("所有人", lambda v: v.owner_name),
        ("道路运输证号", lambda v: v.transport_cert_no), ("道路运输证首次核发", lambda v: v.transport_cert_first_issued),
        ("车型", lambda v: _type(v.vehicle_type)), ("驱动轴双轮胎+空气悬架", lambda v: _fact(v.drive_axle_air_suspension)),
        ("铰接列车", lambda v: _fact(v.articulated)), ("半挂车轴距（mm）", lambda v: v.axle_spacing_mm),
        ("牵引车单驱动轴", lambda v: _fact(v.single_drive_axle)),
    ],
    "enterprises": [
        ("统一社会信用代码", lambda e: e.uscc), ("名称", lambda e: e.name), ("类型", lambda e: ENTERPRISE_KINDS.get(e.kind)),
        ("地区", lambda e: e.region_code), ("申报车辆数", lambda e: e.declared_fleet_size), ("重点源头", lambda e: bool(e.key_source)),
    ],
    "drivers": [
        ("姓名", lambda d: d.name), ("驾驶证号", lambda d: d.licence_masked), ("从业资格证", lambda d: d.qualification_no),
        ("身份号码", lambda d: d.identity_masked),
    ],
    "permits": [
        ("许可证号", lambda p: p.number), ("车牌", lambda p: p.plate), ("有效期起", lambda p: p.valid_from),
        ("有效期止", lambda p: p.valid_until), ("许可总质量（kg）", lambda p: p.permitted_gross_kg),
        ("路线", lambda p: " → ".join(p.route or [])),
    ],
}  # fmt: skip
READERS = ("admin", "supervisor", "officer", "investigator")


def _fact(value: bool | None) -> str:
    """A registered configuration fact as the lists show it (未登记: the party's limit applies)."""
    return "未登记" if value is None else ("是" if value else "否")


def _type(value: str | None) -> str:
    return VEHICLE_TYPES.get(value or "", VEHICLE_TYPES[""])


@bp.app_template_filter("vehicle_config")
def vehicle_config(v) -> str:
    """The registered configuration in one line for the list (what is not registered is left out)."""
    parts = [VEHICLE_TYPES.get(v.vehicle_type) if v.vehicle_type else None]
    parts += [label for value, label in ((v.articulated, "铰接"), (v.drive_axle_air_suspension, "双胎+空气悬架"),
                                         (v.single_drive_axle, "单驱动轴")) if value]  # fmt: skip
    parts += [f"非{label}" for value, label in ((v.articulated, "铰接"), (v.drive_axle_air_suspension, "空气悬架"))
              if value is False]  # fmt: skip
    if v.axle_spacing_mm:
        parts.append(f"轴距 {v.axle_spacing_mm:,} mm")
    return " · ".join(p for p in parts if p) or "未登记"


VEHICLE_TYPES = {"": "未登记", "truck": "货车", "combination": "汽车列车"}
FACT_CHOICES = {"": "未登记", "true": "是", "false": "否"}  # 未登记: the limit favouring the party
AUDIT_LABELS = {"registry.create": "登记", "registry.update": "修改登记", "registry.delete": "删除登记"}
# Form inputs per kind: (field, input type, choices or a hint). Labels: editing.FIELD_LABELS.
FORMS = {
    "enterprises": (
        ("uscc", "text", "18 位，校验码自动核对"),
        ("name", "text", None),
        ("kind", "select", ENTERPRISE_KINDS),
        ("region_code", "text", "6 位行政区划代码，如 220100"),
        ("address", "text", None),
        ("latitude", "number", None),
        ("longitude", "number", None),
        ("declared_fleet_size", "number", "R-ENT-10 按此计算车队规模"),
        ("key_source", "checkbox", "政府公布的重点货运源头单位"),
        ("licence_first_issued", "date", "R-ENT-10 法定计算周期的起点"),
    ),
    "vehicles": (
        ("plate", "text", None),
        ("plate_color", "select", PLATE_COLOR_LABELS),
        ("vin", "text", None),
        ("axle_count", "number", None),
        ("vehicle_type", "select", VEHICLE_TYPES),
        ("rated_load_kg", "number", "kg"),
        ("max_total_mass_kg", "number", "kg"),
        ("owner_name", "text", None),
        ("enterprise_uscc", "text", "所属运输企业的统一社会信用代码；留空为不属于任何企业"),
        ("transport_cert_no", "text", None),
        ("transport_cert_first_issued", "date", "R-VEH-3 法定计算周期的起点"),
        ("drive_axle_air_suspension", "select", FACT_CHOICES),
        ("articulated", "select", FACT_CHOICES),
        ("axle_spacing_mm", "number", "mm；四轴铰接列车 37 吨须不小于 1800"),
        ("single_drive_axle", "select", FACT_CHOICES),
    ),
    "drivers": (
        ("name", "text", None),
        ("licence_no", "secret", "licence_masked"),
        ("qualification_no", "text", None),
        ("qualification_first_issued", "date", "R-DRV-3 法定计算周期的起点"),
        ("identity_number", "secret", "identity_masked"),
        ("enterprise_uscc", "text", "所属企业的统一社会信用代码（可空）"),
    ),
    "permits": (
        ("number", "text", None),
        ("plate", "text", None),
        ("valid_from", "date", None),
        ("valid_until", "date", None),
        ("permitted_gross_kg", "number", "kg"),
        ("permitted_length_mm", "number", "mm"),
        ("permitted_width_mm", "number", "mm"),
        ("permitted_height_mm", "number", "mm"),
        ("route", "text", "点位编码按顺序，以分号分隔，如 SP-WIM-01;SP-STA-01"),
    ),
}


def _kind_or_404(kind: str) -> str:
    if kind not in editing.MODELS:
        abort(404)
    return kind


def _row_or_404(kind: str, record_id: int):
    row = db.session.get(editing.MODELS[kind], record_id)
    if row is None:
        abort(404, description=f"登记簿中没有该{REGISTRY_KINDS[kind]}记录")
    return row


def _shown_values(kind: str, row) -> dict:
    values = editing.form_values(kind, row)
    for field, value in values.items():
        if isinstance(value, date):
            values[field] = value.isoformat()
        elif isinstance(value, bool):
            values[field] = "true" if value else "false"
        elif isinstance(value, list):
            values[field] = ";".join(value)
        elif value is None:
            values[field] = ""
    return values


def _patch_from_form(kind: str) -> dict:
    """The form as an edit: every field, except secret numbers left blank (they stay as they are)."""
    patch = {}
    for field, kind_of_input, _ in FORMS[kind]:
        value = request.form.get(field, "").strip()
        if kind_of_input == "checkbox":
            patch[field] = "1" if value else ""
        elif kind_of_input == "secret":
            if value:
                patch[field] = value
        else:
            patch[field] = value or None
    return patch


def _record_url(kind: str, row) -> str:
    if kind == "enterprises":
        return url_for("registry_console.enterprise_dossier", enterprise_id=row.id)
    return url_for("registry_console.registry_record", kind=kind, record_id=row.id)


def _render(kind: str, row, values: dict, status: int = 200, errors: dict | None = None):
    user = current_user()
    return (
        render_template(
            "registry/registry_record.html",
            kind=kind,
            kind_label=REGISTRY_KINDS[kind],
            row=row,
            title=editing.title(kind, row),
            fields=FORMS[kind],
            labels=editing.FIELD_LABELS,
            values=values,
            errors=errors or {},
            etag=editing.record_etag(row),
            can_edit=can_edit_registry(user.role, kind),
            can_delete=can_delete_registry(user.role),
            references=editing.references(kind, row),
            timeline=audit.events_for(editing.OBJECT_TYPES[kind], row.id),
            audit_labels=AUDIT_LABELS,
            sites=db.session.scalars(select(Site.code).order_by(Site.code)).all() if kind == "permits" else [],
        ),
        status,
    )


@bp.route("/registry/<kind>/<int:record_id>/edit", methods=["GET", "POST"])
@login_required(*READERS)
def registry_record(kind: str, record_id: int):
    """One record: its fields (a form for those who may correct it), what refers to it, its history."""
    kind = _kind_or_404(kind)
    row = _row_or_404(kind, record_id)
    if request.method == "GET":
        return _render(kind, row, _shown_values(kind, row))
    check_csrf()
    user = current_user()
    if not can_edit_registry(user.role, kind):
        abort(403)
    submitted = {f: request.form.get(f, "") for f, _, _ in FORMS[kind]}
    if request.form.get("etag") != editing.record_etag(row):
        flash("该记录已被他人修改，以下为最新内容，请核对后重新修改", "error")
        return _render(kind, row, _shown_values(kind, row), 409)
    try:
        changes = editing.update_record(kind, row, _patch_from_form(kind), actor=user.username, actor_user_id=user.id)
    except ops.RegistryError as exc:
        db.session.rollback()
        flash("数据校验未通过，请按提示更正", "error")
        return _render(kind, _row_or_404(kind, record_id), submitted, 422, exc.errors)
    except editing.Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _render(kind, _row_or_404(kind, record_id), submitted, 409, exc.errors)
    db.session.commit()
    if changes:
        flash("已保存：" + "、".join(dict.fromkeys(editing.FIELD_LABELS.get(f, f) for f in changes)), "ok")
    else:
        flash("没有改动", "ok")
    return redirect(_record_url(kind, row))


@bp.post("/registry/<kind>/<int:record_id>/delete")
@login_required(*READERS)
def registry_delete(kind: str, record_id: int):
    kind = _kind_or_404(kind)
    check_csrf()
    user = current_user()
    if not can_delete_registry(user.role):
        abort(403)
    row = _row_or_404(kind, record_id)
    if request.form.get("confirm") != "1":
        flash("请勾选“确认删除”后再删除", "error")
        return redirect(url_for("registry_console.registry_record", kind=kind, record_id=record_id))
    name = editing.title(kind, row)
    try:
        editing.delete_record(kind, row, actor=user.username, actor_user_id=user.id)
    except editing.Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(_record_url(kind, row))
    db.session.commit()
    flash(f"已删除{REGISTRY_KINDS[kind]} {name}", "ok")
    return redirect(url_for("registry_console.registry", kind=kind))


@bp.get("/registry/enterprises/<int:enterprise_id>")
@login_required(*READERS)
def enterprise_dossier(enterprise_id: int):
    """企业档案: the record, its fleet with each vehicle's repeat status, drivers, cases, permits, R-ENT-10."""
    from service.registry.dossier import enterprise_dossier as dossier

    enterprise = _row_or_404("enterprises", enterprise_id)
    if enterprise.kind == "source":  # R-ENT-10 and a fleet are a transport enterprise's: its own dossier
        return redirect(url_for("sources_console.dossier", enterprise_id=enterprise.id))
    user = current_user()
    return render_template(
        "registry/enterprise_dossier.html",
        d=dossier(enterprise),
        e=enterprise,
        ENTERPRISE_KINDS=ENTERPRISE_KINDS,
        PLATE_COLOR_LABELS=PLATE_COLOR_LABELS,
        can_edit=can_edit_registry(user.role, "enterprises"),
        can_open_cases=user.role in ("admin", "supervisor", "officer"),
    )


@bp.app_template_global()
def registry_enterprises(party: str) -> list[Enterprise]:
    """The registry's enterprises a matter of `party` can be about (forms that name the party)."""
    kinds = {"transport_enterprise": ("transport", "both"), "source_enterprise": ("source", "both")}.get(party, ())
    return list(db.session.scalars(select(Enterprise).where(Enterprise.kind.in_(kinds)).order_by(Enterprise.name)))


@bp.app_template_global()
def registry_enterprise(enterprise_id: int | None) -> Enterprise | None:
    """For pages that show a linked enterprise (the case page): the registered enterprise, if any."""
    return db.session.get(Enterprise, enterprise_id) if enterprise_id else None


LISTS = {"vehicles": (Vehicle, Vehicle.plate), "enterprises": (Enterprise, Enterprise.name),
         "drivers": (Driver, Driver.name), "permits": (Permit, Permit.plate)}  # fmt: skip


@bp.route("/registry", methods=["GET", "POST"])
@login_required(*READERS)
def registry():
    """The registry's lists, searchable; admins and supervisors import CSV files here."""
    from service.ingest import imports
    from service.outbox import enqueue_outbox

    kind = request.values.get("kind", "vehicles")
    if kind not in LISTS:
        abort(404)
    if request.method == "POST":
        check_csrf()
        if current_user().role not in ("admin", "supervisor"):
            abort(403)
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        if not data:
            flash("请选择要导入的 CSV 文件", "error")
            return redirect(url_for("registry_console.registry", kind=kind))
        job = imports.store_upload(upload.filename or f"{kind}.csv", data, user_id=current_user().id, kind=kind)
        enqueue_outbox("import.requested", {"import_job_id": job.id})
        db.session.commit()
        flash(f"已开始导入（任务 {job.id}），进度在下方自动更新", "ok")
        return redirect(url_for("registry_console.registry", kind=kind))
    model, column = LISTS[kind]
    q = request.args.get("q", "").strip()
    stmt = select(model)
    if q:
        stmt = stmt.where(column.contains(q, autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, -(-total // REGISTRY_PAGE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)  # out of range: the nearest page
    if request.args.get("format") == "xlsx":
        from service.review.exports import xlsx

        rows = db.session.scalars(stmt.order_by(model.id.desc())).all()
        return xlsx(f"登记簿-{REGISTRY_TITLES[kind]}", REGISTRY_COLUMNS[kind], rows)
    stmt = stmt.order_by(model.id.desc()).offset((page - 1) * REGISTRY_PAGE).limit(REGISTRY_PAGE)
    jobs = db.session.scalars(select(ImportJob).where(ImportJob.kind == kind).order_by(ImportJob.id.desc()).limit(5))
    return render_template(
        "registry/registry.html",
        kind=kind,
        rows=db.session.scalars(stmt).all(),
        total=total,
        page=page,
        pages=pages,
        q=q,
        jobs=jobs.all(),
        can_import=current_user().role in ("admin", "supervisor"),
    )


@bp.get("/repeat-offenders")
@login_required(*READERS)
def repeat_offenders():
    from service.registry.repeat import listed

    kind = request.args.get("kind", "vehicle")
    if kind not in ("vehicle", "driver", "enterprise"):
        abort(404)
    rows = listed(kind)
    if request.args.get("format") == "xlsx":
        from service.review.exports import xlsx

        subject = {"vehicle": "车辆", "driver": "驾驶人", "enterprise": "运输企业"}[kind]
        columns = [
            (subject, lambda r: r.get("plate") or r.get("name") or r.get("uscc")),
            ("法定周期内次数", lambda r: r["statutory_count"]),
            ("法定周期内占比（%）", lambda r: r.get("statutory_share_pct")),
            ("周期起", lambda r: r["window_start"]),
            ("周期止", lambda r: r["window_end"]),
            ("近12个月次数", lambda r: r["rolling_count"]),
            ("达到法定条件", lambda r: r["triggered"]),
            ("法律后果", lambda r: r["consequence"] if r["triggered"] else "预警"),
            ("依据", lambda r: r["article"]),
            ("实施机关", lambda r: r["authority"]),
            ("失信名单情形", lambda r: "、".join(r["blacklist"])),
            ("计入的案件", lambda r: "、".join(c["case_number"] for c in r["cases"] if c["counted"])),
        ]
        return xlsx(f"屡犯名单-{subject}", columns, rows)
    return render_template("registry/repeat.html", kind=kind, rows=rows)


@bp.get("/blacklist")
@login_required(*READERS)
def blacklist():
    """严重违法失信超限超载运输当事人名单: who is listed, since when, until when (B-1..B-5)."""
    from service.registry.blacklist import BASIS, SITUATIONS, entries

    rows = entries()
    if request.args.get("format") == "xlsx":
        from flask import Response

        from service.registry.blacklist import workbook

        headers = {"Content-Disposition": 'attachment; filename="blacklist.xlsx"'}
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(workbook(rows), mimetype=mimetype, headers=headers)
    return render_template("registry/blacklist.html", rows=rows, SITUATIONS=SITUATIONS, BASIS=BASIS)
