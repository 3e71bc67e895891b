"""Police side of an overload (domain-rules §5): the Art 92 fine, points and detention.

What the transport side sends with a police referral. The police decide; this is the
assessment the referral carries, each part with its rule ID, article and version.

The percentages need 行驶证 figures the readings do not carry, and which figure each rule
measures against is UNCONFIRMED (§5.2, §13.3), so both are settings:

* Art 92 fine: overload = gross − 行驶证 total mass (总质量), as a % of
  ``settings.police_fine_base`` (default the 核定载质量, the article's word).
* 2022 points: (gross − base) / base with base = ``settings.police_points_base``
  (default 最大允许总质量, the article's word).
* Points before 2022-04-01 were measured against the 核定载质量, so they use the fine's
  measure (and its setting).

A part whose figures are missing is 'cannot_assess' with a Chinese reason, never a guess.
``gross_kg`` is the effective gross (after any measurement deduction) chosen by the caller.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from .settings import DEFAULT, RuleSettings

ROAD_LAW = "《中华人民共和国道路交通安全法》"
FINE_VERSION = "道路交通安全法@2004-05-01"  # Art 92 as read in the current text [P]
FINE_FROM = date(2004, 5, 1)  # Art 124: 本法自2004年5月1日起施行
ART_92_LOW = f"{ROAD_LAW}第九十二条第二款：货运机动车超过核定载质量的，处二百元以上五百元以下罚款"
ART_92_HIGH = f"{ROAD_LAW}第九十二条第二款：……超过核定载质量百分之三十或者违反规定载客的，处五百元以上二千元以下罚款"
ART_92_DETAIN = f"{ROAD_LAW}第九十二条第三款：有前两款行为的，由公安机关交通管理部门扣留机动车至违法状态消除"

POINTS_2022 = "《道路交通安全违法行为记分管理办法》"
POINTS_OLD = (
    "《机动车驾驶证申领和使用规定》(公安部令第123号，文号凭记忆 UNCONFIRMED) 附件2《道路交通安全违法行为记分分值》"
)

_BASE_ZH = {
    "rated_load": "核定载质量",
    "licence_total_mass": "行驶证总质量",
    "max_total_mass": "最大允许总质量",
}


@dataclass(frozen=True)
class PointsBand:
    rule_id: str
    from_pct: int  # applies at and above this % ("以上" includes the figure)
    points: int
    article: str


@dataclass(frozen=True)
class PointsVersion:
    key: str
    in_force_from: date | None  # None: settings.police_points_pre2022_from (UNCONFIRMED)
    measure: str  # 'rated_load' → as the Art 92 fine; 'points_base' → settings.police_points_base
    bands: tuple[PointsBand, ...]  # ascending from_pct, the first from 0


POINTS_VERSIONS: tuple[PointsVersion, ...] = (
    PointsVersion(
        key="记分分值(公安部令第123号)",
        in_force_from=None,
        measure="rated_load",
        bands=(
            PointsBand("P-PTS-OLD-3", 0, 3, f"{POINTS_OLD}：驾驶货车载物超过核定载质量未达30%的，一次记3分"),
            PointsBand(
                "P-PTS-OLD-6", 30, 6, f"{POINTS_OLD}：驾驶货车载物超过核定载质量30%以上或者违反规定载客的，一次记6分"
            ),
        ),
    ),
    PointsVersion(
        key="记分办法@2022-04-01",
        in_force_from=date(2022, 4, 1),
        measure="points_base",
        bands=(
            PointsBand(
                "P-PTS-1",
                0,
                1,
                f"{POINTS_2022}第十二条第（六）项：驾驶载货汽车载物超过最大允许总质量未达到百分之三十的",
            ),
            PointsBand(
                "P-PTS-3",
                30,
                3,
                f"{POINTS_2022}第十一条第（九）项：驾驶载货汽车载物超过最大允许总质量百分之三十以上未达到百分之五十的",
            ),
            PointsBand(
                "P-PTS-6", 50, 6, f"{POINTS_2022}第十条第（四）项：驾驶载货汽车载物超过最大允许总质量百分之五十以上的"
            ),
        ),
    ),
)


@dataclass(frozen=True)
class _Overload:
    over_kg: Decimal
    base_kg: Decimal
    base: str

    def at_least(self, pct: int) -> bool:
        return self.over_kg * 100 >= self.base_kg * pct

    def more_than(self, pct: int) -> bool:
        return self.over_kg * 100 > self.base_kg * pct

    @property
    def pct(self) -> float:
        # ⚖ Truncated, never rounded up: a displayed rate must not exceed the true one.
        return float((self.over_kg * 100 / self.base_kg).quantize(Decimal("0.01"), rounding=ROUND_DOWN))


@dataclass(frozen=True)
class PoliceFine:
    status: str  # 'fine' | 'not_over' | 'cannot_assess'
    rule_id: str | None  # 'P-FINE-1' | 'P-FINE-2'
    article: str
    min_yuan: int | None
    max_yuan: int | None
    over_kg: float | None  # gross − 行驶证 total mass
    over_pct: float | None  # of the base, 2 dp truncated
    base: str  # the settings value used
    rule_version: str
    reason: str  # Chinese; why there is no fine, or the basis of the one there is


@dataclass(frozen=True)
class PolicePoints:
    status: str  # 'points' | 'not_over' | 'cannot_assess'
    rule_id: str | None
    article: str
    points: int | None  # 0 when not over; None when it cannot be assessed
    over_pct: float | None
    base: str
    rule_version: str
    reason: str


@dataclass(frozen=True)
class PoliceAssessment:
    fine: PoliceFine
    points: PolicePoints
    detain: bool  # the vehicle is held until the overload is removed
    detain_rule_id: str  # 'P-DETAIN' when detain, else ''
    detain_article: str
    notes: tuple[str, ...] = ()

    @property
    def assessable(self) -> bool:
        return "cannot_assess" not in (self.fine.status, self.points.status)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["notes"] = list(self.notes)
        data["assessable"] = self.assessable
        return data


def _dec(value: float) -> Decimal:
    return Decimal(str(value))


def _fine_overload(
    gross_kg: float, rated_load_kg: float | None, licence_total_mass_kg: float | None, settings: RuleSettings
) -> _Overload | str:
    """The Art 92 overload, or a Chinese reason why it cannot be computed."""
    base = settings.police_fine_base
    base_kg = rated_load_kg if base == "rated_load" else licence_total_mass_kg
    missing = [
        name for name, value in (("行驶证总质量", licence_total_mass_kg), (_BASE_ZH[base], base_kg)) if value is None
    ]
    if missing:
        return f"缺少{'、'.join(dict.fromkeys(missing))}，无法计算超过核定载质量的比例，不作评估"
    return _Overload(_dec(gross_kg) - _dec(licence_total_mass_kg), _dec(base_kg), base)


def _points_overload(
    gross_kg: float, licence_total_mass_kg: float | None, max_total_mass_kg: float | None, settings: RuleSettings
) -> _Overload | str:
    base = settings.police_points_base
    base_kg = max_total_mass_kg if base == "max_total_mass" else licence_total_mass_kg
    if base_kg is None:
        return f"缺少{_BASE_ZH[base]}，无法计算记分比例，不作评估"
    return _Overload(_dec(gross_kg) - _dec(base_kg), _dec(base_kg), base)


def _assess_fine(overload: _Overload | str, act_date: date, settings: RuleSettings) -> PoliceFine:
    base = settings.police_fine_base
    if act_date < FINE_FROM:
        return PoliceFine(
            "cannot_assess", None, "", None, None, None, None, base, FINE_VERSION, "行为早于道路交通安全法施行"
        )
    if isinstance(overload, str):
        return PoliceFine("cannot_assess", None, "", None, None, None, None, base, FINE_VERSION, overload)
    over_kg, pct = float(overload.over_kg), overload.pct
    if overload.over_kg <= 0:
        reason = "未超过核定载质量，无第九十二条罚款"
        return PoliceFine("not_over", None, "", None, None, over_kg, 0.0, base, FINE_VERSION, reason)
    # "超过…百分之三十" is strictly more: exactly 30 % stays in the 200–500 band (⚖, §5.2).
    if overload.more_than(30):
        reason = f"超过核定载质量 {pct}%（超过30%）"
        return PoliceFine("fine", "P-FINE-2", ART_92_HIGH, 500, 2_000, over_kg, pct, base, FINE_VERSION, reason)
    reason = f"超过核定载质量 {pct}%（未超过30%）"
    return PoliceFine("fine", "P-FINE-1", ART_92_LOW, 200, 500, over_kg, pct, base, FINE_VERSION, reason)


def _version_key(version: PointsVersion, settings: RuleSettings) -> str:
    start = version.in_force_from or settings.police_points_pre2022_from
    return version.key if version.in_force_from else f"{version.key}@{start.isoformat()}"


def _points_version(day: date, settings: RuleSettings) -> PointsVersion | None:
    def start(version: PointsVersion) -> date:
        return version.in_force_from or settings.police_points_pre2022_from

    in_force = [v for v in POINTS_VERSIONS if start(v) <= day]
    return max(in_force, key=start) if in_force else None


def _assess_points(
    version: PointsVersion, fine_overload: _Overload | str, total_overload: _Overload | str, settings: RuleSettings
) -> PolicePoints:
    overload = fine_overload if version.measure == "rated_load" else total_overload
    key = _version_key(version, settings)
    base = settings.police_fine_base if version.measure == "rated_load" else settings.police_points_base
    if isinstance(overload, str):
        return PolicePoints("cannot_assess", None, "", None, None, base, key, overload)
    if overload.over_kg <= 0:
        return PolicePoints("not_over", None, "", 0, 0.0, base, key, f"未超过{_BASE_ZH[base]}，不记分")
    band = [b for b in version.bands if overload.at_least(b.from_pct)][-1]  # "以上" includes the figure
    reason = f"超过{_BASE_ZH[base]} {overload.pct}%，记 {band.points} 分"
    return PolicePoints("points", band.rule_id, band.article, band.points, overload.pct, base, key, reason)


def _lenient_points(act: PolicePoints, later: PolicePoints, decided_on: date) -> tuple[PolicePoints, list[str]]:
    # 行政处罚法 Art 37 by analogy: 记分 is not a 行政处罚 under Art 9, so whether a later,
    # lighter table applies is unsettled; ⚖ the party gets the lighter one.
    if act.points is None or later.points is None or later.points >= act.points:
        return act, []
    note = (
        f"⚖ 决定日 {decided_on.isoformat()} 施行的 {later.rule_version} 记 {later.points} 分，"
        f"轻于行为时 {act.rule_version} 的 {act.points} 分，从轻适用（参照行政处罚法第三十七条）"
    )
    return later, [note]


def _check_figures(gross_kg: float, *figures: float | None) -> None:
    if gross_kg < 0:
        raise ValueError("gross_kg must not be negative")
    if any(value is not None and value <= 0 for value in figures):
        raise ValueError("licence figures must be positive when given")


def police_assessment(
    gross_kg: float,
    rated_load_kg: float | None = None,
    licence_total_mass_kg: float | None = None,
    max_total_mass_kg: float | None = None,
    *,
    act_date: date,
    decided_on: date | None = None,
    settings: RuleSettings = DEFAULT,
) -> PoliceAssessment:
    """Art 92 fine band (P-FINE-1/2), points by the table in force on ``act_date`` and P-DETAIN.

    ``decided_on`` (default: the act date) lets a later, lighter points table apply (⚖).
    """
    _check_figures(gross_kg, rated_load_kg, licence_total_mass_kg, max_total_mass_kg)
    fine_overload = _fine_overload(gross_kg, rated_load_kg, licence_total_mass_kg, settings)
    total_overload = _points_overload(gross_kg, licence_total_mass_kg, max_total_mass_kg, settings)
    fine = _assess_fine(fine_overload, act_date, settings)
    act_version = _points_version(act_date, settings)
    notes: list[str] = []
    if act_version is None:
        reason = f"行为日 {act_date.isoformat()} 早于已实现的记分版本，不作评估"
        points = PolicePoints("cannot_assess", None, "", None, None, settings.police_points_base, "", reason)
    else:
        points = _assess_points(act_version, fine_overload, total_overload, settings)
        decided = decided_on or act_date
        later_version = _points_version(decided, settings)
        if later_version is not None and later_version is not act_version:
            later = _assess_points(later_version, fine_overload, total_overload, settings)
            points, notes = _lenient_points(points, later, decided)
    detain = fine.status == "fine"  # Art 92 ¶3: either fine band means the vehicle is held
    return PoliceAssessment(
        fine, points, detain, "P-DETAIN" if detain else "", ART_92_DETAIN if detain else "", tuple(notes)
    )
