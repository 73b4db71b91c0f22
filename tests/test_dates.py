"""Month arithmetic (supervision/dates.py): relativedelta gives what the hand-written copies did."""

import calendar
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from supervision.dates import add_months


def clamped(day: date, months: int) -> date:
    """The rule the three copies it replaced wrote out by hand."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(-600, 600))
def test_n_months_later_is_the_same_day_or_the_months_last_day(day, months):
    assert add_months(day, months) == clamped(day, months)


def test_the_months_end_clamps_both_ways():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), -12) == date(2023, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
