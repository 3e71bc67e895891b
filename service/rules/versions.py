"""Dated rule versions (domain-rules.md §12).

行政处罚法 Art 37: the law in force on the date of the act applies, unless a later one in
force when the decision is made is more lenient. Adding a version is adding a
``RuleVersion`` entry to ``VERSIONS``; the functions below never name a version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LAW_62 = "《超限运输车辆行驶公路管理规定》(交通运输部令2016年第62号)"
STANDARD_2016 = "《公路货运车辆超限超载认定标准》(2016)"


class NoRuleInForce(ValueError):
    """The act predates every implemented rule version; it cannot be classified."""


@dataclass(frozen=True)
class MassRow:
    """One total-mass limit from Art 3 ¶1 (四)–(八)."""

    rule_id: str
    item: str  # the item number in Chinese, e.g. '五'
    axles: int  # exact axle count; the last row (6) also covers 7, 8 … (六轴及六轴以上)
    vehicle_type: str | None  # 'truck' | 'combination' | None = the only row for its axles
    limit_kg: int
    vehicle_zh: str
    single_drive_axle: bool = False  # row applies only when the drive axle is single


@dataclass(frozen=True)
class DimensionRow:
    """One outline-dimension limit from Art 3 ¶1 (一)–(三)."""

    rule_id: str
    item: str
    axis: str  # 'height' | 'width' | 'length'
    limit_mm: int
    text_zh: str


@dataclass(frozen=True)
class RuleVersion:
    key: str  # stored with every decision, e.g. '62号令@2016-09-21'
    in_force_from: date
    document: str
    mass_rows: tuple[MassRow, ...]
    dimension_rows: tuple[DimensionRow, ...]
    air_suspension_bonus_kg: int  # L-AIR+1, 0 when the version has no such rule
    licence_cap_two_axle: bool  # L-2AX-LIC
    # L-4AX-ART-37: a 4-axle articulated combination (铰接列车) with twin-tyre drive axle, air
    # suspension and semi-trailer axle spacing ≥ the minimum; 0 when the version has no such cell.
    articulated_four_axle_kg: int = 0
    articulated_min_spacing_mm: int = 0

    def article(self, item: str) -> str:
        return f"{self.document} 第三条第一款第（{item}）项"


# 62号令 Art 3 ¶1 [S], with the 2016 认定标准 notes (L-AIR+1, L-2AX-LIC) that took effect
# the same day. The 认定标准 diagram's 35 t / 42 t cells are deliberately NOT used: their
# pairing with configurations is UNCONFIRMED and they are stricter than the 部门规章
# (62号令), which ranks above the annex (domain-rules §1.4, §13.7).
_V62_MASS = (
    # Art 3(四) names only 二轴货车; no 2-axle combination exists, so the row serves any type.
    MassRow("L-2AX", "四", 2, None, 18_000, "二轴货车"),
    MassRow("L-3AX-T", "五", 3, "truck", 25_000, "三轴货车"),
    MassRow("L-3AX-C", "五", 3, "combination", 27_000, "三轴汽车列车"),
    MassRow("L-4AX-T", "六", 4, "truck", 31_000, "四轴货车"),
    MassRow("L-4AX-C", "六", 4, "combination", 36_000, "四轴汽车列车"),
    MassRow("L-5AX-C", "七", 5, None, 43_000, "五轴汽车列车"),
    MassRow("L-6AX-C", "八", 6, None, 49_000, "六轴及六轴以上汽车列车"),
    MassRow(
        "L-6AX-C-SD",
        "八",
        6,
        None,
        46_000,
        "六轴及六轴以上汽车列车（牵引车驱动轴为单轴）",
        True,
    ),
)

_V62_DIMENSIONS = (
    DimensionRow("L-H", "一", "height", 4_000, "车货总高度从地面算起超过4米"),
    DimensionRow("L-W", "二", "width", 2_550, "车货总宽度超过2.55米"),
    DimensionRow("L-L", "三", "length", 18_100, "车货总长度超过18.1米"),
)

VERSIONS: tuple[RuleVersion, ...] = (
    RuleVersion(
        key="62号令@2016-09-21",
        in_force_from=date(2016, 9, 21),
        document=LAW_62,
        mass_rows=_V62_MASS,
        dimension_rows=_V62_DIMENSIONS,
        air_suspension_bonus_kg=1_000,
        licence_cap_two_axle=True,
        articulated_four_axle_kg=37_000,
        articulated_min_spacing_mm=1_800,
    ),
)


def version_for(act_date: date, versions: tuple[RuleVersion, ...] = VERSIONS) -> RuleVersion:
    """The version in force on the date of the act (行政处罚法 Art 37, first sentence)."""
    in_force = [v for v in versions if v.in_force_from <= act_date]
    if not in_force:
        earliest = min(versions, key=lambda v: v.in_force_from)
        raise NoRuleInForce(
            f"no over-limit rule version is implemented for {act_date.isoformat()}: "
            f"the earliest, {earliest.key}, is in force from {earliest.in_force_from.isoformat()}"
        )
    return max(in_force, key=lambda v: v.in_force_from)


def later_versions(
    act_version: RuleVersion,
    decided_on: date,
    versions: tuple[RuleVersion, ...] = VERSIONS,
) -> list[RuleVersion]:
    """Versions that took effect after the act and are in force on the decision date."""
    return [v for v in versions if act_version.in_force_from < v.in_force_from <= decided_on]
