"""Reminders and escalations for cases, as for people: one message per person per run, counts
and a link only, never twice for the same case and due date (docs/cases.md)."""

from datetime import date

import pytest
import sqlalchemy as sa

from supervision.cases.reminder_models import CaseReminder, CaseReminderKind
from supervision.cases.rules import CaseCategory
from supervision.extensions import db
from supervision.jobs.catalogue import send_case_reminders
from supervision.jobs.runs import run_job
from supervision.notifications.models import Notification, OutboxEmail
from supervision.org.models import Role, StaffRole
from tests.cases.oversight_factories import discuss, make_case
from tests.factories import make_agreement, make_staff
from tests.replay import replayed

REFERENCES = ("CP-A", "CP-B", "EH-C", "CP-S")


@pytest.fixture
@replayed
def caseload(people, clock):
    """On Monday 23 November 2026: CP-A never discussed (due 29 October, past the escalation
    point), CP-B due soon (Friday 27 November), EH-C on track; Sol's CP-S overdue, in a service
    with no head."""
    make_case(people.worker, "CP-A", opened_on=date(2026, 10, 1))
    make_case(people.worker, "CP-B", opened_on=date(2026, 10, 1))
    discuss("CP-B", people.worker, people.supervisor, date(2026, 10, 30))
    make_case(people.worker, "EH-C", CaseCategory.EARLY_HELP, opened_on=date(2026, 11, 1))
    make_case(people.stranger, "CP-S", opened_on=date(2026, 9, 1))
    return people


def notifications(kind):
    return list(
        db.session.scalars(sa.select(Notification).where(Notification.kind == kind).order_by(Notification.id))
    )


def emails_to(person):
    return list(db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.to_address == person.email)))


def test_each_supervisor_gets_one_message_counting_their_cases_and_no_reference(caseload, clock):
    people = caseload
    counts = send_case_reminders(db.session, clock)
    assert counts == {"cases": 3, "notifications": 2, "emails": 2, "without_recipient": 0}
    [to_sam] = emails_to(people.supervisor)
    assert to_sam.subject == "Cases needing oversight: 1 case overdue oversight and 1 case due soon"
    assert "/cases" in to_sam.body
    [to_olu] = emails_to(people.other_supervisor)
    assert to_olu.subject == "Cases needing oversight: 1 case overdue oversight"
    for message in [
        *db.session.scalars(sa.select(OutboxEmail)),
        *db.session.scalars(sa.select(Notification)),
    ]:
        text = getattr(message, "subject", None) or message.title
        assert not any(reference in text + message.body for reference in REFERENCES)
    assert emails_to(people.worker) == [] and emails_to(people.head) == []


def test_a_rerun_and_the_next_days_send_nothing_new(caseload, clock):
    send_case_reminders(db.session, clock)
    assert send_case_reminders(db.session, clock)["notifications"] == 0
    clock.advance(days=1)
    assert send_case_reminders(db.session, clock) == {
        "cases": 0,
        "notifications": 0,
        "emails": 0,
        "without_recipient": 0,
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseReminder)) == 3


def test_a_case_discussed_is_reminded_again_when_its_new_due_date_comes(caseload, clock):
    people = caseload
    send_case_reminders(db.session, clock)
    discuss("CP-A", people.worker, people.supervisor, date(2026, 11, 24))  # due 22 December now
    clock.advance(days=23)  # Wednesday 16 December: CP-A due soon, CP-B overdue since 27 November
    assert clock.today() == date(2026, 12, 16)
    counts = send_case_reminders(db.session, clock)
    assert counts["notifications"] == 1  # Sam; Olu's CP-S is overdue on the due date he was told of
    subjects = sorted(email.subject for email in emails_to(people.supervisor))
    assert subjects == [
        "Cases needing oversight: 1 case overdue oversight and 1 case due soon",
        "Cases needing oversight: 1 case overdue oversight and 1 case due soon",
    ]
    kinds = set(db.session.execute(sa.select(CaseReminder.kind, CaseReminder.due_on)))
    assert (CaseReminderKind.DUE_SOON, date(2026, 12, 22)) in kinds
    assert (CaseReminderKind.OVERDUE, date(2026, 11, 27)) in kinds


def test_escalations_go_to_the_head_of_service_once(caseload, clock):
    people = caseload
    counts = run_job("case-escalations", db.session, clock).counts
    # CP-A is 17 working days past due (more than the policy's 10); CP-S has no head of service.
    assert counts == {"cases": 1, "notifications": 1, "emails": 1, "without_recipient": 1}
    [to_head] = emails_to(people.head)
    assert to_head.subject == "Escalated: 1 case overdue oversight"
    assert "CP-A" not in to_head.body
    assert run_job("case-escalations", db.session, clock).counts["notifications"] == 0


def test_a_supervisor_who_does_not_oversee_the_worker_is_not_told_their_line_manager_is(people, clock):
    outside = make_staff(Role.SUPERVISOR, given_name="Ola", family_name="Outside")
    worker = make_staff(Role.SOCIAL_WORKER, team=people.team, line_manager=people.supervisor)
    make_agreement(worker, outside)
    make_case(worker, "CP-OUT", opened_on=date(2026, 9, 1))
    send_case_reminders(db.session, clock)
    assert emails_to(outside) == []
    assert len(emails_to(people.supervisor)) == 1


def test_a_closed_case_or_a_leaver_line_manager_is_not_reminded(people, clock):
    make_case(people.worker, "CP-CLOSED", opened_on=date(2026, 1, 1), closed_on=date(2026, 11, 1))
    people.supervisor.active = False
    db.session.commit()
    make_case(people.colleague, "CP-COLLEAGUE", opened_on=date(2026, 9, 1))
    counts = send_case_reminders(db.session, clock)
    assert counts["notifications"] == 0
    assert counts["without_recipient"] == 1


def test_a_supervisor_or_head_holding_the_hr_role_is_told_about_no_case(caseload, clock):
    """The HR role grants no supervision and no cases, whatever the data says (docs/roles.md):
    the cases page they would be sent to lists nothing for them."""
    people = caseload
    for person in (people.supervisor, people.head):
        person.role_rows.append(StaffRole(role=Role.HR))
    db.session.commit()
    reminders = send_case_reminders(db.session, clock)
    escalations = run_job("case-escalations", db.session, clock).counts
    assert emails_to(people.supervisor) == [] and emails_to(people.head) == []
    assert len(emails_to(people.other_supervisor)) == 1
    assert reminders["without_recipient"] == 2  # Sam's CP-A and CP-B
    assert escalations == {"cases": 0, "notifications": 0, "emails": 0, "without_recipient": 2}
