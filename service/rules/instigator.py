"""指使、强令 (F-INSTIGATE, domain-rules §2.2, §4.2, §7.3): whoever instructed or forced the driver to
carry an over-limit load answers to the transport authority — ordered to correct and fined up to
30 000 yuan (公路安全保护条例 第六十八条 [P]); the same offence is in 62号令 (Art 48 as first
published in 2016, Art 49 after the 2021 amendment renumbered it, §12). And the blacklist's B-5
(§3.2): such a party fined ≥ 20 000 yuan, or penalised ≥ 3 times within 1 year.

The authority that decides is not this agency: the matter is opened here (an officer or an
investigator records who it was and why) and tracked with the transport authority (移送 → 签收 →
结果). Pure: plain values in, the matter's basis and the listing out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .one_four import INSTIGATE
from .settings import DEFAULT, RuleSettings
from .versions import LAW_62

RULE_ID = "F-INSTIGATE"
MAX_FINE_YUAN = 30_000  # 公路安全保护条例 第六十八条: 处3万元以下的罚款
# B-5 (交办公路〔2017〕8号, domain-rules §3.2): "罚款2万元以上" — 以上 includes the figure itself.
B5_FINE_YUAN = 20_000
B5_PENALTIES = 3  # "1年内受罚3次以上": the third penalty within a year lists the party
B5_TEXT = "指使、强令驾驶人超限运输，罚款2万元以上或1年内受罚3次以上"


@dataclass(frozen=True)
class InstigatorBasis:
    rule_id: str
    article: str
    text: str
    rule_version: str
    max_yuan: int = MAX_FINE_YUAN

    def to_dict(self) -> dict:
        # The band is the authority's to apply: no amount is proposed here (min 0: "3万元以下").
        return {"rule_id": self.rule_id, "article": self.article, "text": self.text,
                "rule_version": self.rule_version, "kind": "fine", "min_yuan": 0, "max_yuan": self.max_yuan}  # fmt: skip


def instigator_basis(act_date: date, settings: RuleSettings = DEFAULT) -> InstigatorBasis:
    """The basis of the instigator's matter for an act on `act_date`.

    The 条例's Art 68 is the same text throughout. The 62号令 article number depends on the act's
    date: the 2021 amendment (交通运输部令2021年第12号) inserted Art 44 and renumbered the later
    articles +1, so 指使强令 is Art 49 for acts from its effective date (`permit_deemed_from`, the
    same UNCONFIRMED date the engine uses for the inserted Art 44) and Art 48 before. Art 48 is
    inferred (domain-rules §12); the number does not change the band, so neither reading is
    harsher for the party.
    """
    if act_date >= settings.permit_deemed_from:
        order, key = f"{LAW_62}（2021年修正）第四十九条", "62号令@2021 第四十九条"
    else:
        order, key = f"{LAW_62} 第四十八条（2021年修正前，条号系推定）", "62号令@2016-09-21 第四十八条"
    text = "指使、强令车辆驾驶人超限运输货物：由交通运输主管部门责令改正，处3万元以下的罚款"
    return InstigatorBasis(RULE_ID, f"{INSTIGATE}；{order}", text, key)


@dataclass(frozen=True)
class Penalty:
    """One decision the transport authority made on an instigator matter."""

    decided_on: date
    fine_yuan: int | None
    decision_number: str


@dataclass(frozen=True)
class B5Listing:
    listed_on: date
    reason: str  # Chinese, with the figures
    penalties: tuple[Penalty, ...]  # the decisions behind it


def assess_b5(penalties: list[Penalty]) -> B5Listing | None:
    """B-5 for one party: the earliest day either condition held, or None.

    ⚖ Only a decision with a fine counts as a penalty: Art 68's order to correct (责令改正) is not
    an administrative penalty (行政处罚法 第二十八条), so an outcome without a fine is not one of the
    "3 times". "1年内" is read strictly: the third penalty falls before the first one's anniversary.
    """
    fined = sorted((p for p in penalties if (p.fine_yuan or 0) > 0), key=lambda p: p.decided_on)
    found: list[B5Listing] = []
    heavy = next((p for p in fined if p.fine_yuan >= B5_FINE_YUAN), None)
    if heavy is not None:
        found.append(B5Listing(heavy.decided_on, f"罚款 {heavy.fine_yuan} 元，达到2万元", (heavy,)))
    for i in range(len(fined) - B5_PENALTIES + 1):
        run = fined[i : i + B5_PENALTIES]
        if run[-1].decided_on < _anniversary(run[0].decided_on):
            days = f"{run[0].decided_on.isoformat()} 至 {run[-1].decided_on.isoformat()}"
            found.append(B5Listing(run[-1].decided_on, f"1年内受罚 {B5_PENALTIES} 次（{days}）", tuple(run)))
            break
    return min(found, key=lambda f: f.listed_on) if found else None


def _anniversary(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February: the anniversary is 1 March
        return date(day.year + 1, 3, 1)
