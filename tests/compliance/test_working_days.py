from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervision.compliance.working_days import (
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
)

dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


def brute_force_working_days(start: date, end: date) -> int:
    return sum(
        1 for offset in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=offset))
    )


def test_christmas_2026_and_its_boxing_day_substitute_are_not_working_days():
    assert not is_working_day(date(2026, 12, 25))  # Friday
    assert not is_working_day(date(2026, 12, 26))  # Saturday
    assert not is_working_day(date(2026, 12, 28))  # Monday, Boxing Day substitute
    assert is_working_day(date(2026, 12, 29))


def test_easter_2027_is_skipped_when_adding_working_days():
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)


def test_a_weekend_is_skipped():
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday -> Monday


def test_working_days_between_christmas_eve_and_new_year():
    # 29, 30 and 31 December 2026 only.
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 31)) == 3


def test_bank_holidays_come_from_the_library_for_any_year():
    # Good Friday and Easter Monday 2030 move with Easter: nobody typed these in.
    assert date(2030, 4, 19) in bank_holidays(2030)
    assert date(2030, 4, 22) in bank_holidays(2030)
    assert all(day.weekday() < 5 for day in bank_holidays(2027))
    assert date(2027, 12, 27) in bank_holidays(2027) and date(2027, 12, 28) in bank_holidays(2027)


def test_zero_working_days_added_is_the_same_day_and_negative_is_refused():
    assert add_working_days(date(2026, 12, 26), 0) == date(2026, 12, 26)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 12, 26), -1)


def test_an_empty_or_backward_range_has_no_working_days():
    assert working_days_between(date(2026, 12, 1), date(2026, 12, 1)) == 0
    assert working_days_between(date(2026, 12, 9), date(2026, 12, 1)) == 0


@settings(max_examples=150, deadline=None)
@given(start=dates, length=st.integers(min_value=0, max_value=800))
def test_counting_by_arithmetic_matches_counting_day_by_day(start, length):
    end = start + timedelta(days=length)
    assert working_days_between(start, end) == brute_force_working_days(start, end)


@settings(max_examples=150, deadline=None)
@given(start=dates, count=st.integers(min_value=1, max_value=300))
def test_adding_working_days_lands_on_a_working_day_that_many_working_days_later(start, count):
    result = add_working_days(start, count)
    assert is_working_day(result)
    assert working_days_between(start, result) == count
    assert working_days_between(start, result - timedelta(days=1)) == count - 1
