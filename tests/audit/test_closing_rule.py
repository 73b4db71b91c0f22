"""The closed-month rule (supervision.audit.closing): when a month's figures close, and which
closed months a change reaches."""

from datetime import date, timedelta

import pytest

from supervision.audit.closing import (
    GRACE_DAYS,
    ClosedMonths,
    closed_months_reached,
    closes_on,
    is_closed,
    last_closed_month,
)


@pytest.mark.parametrize(
    ("day", "closes"),
    [
        (date(2026, 1, 1), date(2026, 2, 11)),
        (date(2026, 1, 31), date(2026, 2, 11)),
        (date(2026, 2, 28), date(2026, 3, 11)),
        (date(2026, 12, 31), date(2027, 1, 11)),  # past the Christmas and New Year bank holidays
    ],
)
def test_a_month_closes_ten_days_after_it_ends(day, closes):
    assert GRACE_DAYS == 10
    assert closes_on(day) == closes
    assert not is_closed(day, closes - timedelta(days=1))
    assert is_closed(day, closes)


def test_a_session_written_up_in_time_after_the_last_day_of_a_month_needs_no_reason():
    """Write-ups are due within 5 working days: 31 December 2026 is due by 8 January 2027."""
    assert not is_closed(date(2026, 12, 31), date(2027, 1, 8))


@pytest.mark.parametrize(
    ("today", "last"),
    [
        (date(2026, 11, 23), date(2026, 10, 1)),
        (date(2026, 11, 10), date(2026, 9, 1)),
        (date(2026, 11, 11), date(2026, 10, 1)),
        (date(2027, 1, 5), date(2026, 11, 1)),
        (date(2027, 1, 11), date(2026, 12, 1)),
    ],
)
def test_the_latest_closed_month(today, last):
    assert last_closed_month(today) == last


def test_a_change_reaches_every_closed_month_from_its_earliest_day():
    reached = closed_months_reached([date(2026, 9, 4), date(2026, 8, 10)], date(2026, 11, 23))
    assert reached == ClosedMonths(date(2026, 8, 1), date(2026, 10, 1))
    assert date(2026, 9, 30) in reached and date(2026, 11, 1) not in reached


def test_the_issues_absence_from_1800_reaches_every_closed_month_since():
    reached = closed_months_reached([date(1800, 1, 1), date(2027, 12, 31)], date(2026, 11, 23))
    assert reached == ClosedMonths(date(1800, 1, 1), date(2026, 10, 1))


def test_a_change_to_open_months_only_reaches_none():
    assert closed_months_reached([date(2026, 11, 2), date(2027, 3, 1)], date(2026, 11, 23)) is None
    assert closed_months_reached([date(2026, 10, 31)], date(2026, 11, 10)) is None
    assert closed_months_reached([None], date(2026, 11, 23)) is None
