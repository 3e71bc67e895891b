"""Outline-dimension limits (62号令 Art 3 ¶1 (一)–(三)): strictly greater is over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .facts import ReadingFacts
from .versions import DimensionRow, RuleVersion

AXES = ("height", "width", "length")


@dataclass(frozen=True)
class DimensionFinding:
    """One dimension that exceeds its limit, with the rule that says so."""

    axis: str
    measured_mm: int
    limit_mm: int
    rule_id: str
    article: str
    rule_version: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _lenient_row(axis: str, versions: Sequence[RuleVersion]) -> tuple[DimensionRow, RuleVersion]:
    # 行政处罚法 Art 37: among the act-time version and later ones, the highest limit wins.
    # versions[0] is the act-time version, so ties keep it.
    pairs = [(row, v) for v in versions for row in v.dimension_rows if row.axis == axis]
    return max(pairs, key=lambda pair: pair[0].limit_mm)


def dimension_findings(reading: ReadingFacts, versions: Sequence[RuleVersion]) -> list[DimensionFinding]:
    """Dimensions over the limit, in the order height, width, length."""
    findings = []
    for axis in AXES:
        measured = getattr(reading, f"{axis}_mm")
        if measured is None:  # not measured → no finding (a dimension is never presumed)
            continue
        row, version = _lenient_row(axis, versions)
        if measured > row.limit_mm:
            article = f"{version.article(row.item)}（{row.text_zh}）"
            findings.append(DimensionFinding(axis, measured, row.limit_mm, row.rule_id, article, version.key))
    return findings
