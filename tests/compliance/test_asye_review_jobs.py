"""ASYE reviews are prompted like any due date: alerts, reminders and escalation, each once.

The clock fixture's today is Monday 23 November 2026.
"""

from datetime import date

import pytest
import sqlalchemy as sa

from supervision.agreements.asye import AsyeStage
from supervision.compliance.models import AlertKind, ComplianceAlert
from supervision.extensions import db
from supervision.jobs.catalogue import compliance_sweep, send_escalations, send_reminders, send_weekly_digest
from supervision.notifications.models import OutboxEmail
from supervision.org.models import Role
from tests.factories import make_asye, make_asye_review, make_service, make_staff, make_team
from tests.replay import replayed


@pytest.fixture
@replayed
def people(clock):
    head = make_staff(Role.SERVICE_MANAGER, email="head@example.test")
    supervisor = make_staff(
        Role.SUPERVISOR, email="dana@example.test", given_name="Dana", family_name="Reid", line_manager=head
    )
    team = make_team(name="Assessment Team", service=make_service(manager=head), manager=supervisor)

    def asye(email, started_on, **names):
        return make_asye(supervisor, started_on, email=email, team=team, **names)

    # Started 4 May 2026: 3-month review due 4 August (not held), 6-month due 4 November.
    late = asye("late@example.test", date(2026, 5, 4), given_name="Lee", family_name="Late")
    make_asye_review(late, AsyeStage.THREE_MONTH, date(2026, 8, 3))
    # Started 1 September 2026: 3-month review due 1 December, within the 28 days' notice.
    soon = asye("soon@example.test", date(2026, 9, 1), given_name="Sol", family_name="Soon")
    return {"head": head, "supervisor": supervisor, "late": late, "soon": soon}


def open_alerts():
    return {
        (alert.kind, alert.subject_id, alert.period)
        for alert in db.session.scalars(
            sa.select(ComplianceAlert).where(ComplianceAlert.resolved_at.is_(None))
        )
        if alert.kind in (AlertKind.ASYE_REVIEW_DUE, AlertKind.ASYE_REVIEW_OVERDUE)
    }


def subjects_to(address):
    """The ASYE review emails to the address (these people's supervision is overdue too)."""
    return sorted(
        subject
        for subject in db.session.scalars(
            sa.select(OutboxEmail.subject).where(OutboxEmail.to_address == address)
        )
        if "ASYE" in subject
    )


def test_the_sweep_raises_one_alert_per_review_due_soon_or_overdue(people, clock):
    compliance_sweep(db.session, clock)
    assert open_alerts() == {
        (AlertKind.ASYE_REVIEW_OVERDUE, people["late"].id, "six_month-2026-11-04"),
        (AlertKind.ASYE_REVIEW_DUE, people["soon"].id, "three_month-2026-12-01"),
    }
    assert compliance_sweep(db.session, clock)["raised"] == 0


def test_recording_the_review_resolves_its_alert(people, clock):
    compliance_sweep(db.session, clock)
    make_asye_review(people["late"], AsyeStage.SIX_MONTH, date(2026, 11, 20))
    compliance_sweep(db.session, clock)
    assert open_alerts() == {(AlertKind.ASYE_REVIEW_DUE, people["soon"].id, "three_month-2026-12-01")}


def test_reminders_go_to_the_asye_and_their_supervisor_once(people, clock):
    compliance_sweep(db.session, clock)
    first = send_reminders(db.session, clock)
    assert send_reminders(db.session, clock)["emails"] == 0
    assert subjects_to("dana@example.test") == [
        "ASYE review due soon: Sol Soon",
        "ASYE review overdue: Lee Late",
    ]
    assert subjects_to("soon@example.test") == ["Your ASYE 3-month progress review is due by 1 December 2026"]
    assert subjects_to("late@example.test") == ["Your ASYE 6-month progress review is overdue"]
    assert first["emails"] >= 4
    body = db.session.scalar(
        sa.select(OutboxEmail.body).where(
            OutboxEmail.to_address == "late@example.test", OutboxEmail.subject.contains("ASYE")
        )
    )
    assert f"/people/{people['late'].id}/asye-reviews" in body


def test_an_overdue_review_is_escalated_to_the_head_of_service_once(people, clock):
    compliance_sweep(db.session, clock)
    send_escalations(db.session, clock)
    assert send_escalations(db.session, clock)["emails"] == 0
    [email] = db.session.scalars(
        sa.select(OutboxEmail).where(
            OutboxEmail.to_address == "head@example.test", OutboxEmail.subject.contains("ASYE")
        )
    )
    assert email.subject == "Escalation: Lee Late's ASYE review is overdue"
    assert "was due their ASYE 6-month progress review on 4 November 2026" in email.body
    assert "Their supervisor is Dana Reid." in email.body


def digest_to(address):
    return db.session.scalars(
        sa.select(OutboxEmail.body)
        .where(
            OutboxEmail.to_address == address, OutboxEmail.subject.startswith("Weekly supervision summary")
        )
        .order_by(OutboxEmail.id)
    ).all()


def test_the_weekly_digest_tells_the_supervisor_which_asye_reviews_are_due_soon_or_overdue(people, clock):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        send_weekly_digest(db.session, clock)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)

    [body] = digest_to("dana@example.test")
    assert (
        "ASYE progress reviews due soon or overdue (2):\n"
        "- Lee Late: 6-month progress review, overdue, was due 4 November 2026\n"
        "- Sol Soon: 3-month progress review, due by 1 December 2026"
    ) in body
    # Read once for the whole run, with everyone's compliance: never a query per person.
    assert sum("FROM asye_review" in statement for statement in statements) == 1
    # The head of service hears of them by escalation, not in their digest.
    assert not any("ASYE" in text for text in digest_to("head@example.test"))


def test_next_weeks_digest_leaves_out_a_review_since_recorded(people, clock):
    send_weekly_digest(db.session, clock)
    make_asye_review(people["late"], AsyeStage.SIX_MONTH, date(2026, 11, 25))
    clock.advance(days=7)

    send_weekly_digest(db.session, clock)

    body = digest_to("dana@example.test")[-1]
    assert (
        "ASYE progress reviews due soon or overdue (1):\n"
        "- Sol Soon: 3-month progress review, due by 1 December 2026"
    ) in body
    assert "Lee Late: 6-month" not in body
