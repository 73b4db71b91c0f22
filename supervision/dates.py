"""Calendar arithmetic shared by every rule: the one definition of "n months later"."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier when negative), clamped to the month's end.

    31 January + 1 month is 28 February (29 in a leap year); 29 February - 12 months is
    28 February. python-dateutil's relativedelta does the calendar work (docs/decisions.md).
    """
    return day + relativedelta(months=months)
