from datetime import UTC, datetime, timedelta

from supervision.auth.lockout import LockoutState, after_failure, after_success, is_locked

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FIFTEEN_MINUTES = timedelta(minutes=15)


def fail(state, times, now=NOW):
    for _ in range(times):
        state = after_failure(state, now, 5, FIFTEEN_MINUTES)
    return state


def test_four_failures_do_not_lock():
    state = fail(LockoutState(0, None), 4)
    assert state == LockoutState(4, None)
    assert not is_locked(state, NOW)


def test_the_fifth_failure_locks_for_fifteen_minutes():
    state = fail(LockoutState(0, None), 5)
    assert state.locked_until == NOW + FIFTEEN_MINUTES
    assert is_locked(state, NOW + timedelta(minutes=14, seconds=59))
    assert not is_locked(state, NOW + FIFTEEN_MINUTES)


def test_failures_while_locked_do_not_extend_the_lockout():
    state = fail(LockoutState(0, None), 5)
    assert fail(state, 3, NOW + timedelta(minutes=5)) == state


def test_after_the_lockout_expires_one_more_failure_does_not_lock_again():
    state = fail(LockoutState(0, None), 5)
    later = NOW + timedelta(minutes=16)
    state = fail(state, 1, later)
    assert state == LockoutState(1, None)


def test_success_clears_the_count():
    assert after_success() == LockoutState(0, None)
