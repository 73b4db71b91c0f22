"""One computation per figure (docs/metrics.md, "Intervals, due dates and gaps"): for any
history, the staff-by-month grid, the monthly trend, the stored monthly figures and the live
report say the same about every person and month, and all of it is the compliance engine's."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from supervision.compliance import rules
from supervision.reports import figures
from supervision.reports.figures import MonthState, PersonHistory

TODAY = date(2026, 11, 23)
THRESHOLDS = rules.Thresholds()
MONTHS = figures.months_ending(TODAY, 13)
START = date(2025, 6, 1)
EXAMPLES = settings(max_examples=120, deadline=None)


def day(offset: int) -> date:
    return START + timedelta(days=offset)


offsets = st.integers(min_value=0, max_value=560)


@st.composite
def histories(draw) -> PersonHistory:
    """Renewals, replacements, breaks, "none" agreements, group sessions, absences, leavers."""
    agreements = []
    cursor = draw(st.integers(min_value=0, max_value=120))
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        rule = draw(
            st.one_of(st.none(), st.builds(rules.IntervalRule, st.integers(min_value=7, max_value=45)))
        )
        terms = rules.Agreement(day(cursor), rule, counts_group_sessions=draw(st.booleans()))
        length = draw(st.integers(min_value=20, max_value=250))
        how_it_ends = draw(st.sampled_from(["renewed", "replaced", "break", "open"]))
        if how_it_ends == "open":
            agreements.append(rules.AgreementPeriod(terms))
            break
        ends_on = day(cursor + length)
        if how_it_ends == "replaced":  # the next is made while this one is in force
            agreements.append(rules.AgreementPeriod(terms, ends_on + timedelta(days=10)))
        else:
            agreements.append(rules.AgreementPeriod(terms, ends_on))
        cursor += length + (draw(st.integers(min_value=2, max_value=60)) if how_it_ends == "break" else 1)
    held = draw(
        st.lists(st.builds(lambda o, g: rules.HeldSession(day(o), g), offsets, st.booleans()), max_size=14)
    )
    absences = draw(
        st.lists(
            st.builds(lambda o, n: rules.AbsenceSpan(day(o), day(o + n)), offsets, st.integers(0, 50)),
            max_size=3,
        )
    )
    employed_from = day(draw(st.integers(min_value=-200, max_value=100)))
    leaves = draw(st.one_of(st.none(), st.integers(min_value=150, max_value=560)))
    return PersonHistory(
        staff_id=1,
        employed_from=employed_from,
        employed_until=None if leaves is None else max(employed_from, day(leaves)),
        agreements=tuple(agreements),
        held=tuple(held),
        absences=tuple(absences),
    )


@EXAMPLES
@given(histories())
def test_grid_trend_stored_and_live_agree_for_every_month(history):
    grid = figures.month_states(history, MONTHS, TODAY)
    trend = figures.tally_person_periods(history, MONTHS, TODAY, THRESHOLDS)
    whole = figures.tally_person(history, figures.Period(MONTHS[0].starts_on, TODAY), TODAY, THRESHOLDS)
    engine = rules.outcomes_over(
        history.agreements, history.held, history.absences, TODAY, history.employed_until
    )

    for month, state, tally in zip(MONTHS, grid, trend, strict=True):
        closing = [o for o in engine if o.closed_on in month and o.closed_on >= history.employed_from]
        # The trend's counts are the engine's intervals closing in the month.
        assert tally.sessions_required == len(closing)
        assert tally.sessions_on_time == sum(1 for o in closing if o.on_time)
        # The grid's cell never contradicts them.
        if state is MonthState.ON_TIME:
            assert tally.sessions_on_time == tally.sessions_required > 0
        if state in (MonthState.NOTHING_DUE, MonthState.PAUSED, MonthState.NOT_APPLICABLE):
            assert tally.sessions_required == 0
        assert (state is MonthState.LATE) == any(o.late for o in closing)
        if any(not o.met for o in closing):
            assert state in (MonthState.LATE, MonthState.MISSED)
        if state is MonthState.LATE:  # "held late" never reads "all held on time"
            assert tally.sessions_on_time < tally.sessions_required
        if tally.sessions_on_time < tally.sessions_required:
            assert state in (MonthState.LATE, MonthState.MISSED)

    # Stored figures are the months' tallies added up: they give the live period's counts.
    assert sum(t.sessions_required for t in trend) == whole.sessions_required
    assert sum(t.sessions_on_time for t in trend) == whole.sessions_on_time
    assert sum(t.gaps_started for t in trend) == whole.gaps_started


@EXAMPLES
@given(histories(), st.integers(min_value=0, max_value=520))
def test_loading_only_the_last_sessions_before_a_window_changes_nothing_in_it(history, window_offset):
    """The report reads only the last session of each kind before its window (history_from)."""
    window_start = day(window_offset)
    kept = [s for s in history.held if s.held_on >= window_start]
    for group in (False, True):
        before = [s for s in history.held if s.held_on < window_start and s.group is group]
        kept += sorted(before, key=lambda s: s.held_on)[-1:]
    trimmed = PersonHistory(**{**vars(history), "held": tuple(kept), "history_from": window_start})
    trimmed.__dict__.pop("counted_session_dates", None)
    trimmed.__dict__.pop("merged_absences", None)
    full = [o for o in figures.intervals(history, TODAY) if o.closed_on >= window_start]
    assert [o for o in figures.intervals(trimmed, TODAY) if o.closed_on >= window_start] == full
