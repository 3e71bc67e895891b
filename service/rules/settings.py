"""Configurable values of the law engine, in one place.

Everything here that domain-rules.md tags UNCONFIRMED or [PROV] (or that is a design
choice rather than law) is a field of ``RuleSettings`` so a jurisdiction can override it
without touching code. Values read in the regulation itself live in ``versions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta, timezone

# China has used a single UTC+8 offset without DST since 1991, so a fixed offset is
# exact for every date this service can see and avoids depending on system tzdata.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

SITE_KINDS = ("wim", "static", "toll_entry")


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
    # 行政处罚法 (2021) Art 36 [P]: no penalty for a violation undiscovered for 2 years.
    limitation_years: int = 2
    # §5.4 / §13.16 UNCONFIRMED: 百吨王 has no legal definition; Zhejiang code uses ≥ 100 t.
    baidunwang_kg: float = 100_000
    # Site kinds whose readings need a known verification date before a penalty.
    # UNCONFIRMED scope: static scales are compulsorily verified too (强制检定); an operator
    # may add 'static' / 'toll_entry' here once their certificates are recorded.
    calibration_required_kinds: tuple[str, ...] = field(default=("wim",))

    def __post_init__(self) -> None:
        # A negative deduction would silently make the engine stricter than the law.
        pcts = [p for _, p in self.wim_mpe_pct_by_class]
        pcts += [
            self.wim_unknown_class_pct,
            self.static_default_pct,
            self.toll_entry_pct_of_limit,
        ]
        if any(p < 0 for p in pcts):
            raise ValueError("tolerance percentages must not be negative")
        if self.limitation_years < 1:
            raise ValueError("limitation_years must be at least 1")
        unknown = set(self.calibration_required_kinds) - set(SITE_KINDS)
        if unknown:
            raise ValueError(f"unknown site kinds: {sorted(unknown)}")

    def mpe_for_class(self, accuracy_class: str) -> float | None:
        """The confirmed MPE for an accuracy class, or None when none is configured."""
        return dict(self.wim_mpe_pct_by_class).get(accuracy_class)


DEFAULT = RuleSettings()
