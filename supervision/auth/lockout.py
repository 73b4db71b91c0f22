"""The sign-in lockout rule, as pure functions of counts and times."""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutState:
    failed_count: int
    locked_until: datetime | None


def is_locked(state: LockoutState, now: datetime) -> bool:
    """Locked while the lockout end lies in the future."""
    return state.locked_until is not None and now < state.locked_until


def after_failure(state: LockoutState, now: datetime, max_failures: int, lockout: timedelta) -> LockoutState:
    """Count a failed attempt; the `max_failures`-th in a row locks the account for `lockout`.

    A lockout that has run out starts the count again, so one more mistake after it
    does not lock the account at once.
    """
    if is_locked(state, now):
        return state
    count = 0 if state.locked_until is not None else state.failed_count
    count += 1
    if count >= max_failures:
        return LockoutState(failed_count=0, locked_until=now + lockout)
    return LockoutState(failed_count=count, locked_until=None)


def after_success() -> LockoutState:
    return LockoutState(failed_count=0, locked_until=None)
