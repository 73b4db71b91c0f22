"""The compliance engine, case by case (docs/rules.md). Dates: 2 November 2026 is a Monday."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from supervision.compliance.rules import (
    AbsenceSpan,
    Agreement,
    AgreementPeriod,
    AsyeStagedRule,
    DateState,
    HeldSession,
    IntervalRule,
    PersonFacts,
    Status,
    SupervisionFacts,
    Thresholds,
    WriteUp,
    actions_overdue,
    add_months,
    assess,
    date_state,
    interval_outcomes,
    merge_absences,
    next_due_date,
    period_compliance,
    supervision_status,
    write_up_due_on,
    write_up_is_overdue,
    write_up_signed_on_time,
)

POLICY = Thresholds()
MONTHLY = IntervalRule(28)


def facts(rule=MONTHLY, agreed_on=date(2026, 1, 5), held=(), absences=(), group_counts=True, review=None):
    return SupervisionFacts(
        agreement=Agreement(agreed_on, rule, review_due_on=review, counts_group_sessions=group_counts),
        held=tuple(HeldSession(day) if isinstance(day, date) else day for day in held),
        absences=tuple(AbsenceSpan(*span) for span in absences),
    )


def status_on(today, the_facts, thresholds=POLICY):
    return supervision_status(the_facts, today, thresholds)


# ------------------------------------------------------------------ due dates


def test_without_an_agreement_the_status_is_no_agreement():
    result = status_on(
        date(2026, 11, 23), SupervisionFacts(agreement=None, held=(HeldSession(date(2026, 11, 2)),))
    )
    assert result.status is Status.NO_AGREEMENT
    assert result.next_due_on is None


def test_an_agreement_without_a_requirement_is_on_track_with_no_due_date():
    result = status_on(date(2026, 11, 23), facts(rule=None, held=[date(2025, 1, 6)]))
    assert result.status is Status.ON_TRACK
    assert result.next_due_on is None
    assert result.last_held_on == date(2025, 1, 6)


def test_the_next_session_is_due_one_interval_after_the_last_held():
    the_facts = facts(held=[date(2026, 10, 5), date(2026, 11, 2)])
    assert next_due_date(the_facts, date(2026, 11, 23)) == date(2026, 11, 30)
    assert status_on(date(2026, 11, 23), the_facts).last_held_on == date(2026, 11, 2)


def test_with_no_session_yet_the_clock_starts_when_the_agreement_was_made():
    assert next_due_date(facts(agreed_on=date(2026, 11, 2)), date(2026, 11, 3)) == date(2026, 11, 30)


def test_a_first_agreement_starts_the_clock_after_older_sessions_but_a_renewal_does_not():
    the_facts = facts(agreed_on=date(2026, 11, 2), held=[date(2026, 9, 1)])
    assert next_due_date(the_facts, date(2026, 11, 23)) == date(2026, 11, 30)
    renewed = AgreementPeriod(replace(the_facts.agreement, agreed_on=date(2025, 11, 2)), date(2026, 11, 1))
    renewal = replace(the_facts, earlier=(renewed,))
    assert next_due_date(renewal, date(2026, 11, 23)) == date(2026, 9, 29)


def test_sessions_recorded_for_a_later_date_do_not_count_yet():
    the_facts = facts(held=[date(2026, 11, 2), date(2026, 11, 25)])
    assert next_due_date(the_facts, date(2026, 11, 23)) == date(2026, 11, 30)
    assert next_due_date(the_facts, date(2026, 11, 25)) == date(2026, 12, 23)


def test_group_sessions_count_only_where_the_agreement_allows_group_supervision():
    held = [date(2026, 10, 5), HeldSession(date(2026, 11, 2), group=True)]
    assert next_due_date(facts(held=held, group_counts=True), date(2026, 11, 23)) == date(2026, 11, 30)
    assert next_due_date(facts(held=held, group_counts=False), date(2026, 11, 23)) == date(2026, 11, 2)


# ------------------------------------------------------------------ statuses


@pytest.mark.parametrize(
    ("today", "expected", "until_due"),
    [
        (date(2026, 11, 20), Status.ON_TRACK, 6),  # Friday: Mon..Fri next week and the Monday due
        (date(2026, 11, 23), Status.DUE_SOON, 5),
        (date(2026, 11, 27), Status.DUE_SOON, 1),
        (date(2026, 11, 30), Status.DUE_SOON, 0),  # due today: not yet late
    ],
)
def test_due_soon_starts_five_working_days_before_the_due_date(today, expected, until_due):
    result = status_on(today, facts(held=[date(2026, 11, 2)]))
    assert result.status is expected
    assert result.working_days_until_due == until_due
    assert result.days_overdue == 0


def test_the_day_after_the_due_date_is_overdue():
    result = status_on(date(2026, 12, 1), facts(held=[date(2026, 11, 2)]))
    assert result.status is Status.OVERDUE
    assert (result.days_overdue, result.working_days_overdue) == (1, 1)
    assert result.working_days_until_due is None


def test_overdue_by_ten_working_days_is_not_yet_escalated_but_eleven_is():
    the_facts = facts(held=[date(2026, 11, 2)])  # due Monday 30 November
    ten = status_on(date(2026, 12, 14), the_facts)
    assert (ten.status, ten.working_days_overdue, ten.days_overdue) == (Status.OVERDUE, 10, 14)
    eleven = status_on(date(2026, 12, 15), the_facts)
    assert (eleven.status, eleven.working_days_overdue) == (Status.ESCALATED, 11)


def test_a_due_date_on_a_saturday_is_overdue_on_sunday_without_a_working_day_late():
    result = status_on(date(2026, 11, 29), facts(held=[date(2026, 10, 31)]))  # due Saturday 28th
    assert (result.status, result.days_overdue, result.working_days_overdue) == (Status.OVERDUE, 1, 0)


def test_bank_holidays_do_not_count_toward_due_soon():
    # Due Thursday 31 December 2026; 25 and 28 December are bank holidays.
    the_facts = facts(held=[date(2026, 12, 3)])
    assert status_on(date(2026, 12, 21), the_facts).status is Status.ON_TRACK
    assert status_on(date(2026, 12, 22), the_facts).working_days_until_due == 5
    assert status_on(date(2026, 12, 22), the_facts).status is Status.DUE_SOON


def test_bank_holidays_do_not_count_toward_escalation():
    # Due Friday 18 December 2026; 25 and 28 December and 1 January are bank holidays, so the
    # tenth working day late is 6 January 2027.
    the_facts = facts(held=[date(2026, 11, 20)])
    assert status_on(date(2027, 1, 6), the_facts).working_days_overdue == 10
    assert status_on(date(2027, 1, 6), the_facts).status is Status.OVERDUE
    assert status_on(date(2027, 1, 7), the_facts).status is Status.ESCALATED


def test_thresholds_are_policy_settings():
    strict = Thresholds(due_soon_working_days=1, escalation_working_days=2)
    the_facts = facts(held=[date(2026, 11, 2)])
    assert status_on(date(2026, 11, 26), the_facts, strict).status is Status.ON_TRACK
    assert status_on(date(2026, 11, 27), the_facts, strict).status is Status.DUE_SOON
    assert status_on(date(2026, 12, 2), the_facts, strict).status is Status.OVERDUE
    assert status_on(date(2026, 12, 3), the_facts, strict).status is Status.ESCALATED


# ------------------------------------------------------------------ absences


def test_an_absence_moves_the_due_date_by_the_days_it_covers():
    the_facts = facts(held=[date(2026, 11, 2)], absences=[(date(2026, 11, 10), date(2026, 11, 16))])
    assert next_due_date(the_facts, date(2026, 11, 23)) == date(2026, 12, 7)


def test_an_absence_already_under_way_when_the_session_was_held_starts_the_clock_after_it():
    the_facts = facts(held=[date(2026, 11, 2)], absences=[(date(2026, 10, 26), date(2026, 11, 6))])
    assert next_due_date(the_facts, date(2026, 11, 23)) == date(2026, 12, 4)


def test_overlapping_and_touching_absences_are_counted_once():
    spans = [
        (date(2026, 11, 10), date(2026, 11, 12)),
        (date(2026, 11, 11), date(2026, 11, 13)),
        (date(2026, 11, 14), date(2026, 11, 16)),
        (date(2026, 11, 20), date(2026, 11, 20)),
    ]
    the_facts = facts(held=[date(2026, 11, 2)], absences=spans)
    assert next_due_date(the_facts, date(2026, 11, 3)) == date(2026, 11, 30) + timedelta(days=8)
    assert len(merge_absences(the_facts.absences)) == 2


def test_an_absence_after_the_due_date_does_not_move_it():
    the_facts = facts(held=[date(2026, 11, 2)], absences=[(date(2026, 12, 1), date(2026, 12, 20))])
    assert next_due_date(the_facts, date(2026, 11, 3)) == date(2026, 11, 30)


def test_today_inside_an_absence_is_paused_and_lateness_so_far_is_kept():
    the_facts = facts(held=[date(2026, 11, 2)], absences=[(date(2026, 12, 7), date(2026, 12, 31))])
    before = status_on(date(2026, 12, 4), the_facts)
    assert (before.status, before.days_overdue) == (Status.OVERDUE, 4)
    during = status_on(date(2026, 12, 10), the_facts)
    assert (during.status, during.days_overdue, during.working_days_overdue) == (Status.PAUSED, 6, 4)
    back = status_on(date(2027, 1, 4), the_facts)  # 1 to 6 December, then 1 to 4 January
    assert (back.status, back.days_overdue, back.working_days_overdue) == (Status.OVERDUE, 10, 5)


def test_working_days_inside_a_planned_absence_do_not_count_toward_due_soon():
    # Leave 23 to 27 November moves the due date to Saturday 5 December; the working days left
    # before it are 20 November and 30 November to 4 December, so the reminder comes before the leave.
    the_facts = facts(held=[date(2026, 11, 2)], absences=[(date(2026, 11, 23), date(2026, 11, 27))])
    assert next_due_date(the_facts, date(2026, 11, 19)) == date(2026, 12, 5)
    assert status_on(date(2026, 11, 19), the_facts).status is Status.ON_TRACK
    assert status_on(date(2026, 11, 20), the_facts).working_days_until_due == 5
    assert status_on(date(2026, 11, 20), the_facts).status is Status.DUE_SOON
    assert status_on(date(2026, 11, 23), the_facts).status is Status.PAUSED


def test_an_absence_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        AbsenceSpan(date(2026, 11, 10), date(2026, 11, 9))


# ---------------------------------------------------------------------- ASYE

ASYE = AsyeStagedRule(started_on=date(2026, 1, 5), weekly_weeks=6, fortnightly_until_months=6)


@pytest.mark.parametrize(
    ("last_held", "expected_due"),
    [
        (None, date(2026, 1, 12)),  # first week: weekly from the start
        (date(2026, 2, 15), date(2026, 2, 22)),  # day 41: still weekly
        (date(2026, 2, 16), date(2026, 3, 2)),  # day 42: fortnightly
        (date(2026, 7, 4), date(2026, 7, 18)),  # the day before six months: fortnightly
        (date(2026, 7, 5), date(2026, 8, 2)),  # six months in: monthly
    ],
)
def test_asye_is_weekly_then_fortnightly_then_monthly(last_held, expected_due):
    the_facts = facts(rule=ASYE, held=[last_held] if last_held else [])
    assert next_due_date(the_facts, date(2026, 8, 1)) == expected_due


def test_asye_stage_lengths_and_the_monthly_interval_are_policy_settings():
    rule = AsyeStagedRule(
        date(2026, 1, 5), weekly_weeks=2, fortnightly_until_months=3, monthly_interval_days=35
    )
    assert rule.interval_on(date(2026, 1, 18)) == 7
    assert rule.interval_on(date(2026, 1, 19)) == 14
    assert rule.interval_on(date(2026, 4, 5)) == 35


def test_the_monthly_asye_stage_is_never_stricter_than_the_fortnightly_one():
    rule = AsyeStagedRule(date(2026, 1, 5), monthly_interval_days=10)
    assert rule.interval_on(date(2026, 12, 1)) == 14


def test_add_months_keeps_the_day_or_clamps_to_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


# ------------------------------------------------------------ period compliance


def test_every_interval_met_is_full_compliance():
    held = [date(2026, 1, 5) + timedelta(days=28 * n) for n in range(1, 13)]  # the last on 7 December
    result = period_compliance(facts(held=held), date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31))
    assert (result.met, result.missed, result.share) == (12, 0, 1.0)
    a_year_on = period_compliance(facts(held=held), date(2026, 1, 1), date(2027, 1, 31), date(2027, 1, 31))
    assert (a_year_on.met, a_year_on.missed) == (12, 1)


def test_a_long_gap_counts_one_miss_per_interval():
    # Agreed 5 January; sessions 2 Feb (met), then nothing until 20 May.
    the_facts = facts(held=[date(2026, 2, 2), date(2026, 5, 20)])
    outcomes = interval_outcomes(the_facts, date(2026, 5, 31))
    assert [(o.due_on, o.met) for o in outcomes] == [
        (date(2026, 2, 2), True),
        (date(2026, 3, 2), False),
        (date(2026, 3, 30), False),
        (date(2026, 4, 27), False),
        (date(2026, 5, 25), True),
    ]
    assert outcomes[-1].closed_on == date(2026, 5, 20)
    result = period_compliance(the_facts, date(2026, 3, 1), date(2026, 4, 30), date(2026, 5, 31))
    assert (result.met, result.missed, result.share) == (0, 3, 0.0)


def test_an_interval_still_open_is_not_counted():
    result = period_compliance(
        facts(agreed_on=date(2026, 11, 2), held=[date(2026, 11, 2)]),
        date(2026, 11, 1),
        date(2026, 11, 30),
        date(2026, 11, 23),
    )
    assert (result.met, result.missed, result.share) == (0, 0, None)


def test_absences_do_not_count_as_missed_intervals():
    the_facts = facts(agreed_on=date(2026, 1, 5), absences=[(date(2026, 1, 6), date(2026, 6, 30))])
    assert period_compliance(the_facts, date(2026, 1, 1), date(2026, 7, 27), date(2026, 7, 27)).required == 0
    assert period_compliance(the_facts, date(2026, 1, 1), date(2026, 7, 29), date(2026, 7, 29)).missed == 1


def test_no_requirement_means_no_intervals():
    assert interval_outcomes(facts(rule=None), date(2026, 11, 23)) == []
    assert interval_outcomes(SupervisionFacts(agreement=None), date(2026, 11, 23)) == []


# ------------------------------------------------------ write-ups, actions, renewals


def test_a_record_must_be_signed_within_five_working_days_bank_holidays_excluded():
    assert write_up_due_on(date(2026, 12, 17), POLICY) == date(2026, 12, 24)
    assert write_up_due_on(date(2026, 12, 22), POLICY) == date(2026, 12, 31)
    unsigned = WriteUp(date(2026, 12, 17), None)
    assert not write_up_is_overdue(unsigned, date(2026, 12, 24), POLICY)
    assert write_up_is_overdue(unsigned, date(2026, 12, 29), POLICY)
    assert write_up_signed_on_time(WriteUp(date(2026, 12, 17), date(2026, 12, 24)), POLICY) is True
    assert write_up_signed_on_time(WriteUp(date(2026, 12, 17), date(2026, 12, 29)), POLICY) is False
    assert write_up_signed_on_time(unsigned, POLICY) is None
    assert not write_up_is_overdue(WriteUp(date(2026, 12, 17), date(2026, 12, 29)), date(2027, 1, 4), POLICY)


def test_actions_are_overdue_the_day_after_their_due_date():
    assert (
        actions_overdue([date(2026, 11, 22), date(2026, 11, 23), date(2026, 12, 1)], date(2026, 11, 23)) == 1
    )


def test_a_single_due_date_is_due_soon_within_the_notice_period_then_overdue():
    assert date_state(date(2026, 12, 21), date(2026, 11, 22), 28).state is DateState.NOT_YET
    assert date_state(date(2026, 12, 21), date(2026, 11, 23), 28).state is DateState.DUE_SOON
    assert date_state(date(2026, 12, 21), date(2026, 12, 21), 28).state is DateState.DUE_SOON
    assert date_state(date(2026, 12, 21), date(2026, 12, 22), 28).state is DateState.OVERDUE


def test_assess_brings_every_due_date_together_with_prompts():
    person = PersonFacts(
        supervision=facts(held=[date(2026, 11, 2)], review=date(2026, 12, 1)),
        write_ups=(
            WriteUp(date(2026, 11, 2), None),
            WriteUp(date(2026, 11, 20), None),
            WriteUp(date(2026, 10, 5), date(2026, 10, 6)),
        ),
        open_action_due_dates=(date(2026, 11, 1), date(2026, 11, 20), date(2027, 1, 1)),
        registration_renewal_on=date(2026, 11, 30),
        dbs_checked_on=date(2023, 11, 1),
    )
    result = assess(person, date(2026, 11, 23), POLICY)
    assert result.supervision.status is Status.DUE_SOON
    assert (result.write_ups_pending, result.write_ups_overdue, result.actions_overdue) == (2, 1, 2)
    assert result.agreement_review.state is DateState.DUE_SOON
    assert result.registration_renewal.state is DateState.DUE_SOON
    assert result.dbs_renewal.due_on == date(2026, 11, 1)
    assert result.dbs_renewal.state is DateState.OVERDUE
    assert result.prompts == (
        "1 record not signed within the time limit",
        "2 actions past their due date",
        "Supervision agreement review is due on 1 December 2026",
        "Social Work England registration renewal is due on 30 November 2026",
        "DBS check renewal was due on 1 November 2026",
    )


def test_assess_with_nothing_due_has_no_prompts():
    person = PersonFacts(
        supervision=facts(held=[date(2026, 11, 20)], review=date(2027, 11, 20)),
        registration_renewal_on=date(2027, 6, 1),
        dbs_checked_on=date(2025, 6, 1),
    )
    result = assess(person, date(2026, 11, 23), POLICY)
    assert result.supervision.status is Status.ON_TRACK
    assert result.prompts == ()
