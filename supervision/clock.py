"""The injectable clock: rules receive dates; services and jobs ask the app's clock.

Tests replace the clock with a FixedClock and move it, so lockouts, due dates and the
scheduler can travel through weeks in milliseconds.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

LONDON = ZoneInfo("Europe/London")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(LONDON).date()


class FixedClock(SystemClock):
    def __init__(self, at: datetime):
        self.at = at if at.tzinfo else at.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def clock() -> SystemClock:
    return current_app.extensions["clock"]
