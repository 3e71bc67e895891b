"""R-ENT-10 (domain-rules §3.1): a road-transport enterprise whose vehicles with illegal
over-limit transport within the cycle exceed 10 % of its freight fleet (公路安全保护条例 第六十六条)
→ 停业整顿; 情节严重的, its 道路运输经营许可证 is revoked. The counting cycle and what counts
are shared with R-VEH-3 / R-DRV-3 (repeat.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from .repeat import (
    ART_66_ENT,
    AUTHORITY,
    CYCLE_ARTICLE,
    FALLBACK_NOTE,
    HENAN_REVOCATION,
    MORE_THAN_PCT,
    RULE_VERSION,
    RepeatAssessment,
    Violation,
    _basis,
    _check_version,
    _countable,
    _window_zh,
    _within,
    counting_cycle,
    rolling_window,
)
from .settings import DEFAULT, RuleSettings


def _truncated_pct(part: int, whole: int) -> float:
    # ⚖ Truncated, never rounded up: a displayed share must not exceed the true one.
    return (part * 10_000 // whole) / 100


def _numerator(per_vehicle: dict[str, list[date]], settings: RuleSettings) -> int:
    if settings.enterprise_share_numerator == "violations":
        return sum(len(dates) for dates in per_vehicle.values())
    return sum(1 for dates in per_vehicle.values() if dates)


def _enterprise_counts(
    per_vehicle: dict[str, list[date]], window: tuple[date, date], settings: RuleSettings
) -> tuple[int, tuple[str, ...], tuple[date, ...]]:
    inside = {vehicle: _within(dates, window) for vehicle, dates in per_vehicle.items()}
    vehicles = tuple(sorted(vehicle for vehicle, dates in inside.items() if dates))
    counted = tuple(sorted(d for dates in inside.values() for d in dates))
    return _numerator(inside, settings), vehicles, counted


def _more_than(part: int, whole: int | None, pct: float) -> bool:
    # Integers, not float division: 1 000 of 10 000 is exactly 10 %, not over it.
    return bool(whole) and part * 100 > whole * pct


def _enterprise_outcome(
    part: int, fleet_size: int | None, suspension_ordered: bool, settings: RuleSettings
) -> tuple[bool, str, tuple[str, ...], list[str]]:
    """(triggered, consequence, blacklist, notes) for the statutory share."""
    triggered = _more_than(part, fleet_size, MORE_THAN_PCT)
    consequence = "责令停业整顿；情节严重的，吊销道路运输经营许可证，并向社会公告"
    notes = []
    revoke_pct = settings.enterprise_revocation_pct
    if revoke_pct is not None and _more_than(part, fleet_size, revoke_pct):
        consequence += f"；超过{revoke_pct:g}%：{HENAN_REVOCATION}"
        notes.append(f"已达省级吊销标准（超过{revoke_pct:g}%，[PROV 河南]）")
    # B-3 needs both the share and an order to 停业整顿 actually made.
    blacklist = ("B-3",) if triggered and suspension_ordered else ()
    if triggered and not suspension_ordered:
        notes.append("尚未责令停业整顿，不符合失信名单 B-3 情形")
    return triggered, consequence, blacklist, notes


def _share_reason(part: int, fleet_size: int | None, settings: RuleSettings) -> str:
    unit = "辆" if settings.enterprise_share_numerator == "vehicles" else "次"
    if not fleet_size:
        return f"违法超限运输 {part} {unit}；本单位货运车辆总数未知或为0，无法计算占比，不作评估"
    pct = _truncated_pct(part, fleet_size)
    verdict = "超过10%" if _more_than(part, fleet_size, MORE_THAN_PCT) else "未超过10%"
    return f"违法超限运输 {part} {unit} / 货运车辆总数 {fleet_size} 辆 = {pct:.2f}%，{verdict}"


def assess_enterprise(
    vehicle_violation_dates: Mapping[str, Iterable[Violation]],
    fleet_size: int | None,
    *,
    licence_issued: date | None,
    on: date,
    suspension_ordered: bool = False,
    settings: RuleSettings = DEFAULT,
) -> RepeatAssessment:
    """R-ENT-10: violating vehicles above 10 % of the fleet in the 经营许可证 cycle.

    `vehicle_violation_dates` maps each vehicle (plate or id) of the enterprise to its
    decided violations. `fleet_size` is the figure named by ``settings.enterprise_fleet_basis``;
    unknown or 0 → 'cannot_assess'. `suspension_ordered`: the enterprise has been ordered to
    停业整顿, which blacklist situation B-3 needs besides the share.
    """
    _check_version(on)
    if fleet_size is not None and fleet_size < 0:
        raise ValueError("fleet_size must not be negative")
    per_vehicle, notes = {}, []
    for vehicle, items in vehicle_violation_dates.items():
        per_vehicle[vehicle], vehicle_notes = _countable(items, on, settings)
        notes += [f"{vehicle}：{note}" for note in vehicle_notes]
    window, rolling = counting_cycle(licence_issued, on, settings=settings), rolling_window(on)
    basis = _basis(licence_issued, settings)
    part, vehicles, counted = _enterprise_counts(per_vehicle, window, settings)
    rolling_part = _enterprise_counts(per_vehicle, rolling, settings)[0]
    triggered, consequence, blacklist, outcome_notes = _enterprise_outcome(
        part, fleet_size, suspension_ordered, settings
    )
    reason = f"统计周期 {_window_zh(window, basis, '道路运输经营许可证')}，{_share_reason(part, fleet_size, settings)}"
    return RepeatAssessment(
        rule_id="R-ENT-10",
        subject="enterprise",
        status="assessed" if fleet_size else "cannot_assess",
        window_start=window[0],
        window_end=window[1],
        window_basis=basis,
        statutory_count=part,
        triggered=triggered,
        rolling_start=rolling[0],
        rolling_end=rolling[1],
        rolling_count=rolling_part,
        watch=_more_than(rolling_part, fleet_size, MORE_THAN_PCT),
        consequence=consequence,
        article=ART_66_ENT + (f"；{CYCLE_ARTICLE}" if basis == "anniversary" else ""),
        authority=AUTHORITY,
        rule_version=RULE_VERSION,
        reason=reason,
        blacklist=blacklist,
        counted=counted,
        statutory_share_pct=_truncated_pct(part, fleet_size) if fleet_size else None,
        rolling_share_pct=_truncated_pct(rolling_part, fleet_size) if fleet_size else None,
        counted_vehicles=vehicles,
        fleet_size=fleet_size,
        fleet_basis=settings.enterprise_fleet_basis,
        numerator=settings.enterprise_share_numerator,
        notes=tuple(notes + outcome_notes + ([FALLBACK_NOTE] if basis != "anniversary" else [])),
    )
