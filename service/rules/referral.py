"""What the transport side sends the police, and why (domain-rules §5.3 移送, §5.4 百吨王).

Two moments queue a referral automatically:

* **审核确认** (the case is confirmed as evidence): every 百吨王, an overload against the
  rated load where the vehicle's 核定载质量 is registered, evasion (冲卡、闯岗) and plate
  anomalies, and a mismatch with the 行驶证. The police detain and fine on their own
  procedure (道路交通安全法 Art 92 ¶3); they need not wait for the transport decision.
* **the decision that makes the count**: R-VEH-3 / R-DRV-3 count decided violations (§3.1),
  so a repeat offender is known only once the owner's decision is taken.

Each reason carries its rule ID and article. The police assessment (fine band and points,
service/rules/police.py) travels with the referral, with the denominator each figure uses
(§5.2 ⚖: the fine against the 核定载质量, the 2022 points against the 最大允许总质量 — both
settings). Pure: plain facts in, reasons out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from .police import police_assessment
from .settings import DEFAULT, RuleSettings

JOINT = "交通运输部 公安部《关于治理车辆超限超载联合执法常态化制度化工作的实施意见（试行）》(交公路发〔2017〕173号)"
ROAD_LAW = "《中华人民共和国道路交通安全法》"
BDW_ARTICLE = f"{JOINT}；{ROAD_LAW}第九十二条第三款（扣留机动车至违法状态消除）"
EVASION_ARTICLE = (
    "冲卡、闯岗等交通违法由非现场执法点移交公安机关 [PROV：河南郏县2021、卫辉2019，浙江诸暨2024]；"
    "交办公路〔2017〕8号 B-8（强行冲卡）"
)
PLATE_ARTICLE = f"{ROAD_LAW}第九十五条、第九十六条（号牌违法）"
GB1589_ARTICLE = (
    "《超限运输车辆行驶公路管理规定》(交通运输部令2016年第62号) 第四十五条（2021年修正后第四十六条）："
    "不符合GB 1589或与行驶证记载不一致的车辆，抄告车籍所在地公安机关"
)
ROAD_SAFETY_66 = "《公路安全保护条例》第六十六条：1年内违法超限运输超过3次"
BASE_ZH = {"rated_load": "核定载质量", "licence_total_mass": "行驶证总质量", "max_total_mass": "最大允许总质量"}


@dataclass(frozen=True)
class ReferralFacts:
    """What the case and the registry tell about the act, as the referral rules need it."""

    act_date: date
    gross_kg: float  # the effective gross after the measurement deduction (⚖ the lower figure)
    baidunwang: bool = False
    weighed_gross_kg: float | None = None  # as weighed, before the deduction (百吨王 is judged on it, §5.4)
    plate: str | None = None
    plate_valid: bool = True
    axle_count: int | None = None  # as weighed
    registered_axle_count: int | None = None  # the registry's (行驶证) figure, when the vehicle is known
    rated_load_kg: float | None = None  # 核定载质量
    licence_total_mass_kg: float | None = None  # 行驶证总质量
    max_total_mass_kg: float | None = None  # 最大允许总质量
    evasion: bool = False  # 冲卡 / 闯岗 recorded at the station
    legal_limit_kg: float | None = None  # the configuration's total-mass limit (62号令 Art 3)
    decided_on: date | None = None
    vehicle_repeat: bool = False  # R-VEH-3 triggered, the count including this decision
    driver_repeat: bool = False  # R-DRV-3


@dataclass(frozen=True)
class ReferralReason:
    trigger: str  # baidunwang | overload | evasion | plate | licence_mismatch | vehicle_repeat | driver_repeat | manual
    rule_id: str
    article: str
    text: str  # Chinese: why the police are asked to act

    def to_dict(self) -> dict:
        return asdict(self)


def police_figures(facts: ReferralFacts, settings: RuleSettings = DEFAULT) -> dict:
    """The police's fine band, points and detention as assessed, each with its denominator."""
    assessment = police_assessment(
        facts.gross_kg,
        facts.rated_load_kg,
        facts.licence_total_mass_kg,
        facts.max_total_mass_kg,
        act_date=facts.act_date,
        decided_on=facts.decided_on,
        settings=settings,
    )
    data = assessment.to_dict()
    data["fine"]["denominator"] = BASE_ZH[assessment.fine.base]
    data["points"]["denominator"] = BASE_ZH[assessment.points.base]
    bounded = _points_within_the_limit(facts, settings)
    if assessment.points.status == "cannot_assess" and bounded is not None:
        data["points"] = bounded
    return data


def _points_within_the_limit(facts: ReferralFacts, settings: RuleSettings) -> dict | None:
    """Points when the 最大允许总质量 is not registered: no registered truck may exceed its
    configuration's legal total mass (GB 1589; 62号令 Art 3), so measured against that limit the
    rate is at most the true one. ⚖ Stated only when even that lower rate reaches the top band
    (a 百吨王 is always ≥ 50 % over, domain-rules §5.4): the points are then certain."""
    if facts.legal_limit_kg is None or settings.police_points_base != "max_total_mass":
        return None
    bound = police_assessment(
        facts.gross_kg, None, None, facts.legal_limit_kg, act_date=facts.act_date, decided_on=facts.decided_on,
        settings=settings,
    )  # fmt: skip
    points = bound.points
    if points.status != "points" or points.rule_id != "P-PTS-6":
        return None
    data = asdict(points)
    data["denominator"] = f"最大允许总质量（未登记，按法定限值 {facts.legal_limit_kg:,.0f} 千克计）"
    data["reason"] = f"按法定限值计已超过 {points.over_pct}%，登记值不会高于限值，记 {points.points} 分"
    return data


def _baidunwang_text(facts: ReferralFacts, settings: RuleSettings) -> str:
    """The weighed gross that made it a 百吨王 (§5.4 counts the total mass as weighed), and the
    figure after the measurement deduction when that differs, which the police's own penalty
    bands are measured on; the label 百吨王 is shown beside the text, not in it."""
    weighed = facts.weighed_gross_kg if facts.weighed_gross_kg is not None else facts.gross_kg
    after = f"，扣除计量误差后 {facts.gross_kg:,.0f} 千克" if facts.gross_kg < weighed else ""
    return f"检测车货总质量 {weighed:,.0f} 千克（≥ {settings.baidunwang_kg / 1000:g} 吨{after}），由公安机关扣留车辆、依法罚款记分"


def confirm_reasons(facts: ReferralFacts, settings: RuleSettings = DEFAULT) -> list[ReferralReason]:
    """The reasons to refer a case at 审核确认, in a fixed order; empty: no automatic referral."""
    reasons = []
    if facts.baidunwang:
        reasons.append(
            ReferralReason(
                "baidunwang",
                "X-POLICE-BDW",
                BDW_ARTICLE,
                _baidunwang_text(facts, settings),
            )
        )
    overload = _overload(facts, settings)
    if overload is not None:
        reasons.append(overload)
    if facts.evasion:
        reasons.append(
            ReferralReason("evasion", "X-POLICE-EVASION", EVASION_ARTICLE, "冲卡、闯岗（逃避检测），移交公安机关处理")
        )
    # ⚖ An unread plate (None) is a camera's failure as often as a covered plate: only a
    # plate read and found not to be a plate (GA 36) is referred as a plate anomaly.
    if facts.plate and not facts.plate_valid:
        reasons.append(
            ReferralReason(
                "plate",
                "X-POLICE-PLATE",
                PLATE_ARTICLE,
                f"号牌「{facts.plate}」不符合 GA 36 号牌格式，涉嫌伪造、变造或遮挡号牌",
            )
        )
    if facts.registered_axle_count and facts.axle_count and facts.registered_axle_count != facts.axle_count:
        reasons.append(
            ReferralReason(
                "licence_mismatch",
                "X-POLICE-GB1589",
                GB1589_ARTICLE,
                f"检测轴数 {facts.axle_count} 轴与行驶证登记 {facts.registered_axle_count} 轴不符，涉嫌非法改装或套牌",
            )
        )
    return reasons


def _overload(facts: ReferralFacts, settings: RuleSettings) -> ReferralReason | None:
    """超载 against the registered 核定载质量: the Art 92 fine where the 行驶证 figures allow it,
    else the 2022 points' measure (a vehicle over its 最大允许总质量 carries more than its rated
    load). ⚖ Without a registered rated load, or with no figure showing an overload, no referral."""
    if not settings.police_refer_overload or facts.rated_load_kg is None:
        return None
    figures = police_figures(facts, settings)
    fine, points = figures["fine"], figures["points"]
    if fine["status"] == "fine":
        text = (
            f"超过核定载质量 {fine['over_pct']}%（以{fine['denominator']}计）："
            f"罚款 {fine['min_yuan']}–{fine['max_yuan']} 元"
        )
        if points["status"] == "points":
            text += f"，记 {points['points']} 分（以{points['denominator']}计）"
        return ReferralReason("overload", fine["rule_id"], fine["article"], text)
    if points["status"] == "points":
        text = f"超过{points['denominator']} {points['over_pct']}%：记 {points['points']} 分，罚款由公安机关核定"
        return ReferralReason("overload", points["rule_id"], points["article"], text)
    return None


def decision_reasons(facts: ReferralFacts) -> list[ReferralReason]:
    """The reasons a decision adds: the repeat offender the count now names (§3.1, §5.3)."""
    reasons = []
    if facts.vehicle_repeat:
        text = "车辆1年内违法超限运输超过3次（R-VEH-3），屡次超限，移交公安机关依法处理"
        reasons.append(ReferralReason("vehicle_repeat", "R-VEH-3", ROAD_SAFETY_66, text))
    if facts.driver_repeat:
        text = "驾驶人1年内违法超限运输超过3次（R-DRV-3），屡次超限，移交公安机关依法处理"
        reasons.append(ReferralReason("driver_repeat", "R-DRV-3", ROAD_SAFETY_66, text))
    return reasons


def merge_reasons(existing: list[dict], new: list[ReferralReason]) -> list[dict]:
    """The referral's reasons with the new ones added once each (by trigger)."""
    seen = {r["trigger"] for r in existing}
    return [*existing, *(r.to_dict() for r in new if r.trigger not in seen)]
