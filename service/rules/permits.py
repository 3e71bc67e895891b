"""大件运输许可 (oversize permits): does a permit cover this weighing? — 62号令 Art 44 (2021).

An over-limit vehicle holding a valid permit for the day, weighed at a site on
its route and within the permitted figures, is permitted transport. One off its
route, or over the permitted figures, is deemed illegal over-limit transport
(F-DEEMED-大件: 车证不符 / 未按许可路线行驶).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date

ARTICLE = "《超限运输车辆行驶公路管理规定》(交通运输部令2016年第62号，2021年修正) 第四十四条 [S1]"
# Before the 2021 amendment (行政处罚法 第三十七条: the rule in force at the act): a permitted
# vehicle off its time, route or speed is ordered to correct (F-PERMIT-ROUTE), not deemed an
# illegal over-limit transport; one over its permitted figures carries a load no permit covers,
# driven over the limit without permission (公路法 第七十六条第（五）项).
ROUTE_ARTICLE = "《公路安全保护条例》第六十五条第一款"
UNPERMITTED_ARTICLE = "《中华人民共和国公路法》第七十六条第（五）项；《公路安全保护条例》第六十四条"
DEEMED_FROM = date(2021, 8, 31)  # RuleSettings.permit_deemed_from's default (UNCONFIRMED)


@dataclass(frozen=True)
class PermitFacts:
    number: str
    valid_from: date
    valid_until: date
    permitted_gross_kg: int
    route: tuple[str, ...]
    permitted_length_mm: int | None = None
    permitted_width_mm: int | None = None
    permitted_height_mm: int | None = None


@dataclass(frozen=True)
class PermitFinding:
    status: str  # permitted | over_permit | off_route
    permit_number: str
    reason: str  # Chinese, for officers
    rule_id: str
    article: str
    deemed: bool = False  # 62号令 Art 44 applied: deemed illegal over-limit transport

    def to_dict(self) -> dict:
        return asdict(self)


def _over_figures(p: PermitFacts, gross_kg: float, dims: dict[str, int | None]) -> list[str]:
    over = []
    if gross_kg > p.permitted_gross_kg:
        over.append(f"总质量 {gross_kg:,.0f} kg 超过许可 {p.permitted_gross_kg:,} kg")
    for name, label, limit in (
        ("length", "长", p.permitted_length_mm),
        ("width", "宽", p.permitted_width_mm),
        ("height", "高", p.permitted_height_mm),
    ):
        value = dims.get(name)
        # ⚖ A dimension the permit does not state, or the device did not measure, is not held against the party.
        if value is not None and limit is not None and value > limit:
            over.append(f"{label} {value} mm 超过许可 {limit} mm")
    return over


def check_permits(
    permits: list[PermitFacts],
    *,
    day: date,
    site_code: str,
    gross_kg: float,
    dims: dict[str, int | None],
    deemed_from: date = DEEMED_FROM,
) -> PermitFinding | None:
    """The finding for one over-limit weighing; None when no permit is valid that day.

    Art 44's "deemed" applies to acts on or after `deemed_from` (domain-rules §12); an earlier
    act gets the rule then in force (行政处罚法 第三十七条)."""
    finding = _check(permits, day, site_code, gross_kg, dims)
    if finding is None or finding.status == "permitted" or day >= deemed_from:
        return finding
    before = f"（行为日 {day} 早于第四十四条施行日 {deemed_from}，适用行为时规定"
    if finding.status == "off_route":
        return replace(
            finding,
            rule_id="F-PERMIT-ROUTE",
            article=ROUTE_ARTICLE,
            reason=f"{finding.reason}{before}：责令改正，不视为违法超限运输）",
            deemed=False,
        )
    return replace(
        finding,
        rule_id="F-MASS",
        article=UNPERMITTED_ARTICLE,
        reason=f"{finding.reason}{before}：超出许可部分为未经许可的超限行驶）",
        deemed=False,
    )


def _check(
    permits: list[PermitFacts], day: date, site_code: str, gross_kg: float, dims: dict[str, int | None]
) -> PermitFinding | None:
    valid = [p for p in permits if p.valid_from <= day <= p.valid_until]
    if not valid:
        return None
    findings = []
    for p in valid:
        over = _over_figures(p, gross_kg, dims)
        on_route = site_code in p.route
        if on_route and not over:
            # ⚖ Any one covering permit is enough.
            return PermitFinding(
                "permitted",
                p.number,
                f"持有效大件运输许可 {p.number}，在许可路线上且未超过许可数值",
                "P-PERMITTED",
                ARTICLE,
            )
        if over:
            findings.append(
                PermitFinding(
                    "over_permit",
                    p.number,
                    f"车证不符：{'；'.join(over)}（许可 {p.number}）",
                    "F-DEEMED-大件",
                    ARTICLE,
                    deemed=True,
                )
            )
        else:
            findings.append(
                PermitFinding(
                    "off_route",
                    p.number,
                    f"未按许可路线行驶：点位 {site_code} 不在许可 {p.number} 的路线上",
                    "F-DEEMED-大件",
                    ARTICLE,
                    deemed=True,
                )
            )
    return findings[0]
