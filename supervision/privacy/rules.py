"""The retention rules as pure functions: given dates and settings, never the clock or the db."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from supervision.dates import add_months


def last_end_date_to_purge(today: date, years_after_leaving: int) -> date:
    """Leavers whose last day is on or before this date are past the retention period today."""
    return add_months(today, -12 * years_after_leaving)


def purge_from(reported_at: datetime, notice_days: int) -> datetime:
    """The earliest moment a person reported by a dry run may be purged (shown to administrators)."""
    return reported_at + timedelta(days=notice_days)


def purge_is_due(reported_at: datetime, now: datetime, notice_days: int) -> bool:
    """A reported person may be purged once the notice period has passed."""
    return now >= purge_from(reported_at, notice_days)
