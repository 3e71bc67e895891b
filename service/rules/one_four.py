"""一超四罚 (domain-rules §4): the party matters one decided over-limit act calls for.

One overload, every party answers: the driver, the vehicle (its owner answers in the
transport fine, decided already), the transport enterprise and the source enterprise that
loaded the truck (§4.2). There is no national text defining 一超四罚 (§4.1, §13.10); each
matter here rests on the statute behind it, cited with its article:

| matter | authority | basis |
|---|---|---|
| driver: fine and points for the overload | the police | 道路交通安全法 Art 92; 记分办法 (§5.1–5.2) |
| driver: > 3 in the cycle → stop commercial transport (R-DRV-3) | transport authority | 公路安全保护条例 Art 66 |
| vehicle: > 3 in the cycle → 营运证 revoked (R-VEH-3) | transport authority | 公路安全保护条例 Art 66 |
| transport enterprise: counted toward R-ENT-10; > 10 % → 停业整顿 | transport authority | Art 66; 62号令 Art 44/45 (抄告) |
| source enterprise: a freight station releasing the truck, or the provincial loading rule | this agency or the transport authority (setting) | 道路运输条例 Art 70 ¶2 (2023) / Art 71 (before); [PROV] |

When: the owner's decision (fine or warning) is the trigger — §4.2 "When a case is decided,
create party matters", and the repeat counts that decide R-VEH-3 / R-DRV-3 / R-ENT-10 count
decided violations (§3.1), so they can only be known then. A 不予处罚 decision or a dismissal
makes no matters: nobody answers for an act that is not penalised.

Pure: plain facts in, plans out. A party the case does not name yet is planned all the same,
as not yet identified, with the date by which it should be (a setting).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from .deadlines import add_working_days
from .police import police_assessment
from .settings import DEFAULT, RuleSettings

ROAD_SAFETY_66 = (
    "《公路安全保护条例》第六十六条：对1年内违法超限运输超过3次的货运车辆，由道路运输管理机构吊销其车辆营运证；"
    "对1年内违法超限运输超过3次的货运车辆驾驶人，由道路运输管理机构责令其停止从事营业性运输；道路运输企业1年内违法"
    "超限运输的货运车辆超过本单位货运车辆总数10%的，由道路运输管理机构责令道路运输企业停业整顿"
)
COPY_NOTICE = "《超限运输车辆行驶公路管理规定》(交通运输部令2016年第62号) 第四十四条（2021年修正后第四十五条）：抄告车籍所在地道路运输管理机构"
POLICE_BASIS = "《中华人民共和国道路交通安全法》第九十二条；《道路交通安全违法行为记分管理办法》"
INSTIGATE = (
    "《公路安全保护条例》第六十八条：指使、强令车辆驾驶人超限运输货物的，由道路运输管理机构责令改正，处3万元以下的罚款"
)


@dataclass(frozen=True)
class StationRule:
    """道路运输条例: a freight station (货运站) letting an overloaded vehicle leave."""

    key: str
    in_force_from: date
    min_yuan: int
    max_yuan: int
    article: str


# §2.2 F-STATION / §7.3 SP-NAT-STATION [P]. The text read is the 2023-07-20 one; the earlier
# Art 71 (10 000–30 000) is kept as the version for acts before it (行政处罚法 Art 37 below).
STATION_RULES = (
    StationRule(
        "道路运输条例(2022年修订前)@2004-07-01",
        date(2004, 7, 1),
        10_000,
        30_000,
        "《中华人民共和国道路运输条例》第七十一条：货运站经营者对超限、超载车辆配载，放行出站的，"
        "由县级以上道路运输管理机构责令改正，处1万元以上3万元以下的罚款",
    ),
    StationRule(
        "道路运输条例@2023-07-20",
        date(2023, 7, 20),
        3_000,
        30_000,
        "《中华人民共和国道路运输条例》(2023) 第七十条第二款：货运站经营者对超限、超载车辆配载，放行出站的，"
        "由县级以上地方人民政府交通运输主管部门责令改正，处3000元以上3万元以下的罚款",
    ),
)


@dataclass(frozen=True)
class ActFacts:
    """What the decided act tells about its parties (from the case, its decision and the registry)."""

    act_date: date
    decided_on: date
    decision_kind: str  # 'fine' | 'warning' | 'none' (不予处罚) | 'dismissed'
    gross_kg: float  # the effective gross, after the measurement deduction
    driver_name: str | None = None  # None: the case names no driver yet
    transport_enterprise: str | None = None  # the vehicle's enterprise in the registry
    source_enterprise: str | None = None  # the confirmed source (倒查), None until confirmed
    source_is_freight_station: bool = False  # 货运站 (道路运输条例 Art 70) rather than a mine or yard
    rated_load_kg: float | None = None  # 行驶证 figures for the police assessment
    licence_total_mass_kg: float | None = None
    max_total_mass_kg: float | None = None
    vehicle_repeat: bool = False  # R-VEH-3 triggered by the count including this decision
    driver_repeat: bool = False  # R-DRV-3
    enterprise_share_over: bool = False  # R-ENT-10


@dataclass(frozen=True)
class MatterPlan:
    party: str  # 'driver' | 'vehicle' | 'transport_enterprise' | 'source_enterprise'
    authority: str  # 'agency' | 'police' | 'transport_authority'
    rule_id: str
    article: str
    text: str  # Chinese: what the authority is asked to do
    name: str | None  # the party, when known
    identified: bool
    due_on: date  # by when it is sent, identified or decided
    band: dict | None = None  # for a penalty this agency decides: kind, min_yuan, max_yuan, proposed_yuan, items
    police: dict | None = None  # the police's fine and points as assessed (§5), for the driver's matter
    rule_version: str = ""
    notes: tuple[str, ...] = field(default=())

    def basis(self) -> dict:
        """What the matter stores as its basis."""
        data = {"rule_id": self.rule_id, "article": self.article, "text": self.text}
        if self.band:
            data.update(self.band)
        if self.police:
            data["police"] = self.police
        if self.rule_version:
            data["rule_version"] = self.rule_version
        if self.notes:
            data["notes"] = list(self.notes)
        return data

    def to_dict(self) -> dict:
        return asdict(self)


def plan_matters(facts: ActFacts, settings: RuleSettings = DEFAULT) -> list[MatterPlan]:
    """The matters besides the owner's fine that the decided act calls for (§4.2), in order:
    driver, vehicle, transport enterprise, source enterprise."""
    if facts.decision_kind not in ("fine", "warning"):
        return []  # 不予处罚 or dismissed: no party answers
    send_by = add_working_days(facts.decided_on, settings.tracked_send_working_days, settings)
    identify_by = facts.decided_on + timedelta(days=settings.party_identification_days)
    plans = [_driver_police(facts, send_by, identify_by, settings)]
    if facts.driver_repeat:
        plans.append(_tracked("driver", "R-DRV-3", "责令停止从事营业性运输（1年内违法超限运输超过3次）", facts.driver_name,
                              send_by, identify_by))  # fmt: skip
    if facts.vehicle_repeat:
        plans.append(
            _tracked("vehicle", "R-VEH-3", "吊销车辆营运证（1年内违法超限运输超过3次）", None, send_by, send_by)
        )
    plans.append(_transport_enterprise(facts, send_by, identify_by))
    plans.append(_source(facts, send_by, identify_by, settings))
    return plans


def _tracked(party: str, rule_id: str, text: str, name, send_by: date, identify_by: date, identified=None):
    known = identified if identified is not None else (name is not None or party == "vehicle")
    return MatterPlan(
        party, "transport_authority", rule_id, ROAD_SAFETY_66, text, name, known, send_by if known else identify_by
    )


def _driver_police(facts: ActFacts, send_by: date, identify_by: date, settings: RuleSettings) -> MatterPlan:
    """The driver answers to the police (§4.2, §5): the fine and points of 道路交通安全法 Art 92."""
    assessment = police_assessment(
        facts.gross_kg,
        facts.rated_load_kg,
        facts.licence_total_mass_kg,
        facts.max_total_mass_kg,
        act_date=facts.act_date,
        decided_on=facts.decided_on,
        settings=settings,
    )
    fine, points = assessment.fine, assessment.points
    parts = []
    if fine.status == "fine":
        parts.append(f"罚款 {fine.min_yuan}–{fine.max_yuan} 元（{fine.rule_id}）")
    if points.status == "points" and points.points:
        parts.append(f"记 {points.points} 分（{points.rule_id}）")
    if assessment.detain:
        parts.append("扣留机动车至违法状态消除")
    if not assessment.assessable:
        parts.append("待核对行驶证（核定载质量、总质量）后由公安机关认定")
    text = "移送公安机关交通管理部门处理：" + "；".join(parts or ["按核定载质量认定是否超载"])
    known = facts.driver_name is not None
    return MatterPlan(
        "driver",
        "police",
        "X-POLICE-JOINT",
        POLICE_BASIS,
        text,
        facts.driver_name,
        known,
        send_by if known else identify_by,
        police=assessment.to_dict(),
    )


def _transport_enterprise(facts: ActFacts, send_by: date, identify_by: date) -> MatterPlan:
    if facts.enterprise_share_over:
        text = "责令停业整顿（本单位违法超限运输车辆超过货运车辆总数10%，R-ENT-10）"
    else:
        text = "抄告车籍地道路运输管理机构，计入本单位违法超限运输车辆比例（R-ENT-10）"
    return MatterPlan(
        "transport_enterprise",
        "transport_authority",
        "R-ENT-10",
        f"{ROAD_SAFETY_66}；{COPY_NOTICE}",
        text,
        facts.transport_enterprise,
        facts.transport_enterprise is not None,
        send_by if facts.transport_enterprise is not None else identify_by,
    )


def station_rule(act_date: date, decided_on: date) -> tuple[StationRule, tuple[str, ...]]:
    """The freight-station rule for the act; 行政处罚法 Art 37: a later rule in force at the
    decision applies when it is more lenient (a lower minimum)."""
    in_force = [r for r in STATION_RULES if r.in_force_from <= act_date] or [STATION_RULES[0]]
    act_rule = in_force[-1]
    later = [r for r in STATION_RULES if act_rule.in_force_from < r.in_force_from <= decided_on]
    lenient = min([act_rule, *later], key=lambda r: (r.min_yuan, r.max_yuan))
    if lenient is act_rule:
        return act_rule, ()
    note = (
        f"《中华人民共和国行政处罚法》第三十七条：决定时施行的 {lenient.key} 较行为时 {act_rule.key} 更轻，适用新规定"
    )
    return lenient, (note,)


def _source(facts: ActFacts, send_by: date, identify_by: date, settings: RuleSettings) -> MatterPlan:
    """The source enterprise (§4.2, §7.3). A freight station has a national band; a mine or a
    yard only a provincial one (a setting): where none is in force, the matter says so and is
    tracked with the transport authority (约谈、责令改正), never a made-up amount."""
    known = facts.source_enterprise is not None
    due = send_by if known else identify_by
    if facts.source_is_freight_station:
        rule, notes = station_rule(facts.act_date, facts.decided_on)
        band = _band("SP-NAT-STATION", rule.article, rule.min_yuan, rule.max_yuan, "货运站放行超限超载车辆出站")
        return MatterPlan("source_enterprise", settings.source_matter_authority, "SP-NAT-STATION", rule.article,
                          "对放行超限车辆出站的货运站经营者处以罚款", facts.source_enterprise, known,
                          _decision_due(facts, due, settings), band=band, rule_version=rule.key, notes=notes)  # fmt: skip
    low, high = settings.source_loading_fine_min_yuan, settings.source_loading_fine_max_yuan
    if low is not None and high is not None:
        article = "[省级规定] 货运源头单位违规装载、放行超限车辆（domain-rules §7.3，依本省条例）"
        band = _band("SP-PROV-LOADING", article, low, high, "货运源头单位为超限车辆装载、放行出场")
        return MatterPlan("source_enterprise", settings.source_matter_authority, "SP-PROV-LOADING", article,
                          "对违规装载超限车辆的货运源头单位处以罚款（省级规定）", facts.source_enterprise, known,
                          _decision_due(facts, due, settings), band=band)  # fmt: skip
    text = (
        "本省未设定货运源头单位装载超限车辆的罚款数额，国家层面仅有货运站放行（道路运输条例第七十条）与指使强令"
        "（公路安全保护条例第六十八条）两项罚则：移交交通运输主管部门约谈、责令改正并纳入源头监管"
    )
    return MatterPlan(
        "source_enterprise", "transport_authority", "S-NO-EXIT", f"《公路安全保护条例》第四十一条第一款；{INSTIGATE}", text,
        facts.source_enterprise, known, due,
    )  # fmt: skip


def _decision_due(facts: ActFacts, due: date, settings: RuleSettings) -> date:
    """A penalty handled here: decided within 90 days of its opening (行政处罚法 第六十条)."""
    if settings.source_matter_authority != "agency":
        return due
    return facts.decided_on + timedelta(days=90)


def _band(rule_id: str, article: str, low: int, high: int, text: str) -> dict:
    # ⚖ The lower bound is proposed: the notice states the lightest lawful amount, and the
    # officer may propose more only with the facts that justify it (the decision is checked
    # against the band and never heavier than the notice, 行政处罚法 第四十五条).
    item = {"rule_id": rule_id, "article": article, "min_yuan": low, "max_yuan": high,
            "basis_text": f"{text}，罚款幅度 {low}–{high} 元"}  # fmt: skip
    return {"kind": "fine", "min_yuan": low, "max_yuan": high, "proposed_yuan": low, "items": [item]}
