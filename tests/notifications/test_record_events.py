"""Every event in a session's and a record's life tells exactly the people it concerns, once:
in the service and by email through the outbox, which a real SMTP server receives; booking,
moving and cancelling carry an iCalendar invitation that calendar apps add, move and remove."""

import ast
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from supervision.auth.tokens import create_token
from supervision.clock import LONDON
from supervision.extensions import db
from supervision.jobs.runs import run_job
from supervision.notifications.models import EmailStatus, Notification, OutboxEmail
from supervision.org.models import Role, StaffRole
from supervision.records.models import SupervisionRecord, SupervisionSession
from tests.api.conftest import Api
from tests.factories import (
    COMPLETE_SECTIONS,
    make_agreement,
    make_record,
    make_service,
    make_staff,
    make_team,
)
from tests.replay import replayed

BOOKING = {
    "date": ["1", "12", "2026"],
    "start_time": "14:30",
    "duration_minutes": "90",
    "meeting": "in_person",
    "location": "Room 4",
}
SECRET_NOTE = "Ask about the Morgan family's strategy meeting"
SECRET_COMMENT = "I think the decision about the Morgan children was wrong"
SECRET_ADDENDUM = "The Morgan strategy meeting was on Tuesday, not Monday"


@pytest.fixture
@replayed
def people(app, clock):
    head = make_staff(Role.SERVICE_MANAGER, Role.SUPERVISOR, given_name="Hana", family_name="Head")
    service = make_service(manager=head)
    supervisor = make_staff(Role.SUPERVISOR, given_name="Sam", family_name="Supervisor", line_manager=head)
    team = make_team(service=service, manager=supervisor)
    worker = make_staff(
        Role.SOCIAL_WORKER, given_name="Wren", family_name="Worker", team=team, line_manager=supervisor
    )
    colleague = make_staff(
        Role.SOCIAL_WORKER, given_name="Cal", family_name="Colleague", team=team, line_manager=supervisor
    )
    make_agreement(worker, supervisor)
    make_agreement(colleague, supervisor)
    return SimpleNamespace(head=head, supervisor=supervisor, worker=worker, colleague=colleague)


def sign_in(pages, person):
    """As `person`, whoever was signed in before."""
    pages.client.post("/sign-out")
    pages.sign_in(person)


def send_twice(clock):
    """The outbox sender job, run twice: the second run must send nothing again."""
    for _ in range(2):
        run = run_job("outbox-sender", db.session, clock)
        assert run.outcome.value == "succeeded", run.error


def received(smtp_server):
    """(to, subject) of every message the SMTP server got, in order."""
    return [(message["To"], message["Subject"]) for message in smtp_server.messages]


def invitation(message) -> Calendar:
    [part] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    assert part.get_param("method") == str(calendar["METHOD"])
    return calendar


def the_event(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def notifications_of(person) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(Notification.recipient_id == person.id).order_by(Notification.id)
        )
    )


def latest_session() -> SupervisionSession:
    db.session.expire_all()
    return db.session.scalar(sa.select(SupervisionSession).order_by(SupervisionSession.id.desc()))


def reload(record) -> SupervisionRecord:
    db.session.expire_all()
    return db.session.get(SupervisionRecord, record.id)


# --- sessions: booked, moved, cancelled, with invitations -----------------------------------


def test_booking_moving_and_cancelling_send_one_invitation_each_to_the_supervisor_and_supervisee(
    people, pages, clock, smtp_server
):
    sign_in(pages, people.supervisor)
    pages.post("sessions.schedule_session", {**BOOKING, "supervisee_ids": [str(people.worker.id)]})
    session = latest_session()
    send_twice(clock)
    assert sorted(received(smtp_server)) == [
        (people.supervisor.email, "Supervision booked: Tuesday 1 December 2026, 2:30pm"),
        (people.worker.email, "Supervision booked: Tuesday 1 December 2026, 2:30pm"),
    ]
    booked = [invitation(message) for message in smtp_server.messages]
    for calendar in booked:
        event = the_event(calendar)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert event["UID"] == f"session-{session.id}@127.0.0.1"
        assert event.decoded("DTSTART") == datetime(2026, 12, 1, 14, 30, tzinfo=LONDON)
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=90)
        assert str(event["ORGANIZER"]) == f"mailto:{people.supervisor.email}"
        assert event["ORGANIZER"].params["CN"] == "Sam Supervisor"
        assert str(event["ATTENDEE"]) == f"mailto:{people.worker.email}"
        assert event["ATTENDEE"].params["CN"] == "Wren Worker"
        assert str(event["LOCATION"]) == "Room 4"
        assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    first_sequence = the_event(booked[0])["SEQUENCE"]

    # Moved to the next morning.
    pages.post(
        "sessions.move_session",
        {**BOOKING, "date": ["2", "12", "2026"], "start_time": "09:15", "version": session.version},
        session_id=session.id,
    )
    smtp_server.messages.clear()
    send_twice(clock)
    assert sorted(received(smtp_server)) == [
        (people.supervisor.email, "Supervision moved: Wednesday 2 December 2026, 9:15am"),
        (people.worker.email, "Supervision moved: Wednesday 2 December 2026, 9:15am"),
    ]
    moved = [invitation(message) for message in smtp_server.messages]
    for calendar in moved:
        event = the_event(calendar)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert event["UID"] == f"session-{session.id}@127.0.0.1"
        assert event["SEQUENCE"] > first_sequence
        assert event.decoded("DTSTART") == datetime(2026, 12, 2, 9, 15, tzinfo=LONDON)
    moved_sequence = the_event(moved[0])["SEQUENCE"]

    session = latest_session()
    pages.post(
        "sessions.cancel_session",
        {"version": session.version, "reason": "Court hearing", "cancelled_by": "supervisor"},
        session_id=session.id,
    )
    smtp_server.messages.clear()
    send_twice(clock)
    assert sorted(received(smtp_server)) == [
        (people.supervisor.email, "Supervision cancelled: Wednesday 2 December 2026, 9:15am"),
        (people.worker.email, "Supervision cancelled: Wednesday 2 December 2026, 9:15am"),
    ]
    for message in smtp_server.messages:
        calendar = invitation(message)
        event = the_event(calendar)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert event["UID"] == f"session-{session.id}@127.0.0.1"
        assert event["SEQUENCE"] > moved_sequence
        assert str(event["STATUS"]) == "CANCELLED"
        assert "Court hearing" not in message.as_string()

    # In the service too: three each for the two people in it, nothing for anyone else.
    for person in (people.supervisor, people.worker):
        assert [n.kind for n in notifications_of(person)] == [
            "session_booked",
            "session_moved",
            "session_cancelled",
        ]
        assert all(n.link == f"/sessions/{session.id}" for n in notifications_of(person))
    assert notifications_of(people.colleague) == notifications_of(people.head) == []


def test_a_group_session_invites_every_supervisee_as_an_attendee(people, pages, clock, smtp_server):
    sign_in(pages, people.supervisor)
    pages.post(
        "sessions.schedule_session",
        {
            **BOOKING,
            "meeting": "online",
            "location": "",
            "supervisee_ids": [people.worker.id, people.colleague.id],
        },
    )
    send_twice(clock)
    assert sorted(to for to, _ in received(smtp_server)) == sorted(
        [people.supervisor.email, people.worker.email, people.colleague.email]
    )
    event = the_event(invitation(smtp_server.messages[0]))
    assert sorted(str(attendee) for attendee in event["ATTENDEE"]) == sorted(
        [f"mailto:{people.worker.email}", f"mailto:{people.colleague.email}"]
    )
    assert str(event["LOCATION"]) == "Online"


def test_moving_needs_a_change_and_a_refused_move_tells_nobody(people, pages, clock, smtp_server):
    sign_in(pages, people.supervisor)
    pages.post("sessions.schedule_session", {**BOOKING, "supervisee_ids": [str(people.worker.id)]})
    session = latest_session()
    page = pages.post(
        "sessions.move_session",
        {**BOOKING, "version": session.version},
        _expected_status=200,
        session_id=session.id,
    )
    assert "Change the date, time, length or place" in page.select_one(".govuk-error-summary").text
    page = pages.post(
        "sessions.move_session",
        {**BOOKING, "location": "", "version": session.version},
        _expected_status=200,
        session_id=session.id,
    )
    assert "Enter where the session will be held" in page.select_one(".govuk-error-summary").text
    assert [n.kind for n in notifications_of(people.worker)] == ["session_booked"]
    # The worker may not move it.
    sign_in(pages, people.worker)
    pages.get("sessions.move_session", _expected_status=404, session_id=session.id)


# --- records: returned, ready to sign, signed, disagreement, addendum ------------------------


def sign_as_supervisor_page(pages, record):
    record = reload(record)
    pages.post(
        "records.record",
        {
            **{key: COMPLETE_SECTIONS.get(key, "") for key in ("agenda", *COMPLETE_SECTIONS)},
            "version": record.version,
            "intent": "sign",
        },
        record_id=record.id,
    )
    assert reload(record).supervisor_signed_at is not None


def test_each_step_to_the_lock_tells_the_other_party_once(people, pages, clock, smtp_server):
    record = make_record(people.worker, people.supervisor, held_on=date(2026, 11, 20), complete=True)
    held = "20 November 2026"

    sign_in(pages, people.supervisor)
    pages.post(
        "records.return_for_revision", {"version": record.version, "note": SECRET_NOTE}, record_id=record.id
    )
    send_twice(clock)
    assert received(smtp_server) == [
        (people.worker.email, f"Supervision record returned to you for revision: {held}")
    ]

    smtp_server.messages.clear()
    sign_as_supervisor_page(pages, record)
    send_twice(clock)
    assert received(smtp_server) == [
        (people.worker.email, f"Supervision record ready for your signature: {held}")
    ]

    # The worker returns it (withdrawing the signature); the supervisor signs again.
    smtp_server.messages.clear()
    sign_in(pages, people.worker)
    pages.post(
        "records.return_for_revision",
        {"version": reload(record).version, "note": SECRET_NOTE},
        record_id=record.id,
    )
    send_twice(clock)
    assert received(smtp_server) == [
        (people.supervisor.email, f"Supervision record returned to you for revision: {held}")
    ]
    smtp_server.messages.clear()
    sign_in(pages, people.supervisor)
    sign_as_supervisor_page(pages, record)
    send_twice(clock)
    assert received(smtp_server) == [
        (people.worker.email, f"Supervision record ready for your signature: {held}")
    ]

    smtp_server.messages.clear()
    sign_in(pages, people.worker)
    pages.post(
        "records.sign_as_supervisee",
        {"version": reload(record).version, "supervisee_comment": "Thanks."},
        record_id=record.id,
    )
    assert reload(record).is_locked
    send_twice(clock)
    assert sorted(received(smtp_server)) == [
        (people.supervisor.email, f"Supervision record signed and locked: {held}"),
        (people.worker.email, f"Supervision record signed and locked: {held}"),
    ]

    # Names, dates and a link: never the note or the record's text.
    every_email = list(db.session.scalars(sa.select(OutboxEmail)))
    assert len(every_email) == 6 and all(email.status is EmailStatus.SENT for email in every_email)
    for email in every_email:
        assert f"/records/{record.id}" in email.body
        assert SECRET_NOTE not in email.body
        assert all(text not in email.body for text in COMPLETE_SECTIONS.values())
        assert email.calendar is None
    assert notifications_of(people.colleague) == notifications_of(people.head) == []


def sign_disagreeing(pages, people) -> SupervisionRecord:
    """The worker signs a record the supervisor has signed, recording that they disagree."""
    record = make_record(people.worker, people.supervisor, complete=True, signed_by_supervisor=True)
    sign_in(pages, people.worker)
    pages.post(
        "records.sign_as_supervisee",
        {"version": record.version, "supervisee_comment": SECRET_COMMENT, "supervisee_disagrees": "y"},
        record_id=record.id,
    )
    return record


def test_disagreement_tells_the_supervisor_and_their_line_manager_and_never_what_was_said(
    people, pages, clock, smtp_server
):
    record = sign_disagreeing(pages, people)
    assert reload(record).supervisee_disagrees
    send_twice(clock)
    assert sorted(received(smtp_server)) == sorted(
        [
            (people.head.email, "Disagreement recorded on a supervision record: 20 November 2026"),
            (people.supervisor.email, "Disagreement recorded on a supervision record: 20 November 2026"),
            (people.worker.email, "Supervision record signed and locked: 20 November 2026"),
        ]
    )
    assert all(SECRET_COMMENT not in message.as_string() for message in smtp_server.messages)
    assert [n.kind for n in notifications_of(people.head)] == ["record_disagreement"]
    assert notifications_of(people.colleague) == []


def test_a_line_manager_holding_the_hr_role_is_not_told_of_a_disagreement_they_cannot_open(
    people, pages, clock, smtp_server
):
    """The HR role grants no supervision content (docs/roles.md): the record's page answers 404 to
    the supervisor's line manager once they hold it, so they are not told about the record."""
    people.head.role_rows.append(StaffRole(role=Role.HR))
    db.session.commit()
    record = sign_disagreeing(pages, people)
    send_twice(clock)
    assert sorted(received(smtp_server)) == sorted(
        [
            (people.supervisor.email, "Disagreement recorded on a supervision record: 20 November 2026"),
            (people.worker.email, "Supervision record signed and locked: 20 November 2026"),
        ]
    )
    assert notifications_of(people.head) == []
    sign_in(pages, people.head)
    assert pages.client.get(f"/records/{record.id}").status_code == 404


def test_an_addendum_tells_the_other_party_only(people, pages, clock, smtp_server):
    record = make_record(people.worker, people.supervisor, complete=True, locked=True)
    sign_in(pages, people.worker)
    pages.post(
        "records.add_addendum", {"reason": "A date was wrong", "body": SECRET_ADDENDUM}, record_id=record.id
    )
    send_twice(clock)
    assert received(smtp_server) == [
        (people.supervisor.email, "Addendum added to a supervision record: 20 November 2026")
    ]
    assert SECRET_ADDENDUM not in smtp_server.messages[0].as_string()
    assert notifications_of(people.worker) == []


def test_signing_through_the_api_tells_the_supervisee(people, client, clock, smtp_server):
    api_as = lambda person: Api(client, create_token(person, "test", True, timedelta(days=30)).secret)  # noqa: E731
    record = make_record(people.worker, people.supervisor, complete=True)
    response = api_as(people.supervisor).post(f"/records/{record.id}/sign", json={"version": record.version})
    assert response.status_code == 200, response.get_json()
    send_twice(clock)
    assert received(smtp_server) == [
        (people.worker.email, "Supervision record ready for your signature: 20 November 2026")
    ]


def test_a_refused_sign_off_tells_nobody(people, pages, clock, smtp_server):
    record = make_record(people.worker, people.supervisor)  # blank sections
    sign_in(pages, people.supervisor)
    pages.post(
        "records.record",
        {"version": record.version, "intent": "sign"},
        _expected_status=200,
        record_id=record.id,
    )
    assert reload(record).supervisor_signed_at is None
    send_twice(clock)
    assert smtp_server.messages == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


# --- the daily digest ---------------------------------------------------------------------


def test_the_daily_digest_batches_a_days_record_notices_into_one_email(people, pages, clock, smtp_server):
    sign_in(pages, people.worker)
    page = pages.get("notifications.index")
    assert page.select_one('input[name="email_frequency"][value="immediately"]').has_attr("checked")
    pages.post("notifications.set_email_frequency", {"email_frequency": "daily_digest"})
    assert (
        pages.get("notifications.index")
        .select_one('input[name="email_frequency"][value="daily_digest"]')
        .has_attr("checked")
    )

    first = make_record(people.worker, people.supervisor, held_on=date(2026, 11, 20), complete=True)
    second = make_record(people.worker, people.supervisor, held_on=date(2026, 11, 13), complete=True)
    sign_in(pages, people.supervisor)
    pages.post(
        "records.return_for_revision", {"version": first.version, "note": SECRET_NOTE}, record_id=first.id
    )
    sign_as_supervisor_page(pages, second)
    # A booking's invitation still goes at once: it is what puts the session in a calendar.
    pages.post("sessions.schedule_session", {**BOOKING, "supervisee_ids": [str(people.worker.id)]})
    send_twice(clock)
    assert sorted(subject for to, subject in received(smtp_server) if to == people.worker.email) == [
        "Supervision booked: Tuesday 1 December 2026, 2:30pm"
    ]
    assert len(notifications_of(people.worker)) == 3  # all three are in the service straight away

    smtp_server.messages.clear()
    for _ in range(2):
        run_job("daily-digest", db.session, clock)
    send_twice(clock)
    [digest] = smtp_server.messages
    assert digest["To"] == people.worker.email
    assert digest["Subject"] == "Your Supervision notifications for 23 November 2026"
    body = text_of(digest)
    assert "Supervision record returned to you for revision: 20 November 2026" in body
    assert "Supervision record ready for your signature: 13 November 2026" in body
    assert f"/records/{first.id}" in body and f"/records/{second.id}" in body
    assert "Supervision booked" not in body  # emailed already
    assert SECRET_NOTE not in body

    # The next day's notices go in the next day's digest, once.
    clock.advance(days=1)
    smtp_server.messages.clear()
    sign_in(pages, people.supervisor)  # a day on, yesterday's sign-in has ended
    pages.post(
        "records.return_for_revision", {"version": reload(first).version, "note": "Again"}, record_id=first.id
    )
    for _ in range(2):
        run_job("daily-digest", db.session, clock)
    send_twice(clock)
    assert received(smtp_server) == [
        (people.worker.email, "Your Supervision notifications for 24 November 2026")
    ]

    # Back to straight away: the next notice is its own email.
    sign_in(pages, people.worker)
    pages.post("notifications.set_email_frequency", {"email_frequency": "immediately"})
    sign_in(pages, people.supervisor)
    smtp_server.messages.clear()
    pages.post(
        "records.return_for_revision", {"version": reload(first).version, "note": "Third"}, record_id=first.id
    )
    send_twice(clock)
    assert received(smtp_server) == [
        (people.worker.email, "Supervision record returned to you for revision: 20 November 2026")
    ]


def test_an_unknown_email_frequency_is_refused_on_the_field(people, pages):
    sign_in(pages, people.worker)
    page = pages.post(
        "notifications.set_email_frequency", {"email_frequency": "hourly"}, _expected_status=200
    )
    summary = page.select_one(".govuk-error-summary")
    assert "Choose how often you want emails" in summary.text
    assert summary.find("a")["href"] == "#email_frequency"


# --- the architecture ---------------------------------------------------------------------


def test_records_never_imports_notifications():
    """Records announces its events; notifications subscribes (STYLE.md)."""
    package = Path(__file__).parents[2] / "supervision" / "records"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(name.startswith("supervision.notifications") for name in names), path.name


def test_every_app_tells_people_whichever_modules_were_imported_first(app):
    from supervision.records import events

    assert events.session_booked.receivers and events.record_locked.receivers
