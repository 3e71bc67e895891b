"""The clock and the one local time zone (Beijing time, UTC+8, domain-rules: dates are local)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from service.rules.facts import CST, local_date

__all__ = ["CST", "local_date", "now", "today"]


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Beijing time: deadlines, daily figures and the statement period use it."""
    return local_date(now())
