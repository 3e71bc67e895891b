"""Bars to a penalty: device verification (JJG 907-2006; 行政处罚法 Art 41 ¶1) and the
2-year limitation (行政处罚法 Art 36)."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from service.rules import RuleSettings, SiteFacts, calibrated_until_on, penalty_bars

CST = timezone(timedelta(hours=8))
NOW = datetime(2024, 8, 1, 9, 0, tzinfo=CST)


def codes(captured_at, site, now=NOW, settings=None):
    bars = penalty_bars(captured_at, site, now, settings) if settings else penalty_bars(captured_at, site, now)
    return [b.code for b in bars]


VERIFIED = SiteFacts(kind="wim", accuracy_class="5", calibrated_until=date(2024, 6, 30))


@pytest.mark.parametrize(
    "captured_at, expected",
    [
        pytest.param(
            datetime(2024, 6, 30, 23, 59, tzinfo=CST),
            [],
            id="JJG907 verified through 2024-06-30 23:59 +08",
        ),
        pytest.param(
            datetime(2024, 7, 1, 0, 0, tzinfo=CST),
            ["calibration_lapsed"],
            id="JJG907 检定有效期届满 2024-07-01 00:00 +08",
        ),
        pytest.param(
            datetime(2024, 6, 30, 16, 30, tzinfo=UTC),
            ["calibration_lapsed"],
            id="JJG907 UTC 06-30 16:30 is 07-01 in Beijing → lapsed",
        ),
        pytest.param(
            datetime(2024, 6, 30, 15, 59, tzinfo=UTC),
            [],
            id="JJG907 UTC 06-30 15:59 is 06-30 in Beijing → valid",
        ),
    ],
)
def test_calibration_lapsed_uses_the_beijing_date(captured_at, expected):
    assert codes(captured_at, VERIFIED) == expected


@pytest.mark.parametrize(
    "site, settings, expected",
    [
        pytest.param(
            SiteFacts(kind="wim"),
            None,
            ["calibration_unknown"],
            id="⚖ JJG907 行政处罚法 Art41 wim without verification date",
        ),
        pytest.param(
            SiteFacts(kind="static"),
            None,
            [],
            id="static without date not barred by default",
        ),
        pytest.param(
            SiteFacts(kind="toll_entry"),
            None,
            [],
            id="toll_entry without date not barred by default",
        ),
        pytest.param(
            SiteFacts(kind="static"),
            RuleSettings(calibration_required_kinds=("wim", "static")),
            ["calibration_unknown"],
            id="settings static also needs a verification date",
        ),
        pytest.param(
            SiteFacts(kind="static", calibrated_until=date(2024, 1, 1)),
            None,
            ["calibration_lapsed"],
            id="JJG 强制检定 lapsed static scale barred too",
        ),
    ],
)
def test_calibration_unknown_and_other_kinds(site, settings, expected):
    assert codes(datetime(2024, 7, 15, tzinfo=CST), site, settings=settings) == expected


def test_calibration_bar_cites_its_basis_in_chinese():
    (bar,) = penalty_bars(datetime(2024, 7, 2, tzinfo=CST), VERIFIED, NOW)
    assert "JJG 907-2006" in bar.article and "第四十一条第一款" in bar.article
    assert "2024-07-02" in bar.reason and "2024-06-30" in bar.reason


ACT = datetime(2022, 3, 1, 10, 0, tzinfo=CST)
OK = SiteFacts(kind="wim", calibrated_until=date(2030, 1, 1))


@pytest.mark.parametrize(
    "captured_at, now, expired",
    [
        pytest.param(
            ACT,
            datetime(2024, 3, 1, 10, 0, tzinfo=CST),
            False,
            id="行政处罚法 Art36 exactly 2 years not expired",
        ),
        pytest.param(
            ACT,
            datetime(2024, 3, 1, 10, 0, 1, tzinfo=CST),
            True,
            id="行政处罚法 Art36 2 years + 1 s expired",
        ),
        pytest.param(
            ACT,
            datetime(2024, 3, 1, 2, 0, tzinfo=UTC),
            False,
            id="行政处罚法 Art36 exactly 2 years with now in UTC",
        ),
        pytest.param(
            ACT,
            datetime(2023, 12, 31, tzinfo=CST),
            False,
            id="行政处罚法 Art36 within 2 years",
        ),
        pytest.param(
            datetime(2024, 2, 29, 12, 0, tzinfo=CST),
            datetime(2026, 2, 28, 12, 0, tzinfo=CST),
            False,
            id="⚖ 行政处罚法 Art36 29 Feb → ends 28 Feb 12:00",
        ),
        pytest.param(
            datetime(2024, 2, 29, 12, 0, tzinfo=CST),
            datetime(2026, 2, 28, 12, 0, 1, tzinfo=CST),
            True,
            id="⚖ 行政处罚法 Art36 29 Feb → expired after 28 Feb, not 1 Mar",
        ),
    ],
)
def test_two_year_limitation_in_calendar_years(captured_at, now, expired):
    assert ("limitation_expired" in codes(captured_at, OK, now)) is expired


def test_limitation_bar_cites_article_36():
    (bar,) = penalty_bars(ACT, OK, datetime(2025, 1, 1, tzinfo=CST))
    assert bar.code == "limitation_expired" and "第三十六条" in bar.article


def test_limitation_period_is_overridable():
    assert codes(ACT, OK, datetime(2024, 6, 1, tzinfo=CST), RuleSettings(limitation_years=3)) == []


def test_several_bars_at_once():
    assert codes(ACT, SiteFacts(kind="wim"), datetime(2025, 1, 1, tzinfo=CST)) == [
        "calibration_unknown",
        "limitation_expired",
    ]


@pytest.mark.parametrize(
    "captured_at, now",
    [
        pytest.param(datetime(2024, 1, 1), NOW, id="naive captured_at"),
        pytest.param(ACT, datetime(2024, 1, 1), id="naive now"),
    ],
)
def test_naive_datetimes_are_refused(captured_at, now):
    with pytest.raises(ValueError):
        penalty_bars(captured_at, OK, now)


@pytest.mark.parametrize(
    "day, expected",
    [
        pytest.param(date(2026, 3, 1), date(2026, 6, 30), id="JJG907 inside the first certificate"),
        pytest.param(date(2026, 6, 30), date(2026, 6, 30), id="JJG907 last valid day"),
        pytest.param(date(2026, 7, 15), date(2026, 6, 30), id="JJG907 gap between certificates is lapsed"),
        pytest.param(date(2026, 8, 1), date(2027, 7, 31), id="JJG907 renewed certificate from its start"),
        pytest.param(date(2025, 12, 31), None, id="JJG907 before any certificate"),
    ],
)
def test_calibrated_until_on_picks_the_certificate_of_the_capture_date(day, expected):
    periods = [(date(2026, 1, 1), date(2026, 6, 30)), (date(2026, 8, 1), date(2027, 7, 31))]
    assert calibrated_until_on(periods, day) == expected
