"""源头超限装载 (S-NO-EXIT): a source enterprise's own exit weighing over the legal limit.

A loading is weighed at the enterprise's exit scale, a static scale: it is judged as a
station weighing is (62号令 Art 3, `classify` with a static site), and a truck that leaves
over the limit is the enterprise's own violation — 公路安全保护条例 Art 41 ¶1 obliges it to
stop such a vehicle leaving (domain-rules §7.2 S-NO-EXIT).

What may be imposed for it (domain-rules §7.3): no national clause fines a source unit that is
not a freight station for loading an over-limit truck (UNCONFIRMED, §7.3 last paragraph). So:

* a provincial band configured in the settings (`source_loading_fine_min_yuan` /
  `_max_yuan`, e.g. Henan SP-HENAN 10 000–30 000) → a fine in that band, decided by the
  authority the settings name (`source_matter_authority`);
* otherwise → no amount: the case says that no rule in force gives one, and is sent to the
  transport authority for 责令改正 / 约谈 and source supervision — never a made-up amount.

(A freight station's national band, 道路运输条例 Art 70 ¶2, is for releasing *overloaded*
vehicles; the registry does not record which enterprises are 货运站, so it is not applied
here. ⚖ The reading favouring the party.)

Pure: plain values in, the plan out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .deadlines import add_working_days
from .settings import DEFAULT, RuleSettings

ART_41 = "《公路安全保护条例》第四十一条第一款：煤炭、水泥、钢材、砂石、商品车等货物集散地以及货运站等场所的经营人、管理人，应当采取有效措施，防止不符合国家有关载运标准的车辆出场（站）"
NO_AMOUNT = (
    "本省未设定货运源头单位装载超限车辆的罚款数额；国家层面对非货运站的源头单位装载超限车辆无罚款条款"
    "（domain-rules §7.3），本案不拟定罚款数额：移交交通运输主管部门责令改正、约谈，纳入源头监管"
)
PROVINCIAL = "[省级规定] 货运源头单位违规装载、放行超限车辆出场（domain-rules §7.3，依本省治理超限超载条例）"
DECIDE_DAYS = 90  # 行政处罚法 第六十条


@dataclass(frozen=True)
class SourceCasePlan:
    rule_id: str  # S-NO-EXIT (no amount) | SP-PROV-LOADING (provincial band)
    authority: str  # agency | transport_authority
    article: str
    text: str  # Chinese: what the authority is asked to do
    band: dict | None  # kind, min_yuan, max_yuan, proposed_yuan, items — None: no amount in force
    due_on: date

    def basis(self) -> dict:
        data = {"rule_id": self.rule_id, "article": self.article, "text": self.text, "violation": "S-NO-EXIT"}
        if self.band:
            data.update(self.band)
        else:
            data["no_amount"] = NO_AMOUNT
        return data


def plan_source_case(opened_on: date, settings: RuleSettings = DEFAULT) -> SourceCasePlan:
    """The matter a source case opens against the enterprise that let the truck leave."""
    low, high = settings.source_loading_fine_min_yuan, settings.source_loading_fine_max_yuan
    if low is not None and high is not None:
        text = f"对出场装载超限车辆的货运源头单位处以罚款（省级规定，{low}–{high} 元）"
        item = {"rule_id": "SP-PROV-LOADING", "article": PROVINCIAL, "min_yuan": low, "max_yuan": high,
                "basis_text": f"货运源头单位为超限车辆装载、放行出场，罚款幅度 {low}–{high} 元"}  # fmt: skip
        # ⚖ The lightest lawful amount is proposed; more only with the facts that justify it.
        band = {"kind": "fine", "min_yuan": low, "max_yuan": high, "proposed_yuan": low, "items": [item]}
        authority = settings.source_matter_authority
        due = opened_on + timedelta(days=DECIDE_DAYS)
        return SourceCasePlan("SP-PROV-LOADING", authority, f"{ART_41}；{PROVINCIAL}", text, band, due)
    due = add_working_days(opened_on, settings.tracked_send_working_days, settings)  # sent like a tracked matter
    return SourceCasePlan("S-NO-EXIT", "transport_authority", ART_41, NO_AMOUNT, None, due)
