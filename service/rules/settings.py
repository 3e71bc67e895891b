"""Configurable values of the law engine, in one place.

Everything here that domain-rules.md tags UNCONFIRMED or [PROV] (or that is a design
choice rather than law) is a field of ``RuleSettings`` so a jurisdiction can override it
without touching code. Values read in the regulation itself live in ``versions.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta, timezone
from types import UnionType
from typing import Union, get_args, get_origin, get_type_hints

# China has used a single UTC+8 offset without DST since 1991, so a fixed offset is
# exact for every date this service can see and avoids depending on system tzdata.
CST = timezone(timedelta(hours=8), "Asia/Shanghai")  # the one local time zone (Beijing time)

SITE_KINDS = ("wim", "static", "toll_entry")
FINE_ROUNDINGS = ("floor", "ceil")
POLICE_FINE_BASES = ("rated_load", "licence_total_mass")
POLICE_POINTS_BASES = ("max_total_mass", "licence_total_mass")
REPEAT_FALLBACK_WINDOWS = ("calendar_year", "rolling_12_months")
ENTERPRISE_SHARE_NUMERATORS = ("vehicles", "violations")
ENTERPRISE_FLEET_BASES = ("declared_fleet", "licensed_fleet")
SOURCE_MATTER_AUTHORITIES = ("agency", "transport_authority")


@dataclass(frozen=True)
class RuleSettings:
    """Overridable parameters; defaults follow domain-rules.md (tags in the comments)."""

    # T-WIM-MPE [S1]: in-service MPE per JJG 907 accuracy class, as % of measured gross.
    # Only class 5 → ±5 % was read in a source. Pairs (class, pct) keep the dataclass hashable.
    wim_mpe_pct_by_class: tuple[tuple[str, float], ...] = (("5", 5.0),)
    # UNCONFIRMED: "class X → in-service MPE ±X %" for classes other than 5.
    wim_mpe_pct_equals_class: bool = True
    # UNCONFIRMED / design choice: WIM device whose class is unknown. Non-site WIM devices
    # in service are classes 2, 5 and 10 (domain-rules §1.7 T-NONSITE, 33434.cn).
    # ⚖ An unknown device may be a class-10 one, so the party gets the largest plausible
    # MPE, 10 %; this also matches Zhejiang's practice of excluding the 0–10 % band.
    wim_unknown_class_pct: float = 10.0
    # UNCONFIRMED / design choice: no deduction rule was found for static station scales.
    static_default_pct: float = 0.0
    # T-ENTRY-105 [S1]: ≤ 105 % of the limit is treated as not over-limit at expressway
    # entrances, from 交办公路明电〔2019〕117号 (2019-12-17).
    toll_entry_pct_of_limit: float = 5.0
    toll_entry_from: date = date(2019, 12, 17)
    # §12 UNCONFIRMED: the effective date of 交通运输部令2021年第12号, which inserted 62号令 Art 44
    # (a 大件 vehicle off its permit is *deemed* illegal over-limit transport). Only "2021-08" is
    # known; ⚖ the last day of that month, so an act is never deemed under it before it could be.
    permit_deemed_from: date = date(2021, 8, 31)
    # 行政处罚法 (2021) Art 36 [P]: no penalty for a violation undiscovered for 2 years.
    limitation_years: int = 2
    # §5.4 / §13.16 UNCONFIRMED: 百吨王 has no legal definition; Zhejiang code uses ≥ 100 t.
    baidunwang_kg: float = 100_000
    # Site kinds whose readings need a known verification date before a penalty.
    # UNCONFIRMED scope: static scales are compulsorily verified too (强制检定); an operator
    # may add 'static' / 'toll_entry' here once their certificates are recorded.
    calibration_required_kinds: tuple[str, ...] = field(default=("wim",))

    # §2.1 / §13.1 UNCONFIRMED: whether a part-tonne counts in 62号令 Art 43 "每超1000千克罚款500元".
    # ⚖ 'floor' (a part-tonne is not charged) favours the party; 'ceil' is the stricter practice.
    fine_rounding: str = "floor"
    # §6.3 [PROV Henan Xiayi] / national period UNCONFIRMED: calendar days after the 告知书 is
    # served in which the party may come in and state its case (陈述、申辩).
    statement_period_days: int = 30
    # §6.3 UNCONFIRMED: the State Council publishes each year's holidays (法定节假日) and the
    # weekend days worked in exchange (调休上班日). Empty by default: the deployment must load
    # every year it computes deadlines in, or working days count weekends only.
    public_holidays: frozenset[date] = frozenset()
    adjusted_workdays: frozenset[date] = frozenset()
    # §5.2 / §13.3 UNCONFIRMED: the 行驶证 figure each police percentage is measured against.
    # 道路交通安全法 Art 92: overload = gross − 行驶证 total mass, as a % of 'rated_load'
    # (核定载质量, the article's word) or of 'licence_total_mass'.
    police_fine_base: str = "rated_load"
    # 记分办法 (2022): excess over, as a % of, 'max_total_mass' (最大允许总质量, the article's
    # word) or 'licence_total_mass' (the 总质量 printed on the 行驶证).
    police_points_base: str = "max_total_mass"
    # UNCONFIRMED (recalled, not read): the pre-2022 points table (公安部令第123号 附件2,
    # 核定载质量 <30 % → 3, ≥30 % → 6) took effect 2013-01-01; earlier acts get no points here.
    police_points_pre2022_from: date = date(2013, 1, 1)
    # §5.3 (a service rule): an overload against the rated load is referred to the police
    # automatically "when the jurisdiction runs joint enforcement" (交公路发〔2017〕173号).
    police_refer_overload: bool = True

    # §3.1 / §13.5 UNCONFIRMED: whether a warning-only decision (超限未超过1000千克, 62号令 Art 43)
    # is a "违法超限运输" occurrence for 公路安全保护条例 Art 66. Proposed: yes — a warning is an
    # administrative penalty (行政处罚法 Art 9(一)). False counts fines only.
    repeat_count_warnings: bool = True
    # §3.1 design choice: the counting window when the first licence issue date (62号令 Art 46 ¶2)
    # is not recorded. ⚖ 'calendar_year' (the default) is a fixed cycle like the statutory one and,
    # as of any day, never holds more past decisions than 'rolling_12_months' ending that day.
    repeat_fallback_window: str = "calendar_year"
    # §3.1 / §13.6 UNCONFIRMED: R-ENT-10's numerator. ⚖ 'vehicles' (distinct vehicles with a counted
    # violation: the article's "违法超限运输的货运车辆") is never larger than 'violations'.
    enterprise_share_numerator: str = "vehicles"
    # §13.6 UNCONFIRMED: which fleet figure callers pass as the denominator (本单位货运车辆总数):
    # 'declared_fleet' (⚖ usually the larger) or 'licensed_fleet' (holding 道路运输证 on the day).
    # The engine cannot check it; it is recorded with every enterprise assessment.
    enterprise_fleet_basis: str = "declared_fleet"
    # §3.1 [PROV Henan]: share above which the 道路运输经营许可证 is revoked and announced (30).
    # None (off): nationally that needs "情节严重", a finding of the authority, not of the engine.
    enterprise_revocation_pct: float | None = None
    # §3.2 / §13.12 [PROV Anhui Shitai 2024-03-01]: blacklist listing valid 2 years; national
    # duration UNCONFIRMED. None: no duration configured (the listing end is not computed).
    blacklist_valid_years: int | None = 2

    # §4.2 / §7.3 [PROV] UNCONFIRMED: who decides a source unit's own penalty — 'agency' (a
    # 交通运输综合行政执法 detachment decides road and transport penalties alike) or
    # 'transport_authority' (the 交通运输主管部门; the matter is then tracked here).
    source_matter_authority: str = "agency"
    # §7.3 [PROV]: the provincial fine band for a source unit that loads or releases over-limit
    # trucks (e.g. Henan 10 000–30 000). None: no national rule gives an amount, none is invented.
    source_loading_fine_min_yuan: int | None = None
    source_loading_fine_max_yuan: int | None = None
    # Design choice (no rule found): calendar days to identify a party the case does not name yet
    # (its driver, transport or source enterprise) before that matter shows as overdue.
    party_identification_days: int = 30
    # Design choice, by analogy with X-TRANSPORT-7WD (62号令 Art 44/45): working days from the
    # decision in which a matter another authority handles is to be sent to it.
    tracked_send_working_days: int = 7
    # Design choice (the agencies' policy, no legal threshold): enterprises proposed for 约谈 /
    # 挂牌督办 over the last `supervision_window_days`: by their vehicles' 百吨王 and, for source
    # units, by the cases traced to them (service/rules/supervision.py).
    supervision_window_days: int = 365
    supervision_interview_baidunwang: int = 1
    supervision_listed_baidunwang: int = 3
    supervision_interview_source_cases: int = 2
    supervision_listed_source_cases: int = 5
    # Design choice (no legal threshold): open weighbridge-integrity flags (疑似称重数据不实, 称重设备离线,
    # service/rules/integrity.py) on a source unit's exit weighbridges that propose 限期整改 (S-WEIGH).
    supervision_rectification_integrity_flags: int = 1
    # Tracing (倒查, domain-rules §7.4) and weighbridge integrity: design choices, no rule found
    # (service/rules/tracing.py, service/rules/integrity.py). A loading of the plate this many hours
    # before the detection counts as the trip's loading (issue #11: 24 h).
    trace_window_hours: int = 24
    # Earlier sightings: a detection of the plate this many hours before, within this distance
    # of a registered source enterprise, is a lead to it.
    trace_sighting_hours: int = 72
    trace_near_km: float = 5.0
    # UNCONFIRMED: an exit weighbridge is a static truck scale (JJG 539); its in-service error is
    # far below a WIM's. 1 % of the gross is taken as its share of the agreement band (⚖ wide).
    trace_weighbridge_mpe_pct: float = 1.0
    # Two candidates whose scores are this close are shown as competing, neither preferred.
    trace_competing_margin: int = 15
    # 疑似称重数据不实: at least this many trips of one weighbridge whose road weighing exceeds the
    # exit weighing beyond both devices' errors, making up at least this share of its matched trips.
    integrity_min_trips: int = 3
    integrity_min_share_pct: float = 50.0
    # 称重设备离线: no loading for this many hours while its trucks were detected this many times.
    integrity_silent_hours: int = 48
    integrity_silent_min_sightings: int = 3
    # Statistics targets (domain-rules §9: set provincially or locally, per road class or site).
    # UNCONFIRMED: a national "0.5 % at expressway entrances" target; Hunan reports 0.5 % on
    # expressways and < 1 % on ordinary roads. Road classes: expressway_entrance (toll_entry
    # sites), expressway (the sites listed in stats_expressway_sites), ordinary (the rest).
    stats_overlimit_target_pct_by_road_class: tuple[tuple[str, float], ...] = (
        ("expressway_entrance", 0.5),
        ("expressway", 0.5),
        ("ordinary", 1.0),
    )
    stats_overlimit_target_pct_by_site: tuple[tuple[str, float], ...] = ()  # site code → %, before its class
    stats_expressway_sites: frozenset[str] = frozenset()  # codes of the wim/static sites on expressways

    def __post_init__(self) -> None:
        # A negative deduction would silently make the engine stricter than the law.
        pcts = [p for _, p in self.wim_mpe_pct_by_class]
        pcts += [
            self.wim_unknown_class_pct,
            self.static_default_pct,
            self.toll_entry_pct_of_limit,
        ]
        if any(p < 0 for p in pcts):
            raise RuleSettingsError({"(误差)": "计量误差百分比不得为负数"})
        if self.limitation_years < 1:
            raise RuleSettingsError({"limitation_years": "至少为 1"})
        unknown = set(self.calibration_required_kinds) - set(SITE_KINDS)
        if unknown:
            raise RuleSettingsError({"calibration_required_kinds": f"未知点位类型 {sorted(unknown)}"})
        self._check_penalty_and_procedure_settings()
        self._check_repeat_settings()
        self._check_party_matter_settings()
        self._check_trace_settings()
        targets = self.stats_overlimit_target_pct_by_road_class + self.stats_overlimit_target_pct_by_site
        if any(not 0 <= pct <= 100 for _, pct in targets):
            raise RuleSettingsError({"stats_overlimit_target_pct_by_road_class": "超限率目标须在 0 到 100 之间"})

    def _check_trace_settings(self) -> None:
        hours = (self.trace_window_hours, self.trace_sighting_hours, self.integrity_silent_hours)
        counts = (self.integrity_min_trips, self.integrity_silent_min_sightings)
        if min(hours) < 1 or min(counts) < 1 or self.trace_near_km <= 0 or self.trace_weighbridge_mpe_pct < 0:
            raise RuleSettingsError({"trace_window_hours": "倒查与地磅核查的期间、距离、次数须为正数"})
        if not 0 <= self.trace_competing_margin <= 100 or not 0 < self.integrity_min_share_pct <= 100:
            raise RuleSettingsError(
                {"trace_competing_margin": "须在 0–100 之间；integrity_min_share_pct 须在 0–100 之间"}
            )

    def _check_penalty_and_procedure_settings(self) -> None:
        # Accept any iterable of dates but store frozensets, so settings stay hashable.
        object.__setattr__(self, "public_holidays", frozenset(self.public_holidays))
        object.__setattr__(self, "adjusted_workdays", frozenset(self.adjusted_workdays))
        if self.fine_rounding not in FINE_ROUNDINGS:
            raise RuleSettingsError({"fine_rounding": _one_of(FINE_ROUNDINGS)})
        if self.statement_period_days < 1:
            raise RuleSettingsError({"statement_period_days": "至少为 1"})
        both = self.public_holidays & self.adjusted_workdays
        if both:
            days = "、".join(d.isoformat() for d in sorted(both))
            raise RuleSettingsError({"adjusted_workdays": f"{days} 同时列为法定节假日和调休上班日"})
        if self.police_fine_base not in POLICE_FINE_BASES:
            raise RuleSettingsError({"police_fine_base": _one_of(POLICE_FINE_BASES)})
        if self.police_points_base not in POLICE_POINTS_BASES:
            raise RuleSettingsError({"police_points_base": _one_of(POLICE_POINTS_BASES)})

    def _check_party_matter_settings(self) -> None:
        if self.source_matter_authority not in SOURCE_MATTER_AUTHORITIES:
            raise RuleSettingsError({"source_matter_authority": _one_of(SOURCE_MATTER_AUTHORITIES)})
        band = (self.source_loading_fine_min_yuan, self.source_loading_fine_max_yuan)
        if (band[0] is None) != (band[1] is None) or (band[0] is not None and not 0 <= band[0] <= band[1]):
            raise RuleSettingsError(
                {"source_loading_fine_min_yuan": "须与 source_loading_fine_max_yuan 同时设置，且 0 ≤ 下限 ≤ 上限"}
            )
        thresholds = (self.supervision_interview_baidunwang, self.supervision_interview_source_cases,
                      self.supervision_rectification_integrity_flags)  # fmt: skip
        if min(thresholds) < 1 or self.supervision_window_days < 1:
            raise RuleSettingsError({"supervision_window_days": "监管提议的期间和门槛至少为 1"})
        if self.party_identification_days < 1 or self.tracked_send_working_days < 1:
            raise RuleSettingsError({"party_identification_days": "期限至少为 1 日"})

    def _check_repeat_settings(self) -> None:
        if self.repeat_fallback_window not in REPEAT_FALLBACK_WINDOWS:
            raise RuleSettingsError({"repeat_fallback_window": _one_of(REPEAT_FALLBACK_WINDOWS)})
        if self.enterprise_share_numerator not in ENTERPRISE_SHARE_NUMERATORS:
            raise RuleSettingsError({"enterprise_share_numerator": _one_of(ENTERPRISE_SHARE_NUMERATORS)})
        if self.enterprise_fleet_basis not in ENTERPRISE_FLEET_BASES:
            raise RuleSettingsError({"enterprise_fleet_basis": _one_of(ENTERPRISE_FLEET_BASES)})
        # A provincial revocation bar at or below the national 10 % would revoke where the
        # statute only suspends.
        pct = self.enterprise_revocation_pct
        if pct is not None and not 10 < pct <= 100:
            raise RuleSettingsError({"enterprise_revocation_pct": "须大于 10 且不超过 100，或为 null（不设）"})
        if self.blacklist_valid_years is not None and self.blacklist_valid_years < 1:
            raise RuleSettingsError({"blacklist_valid_years": "至少为 1，或为 null（不设）"})

    def mpe_for_class(self, accuracy_class: str) -> float | None:
        """The confirmed MPE for an accuracy class, or None when none is configured."""
        return dict(self.wim_mpe_pct_by_class).get(accuracy_class)


DEFAULT = RuleSettings()


class RuleSettingsError(ValueError):
    """A settings document that cannot be used; `errors` names each bad key."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("；".join(f"{k}：{v}" for k, v in errors.items()))


def settings_from_mapping(data: Mapping) -> RuleSettings:
    """RuleSettings from a JSON-shaped mapping (a deployment's settings file).

    Keys are the field names; a key left out keeps its default. Dates are ISO strings,
    sets and tuples are lists, `wim_mpe_pct_by_class` is an object {"5": 5.0}. Every bad
    key is named, and nothing is half-applied: a bad document raises RuleSettingsError.
    """
    if not isinstance(data, Mapping):
        raise RuleSettingsError({"(文件)": "须为 JSON 对象 {…}"})
    hints = get_type_hints(RuleSettings)
    known = {f.name for f in fields(RuleSettings)}
    errors: dict[str, str] = {}
    values: dict = {}
    for key, raw in data.items():
        if key not in known:
            errors[key] = "未知的设置项"
            continue
        try:
            values[key] = _convert(hints[key], raw)
        except (TypeError, ValueError) as exc:
            errors[key] = str(exc)
    if errors:
        raise RuleSettingsError(errors)
    return RuleSettings(**values)


def _one_of(choices: tuple[str, ...]) -> str:
    return "须为 " + " 或 ".join(choices) + " 之一"


def _convert(hint, raw):
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, UnionType) and type(None) in args:  # X | None
        if raw is None:
            return None
        (hint,) = [a for a in args if a is not type(None)]
        return _convert(hint, raw)
    if hint is bool:
        if not isinstance(raw, bool):
            raise TypeError("须为 true 或 false")
        return raw
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise TypeError("须为整数")
        return raw
    if hint is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise TypeError("须为数值")
        return float(raw)
    if hint is str:
        if not isinstance(raw, str):
            raise TypeError("须为字符串")
        return raw
    if hint is date:
        if not isinstance(raw, str):
            raise TypeError("须为日期字符串 YYYY-MM-DD")
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"不是有效日期：{raw}（格式 YYYY-MM-DD）") from None
    if origin is frozenset:
        if not isinstance(raw, list):
            raise TypeError("须为列表")
        return frozenset(_convert(args[0], x) for x in raw)
    if origin is tuple and args == (tuple[str, float], Ellipsis):  # {"5": 5.0}
        if not isinstance(raw, Mapping):
            raise TypeError('须为对象，如 {"5": 5.0}')
        return tuple((str(k), _convert(float, v)) for k, v in raw.items())
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if not isinstance(raw, list):
            raise TypeError("须为列表")
        return tuple(_convert(args[0], x) for x in raw)
    raise TypeError(f"不支持的类型 {hint}")
