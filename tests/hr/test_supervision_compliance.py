"""Supervision compliance for the retention report, read window by window from the database.

`period_compliance_for` reads each person's sessions from a short lead before their window and,
for people with no session in the lead, the last session of each kind before it. These tests
hold it to the plain definition: the rule replayed over every session and absence since the
agreement, worked out again here from the raw tables with none of the product's code. The clock
fixture's today is Monday 23 November 2026.
"""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from supervision.agreements.models import AbsencePeriod, FrequencyKind, SupervisionAgreement, SupervisionType
from supervision.compliance.services import PERIOD_WINDOW, period_compliance_for
from supervision.extensions import db
from supervision.org.models import Role
from supervision.records.models import SessionAttendee, SessionKind, SessionStatus, SupervisionSession
from tests.factories import make_absence, make_agreement, make_staff
from tests.factories import make_held_session as held

TODAY = date(2026, 11, 23)
STAYERS = (date(2026, 4, 1), date(2026, 9, 30))


@pytest.fixture
def supervisor():
    return make_staff(Role.SUPERVISOR, given_name="Dana", family_name="Reid")


def every(days, first, last):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=days)


DEFAULT_INTERVAL = 28  # the default policy's interval for the career stage make_staff gives


def asye_interval(asye_started_on, day):
    """Weekly for 6 weeks, fortnightly until 6 months, then every 28 days (default policy)."""
    if day < asye_started_on + timedelta(weeks=6):
        return 7
    month = asye_started_on.month - 1 + 6
    six_months = asye_started_on.replace(
        year=asye_started_on.year + month // 12, month=month % 12 + 1, day=min(asye_started_on.day, 28)
    )
    return 14 if day < six_months else 28


def replayed_over_everything(staff_id, window):
    """The rules of docs/metrics.md worked out again from the raw tables, day by day, with
    none of the product's code: (intervals met on time, the other intervals closed in it)."""
    first_day, last_day = window
    agreements = (
        db.session.execute(
            sa.select(SupervisionAgreement).where(SupervisionAgreement.supervisee_id == staff_id)
        )
        .scalars()
        .all()
    )
    sessions = db.session.execute(
        sa.select(SupervisionSession.held_on, SupervisionSession.kind)
        .join(SessionAttendee)
        .where(SessionAttendee.supervisee_id == staff_id, SupervisionSession.status == SessionStatus.HELD)
    ).all()
    absences = db.session.execute(
        sa.select(AbsencePeriod.starts_on, AbsencePeriod.ends_on).where(AbsencePeriod.staff_id == staff_id)
    ).all()

    def in_force(day):
        current = [a for a in agreements if a.agreed_on <= day and (a.ended_on is None or a.ended_on >= day)]
        return max(current, key=lambda a: (a.agreed_on, a.id), default=None)

    def interval_of(agreement, day):
        if agreement is None or agreement.frequency_kind is FrequencyKind.NONE:
            return None
        if agreement.frequency_kind is FrequencyKind.ASYE_STAGED:
            return asye_interval(agreement.asye_started_on, day)
        return agreement.interval_days or DEFAULT_INTERVAL

    def counts(day, kind):
        agreement = in_force(day)
        return (
            kind is SessionKind.INDIVIDUAL
            or agreement is None
            or agreement.supervision_type
            in (
                SupervisionType.GROUP,
                SupervisionType.MIX,
            )
        )

    held_days = {day for day, kind in sessions if counts(day, kind)}
    last_judged = min(last_day, TODAY - timedelta(days=1))
    outcomes = []  # (closed on, on time)
    interval = None  # None: no clock running
    day = min((a.agreed_on for a in agreements), default=last_day + timedelta(days=1))
    while day <= last_day:
        required = interval_of(in_force(day), day)
        if required is None:
            interval = None  # nothing required today: the clock stops, nothing is missed
        elif interval is None:
            interval, counted, gap = required, 0, False  # the clock starts
        else:
            if not any(start <= day <= end for start, end in absences):
                counted += 1
            if day in held_days:
                outcomes.append((day, not gap))
                interval, counted, gap = interval_of(in_force(day), day), 0, False
            elif counted == interval and day <= last_judged:
                outcomes.append((day, False))
                counted, gap = 0, True
                if in_force(day).frequency_kind is FrequencyKind.ASYE_STAGED:
                    interval = asye_interval(in_force(day).asye_started_on, day)
        day += timedelta(days=1)
    closed = [on_time for closed_on, on_time in outcomes if first_day <= closed_on <= last_day]
    return (sum(closed), len(closed) - sum(closed))


def test_a_long_gap_before_the_window_is_counted_from_the_last_session_before_it(clock, supervisor):
    person = make_staff()
    make_agreement(person, supervisor, agreed_on=date(2025, 6, 2), interval_days=28)
    held(supervisor, person, on=date(2025, 7, 10))  # nothing again for nine months
    held(supervisor, person, on=date(2026, 4, 10))
    window = (date(2026, 3, 1), date(2026, 8, 31))

    found = period_compliance_for({person.id: window}, TODAY)[person.id]

    # Due every 28 days from 10 July 2025: 19 March missed, met late on 10 April (it ends a
    # gap), then 8 May, 5 June, 3 July, 31 July and 28 August missed.
    assert (found.met, found.missed) == (0, 7) == replayed_over_everything(person.id, window)


def test_every_kind_of_history_gives_the_answer_of_replaying_everything(clock, supervisor):
    colleague = make_staff()
    steady, gap, groups_only, mixed, absent, asye, leaver, renewed, never = (make_staff() for _ in range(9))
    windows = {
        person.id: STAYERS for person in (steady, gap, groups_only, mixed, absent, asye, renewed, never)
    }
    windows[leaver.id] = (date(2025, 11, 16), date(2026, 5, 15))

    make_agreement(steady, supervisor, agreed_on=date(2024, 1, 8))
    for day in every(27, date(2024, 1, 20), date(2026, 11, 1)):
        held(supervisor, steady, on=day)

    make_agreement(gap, supervisor, agreed_on=date(2025, 3, 3), interval_days=21)
    held(supervisor, gap, on=date(2025, 5, 19))
    held(supervisor, gap, on=date(2025, 9, 10))
    held(supervisor, gap, on=date(2026, 4, 7))
    held(supervisor, gap, on=date(2026, 6, 1))

    # Group sessions in the lead do not count for an individual agreement: the last individual
    # session, months before, is where the intervals restart.
    make_agreement(groups_only, supervisor, agreed_on=date(2025, 1, 6), interval_days=28)
    held(supervisor, groups_only, on=date(2025, 8, 4))
    for day in every(30, date(2025, 12, 1), date(2026, 9, 1)):
        held(supervisor, groups_only, colleague, on=day)
    held(supervisor, groups_only, on=date(2026, 4, 20))

    make_agreement(mixed, supervisor, agreed_on=date(2025, 1, 6), supervision_type=SupervisionType.MIX)
    held(supervisor, mixed, on=date(2025, 6, 2))
    for day in every(30, date(2026, 2, 20), date(2026, 9, 1)):
        held(supervisor, mixed, colleague, on=day)

    # Absences before the lead and in it move the due dates of a gap that runs into the window.
    make_agreement(absent, supervisor, agreed_on=date(2025, 2, 3), interval_days=28)
    held(supervisor, absent, on=date(2025, 9, 1))
    make_absence(absent, date(2025, 9, 15), date(2025, 10, 24))
    make_absence(absent, date(2026, 1, 26), date(2026, 2, 13))
    make_absence(absent, date(2026, 5, 4), date(2026, 5, 22))
    held(supervisor, absent, on=date(2026, 4, 8))
    held(supervisor, absent, on=date(2026, 7, 6))

    make_agreement(
        asye,
        supervisor,
        agreed_on=date(2026, 2, 2),
        frequency_kind=FrequencyKind.ASYE_STAGED,
        asye_started_on=date(2026, 2, 2),
    )
    for day in (date(2026, 2, 9), date(2026, 2, 20), date(2026, 3, 30), date(2026, 4, 13), date(2026, 6, 1)):
        held(supervisor, asye, on=day)

    # A leaver's window ends on their last day; an agreement made after it is not theirs.
    make_agreement(leaver, supervisor, agreed_on=date(2025, 4, 7), ended_on=date(2026, 5, 15))
    make_agreement(leaver, supervisor, agreed_on=date(2026, 6, 1), interval_days=7)
    for day in every(35, date(2025, 4, 20), date(2026, 5, 10)):
        held(supervisor, leaver, on=day)

    make_agreement(
        renewed, supervisor, agreed_on=date(2025, 1, 13), ended_on=date(2026, 1, 11), interval_days=14
    )
    make_agreement(renewed, supervisor, agreed_on=date(2026, 1, 12), interval_days=42)
    for day in (date(2025, 11, 3), date(2026, 3, 2), date(2026, 5, 25), date(2026, 8, 17)):
        held(supervisor, renewed, on=day)

    found = period_compliance_for(windows, TODAY)

    assert {staff_id: (result.met, result.missed) for staff_id, result in found.items()} == {
        staff_id: replayed_over_everything(staff_id, window) for staff_id, window in windows.items()
    }
    assert found[never.id].required == 0
    assert found[gap.id].required and found[groups_only.id].required and found[absent.id].required
    # The same again in the same transaction: the working table is cleared away each time.
    assert period_compliance_for(windows, TODAY) == found


def test_no_windows_read_nothing(clock):
    assert period_compliance_for({}, TODAY) == {}


def test_a_working_table_left_behind_by_a_failed_request_is_emptied_first(clock, supervisor):
    person = make_staff()
    make_agreement(person, supervisor, agreed_on=date(2026, 1, 5), interval_days=28)
    held(supervisor, person, on=date(2026, 5, 4))
    connection = db.session.connection()
    PERIOD_WINDOW.create(connection, checkfirst=True)
    stale = {"read_from": date(2026, 1, 1), "first_day": date(2026, 1, 1), "last_day": date(2026, 1, 2)}
    connection.execute(PERIOD_WINDOW.insert(), [{"staff_id": person.id, **stale}])

    found = period_compliance_for({person.id: STAYERS}, TODAY)[person.id]

    assert (found.met, found.missed) == replayed_over_everything(person.id, STAYERS)


def test_a_renewal_before_the_window_does_not_restart_the_clock_in_any_figure(clock, supervisor):
    """No session ever: the clock runs from the first agreement, not from the renewal, in HR's
    figure, the oversight report's intervals and the status alike."""
    from supervision.compliance.services import compliance_for
    from supervision.reports import figures
    from supervision.reports.services import load_histories

    person = make_staff()
    make_agreement(
        person, supervisor, agreed_on=date(2025, 1, 6), ended_on=date(2025, 12, 31), interval_days=28
    )
    make_agreement(person, supervisor, agreed_on=date(2026, 1, 1), interval_days=28)

    found = period_compliance_for({person.id: STAYERS}, TODAY)[person.id]
    # Due every 28 days from 6 January 2025: 27 April, 25 May, ... 14 September 2026, all missed.
    assert (found.met, found.missed) == (0, 6) == replayed_over_everything(person.id, STAYERS)

    _, histories = load_histories([person.id], figures.Period(date(2026, 9, 1), TODAY), TODAY, None)
    due_dates = [
        o.due_on for o in figures.intervals(histories[person.id], TODAY) if o.due_on >= date(2026, 9, 1)
    ]
    # Every 28 days from 6 January 2025 (not from the renewal of 1 January 2026).
    assert due_dates[:2] == [date(2026, 9, 14), date(2026, 10, 12)]
    assert compliance_for([person.id], TODAY)[person.id].supervision.next_due_on == date(2025, 2, 3)
