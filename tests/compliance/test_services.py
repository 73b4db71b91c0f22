"""Compliance from the database: the engine fed set-based, as every page and job sees it.

The clock fixture's today is Monday 23 November 2026.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from supervision.agreements.models import FrequencyKind, SupervisionPolicy, SupervisionType
from supervision.compliance import rules
from supervision.compliance.rules import DateState, Status
from supervision.compliance.services import (
    RECENT_SESSION_DAYS,
    compliance_for,
    in_post_scope,
    load_people,
    period_compliance_for,
    thresholds_for,
)
from supervision.extensions import db
from supervision.org.models import CareerStage, Role, Staff
from supervision.records.models import ActionStatus, SessionStatus
from tests.factories import (
    make_absence,
    make_action,
    make_agreement,
    make_organisation,
    make_record,
    make_session,
    make_staff,
    make_team,
)
from tests.factories import make_held_session as held

TODAY = date(2026, 11, 23)


@pytest.fixture
def supervisor():
    return make_staff(Role.SUPERVISOR, given_name="Dana", family_name="Reid")


def statements_sent(action):
    """How many SQL statements `action` sends (from a clean session), and what it returns."""
    db.session.expire_all()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements), result


def status_of(person):
    return compliance_for([person.id], TODAY)[person.id]


def test_the_status_comes_from_the_last_held_session(clock, supervisor):
    worker = make_staff()
    make_agreement(worker, supervisor, agreed_on=date(2026, 1, 5))
    held(supervisor, worker, on=date(2026, 10, 5))
    held(supervisor, worker, on=date(2026, 11, 2))
    result = status_of(worker)
    assert result.status is Status.DUE_SOON
    assert result.supervision.next_due_on == date(2026, 11, 30)
    assert result.supervision.last_held_on == date(2026, 11, 2)
    assert result.supervisor_id == supervisor.id


def test_cancelled_scheduled_and_missed_sessions_do_not_count(clock, supervisor):
    worker = make_staff()
    make_agreement(worker, supervisor, agreed_on=date(2026, 9, 1))
    for status in (SessionStatus.SCHEDULED, SessionStatus.DID_NOT_ATTEND):
        make_session(supervisor, worker, starts_at=datetime(2026, 11, 2, 10, tzinfo=UTC), status=status)
    make_session(
        supervisor,
        worker,
        starts_at=datetime(2026, 11, 3, 10, tzinfo=UTC),
        status=SessionStatus.CANCELLED,
        cancelled_reason="Supervisor unwell",
    )
    result = status_of(worker)
    assert result.supervision.last_held_on is None
    assert result.supervision.next_due_on == date(2026, 9, 29)
    assert result.status is Status.ESCALATED


def test_a_group_session_counts_only_where_the_agreement_allows_group_supervision(clock, supervisor):
    mixed, individual = make_staff(), make_staff()
    make_agreement(mixed, supervisor, agreed_on=date(2026, 9, 1), supervision_type=SupervisionType.MIX)
    make_agreement(individual, supervisor, agreed_on=date(2026, 9, 1))
    held(supervisor, mixed, individual, on=date(2026, 11, 16))
    results = compliance_for([mixed.id, individual.id], TODAY)
    assert results[mixed.id].supervision.next_due_on == date(2026, 12, 14)
    assert results[individual.id].supervision.next_due_on == date(2026, 9, 29)


def test_an_absence_moves_the_due_date(clock, supervisor):
    worker = make_staff()
    make_agreement(worker, supervisor, agreed_on=date(2026, 9, 1))
    held(supervisor, worker, on=date(2026, 11, 2))
    make_absence(worker, date(2026, 11, 23), date(2026, 11, 27))
    result = status_of(worker)
    assert result.supervision.next_due_on == date(2026, 12, 5)
    assert result.status is Status.PAUSED


def test_the_policy_sets_intervals_and_thresholds_and_an_agreement_can_override(clock, supervisor):
    organisation = make_organisation()
    policy = SupervisionPolicy(
        organisation_id=organisation.id, interval_days_social_worker=21, due_soon_working_days=2
    )
    db.session.add(policy)
    db.session.commit()
    policy.interval_days_manager = None  # set after insert: None at insert means "use the default"
    db.session.commit()
    worker, manager, overridden = make_staff(), make_staff(career_stage=CareerStage.MANAGER), make_staff()
    make_agreement(worker, supervisor, agreed_on=date(2026, 11, 9))
    make_agreement(manager, supervisor, agreed_on=date(2026, 11, 9))
    make_agreement(overridden, supervisor, agreed_on=date(2026, 11, 9), interval_days=14)
    results = compliance_for([worker.id, manager.id, overridden.id], TODAY)
    assert results[worker.id].supervision.next_due_on == date(2026, 11, 30)
    assert results[worker.id].status is Status.ON_TRACK  # 5 working days away; due soon is 2 here
    assert results[manager.id].supervision.next_due_on is None  # no requirement for managers
    assert results[overridden.id].supervision.next_due_on == date(2026, 11, 23)
    assert results[overridden.id].status is Status.DUE_SOON


def test_asye_agreements_follow_the_staged_cadence(clock, supervisor):
    newly_qualified = make_staff(career_stage=CareerStage.ASYE)
    make_agreement(
        newly_qualified,
        supervisor,
        agreed_on=date(2026, 11, 2),
        frequency_kind=FrequencyKind.ASYE_STAGED,
        asye_started_on=date(2026, 11, 2),
    )
    held(supervisor, newly_qualified, on=date(2026, 11, 16))
    assert status_of(newly_qualified).supervision.next_due_on == date(2026, 11, 23)


def test_an_agreement_with_no_requirement_and_no_agreement_at_all(clock, supervisor):
    none, nobody = make_staff(), make_staff()
    make_agreement(none, supervisor, frequency_kind=FrequencyKind.NONE)
    ended = make_agreement(nobody, supervisor, agreed_on=date(2026, 1, 5))
    ended.ended_on = date(2026, 6, 1)
    db.session.commit()
    results = compliance_for([none.id, nobody.id], TODAY)
    assert (results[none.id].status, results[none.id].supervision.next_due_on) == (Status.ON_TRACK, None)
    assert results[nobody.id].status is Status.NO_AGREEMENT
    assert results[nobody.id].agreement is None


def test_write_ups_actions_and_renewals_are_assessed(clock, supervisor):
    worker = make_staff(swe_renewal_date=date(2026, 12, 1), dbs_check_date=date(2023, 11, 1))
    make_agreement(worker, supervisor, agreed_on=date(2026, 1, 5), review_due_on=date(2026, 12, 10))
    late = make_record(worker, supervisor, held_on=date(2026, 11, 2))
    recent = make_record(worker, supervisor, held_on=date(2026, 11, 20))
    signed = make_record(worker, supervisor, held_on=date(2026, 10, 5))
    signed.supervisor_signed_at = datetime(2026, 10, 6, tzinfo=UTC)
    db.session.commit()
    make_action(late, due_on=date(2026, 11, 13))
    make_action(recent, due_on=date(2026, 12, 20))
    make_action(late, due_on=date(2026, 11, 1), status=ActionStatus.DONE, completed_on=date(2026, 11, 1))
    result = status_of(worker)
    assessment = result.assessment
    assert (assessment.write_ups_pending, assessment.write_ups_overdue) == (2, 1)
    assert [w.record_id for w in result.pending_write_ups] == [late.id, recent.id]
    assert assessment.actions_overdue == 1
    assert assessment.agreement_review.state is DateState.DUE_SOON
    assert assessment.registration_renewal.state is DateState.DUE_SOON
    assert assessment.dbs_renewal.state is DateState.OVERDUE


def test_the_number_of_queries_does_not_grow_with_the_number_of_people(clock, supervisor, app):
    team = make_team()
    people = [make_staff(team=team) for _ in range(12)]
    for person in people:
        make_agreement(person, supervisor, agreed_on=date(2026, 9, 1))
        held(supervisor, person, on=date(2026, 11, 2))
        make_absence(person, date(2026, 11, 10), date(2026, 11, 11))
        make_record(person, supervisor, held_on=date(2026, 10, 1))

    def queries_for(ids):
        statements, results = statements_sent(lambda: compliance_for(ids, TODAY))
        assert len(results) == len(ids)
        return statements

    assert queries_for([p.id for p in people[:2]]) == queries_for([p.id for p in people])


def test_people_not_supervised_recently_are_looked_up_over_their_whole_history(clock, supervisor):
    """The loader reads the last RECENT_SESSION_DAYS of sessions for everyone at once and looks
    further back only for those with no counted session in that range: every person's answer
    is the one the engine gives from their complete history."""
    recent_edge = TODAY - timedelta(days=RECENT_SESSION_DAYS)
    long_ago = recent_edge - timedelta(days=200)
    histories = {
        # (agreed on, supervision type, [(held on, group?)], [absences])
        "recent": (
            date(2026, 1, 5),
            SupervisionType.INDIVIDUAL,
            [(long_ago, False), (date(2026, 11, 2), False)],
            [],
        ),
        "on the edge": (date(2026, 1, 5), SupervisionType.INDIVIDUAL, [(recent_edge, False)], []),
        "a day older": (
            date(2026, 1, 5),
            SupervisionType.INDIVIDUAL,
            [(recent_edge - timedelta(days=1), False)],
            [],
        ),
        "long absence": (
            date(2025, 1, 6),
            SupervisionType.INDIVIDUAL,
            [(long_ago, False)],
            [(long_ago + timedelta(days=3), recent_edge - timedelta(days=5))],
        ),
        "only a group session lately, and it does not count": (
            date(2026, 1, 5),
            SupervisionType.INDIVIDUAL,
            [(long_ago, False), (date(2026, 11, 9), True)],
            [],
        ),
        "a group session lately that counts": (
            date(2026, 1, 5),
            SupervisionType.MIX,
            [(long_ago, False), (date(2026, 11, 9), True)],
            [],
        ),
        "never supervised": (date(2026, 10, 1), SupervisionType.INDIVIDUAL, [], []),
        "agreed after the last session": (
            date(2026, 11, 1),
            SupervisionType.INDIVIDUAL,
            [(long_ago, False)],
            [],
        ),
    }
    colleague = make_staff()
    people = {}
    for name, (agreed_on, kind, sessions, absences) in histories.items():
        person = make_staff(given_name=name[:40])
        make_agreement(person, supervisor, agreed_on=agreed_on, supervision_type=kind)
        for held_on, group in sessions:
            held(supervisor, *((person, colleague) if group else (person,)), on=held_on)
        for starts_on, ends_on in absences:
            make_absence(person, starts_on, ends_on)
        people[name] = (person, agreed_on, kind, sessions, absences)

    found = compliance_for([person.id for person, *_ in people.values()], TODAY)
    thresholds = thresholds_for(None)
    for name, (person, agreed_on, kind, sessions, absences) in people.items():
        complete_history = rules.SupervisionFacts(
            agreement=rules.Agreement(
                agreed_on=agreed_on,
                rule=rules.IntervalRule(28),
                counts_group_sessions=kind is not SupervisionType.INDIVIDUAL,
            ),
            held=tuple(rules.HeldSession(day, group) for day, group in sessions),
            absences=tuple(rules.AbsenceSpan(*span) for span in absences),
        )
        assert found[person.id].supervision == rules.supervision_status(
            complete_history, TODAY, thresholds
        ), name
    assert found[people["a day older"][0].id].supervision.last_held_on == recent_edge - timedelta(days=1)
    only_group = found[people["only a group session lately, and it does not count"][0].id]
    assert only_group.supervision.last_held_on == long_ago
    assert found[people["never supervised"][0].id].status is Status.ESCALATED


def test_the_whole_organisation_is_assessed_in_the_same_statements_as_a_few_people(clock, supervisor, app):
    """A scope given as a select (the sweep, the reports) costs the same statements for anyone."""
    team = make_team()
    people = [make_staff(team=team) for _ in range(6)]
    for number, person in enumerate(people):
        make_agreement(person, supervisor, agreed_on=date(2025, 9, 1))
        held_on = date(2026, 11, 2) if number % 2 else TODAY - timedelta(days=RECENT_SESSION_DAYS + 30)
        held(supervisor, person, on=held_on)
        make_absence(person, date(2025, 10, 10), date(2025, 10, 11))

    def statements_for(scope):
        statements, results = statements_sent(lambda: load_people(db.session, scope, TODAY))
        return statements, {result.person.id: result.supervision for result in results}

    few, few_answers = statements_for(sa.select(Staff.id).where(Staff.id == people[1].id))
    everyone, answers = statements_for(in_post_scope(TODAY))
    assert few == everyone
    assert set(answers) >= {person.id for person in people}
    assert answers[people[1].id] == few_answers[people[1].id]
    assert {answers[person.id].last_held_on for person in people} == {
        date(2026, 11, 2),
        TODAY - timedelta(days=RECENT_SESSION_DAYS + 30),
    }


def test_period_compliance_counts_intervals_met_in_each_persons_own_window(clock, supervisor):
    regular, gappy, leaver, nobody = (
        make_staff(),
        make_staff(),
        make_staff(end_date=date(2026, 6, 30)),
        make_staff(),
    )
    for person in (regular, gappy):
        make_agreement(person, supervisor, agreed_on=date(2026, 1, 5))
    ended = make_agreement(leaver, supervisor, agreed_on=date(2026, 1, 5))
    ended.ended_on = date(2026, 6, 30)
    db.session.commit()
    for n in range(1, 11):  # every 28 days from 2 February to 19 October
        held(supervisor, regular, on=date(2026, 1, 5) + timedelta(days=28 * n))
    held(supervisor, gappy, on=date(2026, 2, 2))
    held(supervisor, gappy, on=date(2026, 5, 20))
    for n in range(1, 4):
        held(supervisor, leaver, on=date(2026, 1, 5) + timedelta(days=28 * n))
    windows = {
        regular.id: (date(2026, 5, 1), date(2026, 10, 31)),
        gappy.id: (date(2026, 3, 1), date(2026, 4, 30)),
        leaver.id: (date(2026, 1, 1), date(2026, 6, 30)),
        nobody.id: (date(2026, 1, 1), date(2026, 6, 30)),
    }
    results = period_compliance_for(windows, TODAY)
    assert (results[regular.id].met, results[regular.id].missed) == (6, 0)
    assert (results[gappy.id].met, results[gappy.id].missed, results[gappy.id].share) == (0, 3, 0.0)
    assert (results[leaver.id].met, results[leaver.id].missed) == (3, 3)
    assert results[nobody.id].required == 0 and results[nobody.id].share is None
