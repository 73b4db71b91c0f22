"""Exponential backoff: the one rule for waiting longer after each failure (the outbox's retries,
the sign-in throttle's waits)."""

from __future__ import annotations

from datetime import timedelta

# Far beyond any cap a setting could give; keeps 2 ** n small whatever a count says.
MAX_DOUBLINGS = 20


def doubling_wait(base: timedelta, doublings: int, cap: timedelta) -> timedelta:
    """`base`, 2 x `base`, 4 x `base`, ... after `doublings` doublings, never more than `cap`."""
    return min(base * (1 << min(max(doublings, 0), MAX_DOUBLINGS)), cap)
