"""The case oversight rules (docs/cases.md), pure: examples and properties."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from supervision.cases.rules import (
    DEFAULT_LIMIT_DAYS,
    CaseCategory,
    CaseFacts,
    CaseStatus,
    case_status,
    in_time_on,
    limit_days,
    shares_on,
)

OPENED = date(2026, 1, 5)


def never_soon(_today: date, _due: date) -> bool:
    return False


def within_week(today: date, due: date) -> bool:
    return (due - today).days <= 7


def facts(
    *oversight: date, limit: int = 28, allocated: date = OPENED, closed: date | None = None
) -> CaseFacts:
    return CaseFacts(
        opened_on=OPENED,
        allocated_on=allocated,
        closed_on=closed,
        limit_days=limit,
        oversight_dates=oversight,
    )


def test_a_new_case_is_due_its_limit_after_opening():
    answer = case_status(facts(), OPENED + timedelta(days=3), never_soon)
    assert answer.status is CaseStatus.ON_TRACK
    assert answer.due_on == OPENED + timedelta(days=28)
    assert answer.last_oversight_on is None


def test_never_discussed_past_its_limit_is_not_discussed_since_allocation():
    answer = case_status(facts(), OPENED + timedelta(days=30), never_soon)
    assert answer.status is CaseStatus.NOT_DISCUSSED
    assert answer.days_overdue == 2
    assert answer.status.needs_oversight


def test_oversight_restarts_the_clock_and_on_the_due_day_is_in_time():
    discussed = OPENED + timedelta(days=28)
    assert case_status(facts(discussed), discussed, never_soon).status is CaseStatus.ON_TRACK
    later = discussed + timedelta(days=29)
    answer = case_status(facts(discussed), later, never_soon)
    assert answer.status is CaseStatus.OVERDUE
    assert answer.due_on == discussed + timedelta(days=28)


def test_due_soon_follows_the_given_rule():
    assert case_status(facts(), OPENED + timedelta(days=22), within_week).status is CaseStatus.DUE_SOON
    assert case_status(facts(), OPENED + timedelta(days=20), within_week).status is CaseStatus.ON_TRACK


def test_moving_worker_does_not_restart_the_clock():
    moved = OPENED + timedelta(days=20)
    answer = case_status(facts(allocated=moved), OPENED + timedelta(days=29), never_soon)
    assert answer.due_on == OPENED + timedelta(days=28)
    assert answer.status is CaseStatus.NOT_DISCUSSED


def test_discussed_before_the_move_but_not_since_is_not_discussed_since_allocation():
    discussed = OPENED + timedelta(days=10)
    moved = OPENED + timedelta(days=20)
    answer = case_status(facts(discussed, allocated=moved), discussed + timedelta(days=40), never_soon)
    assert answer.status is CaseStatus.NOT_DISCUSSED
    assert answer.last_oversight_on == discussed


def test_a_closed_case_has_no_status():
    closed = OPENED + timedelta(days=10)
    assert case_status(facts(closed=closed), closed, never_soon) is None
    assert case_status(facts(closed=closed), closed - timedelta(days=1), never_soon) is not None
    assert case_status(facts(), OPENED - timedelta(days=1), never_soon) is None


def test_later_oversight_is_not_seen_earlier():
    discussed = OPENED + timedelta(days=40)
    assert (
        case_status(facts(discussed), OPENED + timedelta(days=30), never_soon).status
        is CaseStatus.NOT_DISCUSSED
    )


def test_limits_team_then_organisation_then_default():
    category = CaseCategory.CHILD_PROTECTION
    assert limit_days(category, 7, {}, {}) == DEFAULT_LIMIT_DAYS[category]
    assert limit_days(category, 7, {category: 21}, {}) == 21
    assert limit_days(category, 7, {category: 21}, {(7, category): 14}) == 14
    assert limit_days(category, 8, {category: 21}, {(7, category): 14}) == 21
    assert limit_days(category, None, {}, {(7, category): 14}) == DEFAULT_LIMIT_DAYS[category]


def test_shares_count_open_cases_per_category_and_in_all():
    day = OPENED + timedelta(days=35)
    cases = [
        (CaseCategory.CHILD_PROTECTION, facts()),  # 35 days: overdue
        (CaseCategory.CHILD_PROTECTION, facts(OPENED + timedelta(days=20))),
        (CaseCategory.CHILD_IN_NEED, facts(limit=42)),
        (CaseCategory.CHILD_IN_NEED, facts(closed=OPENED + timedelta(days=5))),
    ]
    shares = {share.category: (share.open_cases, share.in_time) for share in shares_on(cases, day)}
    assert shares[CaseCategory.CHILD_PROTECTION] == (2, 1)
    assert shares[CaseCategory.CHILD_IN_NEED] == (1, 1)
    assert shares[None] == (3, 2)
    assert shares[CaseCategory.EARLY_HELP] == (0, 0)


days = st.integers(min_value=0, max_value=400)


@settings(max_examples=150, deadline=None)
@given(
    gaps=st.lists(st.integers(min_value=1, max_value=120), max_size=8),
    limit=st.integers(min_value=1, max_value=120),
    moved_after=days,
    today_after=days,
)
def test_properties(gaps, limit, moved_after, today_after):
    dates, day = [], OPENED
    for gap in gaps:
        day += timedelta(days=gap)
        dates.append(day)
    case = facts(*dates, limit=limit, allocated=OPENED + timedelta(days=moved_after))
    today = OPENED + timedelta(days=today_after)
    answer = case_status(case, today, never_soon)
    # Overdue exactly when no oversight lies within the limit before today.
    seen = [d for d in dates if d <= today]
    start = seen[-1] if seen else OPENED
    assert answer.status.needs_oversight == ((today - start).days > limit)
    assert answer.days_overdue == max(0, (today - start).days - limit)
    # One more oversight today always puts the case in time.
    assert in_time_on(facts(*seen, today, limit=limit), today)
    # Moving the case never changes its due date.
    unmoved = case_status(facts(*dates, limit=limit), today, never_soon)
    assert unmoved.due_on == answer.due_on
    # The trend's question draws the status's line: in time exactly when not needing oversight.
    assert in_time_on(case, today) is (not answer.status.needs_oversight)
    # Asking only the latest oversight up to today (what the lists read) gives the same status.
    latest = facts(*seen[-1:], limit=limit, allocated=OPENED + timedelta(days=moved_after))
    assert case_status(latest, today, never_soon) == answer
