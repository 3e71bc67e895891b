"""Transport-side penalty proposal under 62号令 Art 43 (domain-rules §2.1).

``propose_penalty`` gives the lawful band for one over-limit act and the amount the 告知书
(行政处罚法 Art 44) should propose; ``check_decision`` refuses a decision outside that band.
``excess_kg`` is the caller's effective excess (measured gross − device deduction − limit,
as ``classify`` computes it): this module weighs nothing.

Only one fine schedule is implemented (62号令 as in force from 2016-09-21; Art 43 kept its
number in the 2021 amendment). When a later schedule is added, 行政处罚法 Art 37 (a more
lenient later rule applies) must be applied here the way ``classify`` applies it to limits.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from .settings import DEFAULT, RuleSettings
from .versions import LAW_62, NoRuleInForce

ART_43_1_1 = f"{LAW_62} 第四十三条第一款第（一）项"
ART_43_1_2 = f"{LAW_62} 第四十三条第一款第（二）项"
ART_43_2 = (
    f"{LAW_62} 第四十三条第二款：有前款所列多项违法行为的，相应违法行为的罚款数额应当累计，"
    "但累计罚款数额最高不得超过30000元"
)
ART_32_33 = (
    "《中华人民共和国行政处罚法》第三十二条（应当从轻或者减轻行政处罚的情形）、"
    "第三十三条（违法行为轻微并及时改正……不予行政处罚；初次违法且危害后果轻微并及时改正的，可以不予行政处罚）"
)
ART_38 = "《中华人民共和国行政处罚法》第三十八条第一款：行政处罚没有依据……的，行政处罚无效"
ART_51 = (
    "《中华人民共和国行政处罚法》第五十一条：违法事实确凿并有法定依据，对公民处以二百元以下、"
    "对法人或者其他组织处以三千元以下罚款或者警告的行政处罚的，可以当场作出行政处罚决定"
)

KINDS = ("none", "warning", "fine")  # in order of severity
_KIND_ZH = {"none": "不予处罚", "warning": "警告", "fine": "罚款"}


@dataclass(frozen=True)
class DimensionBand:
    """One outline-dimension band of Art 43 ¶1 (一). A None maximum means no upper bound."""

    rule_id: str
    max_height_mm: int | None
    max_width_mm: int | None
    max_length_mm: int | None
    min_yuan: int
    max_yuan: int
    article: str

    def holds(self, height_mm: float | None, width_mm: float | None, length_mm: float | None) -> bool:
        pairs = ((height_mm, self.max_height_mm), (width_mm, self.max_width_mm), (length_mm, self.max_length_mm))
        # ⚖ An unmeasured dimension is never presumed to exceed a band's maximum.
        return all(top is None or value is None or value <= top for value, top in pairs)


@dataclass(frozen=True)
class FineSchedule:
    key: str  # the rule version stored with every proposal
    in_force_from: date
    warning_up_to_kg: int
    step_kg: int
    yuan_per_step: int
    cap_yuan: int
    dimension_bands: tuple[DimensionBand, ...]  # checked in order; the last has no maxima


_V62_BANDS = (
    DimensionBand(
        "F-DIM-1",
        4_200,
        3_000,
        20_000,
        0,  # "可以处200元以下罚款": not fining at all is lawful too
        200,
        f"{ART_43_1_1}：车货总高度从地面算起未超过4.2米、总宽度未超过3米且总长度未超过20米的，可以处200元以下罚款",
    ),
    DimensionBand(
        "F-DIM-2",
        4_500,
        3_750,
        28_000,
        200,
        1_000,
        f"{ART_43_1_1}：车货总高度从地面算起未超过4.5米、总宽度未超过3.75米且总长度未超过28米的，"
        "处200元以上1000元以下罚款",
    ),
    DimensionBand(
        "F-DIM-3",
        None,
        None,
        None,
        1_000,
        3_000,
        f"{ART_43_1_1}：车货总高度从地面算起超过4.5米、总宽度超过3.75米或者总长度超过28米的，"
        "处1000元以上3000元以下的罚款",
    ),
)

SCHEDULES: tuple[FineSchedule, ...] = (
    FineSchedule(
        key="62号令@2016-09-21",
        in_force_from=date(2016, 9, 21),
        warning_up_to_kg=1_000,
        step_kg=1_000,
        yuan_per_step=500,
        cap_yuan=30_000,
        dimension_bands=_V62_BANDS,
    ),
)

WARNING_ARTICLE = (
    f"{ART_43_1_2}：车货总质量超过本规定第三条第一款第四项至第八项规定的限定标准，但未超过1000千克的，予以警告"
)
MASS_ARTICLE = f"{ART_43_1_2}：……超过1000千克的，每超1000千克罚款500元，最高不得超过30000元"


@dataclass(frozen=True)
class PenaltyItem:
    """One violation's share of the proposal (F-MASS-WARN, F-MASS or F-DIM-*)."""

    rule_id: str
    article: str
    min_yuan: int
    max_yuan: int
    basis_text: str  # Chinese, for the 告知书


@dataclass(frozen=True)
class PenaltyProposal:
    """The lawful band for one act and the amount to propose (stored with the case)."""

    kind: str  # 'warning' | 'fine' | 'none': the lightest decision lawful without a stated reason
    min_yuan: int  # the band for the decision, after the F-SUM cap
    max_yuan: int
    proposed_yuan: int  # mass: the exact tier amount; dimensions: the band's lower bound (⚖)
    items: tuple[PenaltyItem, ...]
    rounding: str  # 'floor' | 'ceil': the reading of "每超1000千克" used
    rule_version: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values (lists, str, int only)."""
        return {
            "kind": self.kind,
            "min_yuan": self.min_yuan,
            "max_yuan": self.max_yuan,
            "proposed_yuan": self.proposed_yuan,
            "items": [asdict(item) for item in self.items],
            "rounding": self.rounding,
            "rule_version": self.rule_version,
            "notes": list(self.notes),
        }


def schedule_for(act_date: date, schedules: tuple[FineSchedule, ...] = SCHEDULES) -> FineSchedule:
    """The fine schedule in force on the date of the act (行政处罚法 Art 37, first sentence)."""
    in_force = [s for s in schedules if s.in_force_from <= act_date]
    if not in_force:
        earliest = min(schedules, key=lambda s: s.in_force_from)
        raise NoRuleInForce(
            f"no fine schedule is implemented for {act_date.isoformat()}: "
            f"the earliest, {earliest.key}, is in force from {earliest.in_force_from.isoformat()}"
        )
    return max(in_force, key=lambda s: s.in_force_from)


def _kg(value: float) -> str:
    """A mass for the 告知书 text, exact (no float formatting that drops digits)."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _mass_item(excess_kg: float, schedule: FineSchedule, rounding: str) -> PenaltyItem | None:
    if excess_kg <= 0:
        return None
    if excess_kg <= schedule.warning_up_to_kg:  # "未超过1000千克" includes 1000 kg itself
        text = f"车货总质量超过限定标准 {_kg(excess_kg)} 千克，未超过 {schedule.warning_up_to_kg} 千克，予以警告"
        return PenaltyItem("F-MASS-WARN", WARNING_ARTICLE, 0, 0, text)
    # Decimal, not float division: 2000 kg must count as exactly two steps.
    steps_exact = Decimal(str(excess_kg)) / schedule.step_kg
    steps = math.floor(steps_exact) if rounding == "floor" else math.ceil(steps_exact)
    amount = min(schedule.cap_yuan, steps * schedule.yuan_per_step)
    reading = "不足1000千克的部分不计" if rounding == "floor" else "不足1000千克的部分按1000千克计"
    text = (
        f"车货总质量超过限定标准 {_kg(excess_kg)} 千克，计 {steps} 个1000千克（{reading}），"
        f"每超1000千克罚款{schedule.yuan_per_step}元"
    )
    if amount == schedule.cap_yuan:
        text += f"，达到最高 {schedule.cap_yuan} 元"
    return PenaltyItem("F-MASS", MASS_ARTICLE, amount, amount, f"{text}，罚款 {amount} 元")


def _dimension_item(
    schedule: FineSchedule,
    height_mm: float | None,
    width_mm: float | None,
    length_mm: float | None,
) -> PenaltyItem:
    band = next(b for b in schedule.dimension_bands if b.holds(height_mm, width_mm, length_mm))
    measured = "、".join(
        f"{name} {_kg(value)} 毫米"
        for name, value in (("总高", height_mm), ("总宽", width_mm), ("总长", length_mm))
        if value is not None
    )
    text = f"外廓尺寸超过第三条限定标准（{measured or '尺寸未测量'}），罚款幅度 {band.min_yuan}–{band.max_yuan} 元"
    return PenaltyItem(band.rule_id, band.article, band.min_yuan, band.max_yuan, text)


def _check_dimension_flag(
    schedule: FineSchedule,
    height_mm: float | None,
    width_mm: float | None,
    length_mm: float | None,
) -> None:
    # Anything beyond the first band's maxima is beyond the Art 3 limits (4 m / 2.55 m / 18.1 m)
    # too, so "not over" with such a measurement is a caller error, not a reading of the law.
    first = schedule.dimension_bands[0]
    if not first.holds(height_mm, width_mm, length_mm):
        raise ValueError("dimension_over is False but a measured dimension exceeds the F-DIM-1 maxima")


def _kind(items: tuple[PenaltyItem, ...], proposed_yuan: int) -> str:
    if proposed_yuan > 0:
        return "fine"
    if any(item.rule_id == "F-MASS-WARN" for item in items):
        return "warning"
    return "none"


def _notes(items: tuple[PenaltyItem, ...], schedule: FineSchedule, settings: RuleSettings) -> list[str]:
    notes = []
    if any(item.rule_id == "F-MASS" for item in items):
        reading = "floor（向下取整，⚖ 有利于当事人）" if settings.fine_rounding == "floor" else "ceil（向上取整）"
        notes.append(f"“每超1000千克”的取整口径：{reading}；无官方解释（UNCONFIRMED，domain-rules §13.1）")
    if any(item.rule_id == "F-DIM-1" for item in items):
        notes.append("F-DIM-1 为“可以处200元以下罚款”：不予罚款亦属合法，建议额取下限 0 元（⚖）")
    if len([item for item in items if item.max_yuan > 0]) > 1:
        total_max = sum(item.max_yuan for item in items)
        if total_max > schedule.cap_yuan:
            notes.append(f"F-SUM：各项罚款累计最高 {total_max} 元，以 {schedule.cap_yuan} 元为限（{ART_43_2}）")
    return notes


def propose_penalty(
    excess_kg: float,
    *,
    length_mm: float | None = None,
    width_mm: float | None = None,
    height_mm: float | None = None,
    dimension_over: bool = False,
    act_date: date,
    settings: RuleSettings = DEFAULT,
) -> PenaltyProposal:
    """The Art 43 band for one act: mass (F-MASS-WARN / F-MASS) plus dimensions (F-DIM-*), F-SUM capped.

    ``dimension_over`` is the caller's finding that a dimension exceeds the Art 3 limits; the
    measured values only pick the F-DIM band. Raises NoRuleInForce before 2016-09-21.
    """
    if math.isnan(excess_kg):
        raise ValueError("excess_kg must be a number")
    schedule = schedule_for(act_date)
    items = []
    mass = _mass_item(excess_kg, schedule, settings.fine_rounding)
    if mass is not None:
        items.append(mass)
    if dimension_over:
        items.append(_dimension_item(schedule, height_mm, width_mm, length_mm))
    else:
        _check_dimension_flag(schedule, height_mm, width_mm, length_mm)
    found = tuple(items)
    # F-SUM: the fines add up, the total (and so the band's lower bound too) capped at 30 000.
    min_yuan = min(schedule.cap_yuan, sum(item.min_yuan for item in found))
    max_yuan = min(schedule.cap_yuan, sum(item.max_yuan for item in found))
    return PenaltyProposal(
        kind=_kind(found, min_yuan),
        min_yuan=min_yuan,
        max_yuan=max_yuan,
        proposed_yuan=min_yuan,  # mass items have min == max; dimension items propose their minimum (⚖)
        items=found,
        rounding=settings.fine_rounding,
        rule_version=schedule.key,
        notes=tuple(_notes(found, schedule, settings)),
    )


def _severity(kind: str, amount_yuan: int) -> tuple[int, int]:
    return (KINDS.index(kind), amount_yuan)


def _shape_errors(kind: str, amount_yuan: int) -> list[str]:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if kind == "fine" and amount_yuan <= 0:
        return ["罚款决定的金额必须大于 0 元"]
    if kind != "fine" and amount_yuan != 0:
        return [f"{_KIND_ZH[kind]}决定不得载明罚款金额"]
    return []


def _above_band(proposal: PenaltyProposal, kind: str, amount_yuan: int) -> list[str]:
    if not proposal.items:
        return [f"未认定违法超限事实，不得给予{_KIND_ZH[kind]}（{ART_38}）"] if kind != "none" else []
    if kind != "fine" or amount_yuan <= proposal.max_yuan:
        return []
    if proposal.max_yuan == 0:
        return [f"超限未超过1000千克只能予以警告，不得罚款（{WARNING_ARTICLE}）"]
    rules = "、".join(item.rule_id for item in proposal.items)
    reason = f"罚款 {amount_yuan} 元超过法定上限 {proposal.max_yuan} 元（{rules}）"
    if sum(item.max_yuan for item in proposal.items) > proposal.max_yuan:
        reason += f"；{ART_43_2}"
    return [reason]


def check_decision(
    proposal: PenaltyProposal,
    kind: str,
    amount_yuan: int,
    *,
    reason: str | None = None,
) -> list[str]:
    """Chinese refusal reasons for a decision outside the band; an empty list means it may stand.

    Decisions are ordered 'none' < 'warning' < 'fine' (by amount). The band runs from the
    proposal's ``kind`` / ``min_yuan`` up to ``max_yuan``.

    * Above the band is refused outright: a fine over the maximum (including over the
      F-SUM total of 30 000), any fine where only a warning is lawful (≤ 1 000 kg), or any
      penalty when no violation was found (行政处罚法 Art 38).
    * Below the band — a smaller fine, a warning instead of a fine, no penalty instead of a
      warning — is lawful only through 行政处罚法 Art 32 (从轻、减轻) or Art 33 (不予处罚 for a
      minor or first violation promptly corrected). Those turn on facts this module cannot see,
      so it asks for ``reason`` and refuses without one; the reason itself is stored, not judged.

    A warning where only an F-DIM-1 fine (0–200, "可以") applies counts as within the band.
    Not checked here: that the decision is no heavier than the notified proposal (Art 45 ¶2).
    """
    errors = _shape_errors(kind, amount_yuan)
    if errors:
        return errors
    errors = _above_band(proposal, kind, amount_yuan)
    if errors:
        return errors
    below = _severity(kind, amount_yuan) < _severity(proposal.kind, proposal.min_yuan)
    if below and not (reason and reason.strip()):
        lowest = _KIND_ZH[proposal.kind] + (f" {proposal.min_yuan} 元" if proposal.kind == "fine" else "")
        decided = _KIND_ZH[kind] + (f" {amount_yuan} 元" if kind == "fine" else "")
        return [f"{decided}低于法定处罚幅度（最低为{lowest}），须写明从轻、减轻或不予处罚的理由（{ART_32_33}）"]
    return []


def simple_procedure_allowed(kind: str, amount_yuan: int, party_is_organisation: bool) -> bool:
    """Whether the decision may be made on the spot (当场处罚, 行政处罚法 Art 51).

    A warning always; a fine up to 200 yuan for a citizen or 3 000 yuan for an organisation
    ("以下" includes the figure). 'none' is not a penalty decision, so the simple procedure does
    not arise. Art 51 also needs the facts to be certain and a legal basis; the caller checks those,
    and cites ``ART_51`` on the decision.
    """
    if _shape_errors(kind, amount_yuan):
        return False
    if kind == "warning":
        return True
    if kind == "fine":
        return amount_yuan <= (3_000 if party_is_organisation else 200)
    return False
