"""Plain input values: what a weighing says and where it was taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .settings import CST, SITE_KINDS

__all__ = ["CST", "ReadingFacts", "SiteFacts", "local_date"]

VEHICLE_TYPES = ("truck", "combination")


@dataclass(frozen=True)
class ReadingFacts:
    """One weighing of one vehicle, as the law engine needs it."""

    captured_at: datetime  # tz-aware; the date of the act decides the rule version
    axle_count: int
    gross_weight_kg: float
    vehicle_type: str | None = None  # 'truck' (货车) | 'combination' (汽车列车) | None
    single_drive_axle: bool | None = None  # tractor drive axle is a single axle (46 t row)
    drive_axle_air_suspension: bool | None = None  # twin tyres + air suspension (L-AIR+1, L-4AX-ART-37)
    articulated: bool | None = None  # 铰接列车 (tractor + semi-trailer), L-4AX-ART-37
    axle_spacing_mm: int | None = None  # the semi-trailer's axle spacing d, L-4AX-ART-37
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    licence_total_mass_kg: int | None = None  # 行驶证 total mass (L-2AX-LIC)

    def __post_init__(self) -> None:
        # Refuse facts the law cannot be applied to, rather than guess.
        if self.captured_at.utcoffset() is None:
            raise ValueError("captured_at must be timezone-aware")
        if self.axle_count < 2:
            raise ValueError("axle_count must be at least 2")
        if self.gross_weight_kg < 0:
            raise ValueError("gross_weight_kg must not be negative")
        if self.vehicle_type is not None and self.vehicle_type not in VEHICLE_TYPES:
            raise ValueError(f"vehicle_type must be one of {VEHICLE_TYPES} or None")
        if self.axle_spacing_mm is not None and self.axle_spacing_mm <= 0:
            raise ValueError("axle_spacing_mm must be positive")
        if self.licence_total_mass_kg is not None and self.licence_total_mass_kg <= 0:
            raise ValueError("licence_total_mass_kg must be positive")


@dataclass(frozen=True)
class SiteFacts:
    """The weighing point and its device, as far as tolerances and bars depend on it."""

    kind: str  # 'wim' | 'static' | 'toll_entry'
    accuracy_class: str | None = None  # JJG 907 class for total mass, e.g. '5'
    tolerance_pct: float | None = None  # per-site deduction; None → default for the kind
    calibrated_until: date | None = None  # last day of the verification certificate

    def __post_init__(self) -> None:
        if self.kind not in SITE_KINDS:
            raise ValueError(f"site kind must be one of {SITE_KINDS}")
        if self.tolerance_pct is not None and self.tolerance_pct < 0:
            raise ValueError("tolerance_pct must not be negative")


def local_date(moment: datetime) -> date:
    """The calendar date in China of an aware instant (rules take effect on local dates)."""
    if moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(CST).date()
