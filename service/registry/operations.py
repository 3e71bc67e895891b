"""Registry operations: validate and create records, link cases. Flush only; callers commit.

Edits and deletions are in service/registry/editing.py; they validate with the same clean_* functions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import or_, select, update

from models import Case, Driver, Enterprise, Permit, Site, Vehicle
from models.registry import ENTERPRISE_KINDS
from service.errors import DomainError
from service.extensions import db
from service.registry import crypto
from service.registry import validation as check
from service.rules import (
    identity_number_is_valid,
    mask_identity_number,
    normalise_plate,
    normalise_plate_color,
    uscc_is_valid,
)


class RegistryError(DomainError):
    """Field errors for a record: {field: [messages]} (422)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("数据校验未通过", 422, errors)


class Duplicate(DomainError):
    """The record is already registered (409); `row` is the existing one."""

    def __init__(self, row):
        super().__init__("登记簿中已有该记录", 409)
        self.row = row


MAX_INT = 2**31 - 1  # an INTEGER column on PostgreSQL
# Upper bounds a real record cannot exceed (a typo or a hostile file otherwise).
MAX_AXLES = 30  # a modular trailer of a 大件 permit has many; no road vehicle has 30
MAX_VEHICLE_KG = 300_000  # the heaviest weighing ingest accepts (CONTRACT §4)
MAX_PERMIT_KG = 2_000_000  # 大件 transport (transformers, reactors) reaches several hundred tonnes
MAX_FLEET = 1_000_000
MAX_DIMENSION_MM = 100_000  # as ingest: above every road vehicle, blade trailers included
MAX_SPACING_MM = 20_000  # a semi-trailer's axle spacing d (as the officer's entry, service/review/schemas.py)
# Yes / no / unknown configuration facts of a vehicle (domain-rules §1.1, §1.4).
CONFIG_FLAGS = ("drive_axle_air_suspension", "articulated", "single_drive_axle")


def _now() -> datetime:
    return datetime.now(UTC)


def _date(value, field: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = ["日期格式应为 YYYY-MM-DD"]
        return None


def _int(value, field: str, errors: dict, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = value if isinstance(value, int) else float(str(value)[:40])
        if number != int(number):
            raise ValueError
        number = int(number)
    except (TypeError, ValueError, OverflowError):  # 'abc', 'nan', 'inf', 1.5, 400 digits
        errors[field] = ["须为整数"]
        return None
    if number < minimum:
        errors[field] = [f"不得小于 {minimum}"]
    elif number > maximum:
        errors[field] = [f"不得大于 {maximum}"]
    return number


def _fit(model, values: dict) -> dict:
    """Text longer than its column is a field error here, not a database error later
    (PostgreSQL refuses it, SQLite would silently keep it)."""
    errors = {}
    for name, value in values.items():
        column = model.__table__.columns.get(name)
        length = getattr(column.type, "length", None) if column is not None else None
        if isinstance(value, str) and length and len(value) > length:
            errors[name] = [f"长度不得超过 {length} 个字符"]
        elif isinstance(value, str) and "\x00" in value:
            errors[name] = ["含有 NUL 控制字符（\\u0000）"]
    if errors:
        raise RegistryError(errors)
    return values


def clean_enterprise(data: dict) -> dict:
    """Column values of an enterprise from its fields; creation and edits check alike (RegistryError)."""
    errors: dict[str, list[str]] = {}
    uscc = (data.get("uscc") or "").strip().upper().replace(" ", "")
    if not uscc_is_valid(uscc):
        errors["uscc"] = ["统一社会信用代码无效（长度、字符或校验码不符）"]
    if not (data.get("name") or "").strip():
        errors["name"] = ["必填"]
    kind = data.get("kind") or "transport"
    if kind not in ENTERPRISE_KINDS:
        errors["kind"] = ["须为 transport / source / both"]
    fleet = _int(data.get("declared_fleet_size"), "declared_fleet_size", errors, maximum=MAX_FLEET)
    issued = check.past_date(
        _date(data.get("licence_first_issued"), "licence_first_issued", errors), "licence_first_issued", errors
    )
    region = check.region_code(data.get("region_code"), "region_code", errors)
    latitude = check.coordinate(data.get("latitude"), "latitude", errors)
    longitude = check.coordinate(data.get("longitude"), "longitude", errors)
    if errors:
        raise RegistryError(errors)
    return _fit(
        Enterprise,
        {
            "uscc": uscc,
            "name": data["name"].strip(),
            "kind": kind,
            "region_code": region,
            "address": data.get("address") or None,
            "declared_fleet_size": fleet,
            "licence_first_issued": issued,
            "key_source": str(data.get("key_source", "")).lower() in ("1", "true", "yes", "是"),
            "latitude": latitude,
            "longitude": longitude,
        },
    )


def create_enterprise(data: dict) -> Enterprise:
    values = clean_enterprise(data)
    existing = db.session.scalar(select(Enterprise).where(Enterprise.uscc == values["uscc"]))
    if existing is not None:
        raise Duplicate(existing)
    row = Enterprise(**values, created_at=_now())
    db.session.add(row)
    db.session.flush()
    return row


def _enterprise_id(uscc: str | None, errors: dict) -> int | None:
    if not uscc:
        return None
    found = db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc.strip().upper()))
    if found is None:
        errors["enterprise_uscc"] = ["登记簿中没有该统一社会信用代码的企业，请先导入企业"]
    return found


def _plate_colour(value, errors: dict) -> str:
    try:
        return normalise_plate_color(value or "yellow")
    except ValueError:
        errors["plate_color"] = ["号牌颜色无效（yellow / blue / green / yellow_green / white / black 或 黄、蓝、绿…）"]
        return "yellow"


def clean_vehicle(data: dict) -> dict:
    """Column values of a vehicle from its fields; creation and edits check alike (RegistryError)."""
    errors: dict[str, list[str]] = {}
    plate = normalise_plate(data.get("plate") or "")
    if not plate:
        errors["plate"] = ["必填"]
    colour = _plate_colour(data.get("plate_color"), errors)
    axles = _int(data.get("axle_count"), "axle_count", errors, minimum=2, maximum=MAX_AXLES)
    rated = _int(data.get("rated_load_kg"), "rated_load_kg", errors, maximum=MAX_VEHICLE_KG)
    total = _int(data.get("max_total_mass_kg"), "max_total_mass_kg", errors, maximum=MAX_VEHICLE_KG)
    issued = check.past_date(
        _date(data.get("transport_cert_first_issued"), "transport_cert_first_issued", errors),
        "transport_cert_first_issued",
        errors,
    )
    enterprise_id = _enterprise_id(data.get("enterprise_uscc"), errors)
    config = {name: check.tristate(data.get(name), name, errors) for name in CONFIG_FLAGS}
    spacing = _int(data.get("axle_spacing_mm"), "axle_spacing_mm", errors, minimum=1, maximum=MAX_SPACING_MM)
    if errors:
        raise RegistryError(errors)
    return _fit(
        Vehicle,
        {
            "plate": plate,
            "plate_color": colour,
            "vin": data.get("vin") or None,
            "axle_count": axles,
            "vehicle_type": data.get("vehicle_type") or None,
            "rated_load_kg": rated,
            "max_total_mass_kg": total,
            "owner_name": data.get("owner_name") or None,
            "enterprise_id": enterprise_id,
            "transport_cert_no": data.get("transport_cert_no") or None,
            "transport_cert_first_issued": issued,
            **config,
            "axle_spacing_mm": spacing,
        },
    )


def create_vehicle(data: dict) -> Vehicle:
    values = clean_vehicle(data)
    existing = db.session.scalar(
        select(Vehicle).where(Vehicle.plate == values["plate"], Vehicle.plate_color == values["plate_color"])
    )
    if existing is not None:
        raise Duplicate(existing)
    if values["vin"]:
        taken = db.session.scalar(select(Vehicle.plate).where(Vehicle.vin == values["vin"]))
        if taken is not None:
            raise RegistryError({"vin": [f"车辆识别代号已登记在车辆 {taken}"]})
    row = Vehicle(**values, created_at=_now())
    db.session.add(row)
    db.session.flush()
    return row


def clean_driver(data: dict, has_licence: bool = False) -> dict:
    """Column values of a driver (numbers encrypted, hashed and masked); creation and edits check alike.

    `has_licence`: the record already holds a 驾驶证号 that this edit leaves as it is.
    """
    errors: dict[str, list[str]] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = ["必填"]
    id_no = (data.get("identity_number") or "").strip().upper()
    if id_no and not identity_number_is_valid(id_no):
        errors["identity_number"] = ["公民身份号码无效（校验码不符）"]
    issued = check.past_date(
        _date(data.get("qualification_first_issued"), "qualification_first_issued", errors),
        "qualification_first_issued",
        errors,
    )
    enterprise_id = _enterprise_id(data.get("enterprise_uscc"), errors)
    if not (data.get("licence_no") or data.get("qualification_no") or has_licence):
        errors["licence_no"] = ["驾驶证号与从业资格证号至少填一项"]
    if errors:
        raise RegistryError(errors)
    licence = (data.get("licence_no") or "").strip().upper()
    return _fit(
        Driver,
        {
            "name": data["name"].strip(),
            "licence_digest": crypto.digest(licence) if licence else None,
            "licence_masked": mask_identity_number(licence)
            if len(licence) == 18
            else (licence[:2] + "****" if licence else None),
            "qualification_no": data.get("qualification_no") or None,
            "qualification_first_issued": issued,
            "identity_encrypted": crypto.encrypt(id_no) if id_no else None,
            "identity_digest": crypto.digest(id_no) if id_no else None,
            "identity_masked": mask_identity_number(id_no) if id_no else None,
            "enterprise_id": enterprise_id,
        },
    )


def create_driver(data: dict) -> Driver:
    values = clean_driver(data)
    # The same person under any of the three numbers: a second import adds nothing.
    clauses = [
        getattr(Driver, column) == values[column]
        for column in ("identity_digest", "licence_digest", "qualification_no")
        if values[column]
    ]
    existing = db.session.scalar(select(Driver).where(or_(*clauses))) if clauses else None
    if existing is not None:
        raise Duplicate(existing)
    row = Driver(**values, created_at=_now())
    db.session.add(row)
    db.session.flush()
    return row


def clean_permit(data: dict) -> dict:
    """Column values of an oversize permit; creation and edits check alike (RegistryError)."""
    errors: dict[str, list[str]] = {}
    number = (data.get("number") or "").strip()
    if not number:
        errors["number"] = ["必填"]
    plate = normalise_plate(data.get("plate") or "")
    if not plate:
        errors["plate"] = ["必填"]
    start = check.sane_date(_date(data.get("valid_from"), "valid_from", errors), "valid_from", errors)
    end = check.sane_date(_date(data.get("valid_until"), "valid_until", errors), "valid_until", errors)
    if start and end and start > end:
        errors["valid_until"] = ["不得早于起始日期"]
    gross = _int(data.get("permitted_gross_kg"), "permitted_gross_kg", errors, minimum=1, maximum=MAX_PERMIT_KG)
    if gross is None and "permitted_gross_kg" not in errors:
        errors["permitted_gross_kg"] = ["必填"]
    route = data.get("route") or []
    if isinstance(route, str):
        route = [c.strip() for c in route.replace("；", ";").split(";") if c.strip()]
    known = set(db.session.scalars(select(Site.code).where(Site.code.in_(route)))) if route else set()
    if not route:
        errors["route"] = ["须列出许可路线经过的点位编码（按顺序）"]
    elif unknown := [c for c in route if c not in known]:
        errors["route"] = [f"未知点位编码：{'、'.join(unknown)}"]
    dims = {
        n: _int(data.get(f"permitted_{n}_mm"), f"permitted_{n}_mm", errors, 1, MAX_DIMENSION_MM)
        for n in ("length", "width", "height")
    }
    if start is None and "valid_from" not in errors:
        errors["valid_from"] = ["必填"]
    if end is None and "valid_until" not in errors:
        errors["valid_until"] = ["必填"]
    if errors:
        raise RegistryError(errors)
    return _fit(
        Permit,
        {
            "number": number,
            "plate": plate,
            "valid_from": start,
            "valid_until": end,
            "permitted_gross_kg": gross,
            "permitted_length_mm": dims["length"],
            "permitted_width_mm": dims["width"],
            "permitted_height_mm": dims["height"],
            "route": route,
        },
    )


def create_permit(data: dict) -> Permit:
    values = clean_permit(data)
    existing = db.session.scalar(select(Permit).where(Permit.number == values["number"]))
    if existing is not None:
        raise Duplicate(existing)
    row = Permit(**values, created_at=_now())
    db.session.add(row)
    db.session.flush()
    return row


def link_cases(case_ids: list[int]) -> None:
    """Cases of registered plates link to the vehicle and its transport enterprise, and those not
    yet noticed take the configuration facts the vehicle's record registers."""
    from service.registry.case_facts import follow_linked

    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start : start + 500]
        vehicle = select(Vehicle.id).where(Vehicle.plate == Case.plate).order_by(Vehicle.id).limit(1).scalar_subquery()
        db.session.execute(
            update(Case).where(Case.id.in_(chunk), Case.plate.is_not(None)).values(vehicle_id=vehicle),
            execution_options={"synchronize_session": False},
        )
        enterprise = select(Vehicle.enterprise_id).where(Vehicle.id == Case.vehicle_id).scalar_subquery()
        db.session.execute(
            update(Case).where(Case.id.in_(chunk), Case.vehicle_id.is_not(None)).values(enterprise_id=enterprise),
            execution_options={"synchronize_session": False},
        )
        follow_linked(chunk)  # the configuration the record registers (service/registry/case_facts.py)


def link_plate(plate: str) -> None:
    """A newly registered vehicle picks up its existing cases."""
    from service.locking import lock_plates

    lock_plates([plate])  # the follow-up drains update the plate's cases too, in this order
    ids = list(db.session.scalars(select(Case.id).where(Case.plate == plate).order_by(Case.id)))
    link_cases(ids)


def find_driver(data: dict) -> Driver | None:
    """A registered driver with the identity, 驾驶证 or 从业资格证 number given, if any."""
    clauses = []
    id_no = (data.get("identity_number") or "").strip().upper()
    if id_no:
        clauses.append(Driver.identity_digest == crypto.digest(id_no))
    licence = (data.get("licence_no") or "").strip().upper()
    if licence:
        clauses.append(Driver.licence_digest == crypto.digest(licence))
    qualification = (data.get("qualification_no") or "").strip()
    if qualification:
        clauses.append(Driver.qualification_no == qualification)
    if not clauses:
        return None
    return db.session.scalar(select(Driver).where(or_(*clauses)).order_by(Driver.id).limit(1))
