"""Corrections and removals of registry records (企业、车辆、驾驶人、大件运输许可).

An edit is checked exactly as a new record is: the record's fields with the changes
applied go through the same `clean_*` function as creation, and numbers that must be
unique are checked against the other records. A record that something else refers to
(cases, vehicles, drivers, readings judged under a permit) is never removed.

Every change writes an audit event with the changed fields before and after; identity
and licence numbers appear in it only masked. Flush only; callers commit.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy import inspect as sa_inspect

from models import Case, Driver, Enterprise, Permit, Reading, Vehicle
from models.registry import REGISTRY_KINDS
from service import audit
from service.errors import DomainError
from service.extensions import db
from service.procedure.fact_ops import CONFIG_FACTS
from service.registry import case_facts
from service.registry import operations as ops

MODELS = {"enterprises": Enterprise, "vehicles": Vehicle, "drivers": Driver, "permits": Permit}
OBJECT_TYPES = {"enterprises": "enterprise", "vehicles": "vehicle", "drivers": "driver", "permits": "permit"}
# The fields a person edits (the API's and the console form's names), per kind.
FIELDS = {
    "enterprises": (
        "uscc",
        "name",
        "kind",
        "region_code",
        "address",
        "latitude",
        "longitude",
        "declared_fleet_size",
        "key_source",
        "licence_first_issued",
    ),
    "vehicles": (
        "plate",
        "plate_color",
        "vin",
        "axle_count",
        "vehicle_type",
        "rated_load_kg",
        "max_total_mass_kg",
        "owner_name",
        "enterprise_uscc",
        "transport_cert_no",
        "transport_cert_first_issued",
        "drive_axle_air_suspension",
        "articulated",
        "axle_spacing_mm",
        "single_drive_axle",
    ),
    "drivers": (
        "name",
        "licence_no",
        "qualification_no",
        "qualification_first_issued",
        "identity_number",
        "enterprise_uscc",
    ),
    "permits": (
        "number",
        "plate",
        "valid_from",
        "valid_until",
        "permitted_gross_kg",
        "permitted_length_mm",
        "permitted_width_mm",
        "permitted_height_mm",
        "route",
    ),
}
FIELD_LABELS = {
    "uscc": "统一社会信用代码",
    "name": "名称",
    "kind": "类型",
    "region_code": "行政区划",
    "address": "地址",
    "latitude": "纬度",
    "longitude": "经度",
    "declared_fleet_size": "申报货运车辆数",
    "key_source": "重点货运源头单位",
    "licence_first_issued": "经营许可证初次领取日期",
    "plate": "车牌",
    "plate_color": "号牌颜色",
    "vin": "车辆识别代号",
    "axle_count": "轴数",
    "vehicle_type": "车型",
    "rated_load_kg": "核定载质量",
    "max_total_mass_kg": "最大允许总质量",
    "owner_name": "所有人",
    "enterprise_id": "所属企业",
    "enterprise_uscc": "所属企业",
    "transport_cert_no": "道路运输证号",
    "transport_cert_first_issued": "道路运输证初次领取日期",
    "drive_axle_air_suspension": "驱动轴双轮胎+空气悬架",
    "articulated": "铰接列车",
    "axle_spacing_mm": "半挂车轴距（毫米）",
    "single_drive_axle": "牵引车单驱动轴",
    "licence_no": "驾驶证号",
    "qualification_no": "从业资格证号",
    "qualification_first_issued": "从业资格证初次领取日期",
    "identity_number": "身份号码",
    "number": "许可证号",
    "valid_from": "有效期起",
    "valid_until": "有效期止",
    "permitted_gross_kg": "许可总质量",
    "permitted_length_mm": "许可长度",
    "permitted_width_mm": "许可宽度",
    "permitted_height_mm": "许可高度",
    "route": "许可路线",
}
# Numbers that identify a record: (columns, the field a person typed, what it is called).
UNIQUE = {
    "enterprises": ((("uscc",), "uscc", "统一社会信用代码"),),
    "vehicles": ((("plate", "plate_color"), "plate", "车牌（同一号牌颜色）"), (("vin",), "vin", "车辆识别代号")),
    "drivers": (
        (("identity_digest",), "identity_number", "身份号码"),
        (("licence_digest",), "licence_no", "驾驶证号"),
        (("qualification_no",), "qualification_no", "从业资格证号"),
    ),
    "permits": ((("number",), "number", "许可证号"),),
}
# Stored per number, shown only masked: one audit entry per number, never the clear value.
SECRET_COLUMNS = {
    "identity_encrypted": "identity_number",
    "identity_digest": "identity_number",
    "identity_masked": "identity_number",
    "licence_digest": "licence_no",
    "licence_masked": "licence_no",
}
REFERRING = {
    "cases": ("件", "案件"),
    "vehicles": ("辆", "车辆"),
    "drivers": ("名", "驾驶人"),
    "readings": ("条", "检测记录"),
}


class Conflict(DomainError):
    """The change cannot be made as asked (409): `message` says why, in Chinese."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message, 409, errors)


def title(kind: str, row) -> str:
    """How people name the record: the enterprise's name, the plate, the driver's name, the permit number."""
    if kind == "enterprises":
        return f"{row.name}（{row.uscc}）"
    if kind == "vehicles":
        return row.plate
    if kind == "drivers":
        return row.name
    return row.number


def record_etag(row) -> str:
    """A tag of the record's stored values, for If-Match: changes whenever any of them does."""
    values = {a.key: getattr(row, a.key) for a in sa_inspect(row).mapper.column_attrs}
    return hashlib.sha256(json.dumps(values, default=str, sort_keys=True).encode()).hexdigest()[:24]


def _enterprise_uscc(enterprise_id: int | None) -> str | None:
    return db.session.scalar(select(Enterprise.uscc).where(Enterprise.id == enterprise_id)) if enterprise_id else None


def form_values(kind: str, row) -> dict:
    """The record as its editable fields (identity and licence numbers are never read back)."""
    values = {f: getattr(row, f) for f in FIELDS[kind] if f not in ("enterprise_uscc", "licence_no", "identity_number")}
    if kind in ("vehicles", "drivers"):
        values["enterprise_uscc"] = _enterprise_uscc(row.enterprise_id)
    return values


def _clean(kind: str, row, patch: dict) -> dict:
    merged = {**form_values(kind, row), **patch}
    if kind != "drivers":
        cleaner = {"enterprises": ops.clean_enterprise, "vehicles": ops.clean_vehicle, "permits": ops.clean_permit}
        return cleaner[kind](merged)
    keeps_licence = "licence_no" not in patch
    values = ops.clean_driver(merged, has_licence=keeps_licence and row.licence_digest is not None)
    if keeps_licence:
        values.pop("licence_digest"), values.pop("licence_masked")
    if "identity_number" not in patch or values["identity_digest"] == row.identity_digest:
        for column in ("identity_encrypted", "identity_digest", "identity_masked"):
            values.pop(column)
    return values


def _check_unique(kind: str, row, values: dict, changed: set[str]) -> None:
    model = MODELS[kind]
    for columns, field, label in UNIQUE[kind]:
        if not changed.intersection(columns):
            continue
        wanted = {c: values.get(c, getattr(row, c)) for c in columns}
        if any(v is None for v in wanted.values()):
            continue
        clauses = [getattr(model, c) == v for c, v in wanted.items()]
        other = db.session.scalar(select(model).where(*clauses, model.id != row.id).limit(1))
        if other is not None:
            message = (
                f"{label}已登记在另一条{REGISTRY_KINDS[kind]}记录（{title(kind, other)}，编号 {other.id}）中，不能重复"
            )
            raise Conflict(message, errors={field: [message]})


def _judged_under(permit: Permit):
    """Readings whose permit finding names this permit (matched by plate, so the plate index serves)."""
    return select(Reading.id).where(Reading.plate == permit.plate, Reading.permit_number == permit.number)


def _check_permit_in_use(row: Permit, changed: set[str]) -> None:
    """Readings judged under a permit stand on its number and plate: those two are then fixed."""
    if not changed.intersection(("number", "plate")):
        return
    used = db.session.scalar(select(func.count()).select_from(_judged_under(row).subquery()))
    if used:
        message = (
            f"已有 {used} 条检测记录依据许可证 {row.number}（{row.plate}）作出判定，不能修改许可证号或车牌；"
            "如登记有误，请另行登记正确的许可"
        )
        field = "number" if "number" in changed else "plate"
        raise Conflict(message, errors={field: [message]})


def _shown(column: str, value):
    if isinstance(value, date):
        return value.isoformat()
    return value


def _audit_changes(row, before: dict) -> dict:
    """{field: {from, to}} in the fields people know; secret numbers only as their masked form."""
    changes: dict[str, dict] = {}
    for column, old in before.items():
        field = SECRET_COLUMNS.get(column)
        if field is None:
            changes[column] = {"from": _shown(column, old), "to": _shown(column, getattr(row, column))}
        elif field not in changes:
            masked = field.split("_")[0] + "_masked"  # identity_masked, licence_masked
            changes[field] = {"from": before.get(masked, getattr(row, masked)), "to": getattr(row, masked)}
    if "enterprise_id" in changes:
        ids = changes.pop("enterprise_id")
        changes["enterprise_uscc"] = {"from": _enterprise_uscc(ids["from"]), "to": _enterprise_uscc(ids["to"])}
    return changes


def update_record(kind: str, row, patch: dict, *, actor: str, actor_user_id: int | None = None) -> dict:
    """Apply `patch` (field → value) to the record; returns the audit changes ({} when nothing changed).

    Raises ops.RegistryError (field errors, 422) or Conflict (a number taken, 409).
    """
    unknown = set(patch) - set(FIELDS[kind])
    if unknown:
        raise ops.RegistryError({f: ["不能修改此字段"] for f in sorted(unknown)})
    values = _clean(kind, row, patch)
    before = {c: getattr(row, c) for c, v in values.items() if getattr(row, c) != v}
    if not before:
        return {}
    _check_unique(kind, row, values, set(before))
    if kind == "permits":
        _check_permit_in_use(row, set(before))
    old_plate = row.plate if kind == "vehicles" else None
    for column in before:
        setattr(row, column, values[column])
    db.session.flush()
    if kind == "vehicles" and ("plate" in before or "enterprise_id" in before):
        _relink(row, old_plate, actor=actor, actor_user_id=actor_user_id)
    followed = 0
    if kind == "vehicles" and set(before) & set(CONFIG_FACTS):
        followed = case_facts.follow_vehicle(row, actor=actor, actor_user_id=actor_user_id)
    changes = _audit_changes(row, before)
    audit.record(
        "registry.update",
        OBJECT_TYPES[kind],
        row.id,
        actor=actor,
        actor_user_id=actor_user_id,
        reason="修改" + "、".join(dict.fromkeys(FIELD_LABELS.get(f, f) for f in changes)),
        data={"record": title(kind, row), "changes": changes, **({"cases_reclassified": followed} if followed else {})},
    )
    return changes


def _relink(vehicle: Vehicle, old_plate: str, *, actor: str, actor_user_id: int | None) -> None:
    """Cases follow the corrected registration, as when a vehicle is first registered."""
    if old_plate != vehicle.plate:
        stmt = select(Case.id).where(Case.vehicle_id == vehicle.id, Case.plate != vehicle.plate)
        unlinked = list(db.session.scalars(stmt))
        db.session.execute(
            update(Case).where(Case.id.in_(unlinked)).values(vehicle_id=None, enterprise_id=None),
            execution_options={"synchronize_session": False},
        )
        ops.link_plate(old_plate)  # another registration of the old plate takes them, if any
        case_facts.drop_unlinked(unlinked, actor=actor, actor_user_id=actor_user_id)
    ops.link_plate(vehicle.plate)
    db.session.expire_all()


# ── removal ───────────────────────────────────────────────────────────────────


def _examples(table, column, row_id) -> list[str]:
    """Up to five referring records, as people name them (case numbers, plates, names)."""
    stmt = select(table.c.id).where(column == row_id).order_by(table.c.id).limit(5)
    ids = list(db.session.scalars(stmt))
    if table.name == "cases":
        return [c.case_number for c in db.session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id))]
    if table.name == "vehicles":
        return list(db.session.scalars(select(Vehicle.plate).where(Vehicle.id.in_(ids)).order_by(Vehicle.id)))
    if table.name == "drivers":
        return list(db.session.scalars(select(Driver.name).where(Driver.id.in_(ids)).order_by(Driver.id)))
    return [str(i) for i in ids]


def references(kind: str, row) -> list[dict]:
    """What refers to the record: every foreign key to its table, and readings judged under a permit."""
    found = []
    target = row.__table__
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is not target or "id" not in table.c:
                continue
            count = db.session.scalar(select(func.count()).select_from(table).where(fk.parent == row.id))
            if count:
                found.append(_reference(table.name, count, _examples(table, fk.parent, row.id)))
    if kind == "permits":
        stmt = _judged_under(row)
        count = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        if count:
            ids = db.session.scalars(stmt.order_by(Reading.id).limit(5))
            found.append(_reference("readings", count, [str(i) for i in ids]))
    return found


def _reference(table: str, count: int, examples: list[str]) -> dict:
    unit, label = REFERRING.get(table, ("条", f"{table} 记录"))
    more = " 等" if count > len(examples) else ""
    return {
        "table": table,
        "label": label,
        "count": count,
        "text": f"{count} {unit}{label}（{'、'.join(examples)}{more}）",
    }


def snapshot(kind: str, row) -> dict:
    """The record as the audit trail keeps it when removed: masked numbers only."""
    values = {f: _shown(f, v) for f, v in form_values(kind, row).items()}
    if kind == "drivers":
        values["licence_no"], values["identity_number"] = row.licence_masked, row.identity_masked
    return values


def record_created(kind: str, row, *, actor: str, actor_user_id: int | None = None) -> None:
    """The audit entry of a registration (masked numbers only)."""
    audit.record(
        "registry.create",
        OBJECT_TYPES[kind],
        row.id,
        actor=actor,
        actor_user_id=actor_user_id,
        reason=f"登记{REGISTRY_KINDS[kind]} {title(kind, row)}",
        data={"record": snapshot(kind, row)},
    )


def delete_record(kind: str, row, *, actor: str, actor_user_id: int | None = None) -> None:
    """Remove the record, or Conflict naming what still refers to it."""
    refs = references(kind, row)
    if refs:
        message = (
            f"不能删除{REGISTRY_KINDS[kind]}“{title(kind, row)}”：仍有"
            + "、".join(r["text"] for r in refs)
            + "引用该记录。请先更正或解除这些关联。"
        )
        raise Conflict(message, errors={"references": [r["text"] for r in refs]})
    audit.record(
        "registry.delete",
        OBJECT_TYPES[kind],
        row.id,
        actor=actor,
        actor_user_id=actor_user_id,
        reason=f"删除{REGISTRY_KINDS[kind]} {title(kind, row)}",
        data={"record": snapshot(kind, row)},
    )
    db.session.delete(row)
    db.session.flush()
