"""Reasons a reading must not support a penalty (处罚障碍), each with its basis."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from .facts import SiteFacts, local_date
from .settings import CST, DEFAULT, RuleSettings

CALIBRATION_BASIS = (
    "JJG 907-2006《动态公路车辆自动衡器》（强制检定）；"
    "《中华人民共和国行政处罚法》第四十一条第一款：利用电子技术监控设备收集、固定违法事实的，"
    "应当经过法制和技术审核，确保电子技术监控设备符合标准"
)
LIMITATION_BASIS = "《中华人民共和国行政处罚法》第三十六条第一款：违法行为在二年内未被发现的，不再给予行政处罚"


@dataclass(frozen=True)
class PenaltyBar:
    code: str  # 'calibration_lapsed' | 'calibration_unknown' | 'limitation_expired'
    reason: str  # Chinese, for officers
    article: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _calibration_bar(captured_at: datetime, site: SiteFacts, settings: RuleSettings) -> PenaltyBar | None:
    until = site.calibrated_until
    if until is None:
        if site.kind not in settings.calibration_required_kinds:
            return None
        # ⚖ Without a known verification date the device cannot be shown to be verified,
        # and only a verified device's record can support a penalty.
        reason = "称重设备检定有效期未登记，无法证明称重时设备经检定合格，不得据此处罚"
        return PenaltyBar("calibration_unknown", reason, CALIBRATION_BASIS)
    act_date = local_date(captured_at)
    # The certificate is valid through its last day (⚖ the day itself still counts as valid).
    if act_date > until:
        reason = f"称重日期 {act_date.isoformat()} 晚于设备检定有效期 {until.isoformat()}（检定有效期届满）"
        return PenaltyBar("calibration_lapsed", reason, CALIBRATION_BASIS)
    return None


def limitation_deadline(captured_at: datetime, settings: RuleSettings = DEFAULT) -> datetime:
    """The instant the Art 36 period ends: the same local date and time N calendar years on."""
    local = captured_at.astimezone(CST)
    year = local.year + settings.limitation_years
    try:
        return local.replace(year=year)
    except ValueError:  # 29 February in a non-leap target year
        # ⚖ End on 28 February rather than 1 March: the shorter period favours the party.
        return local.replace(year=year, day=28)


def _limitation_bar(captured_at: datetime, now: datetime, settings: RuleSettings) -> PenaltyBar | None:
    # The period runs from the act (Art 36 ¶2); ``now`` is when the penalty is considered,
    # so a reading past the deadline is barred whatever the discovery date was (⚖).
    deadline = limitation_deadline(captured_at, settings)
    if now <= deadline:
        return None
    reason = (
        f"违法行为发生于 {captured_at.astimezone(CST):%Y-%m-%d %H:%M}，"
        f"已超过 {settings.limitation_years} 年处罚时效（截至 {deadline:%Y-%m-%d %H:%M}）"
    )
    return PenaltyBar("limitation_expired", reason, LIMITATION_BASIS)


def penalty_bars(
    captured_at: datetime,
    site: SiteFacts,
    now: datetime,
    settings: RuleSettings = DEFAULT,
) -> list[PenaltyBar]:
    """Every bar that applies; an empty list means nothing here stops a penalty."""
    if captured_at.utcoffset() is None or now.utcoffset() is None:
        raise ValueError("captured_at and now must be timezone-aware")
    bars = [
        _calibration_bar(captured_at, site, settings),
        _limitation_bar(captured_at, now, settings),
    ]
    return [bar for bar in bars if bar is not None]


def calibrated_until_on(periods: list[tuple[date | None, date]], day: date) -> date | None:
    """The verification end date that speaks for a weighing on `day`.

    `periods` are (valid_from, valid_until) of the device's certificates. A period
    covering `day` gives its end; otherwise the latest certificate that ended before
    `day` (so the bar says it lapsed); None when no certificate covered the device by then.
    """
    covering = [until for start, until in periods if (start is None or start <= day) and day <= until]
    if covering:
        return max(covering)
    ended = [until for start, until in periods if until < day]
    return max(ended) if ended else None
