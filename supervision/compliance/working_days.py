"""Working days in England and Wales: weekdays that are not bank holidays.

Bank holidays come from the maintained `holidays` package (Gov.uk's list, including
substitute days when a holiday falls on a weekend), never from a hand-typed list. Weekends
are excluded first, so a holiday on a Saturday and its Monday substitute count once.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from functools import cache, lru_cache

import holidays


@cache
def _weekday_bank_holidays(year: int) -> tuple[date, ...]:
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return tuple(sorted(day for day in calendar if day.year == year and day.weekday() < 5))


def bank_holidays(year: int) -> tuple[date, ...]:
    """England and Wales bank holidays in `year` that fall on a weekday, in date order."""
    return _weekday_bank_holidays(year)


def is_working_day(day: date) -> bool:
    """A weekday that is not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _weekday_bank_holidays(day.year)


def _weekdays_up_to(day: date) -> int:
    """Weekdays from 1 January of year 1 (a Monday) to `day`, inclusive."""
    ordinal = day.toordinal()
    return ordinal // 7 * 5 + min(ordinal % 7, 5)


def _bank_holidays_up_to(day: date, first_year: int) -> int:
    count = sum(len(_weekday_bank_holidays(year)) for year in range(first_year, day.year))
    return count + bisect_right(_weekday_bank_holidays(day.year), day)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; 0 when `end` is not after `start`."""
    if end <= start:
        return 0
    weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
    holidays_in_range = _bank_holidays_up_to(end, start.year) - _bank_holidays_up_to(start, start.year)
    return weekdays - holidays_in_range


@lru_cache(maxsize=65_536)
def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (`start` itself when `count` is 0)."""
    if count < 0:
        raise ValueError("count must not be negative")
    # Five working days span at most seven calendar days, plus the odd bank holiday: jump
    # close with arithmetic, then step the rest.
    day = start + timedelta(days=max(0, count // 5 * 7 - 7))
    remaining = count - working_days_between(start, day)
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
