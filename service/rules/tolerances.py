"""Tolerances and measurement deductions (domain-rules.md §1.7).

The reading is over the mass limit only when gross − limit exceeds ``tolerance_kg``.
Deductions are whole kilograms rounded UP: ⚖ the party gets any fraction of a kilogram.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .facts import SiteFacts
from .settings import RuleSettings

JJG_907 = "JJG 907-2006《动态公路车辆自动衡器》检定规程（准确度等级与在用最大允许误差）"
ENTRY_NOTICE = "交通运输部《关于进一步规范全国高速公路入口称重检测工作的通知》(交办公路明电〔2019〕117号)"
SITE_CONFIG = "点位配置的计量扣除（设计选择，domain-rules §1.7 建议：有效总质量 = 实测 − 点位扣除）"
STATIC_DEFAULT = "超限检测站静态称重：未见法定扣除规定，默认值可配置（UNCONFIRMED）"


@dataclass(frozen=True)
class Tolerance:
    rule_id: str
    kg: int
    basis: str  # Chinese, shown to officers
    article: str
    version: str
    notes: list[str] = field(default_factory=list)


def pct_of(base_kg: float, pct: float) -> int:
    """pct % of base, rounded up to a whole kg (Decimal avoids 2600.0000001 → 2601)."""
    exact = Decimal(str(base_kg)) * Decimal(str(pct)) / 100
    return math.ceil(exact)


def _fmt(pct: float) -> str:
    return f"{pct:g}"


def _parse_class(accuracy_class: str | None) -> str | None:
    """'5', '5级', ' 0.5 ' → canonical text; anything unreadable → None (unknown)."""
    if accuracy_class is None:
        return None
    try:
        value = float(accuracy_class.strip().removesuffix("级").strip())
    except ValueError:
        return None
    return _fmt(value) if math.isfinite(value) and value > 0 else None


@functools.lru_cache(maxsize=256)
def _wim_pct(cls: str | None, settings: RuleSettings) -> tuple[float, str, tuple[str, ...]]:
    """(deduction %, basis, notes) for a WIM device of accuracy class ``cls``."""
    confirmed = settings.mpe_for_class(cls) if cls else None
    if confirmed is not None:
        return (
            confirmed,
            f"动态称重设备 {cls} 级，在用最大允许误差 ±{_fmt(confirmed)}%",
            (),
        )
    if cls and settings.wim_mpe_pct_equals_class:
        note = f"{cls} 级在用最大允许误差按 ±{cls}% 推定（UNCONFIRMED，可配置）"
        return float(cls), f"动态称重设备 {cls} 级，在用最大允许误差 ±{cls}%", (note,)
    pct = settings.wim_unknown_class_pct
    note = f"⚖ 设备准确度等级未知，按在用非现场设备可能的最大误差 {_fmt(pct)}% 扣除（可配置）"
    return pct, f"动态称重设备准确度等级未知，按 ±{_fmt(pct)}% 扣除", (note,)


def _wim_default(site: SiteFacts, gross_kg: float, settings: RuleSettings) -> Tolerance:
    pct, basis, notes = _wim_pct(_parse_class(site.accuracy_class), settings)
    # ⚖ % of the measured gross, not of the limit: when over, the gross is the larger base.
    basis += "（按实测总质量计）"
    return Tolerance("T-WIM-MPE", pct_of(gross_kg, pct), basis, JJG_907, "JJG 907-2006", list(notes))


def _site_configured(site: SiteFacts, gross_kg: float) -> Tolerance:
    pct = site.tolerance_pct or 0.0
    basis = f"点位配置扣除 {_fmt(pct)}%（按实测总质量计）"
    return Tolerance("T-SITE", pct_of(gross_kg, pct), basis, SITE_CONFIG, "site-config")


def _static_default(gross_kg: float, settings: RuleSettings) -> Tolerance:
    pct = settings.static_default_pct
    basis = f"静态称重，默认扣除 {_fmt(pct)}%（按实测总质量计）"
    return Tolerance("T-STATIC", pct_of(gross_kg, pct), basis, STATIC_DEFAULT, "settings")


def _toll_entry(limit_kg: int, act_date: date, settings: RuleSettings) -> Tolerance:
    start = settings.toll_entry_from
    if act_date < start:  # the 105 % rule is versioned by date; before it, no band
        basis = f"高速公路入口称重：T-ENTRY-105 自 {start.isoformat()} 起施行，此前无容差"
        return Tolerance("T-ENTRY-NONE", 0, basis, ENTRY_NOTICE, f"before-{start.isoformat()}")
    pct = settings.toll_entry_pct_of_limit
    basis = f"高速公路入口称重：不超过限值的 {100 + pct:g}% 暂不认定超限（按限值计，非法定容差）"
    return Tolerance(
        "T-ENTRY-105",
        pct_of(limit_kg, pct),
        basis,
        ENTRY_NOTICE,
        f"交办公路明电〔2019〕117号@{start}",
    )


def tolerance_for(
    site: SiteFacts,
    gross_kg: float,
    limit_kg: int,
    act_date: date,
    settings: RuleSettings,
) -> Tolerance:
    """The deduction that applies to this reading at this site on this date."""
    configured = _site_configured(site, gross_kg) if site.tolerance_pct is not None else None
    if site.kind == "toll_entry":
        entry = _toll_entry(limit_kg, act_date, settings)
        if configured is None:
            return entry
        # The 105 % band exists to absorb entrance-scale error, and the site deduction covers
        # the same error, so adding both would count it twice. ⚖ The party gets the greater.
        best = configured if configured.kg > entry.kg else entry
        note = f"⚖ 入口 105% 规则 {entry.kg} kg 与点位扣除 {configured.kg} kg 取较大者"
        return Tolerance(best.rule_id, best.kg, best.basis, best.article, best.version, [note])
    if configured is not None:  # a per-site setting overrides the kind's default
        return configured
    if site.kind == "wim":
        return _wim_default(site, gross_kg, settings)
    return _static_default(gross_kg, settings)
