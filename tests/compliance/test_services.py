"""Compliance from the database: the engine fed set-based, as every page and job sees it.

The clock fixture's today is Monday 23 November 2026.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from supervision.agreements.models import FrequencyKind, SupervisionPolicy, SupervisionType
from supervision.compliance.rules import DateState, Status
from supervision.compliance.services import compliance_for, period_compliance_for
from supervision.extensions import db
from supervision.org.models import CareerStage, Role
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

TODAY = date(2026, 11, 23)


@pytest.fixture
def supervisor():
    return make_staff(Role.SUPERVISOR, given_name="Dana", family_name="Reid")


def held(supervisor, *supervisees, on):
    return make_session(
        supervisor,
        *supervisees,
        starts_at=datetime.combine(on, datetime.min.time(), UTC),
        status=SessionStatus.HELD,
    )


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
        db.session.expire_all()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            results = compliance_for(ids, TODAY)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        assert len(results) == len(ids)
        return len(statements)

    assert queries_for([p.id for p in people[:2]]) == queries_for([p.id for p in people])


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
