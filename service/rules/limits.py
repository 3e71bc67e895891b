"""Total-mass limits (超限认定, 62号令 Art 3 ¶1 (四)–(八) and the 2016 认定标准 notes).

Where is the 3-axle limit? In ``versions.py`` as data; this module picks the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .facts import ReadingFacts
from .versions import STANDARD_2016, MassRow, RuleVersion

AIR_NOTE = "驱动轴为每轴每侧双轮胎并装备空气悬架的三轴、四轴货车，总质量限值增加1吨"
ART37_NOTE = "驱动轴为每轴每侧双轮胎并装备空气悬架、半挂车轴距不小于1800毫米的四轴铰接列车，总质量限值为37吨"
LICENCE_NOTE = "二轴货车的车货总质量不得超过行驶证标明的总质量"


@dataclass(frozen=True)
class _Config:
    """The fields of ReadingFacts a mass limit depends on."""

    axle_count: int
    vehicle_type: str | None
    single_drive_axle: bool | None
    drive_axle_air_suspension: bool | None
    licence_total_mass_kg: int | None
    articulated: bool | None = None
    axle_spacing_mm: int | None = None


@dataclass(frozen=True)
class MassLimit:
    rule_id: str
    article: str
    limit_kg: int
    rule_version: str
    notes: list[str] = field(default_factory=list)


def _row_fits(row: MassRow, reading: ReadingFacts) -> bool:
    if row.axles != min(reading.axle_count, 6):  # 7 and 8 axles use the 六轴及以上 row
        return False
    # ⚖ vehicle_type None keeps every configuration, so the higher limit wins below.
    if row.vehicle_type and reading.vehicle_type and row.vehicle_type != reading.vehicle_type:
        return False
    # The 46 t row needs a positive finding; ⚖ unknown (None) keeps the 49 t row.
    if reading.axle_count >= 6:
        return row.single_drive_axle == (reading.single_drive_axle is True)
    return True


def _with_air_bonus(row: MassRow, reading: ReadingFacts, version: RuleVersion) -> MassLimit:
    article = version.article(row.item)
    # L-AIR+1 raises only 3- and 4-axle *truck* limits. ⚖ While the drive axle's tyres and
    # suspension are unknown (None) the bonus is given: the higher limit favours the party, as
    # for an unknown vehicle type; only a finding of False gives the table value.
    air = (
        version.air_suspension_bonus_kg
        and row.vehicle_type == "truck"
        and row.axles in (3, 4)
        and reading.drive_axle_air_suspension is not False
    )
    if not air:
        return MassLimit(row.rule_id, article, row.limit_kg, version.key)
    notes = [f"L-AIR+1：驱动轴双轮胎+空气悬架，{row.vehicle_zh}限值加{version.air_suspension_bonus_kg} kg"]
    if reading.drive_axle_air_suspension is None:
        notes.append("⚖ 驱动轴轮胎与悬架未查明，按双轮胎+空气悬架（限值较高）认定")
    return MassLimit(
        "L-AIR+1",
        f"{article}；{STANDARD_2016} 附注：{AIR_NOTE}",
        row.limit_kg + version.air_suspension_bonus_kg,
        version.key,
        notes,
    )


def _articulated_37(row: MassRow, reading: ReadingFacts, version: RuleVersion) -> MassLimit | None:
    """L-4AX-ART-37 (认定标准 2016): the 4-axle articulated cell. ⚖ Each of its conditions that
    is still unknown (articulated, twin tyres + air suspension, spacing) is taken as met."""
    if not version.articulated_four_axle_kg or row.axles != 4 or row.vehicle_type != "combination":
        return None
    spacing = reading.axle_spacing_mm
    if reading.articulated is False or reading.drive_axle_air_suspension is False:
        return None
    if spacing is not None and spacing < version.articulated_min_spacing_mm:
        return None
    unknown = [
        name
        for name, value in (
            ("是否铰接列车", reading.articulated),
            ("驱动轴轮胎与悬架", reading.drive_axle_air_suspension),
            ("半挂车轴距", spacing),
        )
        if value is None
    ]
    notes = [
        f"L-4AX-ART-37：四轴铰接列车（双轮胎+空气悬架，轴距≥{version.articulated_min_spacing_mm} mm）限值 {version.articulated_four_axle_kg} kg"
    ]
    if unknown:
        notes.append(f"⚖ {'、'.join(unknown)}未查明，按四轴铰接列车 37 吨（限值较高）认定")
    return MassLimit(
        "L-4AX-ART-37",
        f"{version.article(row.item)}；{STANDARD_2016} 附注：{ART37_NOTE}",
        version.articulated_four_axle_kg,
        version.key,
        notes,
    )


def _with_licence_cap(limit: MassLimit, reading: ReadingFacts, version: RuleVersion) -> MassLimit:
    licence = reading.licence_total_mass_kg
    if not version.licence_cap_two_axle or reading.axle_count != 2 or licence is None:
        return limit
    if licence >= limit.limit_kg:  # the table value binds; the licence check passes
        return limit
    return replace(
        limit,
        rule_id="L-2AX-LIC",
        article=f"{limit.article}；{STANDARD_2016} 附注：{LICENCE_NOTE}",
        limit_kg=licence,
        notes=[
            *limit.notes,
            f"L-2AX-LIC：行驶证总质量 {licence} kg 低于表列限值，取较小者",
        ],
    )


def mass_limit(reading: ReadingFacts, version: RuleVersion) -> MassLimit:
    """The total-mass limit for this vehicle under one rule version."""
    # The limit depends on the vehicle's configuration only, never on its weight or
    # time: a handful of distinct answers, so they are computed once per process.
    key = (
        version.key,  # not the RuleVersion itself: its hash walks every row
        reading.axle_count,
        reading.vehicle_type,
        reading.single_drive_axle,
        reading.drive_axle_air_suspension,
        reading.licence_total_mass_kg,
        reading.articulated,
        reading.axle_spacing_mm,
    )
    limit = _LIMITS.get(key)
    if limit is None:
        if len(_LIMITS) > 4096:  # bounded: licence masses from the registry could vary widely
            _LIMITS.clear()
        limit = _LIMITS[key] = _mass_limit(version, _Config(*key[1:]))
    return limit


_LIMITS: dict[tuple, MassLimit] = {}


def _mass_limit(version: RuleVersion, reading: _Config) -> MassLimit:
    rows = [row for row in version.mass_rows if _row_fits(row, reading)]
    candidates = [_with_air_bonus(row, reading, version) for row in rows]
    candidates += [c for c in (_articulated_37(row, reading, version) for row in rows) if c is not None]
    if not candidates:
        raise ValueError(f"{version.key} has no mass limit for {reading.axle_count} axles")
    best = max(candidates, key=lambda c: c.limit_kg)  # first of equals = table order
    if reading.vehicle_type is None and len(candidates) > 1:
        note = f"⚖ 车型未申报，按限值较高的配置认定（{best.rule_id}，{best.limit_kg} kg）"
        best = replace(best, notes=[*best.notes, note])
    if reading.axle_count >= 6 and reading.single_drive_axle is None:
        note = "⚖ 牵引车驱动轴是否为单轴未知，按不适用单轴 46000 kg 限值认定"
        best = replace(best, notes=[*best.notes, note])
    return _with_licence_cap(best, reading, version)
