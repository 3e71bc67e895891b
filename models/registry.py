"""The registry: enterprises, vehicles, drivers and oversize permits (大件运输许可).

Cases link to the vehicle, its owner and transport enterprise when the plate
matches, and to the driver when a station records one.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime

ENTERPRISE_KINDS = {"transport": "运输企业", "source": "货运源头单位", "both": "运输企业兼货运源头"}
REGISTRY_KINDS = {"enterprises": "企业", "vehicles": "车辆", "drivers": "驾驶人", "permits": "大件运输许可"}
REGISTRY_KEEPERS = ("admin", "supervisor")


def can_edit_registry(role: str, kind: str) -> bool:
    """Who may register or correct a record: admins and supervisors keep the registry;
    source investigators (源头倒查专班) also keep the enterprise dossiers."""
    return role in REGISTRY_KEEPERS or (kind == "enterprises" and role == "investigator")


def can_delete_registry(role: str) -> bool:
    """Removing a record is for those who keep the registry (admins and supervisors)."""
    return role in REGISTRY_KEEPERS


class Enterprise(Base):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码, check digit validated
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str | None] = mapped_column(String(16), index=True)
    address: Mapped[str | None] = mapped_column(String(255))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    declared_fleet_size: Mapped[int | None] = mapped_column(Integer)
    key_source: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点货运源头单位 (政府公布)
    licence_first_issued: Mapped[date | None] = mapped_column(Date)  # 道路运输经营许可证, anchors R-ENT-10
    suspension_ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 停业整顿 (B-3)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Vehicle(Base):
    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("plate", "plate_color", name="uq_vehicles_plate_color"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), index=True)
    plate_color: Mapped[str] = mapped_column(String(16), default="yellow")
    vin: Mapped[str | None] = mapped_column(String(17), unique=True)
    axle_count: Mapped[int | None] = mapped_column(Integer)
    vehicle_type: Mapped[str | None] = mapped_column(String(16))
    rated_load_kg: Mapped[int | None] = mapped_column(Integer)  # 核定载质量
    max_total_mass_kg: Mapped[int | None] = mapped_column(Integer)  # 最大允许总质量
    owner_name: Mapped[str | None] = mapped_column(String(128))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    transport_cert_no: Mapped[str | None] = mapped_column(String(32))  # 道路运输证号
    transport_cert_first_issued: Mapped[date | None] = mapped_column(Date)  # anchors R-VEH-3
    # The configuration that changes the limit (domain-rules §1.1, §1.4); None = not registered
    # (unknown: the limit favouring the party applies). Cases not yet noticed are re-classified.
    drive_axle_air_suspension: Mapped[bool | None] = mapped_column(Boolean)  # 驱动轴每侧双轮胎+空气悬架
    articulated: Mapped[bool | None] = mapped_column(Boolean)  # 铰接列车 (牵引车+半挂车)
    axle_spacing_mm: Mapped[int | None] = mapped_column(Integer)  # 半挂车轴距 d (L-4AX-ART-37)
    single_drive_axle: Mapped[bool | None] = mapped_column(Boolean)  # 牵引车驱动轴为单轴 (L-6AX-C-SD, 46 t)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Driver(Base):
    """Identity numbers are personal data: kept encrypted, looked up by keyed hash, shown masked."""

    __tablename__ = "drivers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    # 驾驶证号 is usually the identity number: kept only masked, found by keyed hash.
    licence_masked: Mapped[str | None] = mapped_column(String(32))
    licence_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    qualification_no: Mapped[str | None] = mapped_column(String(32), unique=True)  # 从业资格证
    qualification_first_issued: Mapped[date | None] = mapped_column(Date)  # anchors R-DRV-3
    identity_encrypted: Mapped[str | None] = mapped_column(Text)
    identity_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    identity_masked: Mapped[str | None] = mapped_column(String(18))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Permit(Base):
    """大件运输许可: plate, period, permitted figures and the route as an ordered list of sites."""

    __tablename__ = "permits"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    plate: Mapped[str] = mapped_column(String(16), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    permitted_gross_kg: Mapped[int] = mapped_column(Integer)
    permitted_length_mm: Mapped[int | None] = mapped_column(Integer)
    permitted_width_mm: Mapped[int | None] = mapped_column(Integer)
    permitted_height_mm: Mapped[int | None] = mapped_column(Integer)
    route: Mapped[list] = mapped_column(JSON)  # site codes, in order
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
