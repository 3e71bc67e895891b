"""Procedure deadlines (domain-rules §6.3): 行政处罚法 Art 60/61/64/67/72/85, 民事诉讼法 Art 85,
62号令 Art 44/45 (X-TRANSPORT-7WD).

The holiday calendar below is test data (the 2024 National Day arrangement: 10-01…10-07 off,
Sunday 09-29 and Saturday 10-12 worked); the service loads the real one per deployment.
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from service.rules import (
    RuleSettings,
    add_working_days,
    case_deadlines,
    copy_notice_due,
    decision_deadlines,
    due_soon,
    is_overdue,
    is_working_day,
    late_fee,
    notice_deadlines,
    payment_deadlines,
)

CST = timezone(timedelta(hours=8))
NATIONAL_DAY_2024 = frozenset(date(2024, 10, day) for day in range(1, 8))
CALENDAR = RuleSettings(
    public_holidays=NATIONAL_DAY_2024 | {date(2024, 1, 1)},
    adjusted_workdays=frozenset({date(2024, 9, 29), date(2024, 10, 12)}),
)


def at(y, m, d, hour=10):
    return datetime(y, m, d, hour, 0, tzinfo=CST)


@pytest.mark.parametrize(
    "start, n, settings, due",
    [
        pytest.param(date(2024, 5, 10), 1, None, date(2024, 5, 13), id="Fri + 1 WD skips the weekend → Mon"),
        pytest.param(date(2024, 5, 10), 5, None, date(2024, 5, 17), id="Fri + 5 WD → next Fri"),
        pytest.param(date(2024, 5, 11), 1, None, date(2024, 5, 13), id="Sat + 1 WD → Mon (start day not counted)"),
        pytest.param(date(2024, 5, 10), 0, None, date(2024, 5, 10), id="+ 0 WD → the start day"),
        pytest.param(date(2024, 9, 26), 4, None, date(2024, 10, 2), id="no calendar loaded: weekends only"),
        pytest.param(date(2024, 9, 26), 2, CALENDAR, date(2024, 9, 29), id="调休 Sunday 09-29 is a working day"),
        pytest.param(date(2024, 9, 26), 4, CALENDAR, date(2024, 10, 8), id="法定节假日 10-01…07 skipped → 10-08"),
        pytest.param(date(2024, 10, 9), 3, CALENDAR, date(2024, 10, 12), id="调休 Saturday 10-12 is a working day"),
    ],
)
def test_add_working_days(start, n, settings, due):
    assert (add_working_days(start, n, settings) if settings else add_working_days(start, n)) == due


def test_working_day_predicates_and_errors():
    assert not is_working_day(date(2024, 10, 1), CALENDAR)
    assert is_working_day(date(2024, 10, 1))  # a Tuesday, when no calendar is loaded
    with pytest.raises(ValueError):
        add_working_days(date(2024, 5, 10), -1)


def test_calendar_settings_are_validated_and_hashable():
    with pytest.raises(ValueError, match="同时列为法定节假日和调休上班日"):
        RuleSettings(public_holidays=frozenset({date(2024, 10, 1)}), adjusted_workdays=frozenset({date(2024, 10, 1)}))
    settings = RuleSettings(public_holidays={date(2024, 10, 1)})  # a plain set is accepted
    assert isinstance(settings.public_holidays, frozenset)
    hash(settings)


@pytest.mark.parametrize(
    "opened_at, due, note",
    [
        pytest.param(at(2024, 3, 1), date(2024, 5, 30), None, id="D-DECIDE-90 行政处罚法 Art60 03-01 → 05-30"),
        pytest.param(
            datetime(2024, 2, 29, 16, 30, tzinfo=UTC),
            date(2024, 5, 30),
            None,
            id="D-DECIDE-90 UTC 02-29 16:30 is 03-01 in Beijing → 05-30",
        ),
        pytest.param(
            at(2024, 3, 3),
            date(2024, 6, 1),
            "2024-06-03",
            id="⚖ D-DECIDE-90 authority period ending Sat 06-01 is not extended",
        ),
    ],
)
def test_decision_due_90_days_after_case_opening(opened_at, due, note):
    deadline = case_deadlines(opened_at)["decision_due"]
    assert (deadline.rule_id, deadline.due, deadline.unit, deadline.binds) == (
        "D-DECIDE-90",
        due,
        "calendar",
        "authority",
    )
    assert "第六十条" in deadline.article and "九十日内" in deadline.article
    assert any(note in text for text in deadline.notes) if note else deadline.notes == ()


@pytest.mark.parametrize(
    "served_at, settings, statement_due, hearing_due",
    [
        pytest.param(
            at(2024, 5, 6), None, date(2024, 6, 5), date(2024, 5, 13), id="D-STATEMENT 30 d, D-HEARING-5WD Art64 Mon"
        ),
        pytest.param(
            at(2024, 5, 2),
            None,
            date(2024, 6, 3),
            date(2024, 5, 9),
            id="⚖ D-STATEMENT 民诉法 Art85 ends Sat 06-01 → Mon 06-03",
        ),
        pytest.param(
            at(2024, 9, 1),
            CALENDAR,
            date(2024, 10, 8),
            date(2024, 9, 6),
            id="⚖ D-STATEMENT ends on holiday 10-01 → 10-08",
        ),
        pytest.param(
            at(2024, 9, 27),
            CALENDAR,
            date(2024, 10, 28),
            date(2024, 10, 10),
            id="D-HEARING-5WD 行政处罚法 Art85 Sun 09-29 worked, 10-01…07 off → 10-10",
        ),
        pytest.param(
            at(2024, 5, 6),
            RuleSettings(statement_period_days=15),
            date(2024, 5, 21),
            date(2024, 5, 13),
            id="D-STATEMENT [PROV] period is a setting: 15 d",
        ),
    ],
)
def test_notice_deadlines(served_at, settings, statement_due, hearing_due):
    deadlines = notice_deadlines(served_at, settings) if settings else notice_deadlines(served_at)
    statement, hearing = deadlines["statement_due"], deadlines["hearing_request_due"]
    assert (statement.rule_id, statement.due, statement.binds) == ("D-STATEMENT", statement_due, "party")
    assert (hearing.rule_id, hearing.due, hearing.unit) == ("D-HEARING-5WD", hearing_due, "working")
    assert "PROV" in statement.article
    assert "第六十四条" in hearing.article and "第八十五条" in hearing.article


def test_service_due_7_working_days_after_decision():
    deadline = decision_deadlines(at(2024, 5, 9))["service_due"]
    assert (deadline.rule_id, deadline.due, deadline.unit) == ("D-SERVE-7WD", date(2024, 5, 20), "working")
    assert "第六十一条" in deadline.article and "七日内" in deadline.article


@pytest.mark.parametrize(
    "served_at, due, extended",
    [
        pytest.param(at(2024, 5, 6), date(2024, 5, 21), False, id="D-PAY-15 行政处罚法 Art67 05-06 → 05-21"),
        pytest.param(at(2024, 5, 3), date(2024, 5, 20), True, id="⚖ D-PAY-15 民诉法 Art85 ends Sat 05-18 → Mon 05-20"),
    ],
)
def test_payment_due_15_days_after_receipt(served_at, due, extended):
    deadline = payment_deadlines(served_at)["payment_due"]
    assert (deadline.rule_id, deadline.due, deadline.binds) == ("D-PAY-15", due, "party")
    assert "十五日内" in deadline.article
    assert any("顺延" in note for note in deadline.notes) is extended


def test_copy_notice_due_7_working_days_after_closing():
    deadline = copy_notice_due(at(2024, 5, 10))
    assert (deadline.rule_id, deadline.due) == ("X-TRANSPORT-7WD", date(2024, 5, 21))
    assert "7个工作日" in deadline.article
    assert deadline.to_dict()["due"] == "2024-05-21"


@pytest.mark.parametrize(
    "settings, start, missing",
    [
        pytest.param(None, at(2024, 5, 10), "2024", id="no calendar loaded → deadline says so"),
        pytest.param(CALENDAR, at(2024, 5, 10), None, id="2024 calendar loaded → no warning"),
        pytest.param(CALENDAR, at(2024, 12, 27), "2025", id="2025 not loaded → warning names 2025"),
    ],
)
def test_deadline_warns_when_the_holiday_calendar_is_missing(settings, start, missing):
    deadline = copy_notice_due(start, settings) if settings else copy_notice_due(start)
    warnings = [note for note in deadline.notes if "未载入" in note]
    if missing is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and missing in warnings[0]


DUE = date(2024, 5, 21)


@pytest.mark.parametrize(
    "fine, paid_on, suspended, fee",
    [
        pytest.param(1_000, DUE, 0, 0, id="D-LATE-3PCT Art72 paid on the due date → 0"),
        pytest.param(1_000, date(2024, 5, 22), 0, 30, id="D-LATE-3PCT Art72 1 day late → 3 % = 30"),
        pytest.param(1_000, date(2024, 5, 31), 0, 300, id="D-LATE-3PCT Art72 10 days late → 300"),
        pytest.param(1_000, date(2024, 6, 23), 0, 990, id="D-LATE-3PCT Art72 33 days late → 990"),
        pytest.param(1_000, date(2024, 6, 24), 0, 1_000, id="D-LATE-3PCT Art72 不得超出罚款的数额 34 days → 1000"),
        pytest.param(1_000, date(2025, 5, 21), 0, 1_000, id="D-LATE-3PCT Art72 a year late → capped 1000"),
        pytest.param(250, date(2024, 5, 22), 0, 7, id="⚖ D-LATE-3PCT 7.5 yuan rounded down → 7"),
        pytest.param(1_000, date(2024, 6, 30), 30, 300, id="D-LATE-3PCT Art73¶3 review days not counted"),
    ],
)
def test_late_fee(fine, paid_on, suspended, fee):
    assert late_fee(fine, DUE, paid_on, suspended_days=suspended) == fee


def test_late_fee_rejects_negative_fine():
    with pytest.raises(ValueError):
        late_fee(-1, DUE, DUE)


@pytest.mark.parametrize(
    "today, overdue, soon",
    [
        pytest.param(date(2024, 5, 17), False, False, id="4 days ahead: neither"),
        pytest.param(date(2024, 5, 18), False, True, id="3 days ahead: due soon"),
        pytest.param(DUE, False, True, id="民法典 Art203 the due day itself is in time"),
        pytest.param(date(2024, 5, 22), True, False, id="the day after: overdue"),
    ],
)
def test_overdue_and_due_soon(today, overdue, soon):
    assert is_overdue(DUE, today) is overdue
    assert due_soon(DUE, today) is soon
