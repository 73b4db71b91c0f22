"""The oversight figures, worked out by hand for small histories (pure: no database).

The main history used here (a 28-day rule agreed on Monday 5 January 2026):
  26 Jan held (21 days: on time) · 23 Feb due, missed · 2 Mar held (late, ends the gap) ·
  30 Mar held (28 days: on time) · 27 Apr due, missed · today 15 May 2026.
"""

from collections import Counter
from datetime import date

import pytest

from supervision.compliance import rules
from supervision.reports import figures
from supervision.reports.figures import (
    AgreementSpan,
    AuditGrade,
    Explanation,
    MonthState,
    Period,
    PersonHistory,
    PlannedSession,
    RecordFacts,
    Tally,
)

TODAY = date(2026, 5, 15)
THRESHOLDS = rules.Thresholds()
FIRST_QUARTER = Period(date(2026, 1, 1), date(2026, 3, 31))
SPRING = Period(date(2026, 4, 1), date(2026, 5, 31))


def agreement(agreed_on=date(2026, 1, 5), interval=28, ends_on=None, group=False):
    rule = rules.IntervalRule(interval) if interval else None
    return AgreementSpan(rules.Agreement(agreed_on, rule, counts_group_sessions=group), ends_on)


def sessions(*days, group=False):
    return tuple(rules.HeldSession(day, group=group) for day in days)


def history(**fields):
    defaults = {
        "staff_id": 1,
        "employed_from": date(2020, 1, 6),
        "agreements": (agreement(),),
        "held": sessions(date(2026, 1, 26), date(2026, 3, 2), date(2026, 3, 30)),
    }
    return PersonHistory(**{**defaults, **fields})


def test_intervals_mark_the_session_that_ends_a_gap_as_late_and_each_gap_once():
    found = figures.intervals(history(), TODAY)

    assert [(i.due_on, i.closed_on, i.met, i.late, i.starts_gap) for i in found] == [
        (date(2026, 2, 2), date(2026, 1, 26), True, False, False),
        (date(2026, 2, 23), date(2026, 2, 23), False, False, True),
        (date(2026, 3, 23), date(2026, 3, 2), True, True, False),
        (date(2026, 3, 30), date(2026, 3, 30), True, False, False),
        (date(2026, 4, 27), date(2026, 4, 27), False, False, True),
    ]


def test_share_of_required_sessions_held_on_time_counts_intervals_closing_in_the_period():
    first = figures.tally_person(history(), FIRST_QUARTER, TODAY, THRESHOLDS)
    spring = figures.tally_person(history(), SPRING, TODAY, THRESHOLDS)

    # The session of 2 March ended a gap: it met its interval but was held late, not on time.
    assert (first.sessions_on_time, first.sessions_required, first.on_time_share) == (2, 4, 0.5)
    assert (spring.sessions_on_time, spring.sessions_required, spring.on_time_share) == (0, 1, 0.0)


def test_an_absence_moves_the_due_date_so_a_session_after_leave_is_on_time():
    on_leave = history(absences=(rules.AbsenceSpan(date(2026, 2, 9), date(2026, 2, 15)),))

    tally = figures.tally_person(on_leave, FIRST_QUARTER, TODAY, THRESHOLDS)

    assert (tally.sessions_on_time, tally.sessions_required) == (3, 3)
    # 26 Jan to 2 Mar is 35 days, 7 of them on leave.
    assert tally.days_between_sessions == Counter({28: 2})
    assert figures.month_states(on_leave, [figures.month_containing(date(2026, 2, 1))], TODAY) == [
        MonthState.PAUSED
    ]


def test_gaps_between_sessions_and_the_longest_gap_including_the_wait_for_a_first_session():
    first = figures.tally_person(history(), FIRST_QUARTER, TODAY, THRESHOLDS)

    # 26 Jan -> 2 Mar = 35 days, 2 Mar -> 30 Mar = 28 days; 5 Jan -> 26 Jan = 21 days.
    assert first.days_between_sessions == Counter({35: 1, 28: 1})
    assert first.median_days_between_sessions == 31.5
    assert first.longest_gap == 35


def test_a_gap_still_open_runs_to_today_within_the_period():
    spring = figures.tally_person(history(), SPRING, TODAY, THRESHOLDS)

    # 30 March to 15 May (today) with no session: 46 days.
    assert spring.longest_gap == 46
    assert not spring.days_between_sessions
    assert spring.median_days_between_sessions is None


def test_write_ups_are_judged_on_time_within_five_working_days_skipping_bank_holidays():
    records = (
        RecordFacts(date(2026, 1, 26), None),  # due 2 Feb, still unsigned: late
        RecordFacts(date(2026, 3, 2), date(2026, 3, 9)),  # five working days: on time
        RecordFacts(date(2026, 3, 30), date(2026, 4, 9)),  # Easter: due 8 April, signed a day late
        RecordFacts(date(2026, 5, 14), None),  # due 21 May: not judged yet
    )
    whole = Period(date(2026, 1, 1), date(2026, 5, 31))

    tally = figures.tally_person(history(records=records), whole, TODAY, THRESHOLDS)

    assert (tally.write_ups_on_time, tally.write_ups_judged, tally.records_held) == (1, 3, 4)
    on_easter_day_limit = history(records=(RecordFacts(date(2026, 3, 30), date(2026, 4, 8)),))
    assert figures.tally_person(on_easter_day_limit, whole, TODAY, THRESHOLDS).write_up_share == 1.0


def test_complete_at_sign_off_counts_signed_records_only_and_disagreements_count_every_record():
    records = (
        RecordFacts(date(2026, 1, 26), date(2026, 1, 27), complete=True),
        RecordFacts(date(2026, 3, 2), date(2026, 3, 3), complete=False, supervisee_disagrees=True),
        RecordFacts(date(2026, 3, 30), None, complete=False, supervisee_disagrees=True),
    )

    tally = figures.tally_person(history(records=records), FIRST_QUARTER, TODAY, THRESHOLDS)

    assert (tally.records_complete, tally.records_signed, tally.complete_share) == (1, 2, 0.5)
    assert tally.disagreements == 2


def test_cancellation_rate_is_cancelled_over_sessions_that_took_place_cancelled_or_missed():
    planned = (
        PlannedSession(date(2026, 1, 26), cancelled=False),
        PlannedSession(date(2026, 2, 16), cancelled=True),
        PlannedSession(date(2026, 2, 23), cancelled=True),
        PlannedSession(date(2026, 3, 2), cancelled=False),
        PlannedSession(date(2026, 3, 30), cancelled=False),
        PlannedSession(date(2026, 4, 20), cancelled=True),
    )

    tally = figures.tally_person(history(planned=planned), FIRST_QUARTER, TODAY, THRESHOLDS)

    assert (tally.sessions_cancelled, tally.sessions_planned, tally.cancellation_share) == (2, 5, 0.4)


def test_reasons_for_gaps_and_gaps_nobody_explained():
    explained = history(explanations=(Explanation(date(2026, 2, 23), "workload"),))

    tally = figures.tally_person(explained, Period(date(2026, 1, 1), date(2026, 5, 31)), TODAY, THRESHOLDS)

    assert tally.gaps_started == 2  # 23 February and 27 April
    assert tally.gaps_unexplained == 1
    assert tally.gap_reasons == Counter({"workload": 1})


def test_audit_grades_count_in_the_period_they_were_given():
    audits = (AuditGrade(date(2026, 3, 31), "good"), AuditGrade(date(2026, 4, 1), "inadequate"))

    tally = figures.tally_person(history(audits=audits), FIRST_QUARTER, TODAY, THRESHOLDS)

    assert tally.audit_grades == Counter({"good": 1})
    assert tally.audits == 1


def test_a_new_starter_mid_period_counts_from_their_agreement():
    starter = history(
        employed_from=date(2026, 2, 15),
        agreements=(agreement(agreed_on=date(2026, 2, 16)),),
        held=sessions(date(2026, 3, 10)),
    )
    months = figures.months_ending(date(2026, 3, 31), 3)

    tally = figures.tally_person(starter, FIRST_QUARTER, TODAY, THRESHOLDS)

    assert (tally.staff_in_scope, tally.sessions_on_time, tally.sessions_required) == (1, 1, 1)
    assert tally.longest_gap == 22  # 16 February to 10 March; then 10 to 31 March is 21
    assert figures.month_states(starter, months, TODAY) == [
        MonthState.NOT_APPLICABLE,
        MonthState.NOTHING_DUE,
        MonthState.ON_TIME,
    ]


def test_a_leaver_counts_until_their_last_day_and_not_after():
    leaver = history(employed_until=date(2026, 3, 10), held=sessions(date(2026, 1, 26)))

    first = figures.tally_person(leaver, FIRST_QUARTER, TODAY, THRESHOLDS)
    spring = figures.tally_person(leaver, SPRING, TODAY, THRESHOLDS)

    assert (first.staff_in_scope, first.sessions_on_time, first.sessions_required) == (1, 1, 2)
    assert first.longest_gap == 43  # 26 January to the last day, 10 March
    assert spring == Tally()


def test_a_group_session_counts_only_where_the_agreement_allows_group_supervision():
    grouped = history(held=(*sessions(date(2026, 1, 26)), *sessions(date(2026, 2, 9), group=True)))
    allowed = history(
        agreements=(agreement(group=True),),
        held=(*sessions(date(2026, 1, 26)), *sessions(date(2026, 2, 9), group=True)),
    )

    period = Period(date(2026, 1, 1), date(2026, 2, 28))
    assert figures.tally_person(grouped, period, TODAY, THRESHOLDS).sessions_on_time == 1
    assert figures.tally_person(allowed, period, TODAY, THRESHOLDS).sessions_on_time == 2


def test_a_no_requirement_agreement_has_nothing_due_and_no_gaps():
    none_required = history(agreements=(agreement(interval=None),), held=())

    tally = figures.tally_person(none_required, FIRST_QUARTER, TODAY, THRESHOLDS)

    assert (tally.staff_in_scope, tally.sessions_required, tally.longest_gap) == (1, 0, None)
    assert figures.month_states(none_required, figures.months_ending(date(2026, 3, 1), 1), TODAY) == [
        MonthState.NOT_APPLICABLE
    ]


def test_a_change_of_agreement_keeps_the_clock_and_changes_the_frequency_from_the_next_session():
    changed = history(
        agreements=(
            agreement(interval=28, ends_on=date(2026, 3, 1)),
            agreement(agreed_on=date(2026, 3, 1), interval=14),
        ),
        held=sessions(date(2026, 1, 26), date(2026, 3, 10)),
    )

    found = figures.intervals(changed, date(2026, 3, 31))

    # Met 26 Jan, missed 23 Feb; the gap stays open through the new agreement of 1 March (no
    # fresh start) and the session of 10 March ends it, late. The fortnightly frequency applies
    # from that session: due 24 March, missed.
    assert [(i.due_on, i.met, i.late) for i in found] == [
        (date(2026, 2, 2), True, False),
        (date(2026, 2, 23), False, False),
        (date(2026, 3, 23), True, True),
        (date(2026, 3, 24), False, False),
    ]


def test_staff_by_month_grid_shows_the_pattern():
    months = figures.months_ending(date(2026, 5, 1), 6)

    states = figures.month_states(history(), months, TODAY)

    assert states == [
        MonthState.NOT_APPLICABLE,  # December 2025: no agreement yet
        MonthState.ON_TIME,
        MonthState.MISSED,
        MonthState.LATE,
        MonthState.MISSED,
        MonthState.MISSED,  # May: still overdue since 27 April
    ]


def test_a_month_overdue_throughout_shows_missed_even_with_no_due_date_in_it():
    long_interval = history(agreements=(agreement(interval=42),), held=sessions(date(2026, 1, 5)))

    # Due 16 February, missed; then 30 March and 11 May: April has no due date of its own,
    # but the person is overdue all month.
    states = figures.month_states(long_interval, figures.months_ending(date(2026, 4, 1), 4), TODAY)

    assert states == [MonthState.NOTHING_DUE, MonthState.MISSED, MonthState.MISSED, MonthState.MISSED]


def test_loading_only_the_last_session_before_the_window_gives_the_same_answers():
    everything = history(
        held=sessions(
            date(2025, 6, 2), date(2025, 6, 30), date(2025, 9, 1), date(2026, 1, 26), date(2026, 3, 2)
        ),
        agreements=(agreement(agreed_on=date(2025, 5, 5)),),
    )
    window_from = date(2026, 1, 1)
    trimmed = history(
        held=sessions(date(2025, 9, 1), date(2026, 1, 26), date(2026, 3, 2)),
        agreements=(agreement(agreed_on=date(2025, 5, 5)),),
        history_from=window_from,
    )

    def after_window(found):
        return [i for i in found if i.closed_on >= window_from]

    assert after_window(figures.intervals(everything, TODAY)) == after_window(
        figures.intervals(trimmed, TODAY)
    )
    assert figures.tally_person(everything, FIRST_QUARTER, TODAY, THRESHOLDS) == figures.tally_person(
        trimmed, FIRST_QUARTER, TODAY, THRESHOLDS
    )


def test_period_figures_agree_with_the_compliance_engine():
    facts = rules.SupervisionFacts(history().agreements[0].terms, history().held)

    engine = rules.period_compliance(facts, FIRST_QUARTER.starts_on, FIRST_QUARTER.ends_on, TODAY)
    ours = figures.tally_person(history(), FIRST_QUARTER, TODAY, THRESHOLDS)

    assert (ours.sessions_on_time, ours.sessions_required) == (engine.met, engine.required)


def test_team_figures_pool_counts_rather_than_averaging_rates():
    first = Tally(staff_in_scope=1, sessions_required=4, sessions_on_time=3)
    first.days_between_sessions.update([35, 28])
    second = Tally(staff_in_scope=1, sessions_required=1, sessions_on_time=0)
    second.days_between_sessions.update([10])
    second.longest_gap = 60

    team = figures.total([first, second])

    assert team.staff_in_scope == 2
    assert team.on_time_share == pytest.approx(3 / 5)  # not (75% + 0%) / 2
    assert team.median_days_between_sessions == 28
    assert team.longest_gap == 60


def test_pooling_leaves_the_pooled_tallies_as_they_were():
    first = Tally(staff_in_scope=1, days_between_sessions=Counter([35]), gap_reasons=Counter({"sickness": 1}))
    second = Tally(staff_in_scope=1, days_between_sessions=Counter([10]), audit_grades=Counter({"good": 1}))

    team = figures.total([first, second])
    team += figures.total([second])

    assert team.days_between_sessions == Counter({35: 1, 10: 2})
    assert team.audit_grades == Counter({"good": 2})
    assert first.days_between_sessions == Counter([35])
    assert first.gap_reasons == Counter({"sickness": 1})
    assert second.days_between_sessions == Counter([10])
    assert second.audit_grades == Counter({"good": 1})


def test_several_periods_at_once_give_what_each_period_alone_gives():
    busy = history(
        records=(
            RecordFacts(date(2026, 1, 26), date(2026, 1, 27), complete=False),
            RecordFacts(date(2026, 3, 2), None, supervisee_disagrees=True),
            RecordFacts(date(2026, 3, 30), date(2026, 4, 20)),
        ),
        planned=(PlannedSession(date(2026, 2, 23), True), PlannedSession(date(2026, 3, 2), False)),
        explanations=(Explanation(date(2026, 2, 23), "sickness"),),
        audits=(AuditGrade(date(2026, 4, 2), "good"),),
    )
    odd_days = Period(date(2026, 2, 10), date(2026, 4, 3))
    periods = [FIRST_QUARTER, SPRING, *figures.months_ending(TODAY, 6), odd_days]

    together = figures.tally_person_periods(busy, periods, TODAY, THRESHOLDS)

    assert together == [figures.tally_person(busy, period, TODAY, THRESHOLDS) for period in periods]
    assert together[0].records_held == 3 and together[0].sessions_cancelled == 1


def test_nobody_in_scope_gives_no_rates_rather_than_zero():
    nobody = figures.total([])

    assert nobody.staff_in_scope == 0
    assert nobody.on_time_share is None
    assert nobody.write_up_share is None
    assert nobody.cancellation_share is None
    assert nobody.median_days_between_sessions is None
    assert nobody.longest_gap is None


def test_now_figures_come_from_the_compliance_status():
    assert figures.tally_now(rules.Status.ESCALATED, 2) == Tally(
        in_post_now=1, overdue_now=1, escalated_now=1, actions_overdue_now=2
    )
    assert figures.tally_now(rules.Status.OVERDUE, 0).overdue_now == 1
    assert figures.tally_now(rules.Status.NO_AGREEMENT, 0).without_agreement_now == 1
    assert figures.tally_now(rules.Status.PAUSED, 0).overdue_now == 0


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="cannot end before it starts"):
        Period(date(2026, 3, 1), date(2026, 2, 28))


def test_months_ending_counts_back_calendar_months():
    months = figures.months_ending(date(2026, 2, 14), 3)

    assert [(m.starts_on, m.ends_on) for m in months] == [
        (date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
    ]
