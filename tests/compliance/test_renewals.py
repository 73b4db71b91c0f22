"""Renewing or replacing an agreement never restarts the clock (docs/metrics.md, "Intervals,
due dates and gaps"): unit tests for each corrected case, and hypothesis properties that no
sequence of agreements can shorten a gap or hide a late session."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from supervision.compliance.rules import (
    AbsenceSpan,
    Agreement,
    AgreementPeriod,
    HeldSession,
    IntervalRule,
    Status,
    SupervisionFacts,
    Thresholds,
    counted_date_after,
    merge_absences,
    next_due_date,
    outcomes_over,
    overdue_spans,
    period_compliance,
    requirement_runs,
    supervision_status,
)

D = date
MONTHLY = IntervalRule(28)
TODAY = D(2026, 12, 7)


def period(agreed_on, ends_on=None, rule=MONTHLY, groups=True):
    return AgreementPeriod(Agreement(agreed_on, rule, counts_group_sessions=groups), ends_on)


def held(*days, group=False):
    return tuple(HeldSession(day, group=group) for day in days)


def summary(outcomes):
    return [(o.due_on, o.closed_on, "late" if o.late else "met" if o.met else "missed") for o in outcomes]


# ------------------------------------------------------------------------------ unit cases


def test_a_session_a_week_late_on_the_renewal_day_counts_late():
    # Hannah Green in the demo: 28-day interval, last held 19 June (due 17 July), agreement
    # renewed on 24 July and the session held that day.
    timeline = (period(D(2025, 7, 24), D(2026, 7, 23)), period(D(2026, 7, 24)))
    found = outcomes_over(timeline, held(D(2026, 6, 19), D(2026, 7, 24), D(2026, 8, 20)), (), TODAY)
    assert [row for row in summary(found) if D(2026, 7, 1) <= row[1] <= D(2026, 8, 31)] == [
        (D(2026, 7, 17), D(2026, 7, 17), "missed"),
        (D(2026, 8, 14), D(2026, 7, 24), "late"),
        (D(2026, 8, 21), D(2026, 8, 20), "met"),
    ]
    assert next(o for o in found if o.due_on == D(2026, 7, 17)).starts_gap
    assert (D(2026, 7, 18), D(2026, 7, 23)) in overdue_spans(timeline, found, TODAY)
    july = period_compliance(
        SupervisionFacts(None, held(D(2026, 6, 19), D(2026, 7, 24)), earlier=timeline),
        D(2026, 7, 1),
        D(2026, 7, 31),
        TODAY,
    )
    assert (july.met, july.missed) == (0, 2)


def test_a_session_on_the_old_due_date_on_the_renewal_day_counts_on_time():
    timeline = (period(D(2025, 7, 24), D(2026, 7, 16)), period(D(2026, 7, 17)))
    found = outcomes_over(timeline, held(D(2026, 6, 19), D(2026, 7, 17)), (), TODAY)
    closing = next(o for o in found if o.closed_on == D(2026, 7, 17))
    assert (closing.opened_on, closing.due_on, closing.on_time) == (D(2026, 6, 19), D(2026, 7, 17), True)


def test_a_renewal_does_not_turn_an_overdue_person_on_track():
    facts = SupervisionFacts(
        Agreement(D(2026, 12, 1), MONTHLY),
        held(D(2026, 10, 1)),
        earlier=(period(D(2025, 12, 1), D(2026, 11, 30)),),
    )
    status = supervision_status(facts, TODAY, Thresholds())
    assert status.next_due_on == D(2026, 10, 29)
    assert status.status is Status.ESCALATED
    assert status.days_overdue == (TODAY - D(2026, 10, 29)).days


def test_a_new_frequency_applies_from_the_next_session_held():
    timeline = (period(D(2026, 1, 1), D(2026, 2, 9)), period(D(2026, 2, 10), rule=IntervalRule(14)))
    # Held 1 Feb under the 28-day agreement: due 1 March even after the fortnightly one starts.
    facts = SupervisionFacts(timeline[1].terms, held(D(2026, 2, 1)), earlier=timeline[:1])
    assert next_due_date(facts, D(2026, 2, 20)) == D(2026, 3, 1)
    facts = SupervisionFacts(timeline[1].terms, held(D(2026, 2, 1), D(2026, 2, 25)), earlier=timeline[:1])
    assert next_due_date(facts, D(2026, 3, 1)) == D(2026, 3, 11)


def test_an_agreement_ended_with_no_replacement_misses_no_due_date_after_it_ends():
    timeline = (period(D(2026, 1, 1), D(2026, 3, 15)),)
    found = outcomes_over(timeline, held(D(2026, 2, 1)), (), TODAY)
    assert summary(found) == [
        (D(2026, 1, 29), D(2026, 1, 29), "missed"),
        (D(2026, 2, 26), D(2026, 2, 1), "late"),
        (D(2026, 3, 1), D(2026, 3, 1), "missed"),
    ]


def test_a_due_date_on_the_agreements_last_day_is_missed_once_that_day_is_over():
    timeline = (period(D(2026, 1, 1), D(2026, 1, 29)),)
    assert summary(outcomes_over(timeline, (), (), TODAY)) == [(D(2026, 1, 29), D(2026, 1, 29), "missed")]
    # ... but not while it is still today.
    assert outcomes_over(timeline, (), (), D(2026, 1, 29)) == []


def test_a_due_date_on_a_windows_last_day_counts_in_the_window():
    facts = SupervisionFacts(None, held(D(2026, 1, 1)), earlier=(period(D(2025, 1, 1)),))
    window = period_compliance(facts, D(2026, 1, 2), D(2026, 1, 29), TODAY)
    assert (window.met, window.missed) == (0, 1)


def test_a_break_with_no_agreement_starts_the_clock_afresh():
    timeline = (period(D(2026, 1, 1), D(2026, 1, 31)), period(D(2026, 3, 1)))
    assert [(run.starts_on, run.ends_on) for run in requirement_runs(timeline)] == [
        (D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 3, 1), None),
    ]
    found = outcomes_over(timeline, (), (), D(2026, 3, 30))
    assert summary(found) == [
        (D(2026, 1, 29), D(2026, 1, 29), "missed"),
        (D(2026, 3, 29), D(2026, 3, 29), "missed"),
    ]
    assert overdue_spans(timeline, found, D(2026, 3, 30)) == [
        (D(2026, 1, 30), D(2026, 1, 31)),
        (D(2026, 3, 30), D(2026, 3, 30)),
    ]


def test_a_none_agreement_between_two_others_is_a_break():
    timeline = (
        period(D(2026, 1, 1), D(2026, 1, 31)),
        period(D(2026, 2, 1), D(2026, 2, 28), rule=None),
        period(D(2026, 3, 1)),
    )
    assert len(requirement_runs(timeline)) == 2


def test_a_group_session_counts_by_the_agreement_in_force_on_its_day():
    timeline = (period(D(2026, 1, 1), D(2026, 1, 31), groups=True), period(D(2026, 2, 1), groups=False))
    sessions = held(D(2026, 1, 20), group=True) + held(D(2026, 2, 10), group=True)
    facts = SupervisionFacts(timeline[1].terms, sessions, earlier=timeline[:1])
    assert supervision_status(facts, D(2026, 2, 11), Thresholds()).last_held_on == D(2026, 1, 20)


# ------------------------------------------------------------------------------ properties

EXAMPLES = settings(max_examples=150, deadline=None)
START = D(2025, 1, 1)
intervals = st.integers(min_value=7, max_value=60)


@st.composite
def chains(draw, same_rule=False):
    """An unbroken sequence of agreements (renewals: one ends the day before the next starts;
    replacements: a later one starts while the earlier is in force), with sessions and absences."""
    first_rule = IntervalRule(draw(intervals))
    starts = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=500), max_size=5))))
    timeline = []
    previous_start = START
    for offset in starts:
        agreed_on = START + timedelta(days=offset)
        rule = first_rule if same_rule else IntervalRule(draw(intervals))
        replaced = draw(st.booleans())
        ends_on = None if replaced else agreed_on - timedelta(days=1)
        timeline.append((previous_start, ends_on))
        previous_start = agreed_on
        timeline[-1] = (timeline[-1][0], ends_on, rule)
    rules_in_order = [first_rule] + [entry[2] for entry in timeline]
    periods = []
    for index, entry in enumerate(timeline):
        periods.append(AgreementPeriod(Agreement(entry[0], rules_in_order[index]), entry[1]))
    periods.append(AgreementPeriod(Agreement(previous_start, rules_in_order[-1])))
    sessions = draw(st.lists(st.integers(min_value=0, max_value=700), max_size=12))
    absences = draw(
        st.lists(
            st.tuples(st.integers(min_value=0, max_value=700), st.integers(min_value=0, max_value=40)),
            max_size=3,
        )
    )
    return (
        tuple(periods),
        held(*(START + timedelta(days=offset) for offset in sessions)),
        tuple(AbsenceSpan(START + timedelta(days=a), START + timedelta(days=a + n)) for a, n in absences),
        START + timedelta(days=draw(st.integers(min_value=0, max_value=720))),
    )


@EXAMPLES
@given(chains(same_rule=True))
def test_renewals_with_the_same_frequency_change_nothing(chain):
    timeline, sessions, absences, today = chain
    alone = (AgreementPeriod(timeline[0].terms),)
    assert outcomes_over(timeline, sessions, absences, today) == outcomes_over(
        alone, sessions, absences, today
    )
    facts = SupervisionFacts(timeline[-1].terms, sessions, absences, earlier=timeline[:-1])
    only = SupervisionFacts(timeline[0].terms, sessions, absences)
    assert supervision_status(facts, today, Thresholds()) == supervision_status(only, today, Thresholds())


@EXAMPLES
@given(chains())
def test_no_sequence_of_agreements_shortens_a_gap_or_hides_a_late_session(chain):
    """Between a clock start (the first agreement or a session) and the next session, the
    intervals are exactly those of the agreement in force at the clock start alone: whatever
    agreements start in between, every due date is missed as it would be and the session
    is judged against the due date that was running."""
    timeline, sessions, absences, today = chain
    found = outcomes_over(timeline, sessions, absences, today)
    starts = [timeline[0].terms.agreed_on] + [o.closed_on for o in found if o.met]
    for index, start in enumerate(starts):
        terms = next(p for p in reversed(timeline) if p.in_force_on(start)).terms
        alone = (AgreementPeriod(Agreement(start, terms.rule)),)
        end = starts[index + 1] if index + 1 < len(starts) else date.max
        expected = [o for o in outcomes_over(alone, sessions, absences, today) if o.closed_on <= end]
        expected = [o for o in expected if o.opened_on >= start and (o.closed_on < end or o.met)]
        actual = [o for o in found if start <= o.opened_on and o.closed_on <= end and o.opened_on < end]
        assert actual == expected
        first_due = counted_date_after(start, terms.rule.interval_days, merge_absences(absences))
        closing = [o for o in actual if o.met]
        for outcome in closing:  # a session after the due date that was running is late
            assert outcome.late == (outcome.closed_on > first_due)


@EXAMPLES
@given(chains())
def test_the_status_counts_from_the_first_due_date_missed_whatever_the_agreements(chain):
    timeline, sessions, absences, today = chain
    facts = SupervisionFacts(timeline[-1].terms, sessions, absences, earlier=timeline[:-1])
    status = supervision_status(facts, today, Thresholds())
    found = outcomes_over(timeline, sessions, absences, today)
    open_gap = [
        o
        for o in found
        if o.starts_gap and not any(later.met for later in found if later.opened_on >= o.due_on)
    ]
    if open_gap:
        assert status.next_due_on == open_gap[-1].due_on
        assert status.status in (Status.OVERDUE, Status.ESCALATED, Status.PAUSED)
    else:
        assert status.days_overdue == 0
