"""Repeat offenders (屡犯, domain-rules §3.1) and blacklist listing (§3.2).

公路安全保护条例 Art 66 [P] gives three consequences for violations "1年内":

* R-VEH-3 — a freight vehicle with more than 3 → its 车辆营运证 is revoked;
* R-DRV-3 — a driver with more than 3 → ordered to stop commercial transport;
* R-ENT-10 — an enterprise whose violating vehicles exceed 10 % of its fleet → 停业整顿
  (情节严重的, its 道路运输经营许可证 is revoked and announced).

"1年" is the cycle of 62号令 Art 46 ¶2 [S1]: anniversary years from the first issue of the
道路运输证 / 从业资格证 / 经营许可证, crossing calendar years. That cycle is the legal trigger.
A rolling 12 months ending on the assessment day is computed beside it as a *watch* signal
for officers, never as the trigger (§3.1: a rolling window flags more often).

What counts (§13.5, UNCONFIRMED): violations with a penalty decision made by the assessment
day, placed in a window by the date of the act ("1年内违法超限运输"). Warnings count unless
``settings.repeat_count_warnings`` is off; a 不予处罚 decision never counts.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from .settings import DEFAULT, RuleSettings
from .versions import LAW_62, NoRuleInForce

RULE_VERSION = "公路安全保护条例@2011-07-01; 62号令@2016-09-21"
# The counting cycle implemented is 62号令's; earlier assessments have no implemented rule.
CYCLE_RULE_FROM = date(2016, 9, 21)
MORE_THAN_TIMES = 3  # "超过3次": the 4th counted violation triggers
MORE_THAN_PCT = 10  # "超过本单位货运车辆总数10%": strictly greater

ART_66 = "《公路安全保护条例》第六十六条"
ART_66_VEH = f"{ART_66}：对1年内违法超限运输超过3次的货运车辆，由道路运输管理机构吊销其车辆营运证"
ART_66_DRV = f"{ART_66}：对1年内违法超限运输超过3次的货运车辆驾驶人，由道路运输管理机构责令其停止从事营业性运输"
ART_66_ENT = (
    f"{ART_66}：道路运输企业1年内违法超限运输的货运车辆超过本单位货运车辆总数10%的，"
    "由道路运输管理机构责令道路运输企业停业整顿；情节严重的，吊销其道路运输经营许可证，并向社会公告"
)
CYCLE_ARTICLE = (
    f"{LAW_62} 第四十六条第二款（2016年文本；交通运输部令2021年第12号修正后推定为第四十七条，UNCONFIRMED）："
    "前款规定的违法超限运输记录累计计算周期，从初次领取《道路运输证》、道路运输从业人员从业资格证、"
    "道路运输经营许可证之日算起，可跨自然年度"
)
BLACKLIST_ARTICLE = (
    "交通运输部办公厅《关于界定严重违法失信超限超载运输行为和相关责任主体有关事项的通知》（交办公路〔2017〕8号）"
)
AUTHORITY = "道路运输管理机构（《道路运输条例》2022–2023年修订后称县级以上交通运输主管部门）"
HENAN_REVOCATION = "[PROV 河南] 吊销道路运输经营许可证，并向社会公告"

DECISION_KINDS = ("", "warning", "fine", "none")  # '' = kind not known
_BASIS_ZH = {
    "anniversary": "自{licence}初次领取之日起的周年周期，可跨自然年度",
    "fallback_calendar_year": "{licence}初次领取日期未登记，替代口径：自然年度",
    "fallback_rolling_12_months": "{licence}初次领取日期未登记，替代口径：截至评估日的滚动12个月",
}


@dataclass(frozen=True)
class DecidedViolation:
    """One violation with its penalty decision; a plain ``date`` is one of unknown kind."""

    act_date: date  # places the violation in a window ("1年内违法超限运输")
    kind: str = ""  # 'warning' | 'fine' | 'none' (不予处罚) | '' (not known)
    decided_on: date | None = None  # None: the caller vouches it was decided by the assessment day

    def __post_init__(self) -> None:
        if self.kind not in DECISION_KINDS:
            raise ValueError(f"kind must be one of {DECISION_KINDS}")
        if self.decided_on is not None and self.decided_on < self.act_date:
            raise ValueError("a decision cannot precede its act")


Violation = date | DecidedViolation


@dataclass(frozen=True)
class RepeatAssessment:
    """One Art 66 assessment; stored with the reading (rule, article, version, window)."""

    rule_id: str  # 'R-VEH-3' | 'R-DRV-3' | 'R-ENT-10'
    subject: str  # 'vehicle' | 'driver' | 'enterprise'
    status: str  # 'assessed' | 'cannot_assess'
    window_start: date  # statutory window, start inclusive
    window_end: date  # end exclusive
    window_basis: str  # 'anniversary' | 'fallback_calendar_year' | 'fallback_rolling_12_months'
    statutory_count: int  # violations (or, R-ENT-10, the numerator) in the window up to the day
    triggered: bool  # the legal consequence applies
    rolling_start: date
    rolling_end: date
    rolling_count: int
    watch: bool  # rolling 12 months past the threshold: a signal for officers, never the trigger
    consequence: str  # Chinese: what the authority does when triggered
    article: str
    authority: str
    rule_version: str
    reason: str  # Chinese, for officers
    blacklist: tuple[str, ...] = ()  # matched listing situations (B-1, B-2, B-3)
    counted: tuple[date, ...] = ()  # act dates counted in the statutory window
    statutory_share_pct: float | None = None  # R-ENT-10 only, 2 dp truncated
    rolling_share_pct: float | None = None
    counted_vehicles: tuple[str, ...] = ()  # R-ENT-10 only
    fleet_size: int | None = None
    fleet_basis: str = ""  # R-ENT-10: settings.enterprise_fleet_basis
    numerator: str = ""  # R-ENT-10: settings.enterprise_share_numerator
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values (lists, str, int, float, bool, None)."""
        data = asdict(self)
        for key in ("window_start", "window_end", "rolling_start", "rolling_end"):
            data[key] = data[key].isoformat()
        data["counted"] = [d.isoformat() for d in self.counted]
        for key in ("blacklist", "counted_vehicles", "notes"):
            data[key] = list(data[key])
        return data


def _anniversary(anchor: date, year: int) -> date:
    try:
        return anchor.replace(year=year)
    except ValueError:  # a 29 February anchor in a common year
        # ⚖ 28 February, as bars.limitation_deadline: a cycle that starts on the leap day
        # itself then lasts 365 days, not 366. (Over four years each reading has one 366-day
        # cycle; this one keeps the cycle that begins on the anchor day short.)
        return date(year, 2, 28)


def counting_cycle(anchor: date | None, on: date, *, settings: RuleSettings = DEFAULT) -> tuple[date, date]:
    """The 62号令 Art 46 ¶2 cycle containing `on`: (start inclusive, end exclusive).

    `anchor` is the first issue date of the licence. Unknown (None): the fallback of
    ``settings.repeat_fallback_window`` — the calendar year of `on` (default) or the rolling
    12 months ending `on`; ``window_basis`` names it.
    """
    if anchor is None:
        if settings.repeat_fallback_window == "rolling_12_months":
            return rolling_window(on)
        return date(on.year, 1, 1), date(on.year + 1, 1, 1)
    if anchor > on:
        raise ValueError(f"licence first issued {anchor.isoformat()}, after the assessment day {on.isoformat()}")
    year = on.year if _anniversary(anchor, on.year) <= on else on.year - 1
    return _anniversary(anchor, year), _anniversary(anchor, year + 1)


def _months_before(day: date, months: int) -> date:
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    # Clamped to the month's end: 31 March − 1 month → 28 (or 29) February.
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def rolling_window(on: date, months: int = 12) -> tuple[date, date]:
    """The `months` months ending with `on` (start inclusive, end exclusive = the day after `on`).

    ⚖ The window is as long as an anniversary cycle: `on` minus 12 months is *not* in it, so a
    pattern is never flagged that no statutory cycle could hold.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    return _months_before(on, months) + timedelta(days=1), on + timedelta(days=1)


def _as_decided(item: Violation) -> DecidedViolation:
    if isinstance(item, DecidedViolation):
        return item
    # datetime is a date subclass; comparing it with dates would fail later, or silently mislead.
    if isinstance(item, date) and not isinstance(item, datetime):
        return DecidedViolation(item)
    raise TypeError(f"expected a date or DecidedViolation, got {type(item).__name__}")


def _counts(item: DecidedViolation, on: date, settings: RuleSettings) -> bool:
    if item.act_date > on or (item.decided_on is not None and item.decided_on > on):
        return False  # not a decided violation as of the assessment day
    if item.kind == "none":
        return False  # 不予处罚 is not a penalty
    if item.kind == "fine":
        return True
    # A warning counts only when warnings do; ⚖ so does a decision of unknown kind, which
    # cannot be shown to be more than a warning.
    return settings.repeat_count_warnings


def _countable(items: Iterable[Violation], on: date, settings: RuleSettings) -> tuple[list[date], list[str]]:
    decided = [_as_decided(item) for item in items]
    dates = sorted(d.act_date for d in decided if _counts(d, on, settings))
    notes = []
    unknown = [d for d in decided if d.kind == "" and d.act_date <= on]
    if unknown and not settings.repeat_count_warnings:
        notes.append(f"{len(unknown)} 项处罚决定种类未知，不计警告时无法确认其为罚款，未计入（⚖）")
    return dates, notes


def _within(dates: Iterable[date], window: tuple[date, date]) -> list[date]:
    start, end = window
    return [d for d in dates if start <= d < end]


def _basis(anchor: date | None, settings: RuleSettings) -> str:
    return "anniversary" if anchor is not None else f"fallback_{settings.repeat_fallback_window}"


FALLBACK_NOTE = "初次领证日期未登记，统计周期为替代口径而非第四十六条第二款的周年周期；登记后应复核"


def _check_version(on: date) -> None:
    if on < CYCLE_RULE_FROM:
        raise NoRuleInForce(
            f"no repeat-offender counting rule is implemented for {on.isoformat()}: "
            f"62号令 Art 46 ¶2 is in force from {CYCLE_RULE_FROM.isoformat()}"
        )


def _window_zh(window: tuple[date, date], basis: str, licence: str) -> str:
    last = window[1] - timedelta(days=1)
    return f"{window[0].isoformat()} 至 {last.isoformat()}（{_BASIS_ZH[basis].format(licence=licence)}）"


@dataclass(frozen=True)
class _CountRule:
    rule_id: str
    subject: str
    subject_zh: str
    licence_zh: str
    consequence: str
    article: str
    blacklist_id: str


_VEHICLE = _CountRule(
    "R-VEH-3", "vehicle", "该货运车辆", "道路运输证", "吊销车辆营运证（道路运输证）", ART_66_VEH, "B-1"
)
_DRIVER = _CountRule("R-DRV-3", "driver", "该驾驶人", "从业资格证", "责令停止从事营业性运输", ART_66_DRV, "B-2")


def _assess_count(
    rule: _CountRule,
    violations: Iterable[Violation],
    licence_issued: date | None,
    on: date,
    settings: RuleSettings,
) -> RepeatAssessment:
    _check_version(on)
    dates, notes = _countable(violations, on, settings)
    window, rolling = counting_cycle(licence_issued, on, settings=settings), rolling_window(on)
    basis = _basis(licence_issued, settings)
    counted, in_rolling = _within(dates, window), _within(dates, rolling)
    triggered = len(counted) > MORE_THAN_TIMES
    verdict = "超过3次" if triggered else "未超过3次"
    reason = (
        f"统计周期 {_window_zh(window, basis, rule.licence_zh)}，{rule.subject_zh}经处罚决定的违法超限运输 "
        f"{len(counted)} 次，{verdict}；滚动12个月内 {len(in_rolling)} 次（仅作预警）"
    )
    article = rule.article + (f"；{CYCLE_ARTICLE}" if basis == "anniversary" else "")
    return RepeatAssessment(
        rule_id=rule.rule_id,
        subject=rule.subject,
        status="assessed",
        window_start=window[0],
        window_end=window[1],
        window_basis=basis,
        statutory_count=len(counted),
        triggered=triggered,
        rolling_start=rolling[0],
        rolling_end=rolling[1],
        rolling_count=len(in_rolling),
        watch=len(in_rolling) > MORE_THAN_TIMES,
        consequence=rule.consequence,
        article=article,
        authority=AUTHORITY,
        rule_version=RULE_VERSION,
        reason=reason,
        blacklist=(rule.blacklist_id,) if triggered else (),
        counted=tuple(counted),
        notes=tuple(notes + ([FALLBACK_NOTE] if basis != "anniversary" else [])),
    )


def assess_vehicle(
    decided_dates: Iterable[Violation],
    *,
    licence_issued: date | None,
    on: date,
    settings: RuleSettings = DEFAULT,
) -> RepeatAssessment:
    """R-VEH-3: more than 3 decided violations in the cycle of the vehicle's 道路运输证."""
    return _assess_count(_VEHICLE, decided_dates, licence_issued, on, settings)


def assess_driver(
    decided_dates: Iterable[Violation],
    *,
    licence_issued: date | None,
    on: date,
    settings: RuleSettings = DEFAULT,
) -> RepeatAssessment:
    """R-DRV-3: more than 3 decided violations in the cycle of the driver's 从业资格证."""
    return _assess_count(_DRIVER, decided_dates, licence_issued, on, settings)


def blacklist_listing_ends(listed_on: date, settings: RuleSettings = DEFAULT) -> date | None:
    """The first day a party listed on `listed_on` is no longer listed (§3.2).

    ``settings.blacklist_valid_years`` is [PROV Shitai] 2 years; None (no duration configured,
    national UNCONFIRMED) → None.
    """
    years = settings.blacklist_valid_years
    if years is None:
        return None
    try:
        return listed_on.replace(year=listed_on.year + years)
    except ValueError:  # listed on 29 February
        # ⚖ 28 February, not 1 March: the shorter listing favours the party.
        return date(listed_on.year + years, 2, 28)
