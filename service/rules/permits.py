"""大件运输许可 (oversize permits): does a permit cover this weighing? — 62号令 Art 44 (2021).

An over-limit vehicle holding a valid permit for the day, weighed at a site on
its route and within the permitted figures, is permitted transport. One off its
route, or over the permitted figures, is deemed illegal over-limit transport
(F-DEEMED-大件: 车证不符 / 未按许可路线行驶).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

ARTICLE = "《超限运输车辆行驶公路管理规定》(交通运输部令2016年第62号，2021年修正) 第四十四条 [S1]"


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
    permits: list[PermitFacts], *, day: date, site_code: str, gross_kg: float, dims: dict[str, int | None]
) -> PermitFinding | None:
    """The finding for one over-limit weighing; None when no permit is valid that day."""
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
                    "over_permit", p.number, f"车证不符：{'；'.join(over)}（许可 {p.number}）", "F-DEEMED-大件", ARTICLE
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
                )
            )
    return findings[0]
