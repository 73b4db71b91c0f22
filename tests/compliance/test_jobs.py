"""The scheduled jobs against the real database: what they raise, whom they tell, and only once.

The clock fixture's today is Monday 23 November 2026.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from supervision.agreements.models import SupervisionAgreement
from supervision.compliance.models import AlertKind, ComplianceAlert
from supervision.extensions import db
from supervision.jobs import catalogue as jobs
from supervision.jobs.catalogue import (
    compliance_sweep,
    send_escalations,
    send_reminders,
    send_weekly_digest,
)
from supervision.jobs.models import JobOutcome, JobRun
from supervision.jobs.runs import UnknownJob, run_job
from supervision.notifications.models import Notification, OutboxEmail
from supervision.org.models import Role, Staff, StaffRole
from supervision.records.models import SessionStatus
from tests.factories import (
    COMPLETE_SECTIONS,
    make_absence,
    make_agreement,
    make_record,
    make_service,
    make_session,
    make_staff,
    make_team,
)


@dataclass
class Organisation:
    head: Staff
    supervisor: Staff
    on_track: Staff
    due_soon: Staff
    overdue: Staff
    escalated: Staff


def held(supervisor, supervisee, on):
    return make_session(
        supervisor,
        supervisee,
        starts_at=datetime.combine(on, datetime.min.time(), UTC),
        status=SessionStatus.HELD,
    )


@pytest.fixture
def organisation(clock):
    head = make_staff(
        Role.SERVICE_MANAGER, given_name="Helen", family_name="Okafor", email="head@example.test"
    )
    service = make_service("Assessment", manager=head)
    supervisor = make_staff(Role.SUPERVISOR, given_name="Dana", family_name="Reid", email="dana@example.test")
    team = make_team("Assessment Team", service=service, manager=supervisor)
    supervisor.team = team
    people = {}
    for name, last_held in (
        ("on_track", date(2026, 11, 20)),  # due 18 December
        ("due_soon", date(2026, 11, 2)),  # due 30 November
        ("overdue", date(2026, 10, 23)),  # due Friday 20 November: 1 working day late
        ("escalated", date(2026, 10, 1)),  # due 29 October
    ):
        person = make_staff(
            given_name=name.replace("_", " ").title().replace(" ", ""),
            family_name="Worker",
            email=f"{name}@example.test",
            team=team,
            line_manager=supervisor,
        )
        make_agreement(
            person,
            supervisor,
            agreed_on=date(2026, 1, 5),
            review_due_on=date(2027, 1, 4) + timedelta(days=60),
        )
        held(supervisor, person, last_held)
        people[name] = person
    db.session.commit()
    return Organisation(head=head, supervisor=supervisor, **people)


def alerts():
    return {
        (alert.kind, alert.subject_id, alert.period, alert.resolved_at is None)
        for alert in db.session.scalars(sa.select(ComplianceAlert))
    }


def emails_to(address):
    query = sa.select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id)
    return list(db.session.scalars(query))


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_sweep_raises_an_alert_for_each_person_who_needs_attention(organisation, clock):
    counts = compliance_sweep(db.session, clock)
    o = organisation
    assert alerts() == {
        (AlertKind.DUE_SOON, o.due_soon.id, "2026-11-30", True),
        (AlertKind.OVERDUE, o.overdue.id, "2026-11-20", True),
        (AlertKind.OVERDUE, o.escalated.id, "2026-10-29", True),
        (AlertKind.ESCALATED, o.escalated.id, "2026-10-29", True),
    }
    assert counts["raised"] == 4
    assert counts["people"] == 6


def test_a_sweep_run_twice_raises_nothing_twice(organisation, clock):
    compliance_sweep(db.session, clock)
    again = compliance_sweep(db.session, clock)
    assert (again["raised"], again["resolved"], again["reopened"]) == (0, 0, 0)
    assert count(ComplianceAlert) == 4


def test_an_alert_that_applies_again_is_reopened_not_raised_twice(organisation, clock):
    compliance_sweep(db.session, clock)
    due_soon = (AlertKind.DUE_SOON, organisation.due_soon.id, "2026-11-30")
    [first] = db.session.scalars(
        sa.select(ComplianceAlert.id).where(ComplianceAlert.kind == AlertKind.DUE_SOON)
    )
    absence = make_absence(organisation.due_soon, date(2026, 11, 23), date(2026, 11, 27))  # paused
    counts = compliance_sweep(db.session, clock)
    assert counts["resolved"] == 1
    assert (*due_soon, False) in alerts()
    db.session.delete(absence)  # recorded in error: due on 30 November again
    db.session.commit()
    counts = compliance_sweep(db.session, clock)
    assert (counts["raised"], counts["reopened"], counts["resolved"]) == (0, 1, 0)
    assert (*due_soon, True) in alerts()
    assert db.session.scalars(
        sa.select(ComplianceAlert.id).where(ComplianceAlert.kind == AlertKind.DUE_SOON)
    ).all() == [first]


def test_a_session_held_resolves_the_alert_and_the_next_gap_gets_a_new_one(organisation, clock):
    compliance_sweep(db.session, clock)
    held(organisation.supervisor, organisation.due_soon, date(2026, 11, 23))
    counts = compliance_sweep(db.session, clock)
    assert counts["resolved"] == 1
    assert (AlertKind.DUE_SOON, organisation.due_soon.id, "2026-11-30", False) in alerts()
    clock.advance(days=21)  # 14 December: due 21 December
    compliance_sweep(db.session, clock)
    assert (AlertKind.DUE_SOON, organisation.due_soon.id, "2026-12-21", True) in alerts()


def test_someone_who_leaves_has_their_alerts_resolved(organisation, clock):
    compliance_sweep(db.session, clock)
    organisation.escalated.end_date = date(2026, 11, 22)
    db.session.commit()
    assert compliance_sweep(db.session, clock)["resolved"] == 2
    assert not any(open_ for _, subject, _, open_ in alerts() if subject == organisation.escalated.id)


def test_write_ups_reviews_and_renewals_raise_their_own_alerts(organisation, clock):
    worker = organisation.on_track
    worker.swe_renewal_date = date(2026, 12, 1)
    worker.dbs_check_date = date(2023, 11, 1)
    agreement = db.session.scalar(
        sa.select(SupervisionAgreement).where(SupervisionAgreement.supervisee_id == worker.id)
    )
    agreement.review_due_on = date(2026, 12, 10)
    late = make_record(worker, organisation.supervisor, held_on=date(2026, 11, 9))
    make_record(worker, organisation.supervisor, held_on=date(2026, 11, 19))  # not late yet
    compliance_sweep(db.session, clock)
    mine = {(kind, period) for kind, subject, period, _ in alerts() if subject == worker.id}
    assert mine == {
        (AlertKind.WRITE_UP_OVERDUE, f"record-{late.id}"),
        (AlertKind.AGREEMENT_REVIEW_DUE, "2026-12-10"),
        (AlertKind.REGISTRATION_RENEWAL_DUE, "2026-12-01"),
        (AlertKind.DBS_RENEWAL_DUE, "2026-11-01"),
    }


def test_reminders_go_to_the_person_and_their_supervisor_once(organisation, clock):
    compliance_sweep(db.session, clock)
    counts = send_reminders(db.session, clock)
    assert counts == {"alerts": 3, "notifications": 6, "emails": 6, "without_recipient": 0}
    assert send_reminders(db.session, clock) == {
        "alerts": 3,
        "notifications": 0,
        "emails": 0,
        "without_recipient": 0,
    }
    [to_worker] = emails_to("due_soon@example.test")
    assert to_worker.subject == "Your supervision is due by 30 November 2026"
    assert "with Dana Reid" in to_worker.body
    dana = {email.subject for email in emails_to("dana@example.test")}
    assert dana == {
        "Supervision due soon: DueSoon Worker",
        "Supervision overdue: Overdue Worker",
        "Supervision overdue: Escalated Worker",
    }
    assert f"/people/{organisation.due_soon.id}/compliance" in to_worker.body
    assert emails_to("head@example.test") == []  # escalation is its own job
    assert emails_to("on_track@example.test") == []


def test_escalations_go_to_the_head_of_service_once(organisation, clock):
    compliance_sweep(db.session, clock)
    assert send_escalations(db.session, clock)["emails"] == 1
    assert send_escalations(db.session, clock)["emails"] == 0
    [email] = emails_to("head@example.test")
    assert email.subject == "Escalation: Escalated Worker's supervision is overdue"
    assert (
        "Escalated Worker (Assessment Team) was due supervision on 29 October 2026, 17 working days ago."
        in (email.body)
    )
    assert "Their supervisor is Dana Reid." in email.body


def test_write_up_reminders_go_to_the_supervisor_who_ran_the_session(organisation, clock):
    other_supervisor = make_staff(Role.SUPERVISOR, email="locum@example.test")
    record = make_record(organisation.on_track, other_supervisor, held_on=date(2026, 11, 9))
    compliance_sweep(db.session, clock)
    send_reminders(db.session, clock)
    [email] = emails_to("locum@example.test")
    assert email.subject == "Supervision record not signed: OnTrack Worker"
    assert "supervision on 9 November 2026" in email.body
    assert "signed by 16 November 2026" in email.body
    assert record.id  # the record itself is never quoted


def test_emails_never_contain_supervision_content(organisation, clock):
    make_record(organisation.overdue, organisation.supervisor, held_on=date(2026, 11, 2), complete=True)
    compliance_sweep(db.session, clock)
    send_reminders(db.session, clock)
    send_escalations(db.session, clock)
    send_weekly_digest(db.session, clock)
    bodies = [email.subject + email.body for email in db.session.scalars(sa.select(OutboxEmail))]
    assert bodies
    for text in COMPLETE_SECTIONS.values():
        assert not any(text in body for body in bodies)
    assert not any("CH-1001" in body or "Neglect" in body for body in bodies)


def test_the_weekly_digest_goes_to_supervisors_and_heads_of_service_once_a_week(organisation, clock):
    assert send_weekly_digest(db.session, clock)["emails"] == 2
    clock.advance(days=3)
    assert send_weekly_digest(db.session, clock)["emails"] == 0
    clock.advance(days=4)  # the next Monday
    assert send_weekly_digest(db.session, clock)["emails"] == 2
    [first, _] = emails_to("dana@example.test")
    assert first.subject == "Weekly supervision summary: 23 November 2026"
    assert "Your supervisees (4): 1 on track, 1 due soon, 1 overdue, 1 escalated." in first.body
    assert "- Escalated Worker: escalated, due 29 October 2026 (17 working days ago)" in first.body
    head = emails_to("head@example.test")[0]
    assert "Assessment (5 people)" in head.body


def test_nobody_holding_the_hr_role_is_told_about_anyone_else(organisation, clock):
    """The HR role grants no supervision, whatever the data says (docs/roles.md): a supervisor, line
    manager or head of service who holds it hears about their own supervision only, since every
    link in a notice about someone else would answer 404."""
    for person in (organisation.supervisor, organisation.head):
        person.role_rows.append(StaffRole(role=Role.HR))
    organisation.supervisor.swe_renewal_date = date(2026, 12, 1)  # Dana's own reminder
    organisation.due_soon.dbs_check_date = date(2023, 11, 1)  # to the person and their line manager
    db.session.commit()
    compliance_sweep(db.session, clock)
    reminders = send_reminders(db.session, clock)
    escalations = send_escalations(db.session, clock)
    digest = send_weekly_digest(db.session, clock)
    assert {email.subject for email in emails_to("dana@example.test")} == {
        "Your Social Work England registration is due for renewal"
    }
    assert emails_to("head@example.test") == []
    assert {email.subject for email in emails_to("due_soon@example.test")} == {
        "Your supervision is due by 30 November 2026",
        "Your DBS check is due for renewal",
    }
    assert reminders["without_recipient"] == 0  # each of the workers is still told
    assert escalations == {"alerts": 1, "notifications": 0, "emails": 0, "without_recipient": 1}
    assert digest["emails"] == 0
    for person in (organisation.supervisor, organisation.head):  # the control: the role alone
        person.role_rows = [row for row in person.role_rows if row.role is not Role.HR]
    db.session.commit()
    assert send_escalations(db.session, clock)["emails"] == 1
    assert send_weekly_digest(db.session, clock)["emails"] == 2


def test_a_job_that_crashes_half_way_leaves_a_consistent_state_and_the_next_run_completes_it(
    organisation, clock, monkeypatch
):
    compliance_sweep(db.session, clock)
    statements = []

    def fail_on_the_second_batch(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO notification"):
            statements.append(statement)
            if len(statements) == 2:
                raise RuntimeError("the database went away")

    monkeypatch.setattr(jobs, "BATCH_SIZE", 1)  # one alert per transaction
    sa.event.listen(db.engine, "before_cursor_execute", fail_on_the_second_batch)
    try:
        run = run_job("reminders", db.session, clock)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", fail_on_the_second_batch)
    assert run.outcome is JobOutcome.FAILED
    assert run.error == "RuntimeError: the database went away"
    # The first alert's notices went out with their emails; nothing half-made.
    assert count(Notification) == count(OutboxEmail) == 2

    run = run_job("reminders", db.session, clock)
    assert run.outcome is JobOutcome.SUCCEEDED
    assert run.counts["notifications"] == 4
    assert count(Notification) == count(OutboxEmail) == 6


def test_every_run_is_recorded_with_its_counts(organisation, clock):
    run = run_job("compliance-sweep", db.session, clock)
    assert run.outcome is JobOutcome.SUCCEEDED
    assert run.counts["raised"] == 4
    assert run.started_at == clock.now() and run.finished_at == clock.now()
    with pytest.raises(UnknownJob):
        run_job("no-such-job", db.session, clock)


def test_old_job_runs_are_pruned(organisation, clock):
    run_job("compliance-sweep", db.session, clock)
    clock.advance(days=31)
    run = run_job("prune-job-runs", db.session, clock)
    assert run.counts == {"deleted": 1}
    assert [r.job_name for r in db.session.scalars(sa.select(JobRun))] == ["prune-job-runs"]
