"""Enterprise supervision (企业监管): which enterprises the service proposes for 约谈 (interview),
挂牌督办 (listed supervision) or 限期整改 (rectification by a deadline).

The agencies' own demand is to "强化对'百吨王'车辆所属企业监管，问题突出的要重点约谈、挂牌督办、
限期整改". The law behind it: transport enterprises are the responsible subject for their drivers'
loading (62号令 Art 29, S-EDUCATE); responsibility is pursued against the enterprise and the
source unit (62号令 Art 32, S-LINKAGE); a freight station that loads over the limit is ordered to
rectify within a deadline and named if it does not (道路货物运输及站场管理规定 Art 37, 46, 59(四),
S-STATION-DUTY); an enterprise past R-ENT-10's 10 % is to be suspended (公路安全保护条例 Art 66).
The thresholds are a jurisdiction's choice (settings); the service proposes, a person decides.

Pure: the figures of one enterprise in, the proposals with their reasons out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .settings import DEFAULT, RuleSettings

KINDS = {"interview": "约谈", "listed": "挂牌督办", "rectification": "限期整改"}
ART_29 = (
    "《超限运输车辆行驶公路管理规定》第二十九条：道路运输企业是防止超限运输的责任主体，应当加强对驾驶人的教育和管理"
)
ART_32 = "《超限运输车辆行驶公路管理规定》第三十二条：建立联动机制，对车辆、驾驶人、运输企业及货运源头单位追究责任"
STATION_59 = "《道路货物运输及站场管理规定》第三十七条、第四十六条、第五十九条第（四）项：超限超载配货的，责令限期整改，逾期未整改的予以通报"
S_WEIGH = (
    "《超限运输车辆行驶公路管理规定》第二十八条：货运源头单位应当在货物装载场所安装合格的称重设备，"
    "对出场货运车辆进行检测，确保出场车辆合法装载（S-WEIGH）"
)
ART_66_ENT = (
    "《公路安全保护条例》第六十六条：道路运输企业1年内违法超限运输的货运车辆超过本单位货运车辆总数10%的，责令停业整顿"
)


@dataclass(frozen=True)
class EnterpriseFigures:
    """One enterprise over the supervision window."""

    kind: str  # 'transport' | 'source' | 'both'
    baidunwang_vehicles: int = 0  # its vehicles weighed at ≥ 100 t (百吨王)
    share_over: bool = False  # R-ENT-10 triggered
    share_pct: float | None = None
    source_matters: int = 0  # cases traced to it as the source (源头) in the window
    # Open weighbridge-integrity flags on its exit weighbridges: (weighbridge code, flag label, the
    # figures as the check states them), service/rules/integrity.py.
    integrity_flags: tuple[tuple[str, str, str], ...] = ()
    open_action_kinds: frozenset[str] = frozenset()  # supervision already under way


@dataclass(frozen=True)
class Proposal:
    kind: str  # a KINDS key
    rule_id: str
    reason: str  # Chinese, with the figures
    article: str

    def to_dict(self) -> dict:
        return {**asdict(self), "kind_label": KINDS[self.kind]}


def propose(figures: EnterpriseFigures, settings: RuleSettings = DEFAULT) -> list[Proposal]:
    """What the figures call for, the heaviest first; a kind already under way is not proposed again."""
    found: list[Proposal] = []
    transport = figures.kind in ("transport", "both")
    source = figures.kind in ("source", "both")
    if transport and figures.share_over:
        pct = f"{figures.share_pct:.2f}%" if figures.share_pct is not None else "超过10%"
        found.append(
            Proposal(
                "rectification", "SV-ENT-10", f"违法超限运输车辆占本单位货运车辆 {pct}，超过10%（R-ENT-10）", ART_66_ENT
            )
        )
    if transport and figures.baidunwang_vehicles >= settings.supervision_listed_baidunwang:
        found.append(
            Proposal(
                "listed", "SV-BDW-LISTED", f"所属车辆出现“百吨王” {figures.baidunwang_vehicles} 辆，问题突出", ART_29
            )
        )
    elif transport and figures.baidunwang_vehicles >= settings.supervision_interview_baidunwang:
        found.append(Proposal("interview", "SV-BDW", f"所属车辆出现“百吨王” {figures.baidunwang_vehicles} 辆", ART_29))
    if source and figures.source_matters >= settings.supervision_listed_source_cases:
        found.append(
            Proposal("listed", "SV-SRC-LISTED", f"倒查认定为货运源头 {figures.source_matters} 次，屡查屡犯", STATION_59)
        )
    elif source and figures.source_matters >= settings.supervision_interview_source_cases:
        found.append(Proposal("interview", "SV-SRC", f"倒查认定为货运源头 {figures.source_matters} 次", ART_32))
    flags = figures.integrity_flags
    if source and flags and len(flags) >= settings.supervision_rectification_integrity_flags:
        found.append(Proposal("rectification", "SV-SRC-WEIGH", _integrity_reason(flags), S_WEIGH))
    order = ("listed", "rectification", "interview")
    seen, out = set(), []
    for p in sorted(found, key=lambda p: order.index(p.kind)):
        if p.kind in figures.open_action_kinds or p.kind in seen:
            continue
        seen.add(p.kind)
        out.append(p)
    return out


def _integrity_reason(flags: tuple[tuple[str, str, str], ...]) -> str:
    stated = "；".join(f"地磅 {code}「{label}」：{text}" for code, label, text in flags)
    return f"出场称重核查标记 {len(flags)} 项 — {stated}"
