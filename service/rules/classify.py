"""超限认定: one reading in, one decision with its citations out."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal

from .dimensions import DimensionFinding, dimension_findings
from .facts import ReadingFacts, SiteFacts, local_date
from .limits import MassLimit, mass_limit
from .settings import CST, DEFAULT, RuleSettings
from .tolerances import tolerance_for
from .versions import VERSIONS, RuleVersion, later_versions, version_for

ART_37 = "《中华人民共和国行政处罚法》第三十七条"


@dataclass(frozen=True)
class Classification:
    """The decision stored with the reading (never recomputed on read)."""

    limit_kg: int
    tolerance_kg: int
    overlimit_kg: int | float  # 超限量 = gross − limit when positive, else 0
    overlimit_pct: float  # 超限率 = (gross − limit) / limit × 100, 2 dp, 0 when not over
    mass_overlimit: bool  # overlimit_kg > tolerance_kg
    dimension_overlimit: list[str]  # subset of height / width / length
    overlimit: bool
    baidunwang: bool
    rule_id: str
    article: str
    rule_version: str
    tolerance_rule: str
    tolerance_basis: str
    notes: list[str] = field(default_factory=list)
    tolerance_article: str = ""
    tolerance_version: str = ""
    dimension_findings: list[DimensionFinding] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values (lists, str, int, float, bool only)."""
        return asdict(self)  # asdict recurses into DimensionFinding and copies lists


def _excess(gross_kg: float, limit_kg: int) -> int | float:
    excess = gross_kg - limit_kg
    if excess <= 0:
        return 0
    return int(excess) if float(excess).is_integer() else excess


def _rate_pct(gross_kg: float, limit_kg: int) -> float:
    if gross_kg <= limit_kg:
        return 0.0
    rate = (Decimal(str(gross_kg)) - limit_kg) / limit_kg * 100
    # ⚖ Truncate, never round up: bands such as "超限 > 100 %" are read off this value,
    # and a displayed rate must not exceed the true one.
    return float(rate.quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def deducted_excess(gross_kg: float, limit_kg: int, tolerance_kg: int) -> tuple[int | float, float]:
    """超限量 and 超限率 after deducting the measurement error (domain-rules §1.5, §1.7):
    (gross − deduction − limit, that ÷ limit × 100), both 0 when not over. A case, its
    notice and decision, the party page and the watermark all state these two figures."""
    effective_gross = gross_kg - tolerance_kg
    return _excess(effective_gross, limit_kg), _rate_pct(effective_gross, limit_kg)


def _lenient_limit(reading: ReadingFacts, versions: tuple[RuleVersion, ...]) -> MassLimit:
    """行政处罚法 Art 37: the act-time version, unless a later one in force is more lenient."""
    act_limit = mass_limit(reading, versions[0])
    best = max((act_limit, *(mass_limit(reading, v) for v in versions[1:])), key=lambda m: m.limit_kg)
    if best.limit_kg <= act_limit.limit_kg:
        return act_limit
    note = (
        f"{ART_37}：决定时施行的 {best.rule_version} 限值 {best.limit_kg} kg 较行为时"
        f" {act_limit.rule_version} 的 {act_limit.limit_kg} kg 更轻，适用新规定"
    )
    return replace(best, notes=[*best.notes, note])


def _applicable_versions(
    act_date: date, decided_on: date | None, versions: tuple[RuleVersion, ...]
) -> tuple[RuleVersion, ...]:
    decided = decided_on or datetime.now(CST).date()
    if versions is VERSIONS:  # the same two dates recur all day: worked out once per pair
        return _applicable_in_code(act_date, decided)
    return _applicable(act_date, decided, versions)


def _applicable(act_date: date, decided: date, versions: tuple[RuleVersion, ...]) -> tuple[RuleVersion, ...]:
    act_version = version_for(act_date, versions)  # raises NoRuleInForce before 2016-09-21
    return (act_version, *later_versions(act_version, decided, versions))


@functools.lru_cache(maxsize=4096)
def _applicable_in_code(act_date: date, decided: date) -> tuple[RuleVersion, ...]:
    # A pure function of the dates and of VERSIONS, which is code: a memo, not a cache of
    # settings that another process could change. (lru_cache does not keep exceptions.)
    return _applicable(act_date, decided, VERSIONS)


def classify(
    reading: ReadingFacts,
    site: SiteFacts,
    settings: RuleSettings = DEFAULT,
    *,
    decided_on: date | None = None,
    versions: tuple[RuleVersion, ...] = VERSIONS,
) -> Classification:
    """Classify one reading under the rules in force on its date (Asia/Shanghai).

    ``decided_on`` is the date whose later rule versions may be applied as more lenient
    (Art 37); it defaults to today, the day the decision is stored.
    """
    act_date = local_date(reading.captured_at)
    applicable = _applicable_versions(act_date, decided_on, versions)
    limit = _lenient_limit(reading, applicable)
    gross = reading.gross_weight_kg
    tolerance = tolerance_for(site, gross, limit.limit_kg, act_date, settings)
    excess = _excess(gross, limit.limit_kg)
    findings = dimension_findings(reading, applicable)
    mass_over = excess > tolerance.kg
    return Classification(
        limit_kg=limit.limit_kg,
        tolerance_kg=tolerance.kg,
        overlimit_kg=excess,
        overlimit_pct=_rate_pct(gross, limit.limit_kg),
        mass_overlimit=mass_over,
        dimension_overlimit=[f.axis for f in findings],
        overlimit=mass_over or bool(findings),
        baidunwang=gross >= settings.baidunwang_kg,  # inclusive (§13.16, configurable)
        rule_id=limit.rule_id,
        article=limit.article,
        rule_version=limit.rule_version,
        tolerance_rule=tolerance.rule_id,
        tolerance_basis=tolerance.basis,
        notes=[*limit.notes, *tolerance.notes],
        tolerance_article=tolerance.article,
        tolerance_version=tolerance.version,
        dimension_findings=findings,
    )
