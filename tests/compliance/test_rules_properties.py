"""Properties the compliance engine must keep whatever the dates (hypothesis)."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from supervision.compliance.rules import (
    AbsenceSpan,
    Agreement,
    AsyeStagedRule,
    HeldSession,
    IntervalRule,
    Status,
    SupervisionFacts,
    Thresholds,
    is_absent,
    merge_absences,
    next_due_date,
    period_compliance,
    supervision_status,
)

EXAMPLES = settings(max_examples=120, deadline=None)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
# Lateness, from least to most; paused days stand apart from this order.
RANK = {Status.ON_TRACK: 0, Status.DUE_SOON: 1, Status.OVERDUE: 2, Status.ESCALATED: 3}

rules = st.one_of(
    st.none(),
    st.builds(IntervalRule, st.integers(min_value=1, max_value=90)),
    st.builds(
        AsyeStagedRule,
        started_on=days,
        weekly_weeks=st.integers(min_value=0, max_value=10),
        fortnightly_until_months=st.integers(min_value=0, max_value=9),
        monthly_interval_days=st.integers(min_value=1, max_value=60),
    ),
)
absences = st.builds(
    lambda start, length: AbsenceSpan(start, start + timedelta(days=length)),
    days,
    st.integers(min_value=0, max_value=60),
)
thresholds = st.builds(
    Thresholds,
    due_soon_working_days=st.integers(min_value=0, max_value=10),
    escalation_working_days=st.integers(min_value=0, max_value=20),
)
supervision_facts = st.builds(
    SupervisionFacts,
    agreement=st.builds(Agreement, agreed_on=days, rule=rules, counts_group_sessions=st.booleans()),
    held=st.lists(st.builds(HeldSession, days, st.booleans()), max_size=6).map(tuple),
    absences=st.lists(absences, max_size=4).map(tuple),
)


@EXAMPLES
@given(
    facts=supervision_facts,
    session=st.builds(HeldSession, days, st.booleans()),
    today=days,
    policy=thresholds,
)
def test_a_held_session_never_makes_a_worker_more_overdue(facts, session, today, policy):
    with_session = replace(facts, held=(*facts.held, session))
    before = supervision_status(facts, today, policy)
    after = supervision_status(with_session, today, policy)
    assert after.days_overdue <= before.days_overdue
    assert after.working_days_overdue <= before.working_days_overdue
    if before.next_due_on is not None:
        assert after.next_due_on >= before.next_due_on
    if before.status in RANK:
        assert RANK[after.status] <= RANK[before.status]


@EXAMPLES
@given(facts=supervision_facts, absence=absences, today=days)
def test_an_absence_never_brings_a_due_date_earlier(facts, absence, today):
    before = next_due_date(facts, today)
    after = next_due_date(replace(facts, absences=(*facts.absences, absence)), today)
    assert (before is None) == (after is None)
    if before is not None:
        assert after >= before


@EXAMPLES
@given(facts=supervision_facts, first=days, gap=st.integers(min_value=1, max_value=400), policy=thresholds)
def test_with_no_new_session_status_never_improves_as_time_passes(facts, first, gap, policy):
    later = first + timedelta(days=gap)
    assume(all(session.held_on <= first for session in facts.held))
    spans = merge_absences(facts.absences)
    assume(not is_absent(first, spans) and not is_absent(later, spans))
    earlier_status = supervision_status(facts, first, policy)
    later_status = supervision_status(facts, later, policy)
    assert later_status.next_due_on == earlier_status.next_due_on
    assert later_status.days_overdue >= earlier_status.days_overdue
    assert later_status.working_days_overdue >= earlier_status.working_days_overdue
    assert RANK[later_status.status] >= RANK[earlier_status.status]


@EXAMPLES
@given(facts=supervision_facts, today=days, policy=thresholds)
def test_status_agrees_with_the_due_date(facts, today, policy):
    result = supervision_status(facts, today, policy)
    if result.status is Status.ON_TRACK and result.next_due_on is not None:
        assert today <= result.next_due_on
    if result.status in (Status.OVERDUE, Status.ESCALATED):
        assert today > result.next_due_on and result.days_overdue > 0
    if result.next_due_on is not None:
        assert not is_absent(result.next_due_on, merge_absences(facts.absences))


@EXAMPLES
@given(facts=supervision_facts, start=days, length=st.integers(min_value=0, max_value=400), today=days)
def test_period_compliance_is_a_share_between_nought_and_one(facts, start, length, today):
    result = period_compliance(facts, start, start + timedelta(days=length), today)
    assert result.met >= 0 and result.missed >= 0
    assert result.share is None or 0 <= result.share <= 1
