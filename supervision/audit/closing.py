"""When a month's figures are closed, and which closed months a change reaches (docs/metrics.md).

Pure rules: no database, no clock; the caller passes `today`. Defined once here and used by
every use case that writes sessions or absences, and by the oversight report's marks.

- A calendar month **closes** when it has ended and a grace period of `GRACE_DAYS` days has
  passed: January closes at the start of 11 February. The grace period lets a session held on
  the last day of a month be recorded and written up (due within 5 working days) without a
  reason, even across the Christmas and New Year bank holidays.
- A change **reaches** every month from the month of the earliest day it changes to the latest
  closed month: the supervision clock carries forward, so a session held or an absence day
  added in March moves every due date after it, and with them the figures of every later month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

GRACE_DAYS = 10


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after the one starting on `month`."""
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def closes_on(day: date) -> date:
    """The first day on which the month containing `day` is closed."""
    return next_month(first_of_month(day)) + timedelta(days=GRACE_DAYS)


def is_closed(day: date, today: date) -> bool:
    """Whether the month containing `day` had closed by `today`."""
    return today >= closes_on(day)


def last_closed_month(today: date) -> date:
    """The first day of the latest month closed on `today`."""
    previous = first_of_month(first_of_month(today) - timedelta(days=1))
    if is_closed(previous, today):
        return previous
    return first_of_month(previous - timedelta(days=1))


@dataclass(frozen=True)
class ClosedMonths:
    """The closed months a change reaches, each given by its first day; both ends included."""

    first: date
    last: date

    def __contains__(self, month: date) -> bool:
        return self.first <= first_of_month(month) <= self.last


def closed_months_reached(days: Iterable[date | None], today: date) -> ClosedMonths | None:
    """The closed months a change to `days` reaches, or None when it changes only open months."""
    changed = [day for day in days if day is not None]
    if not changed:
        return None
    earliest = min(changed)
    if not is_closed(earliest, today):
        return None
    return ClosedMonths(first_of_month(earliest), last_closed_month(today))
