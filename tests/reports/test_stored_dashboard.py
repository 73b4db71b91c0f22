"""Stored team-dashboard figures (supervision.reports.stored_dashboard, .freshness): the job
stores exactly the live figures, the dashboard reads them, and any change to a person's facts
makes their dashboard live again in the same transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from bench import national
from supervision import synth
from supervision.agreements.models import AbsenceKind, AbsencePeriod, SupervisionPolicy, SupervisionType
from supervision.compliance.rules import Status
from supervision.extensions import db
from supervision.hr import import_services
from supervision.jobs.models import JobOutcome
from supervision.jobs.runs import run_job
from supervision.org.models import CareerStage, Role, Staff
from supervision.records.models import ActionStatus, SessionStatus, SupervisionSession
from supervision.reports import services as report_services
from supervision.reports import stored_dashboard
from supervision.reports.freshness import facts_changed, only_facts_of
from supervision.reports.models import StoredDashboardFigures
from supervision.reports.services import in_post, live_dashboard_figures, team_dashboard
from supervision.scheduler import SCHEDULE
from tests.factories import (
    make_absence,
    make_action,
    make_agreement,
    make_held_session,
    make_organisation,
    make_service,
    make_team,
)
from tests.hr.test_import import person_line, staff_file
from tests.reports.conftest import TODAY, held


def everyone_in_post(today: date) -> list[int]:
    return list(db.session.scalars(in_post(sa.select(Staff.id), today).order_by(Staff.id)))


def current(staff_ids: list[int], today: date = TODAY) -> dict:
    return stored_dashboard.stored_figures(db.session, staff_ids, today)


def shown(user: Staff, person: Staff, today: date = TODAY):
    rows = {row.person.id: row.figures for row in team_dashboard(user, today).rows}
    return rows[person.id]


def live(person: Staff, today: date = TODAY):
    return live_dashboard_figures(db.session, [person.id], person.organisation_id, today)[person.id]


def run(clock) -> dict:
    result = run_job("dashboard-figures", db.session, clock)
    assert result.outcome is JobOutcome.SUCCEEDED, result.error
    return result.counts


# ------------------------------------------------------------------- the job's figures


def test_stored_figures_are_the_live_figures_for_everyone_in_a_generated_organisation(app, clock):
    synth.generate(staff=150, years=2, seed=11)
    today = clock.today()
    people = everyone_in_post(today)
    organisation_id = national.synth_organisation()
    expected = live_dashboard_figures(db.session, people, organisation_id, today)

    counts = run(clock)

    assert counts["people_stored"] == len(people) > 100
    assert current(people, today) == expected
    # The comparison covered the variety a real organisation has.
    statuses = {figures.status for figures in expected.values()}
    assert {Status.ON_TRACK, Status.OVERDUE, Status.ESCALATED} <= statuses
    assert any(figures.write_ups_pending for figures in expected.values())
    assert len({figures.months for figures in expected.values()}) > 5


def test_every_dashboard_is_the_same_from_stored_figures_as_worked_out_live(app, clock):
    synth.generate(staff=150, years=2, seed=5)
    today = clock.today()
    supervisors = db.session.scalars(
        sa.select(Staff).where(Staff.role_rows.any(role=Role.SUPERVISOR)).order_by(Staff.id).limit(12)
    ).all()
    live_pages = {user.id: team_dashboard(user, today) for user in supervisors}
    run(clock)
    for user in supervisors:
        from_stored = team_dashboard(user, today)
        assert [(r.person.id, r.figures) for r in from_stored.rows] == [
            (r.person.id, r.figures) for r in live_pages[user.id].rows
        ]
        assert from_stored.months == live_pages[user.id].months
    assert sum(len(page.rows) for page in live_pages.values()) > 30


def test_the_dashboard_reads_the_stored_figures(org, clock, pages):
    run(clock)
    row = db.session.get(StoredDashboardFigures, org.alice.id)
    assert row.as_of == TODAY and row.computed_version == row.facts_version
    row.days_overdue = 987  # only a page that reads the stored row shows this
    db.session.commit()

    pages.sign_in(org.sam)
    page = pages.get("reports.team_dashboard")

    assert "987" in page.text
    assert shown(org.sam, org.alice).days_overdue == 987


def test_a_second_run_stores_only_the_people_whose_facts_changed(org, clock):
    first = run(clock)
    assert first["people_stored"] == len(everyone_in_post(TODAY))

    make_absence(org.eve, date(2026, 11, 16), date(2026, 11, 20), AbsenceKind.SICKNESS)
    again = run(clock)

    assert (again["people_stored"], again["people_changed_meanwhile"]) == (1, 0)
    assert current([org.eve.id])[org.eve.id] == live(org.eve)


def test_yesterdays_figures_are_not_used_today(org, clock):
    run(clock)
    clock.advance(days=1)
    tomorrow = clock.today()

    assert current([org.alice.id], tomorrow) == {}
    assert shown(org.sam, org.alice, tomorrow).days_overdue == live(org.alice, tomorrow).days_overdue == 22


def test_the_job_runs_every_hour():
    job = next(job for job in SCHEDULE if job.name == "dashboard-figures")
    assert job.when == "Every hour at 7 past"


# ------------------------------------------------------------- changes that make it live


def record_a_session(org):
    held(org.sam, org.alice, date(2026, 11, 20), signed_on=date(2026, 11, 20))


def sign_a_write_up(org):
    record = held(org.sam, org.bob, date(2026, 11, 19))
    record.supervisor_signed_at = datetime(2026, 11, 20, 12, tzinfo=UTC)
    db.session.commit()


def cancel_a_held_session(org):
    session = db.session.scalars(
        sa.select(SupervisionSession)
        .where(
            SupervisionSession.supervisor_id == org.sam.id, SupervisionSession.status == SessionStatus.HELD
        )
        .order_by(SupervisionSession.held_on.desc())
    ).first()
    session.status = SessionStatus.CANCELLED
    session.cancelled_reason = "Recorded against the wrong person"
    db.session.commit()


def close_an_action(org):
    action = org.alice_october.actions[0]
    action.status = ActionStatus.DONE
    action.completed_on = date(2026, 11, 20)
    db.session.commit()


def add_an_overdue_action(org):
    make_action(org.bob_record, due_on=date(2026, 11, 2))


def record_an_absence(org):
    make_absence(org.alice, date(2026, 11, 2), date(2026, 11, 20), AbsenceKind.SICKNESS)


def end_an_absence_early(org):
    absence = db.session.scalars(sa.select(AbsencePeriod).where(AbsencePeriod.staff_id == org.dev.id)).one()
    absence.ends_on = date(2026, 9, 1)
    db.session.commit()


def agree_with_someone_new(org):
    make_agreement(org.cara, org.sam, agreed_on=date(2026, 11, 2))


def change_the_policy(org):
    policy = db.session.scalars(sa.select(SupervisionPolicy)).one_or_none()
    if policy is None:
        policy = SupervisionPolicy(organisation_id=org.alice.organisation_id, updated_at=datetime.now(UTC))
        db.session.add(policy)
    policy.escalation_working_days = 20
    db.session.commit()


def change_a_career_stage(org):
    org.alice.career_stage = CareerStage.MANAGER
    db.session.commit()


def attend_a_group_session(org):
    make_held_session(org.sam, org.alice, org.bob, on=date(2026, 11, 18))


CHANGES = [
    (record_a_session, "alice"),
    (sign_a_write_up, "bob"),
    (cancel_a_held_session, "bob"),
    (close_an_action, "alice"),
    (add_an_overdue_action, "bob"),
    (record_an_absence, "alice"),
    (end_an_absence_early, "dev"),
    (agree_with_someone_new, "cara"),
    (change_the_policy, "alice"),
    (change_a_career_stage, "alice"),
    (attend_a_group_session, "alice"),
]


@pytest.mark.parametrize(("change", "who"), CHANGES, ids=[change.__name__ for change, _ in CHANGES])
def test_a_change_to_a_persons_facts_shows_on_the_dashboard_at_once(org, clock, change, who):
    org.alice_agreement.supervision_type = SupervisionType.MIX  # so that a group session counts
    db.session.commit()
    person = getattr(org, who)
    run(clock)
    before = shown(org.hana, person)
    assert current([person.id]) == {person.id: before}

    change(org)

    assert current([person.id]) == {}  # the stored row gave way in the change's transaction
    after = shown(org.hana, person)
    assert after == live(person)
    assert after != before  # each change really moves something the dashboard shows
    run(clock)
    assert current([person.id]) == {person.id: after}


def test_taking_someone_off_a_group_session_shows_at_once(org, clock):
    org.alice_agreement.supervision_type = SupervisionType.MIX
    db.session.commit()
    session = make_held_session(org.sam, org.alice, org.eve, on=date(2026, 11, 18))
    run(clock)
    assert shown(org.sam, org.alice).last_held_on == date(2026, 11, 18)

    session.attendees = [a for a in session.attendees if a.supervisee_id != org.alice.id]
    db.session.commit()

    assert current([org.alice.id]) == {}
    assert shown(org.sam, org.alice).last_held_on == date(2026, 10, 5)


def test_a_new_name_or_a_sign_in_leaves_the_stored_figures_in_use(org, clock):
    run(clock)
    org.alice.family_name = "Adams-Smith"
    org.alice.last_signed_in_at = clock.now()
    db.session.commit()

    assert org.alice.id in current([org.alice.id])


def test_the_staff_import_makes_the_people_it_changes_live(app, clock):
    make_team("North", service=make_service("Assessment"))
    organisation = make_organisation()
    import_services.import_staff(organisation.id, staff_file([person_line(1), person_line(2)]))
    people = {
        person.employee_number: person.id
        for person in db.session.scalars(sa.select(Staff).where(Staff.employee_number.is_not(None)))
    }
    run(clock)
    assert set(current(list(people.values()))) == set(people.values())

    import_services.import_staff(
        organisation.id, staff_file([person_line(1, career_stage="manager"), person_line(2)])
    )

    assert set(current(list(people.values()))) == {people["P00002"]}


def test_a_bulk_statement_on_sessions_makes_everyone_live(org, clock):
    run(clock)
    db.session.execute(
        sa.update(SupervisionSession).where(SupervisionSession.id == -1).values(location="Nowhere")
    )
    db.session.commit()

    assert current(everyone_in_post(TODAY)) == {}


def test_a_change_committed_while_the_job_works_leaves_that_person_live(org, clock, monkeypatch):
    real = report_services.live_dashboard_figures

    def with_a_change_meanwhile(session, scope, organisation_id, today):
        worked_out = real(session, scope, organisation_id, today)
        facts_changed(session.connection(), [org.alice.id])  # as another transaction would, mid-batch
        return worked_out

    monkeypatch.setattr(report_services, "live_dashboard_figures", with_a_change_meanwhile)
    counts = run(clock)

    assert counts["people_changed_meanwhile"] == 1
    in_post_ids = everyone_in_post(TODAY)
    assert set(current(in_post_ids)) == set(in_post_ids) - {org.alice.id}
    assert shown(org.sam, org.alice) == live(org.alice)


def test_a_bulk_statement_that_names_its_people_sets_aside_only_their_figures(org, clock):
    run(clock)
    db.session.execute(
        sa.update(AbsencePeriod)
        .where(AbsencePeriod.staff_id == org.dev.id)
        .values(ends_on=date(2026, 9, 1))
        .execution_options(**only_facts_of(org.dev.id))
    )
    db.session.commit()

    in_post_ids = everyone_in_post(TODAY)
    assert set(current(in_post_ids)) == set(in_post_ids) - {org.dev.id}
    assert shown(org.sam, org.dev) == live(org.dev)
