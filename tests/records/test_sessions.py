"""Booking and running sessions, the supervisor's list and each person's own supervision page."""

from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import url_for

from supervision.agreements.models import AbsenceKind
from supervision.extensions import db
from supervision.org.models import Role
from supervision.records import services
from supervision.records.models import (
    CancelledBy,
    SessionKind,
    SessionStatus,
    SupervisionRecord,
    SupervisionSession,
)
from tests.factories import make_absence, make_agreement, make_record, make_session, make_staff

pytestmark = pytest.mark.usefixtures("clock")

BOOKING = {
    "date": ["1", "12", "2026"],
    "start_time": "14:30",
    "duration_minutes": "90",
    "meeting": "in_person",
    "location": "Room 4",
}


def sessions():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(SupervisionSession).order_by(SupervisionSession.id)))


def test_a_supervisor_books_a_session_in_london_time(people, pages):
    pages.sign_in(people.supervisor)
    pages.post("sessions.schedule_session", {**BOOKING, "supervisee_ids": [str(people.worker.id)]})
    [session] = sessions()
    assert session.scheduled_start == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # GMT in December
    assert (session.kind, session.status, session.location, session.online) == (
        SessionKind.INDIVIDUAL,
        SessionStatus.SCHEDULED,
        "Room 4",
        False,
    )
    assert [attendee.supervisee_id for attendee in session.attendees] == [people.worker.id]


@pytest.mark.parametrize("away", ["worker", "supervisor"])
def test_booking_inside_a_recorded_absence_warns_first_and_books_once_confirmed(people, pages, away):
    make_absence(getattr(people, away), date(2026, 11, 30), date(2026, 12, 4), kind=AbsenceKind.SICKNESS)
    pages.sign_in(people.supervisor)
    booking = {**BOOKING, "supervisee_ids": [str(people.worker.id)]}

    page = pages.post("sessions.schedule_session", booking, _expected_status=200)

    assert sessions() == []
    who = "Wren Worker is" if away == "worker" else "you are"
    message = (
        f"This session is on a day when {who} recorded as away from 30 November 2026 to 4 December 2026. "
        "Choose another date, or confirm that you still want to book it."
    )
    assert [(a.text.strip(), a["href"]) for a in page.select(".govuk-error-summary a")] == [
        (message, "#absence_confirmed")
    ]
    assert page.find("input", id="absence_confirmed", type="checkbox") is not None
    assert "Sickness" not in page.find("main").text and "sickness" not in page.find("main").text

    pages.post("sessions.schedule_session", {**booking, "absence_confirmed": "y"})
    [session] = sessions()
    assert session.scheduled_start == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)


def test_the_absence_checkbox_is_not_shown_when_nobody_is_away(people, pages):
    make_absence(people.worker, date(2026, 12, 2), date(2026, 12, 4))  # the day after the booking
    pages.sign_in(people.supervisor)
    assert pages.get("sessions.schedule_session").find(id="absence_confirmed") is None
    pages.post("sessions.schedule_session", {**BOOKING, "supervisee_ids": [str(people.worker.id)]})
    assert len(sessions()) == 1


def test_summer_times_are_british_summer_time(people, pages):
    pages.sign_in(people.supervisor)
    pages.post(
        "sessions.schedule_session",
        {**BOOKING, "date": ["1", "7", "2027"], "supervisee_ids": [people.worker.id]},
    )
    assert sessions()[0].scheduled_start == datetime(2027, 7, 1, 13, 30, tzinfo=UTC)


def test_choosing_several_supervisees_books_a_group_session(people, pages):
    pages.sign_in(people.supervisor)
    pages.post(
        "sessions.schedule_session",
        {
            **BOOKING,
            "meeting": "online",
            "location": "",
            "supervisee_ids": [people.worker.id, people.colleague.id],
        },
    )
    [session] = sessions()
    assert (session.kind, session.online) == (SessionKind.GROUP, True)
    assert {a.supervisee_id for a in session.attendees} == {people.worker.id, people.colleague.id}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"supervisee_ids": []}, "supervisee_ids", "Choose who the session is with"),
        ({"date": ["30", "2", "2027"]}, "date", "Date must be a real date"),
        ({"date": ["", "", ""]}, "date", "Enter the date of the session"),
        ({"start_time": "25:00"}, "start_time", "Start time must be a time in 24-hour format, like 14:30"),
        (
            {"duration_minutes": "ninety"},
            "duration_minutes",
            "Length must be a whole number of minutes, like 90",
        ),
        ({"duration_minutes": "0"}, "duration_minutes", "Duration must be between 1 and 480 minutes"),
        ({"meeting": ""}, "meeting", "Choose in person or online"),
        ({"location": "  "}, "location", "Enter where the session will be held, or say it is online"),
    ],
)
def test_bad_bookings_are_named_and_nothing_is_booked(people, pages, changes, field, message):
    pages.sign_in(people.supervisor)
    data = {**BOOKING, "supervisee_ids": [people.worker.id], **changes}
    page = pages.post("sessions.schedule_session", data, _expected_status=200)
    summary = page.select_one(".govuk-error-summary")
    assert message in summary.text
    assert summary.find("a")["href"] == (f"#{field}-day" if field == "date" else f"#{field}")  # day box
    assert sessions() == []


def test_nobody_books_a_session_with_someone_they_do_not_supervise(people, pages):
    pages.sign_in(people.supervisor)
    page = pages.post(
        "sessions.schedule_session", {**BOOKING, "supervisee_ids": [people.stranger.id]}, _expected_status=200
    )
    assert "Choose people you supervise from the list" in page.select_one(".govuk-error-summary").text
    assert sessions() == []


def test_a_cancelled_session_records_why_and_who_and_offers_a_rebooking(people, pages):
    session = make_session(people.supervisor, people.worker, starts_at=datetime(2026, 11, 25, 10, tzinfo=UTC))
    pages.sign_in(people.supervisor)
    page = pages.post(
        "sessions.cancel_session",
        {"version": session.version, "reason": ""},
        _expected_status=200,
        session_id=session.id,
    )
    assert "Enter why the session was cancelled" in page.text and "Choose who cancelled" in page.text
    assert sessions()[0].status is SessionStatus.SCHEDULED

    pages.post(
        "sessions.cancel_session",
        {"version": session.version, "reason": "Court hearing", "cancelled_by": "supervisee"},
        session_id=session.id,
    )
    [session] = sessions()
    assert (session.status, session.cancelled_reason, session.cancelled_by, session.cancelled_by_id) == (
        SessionStatus.CANCELLED,
        "Court hearing",
        CancelledBy.SUPERVISEE,
        people.supervisor.id,
    )
    page = pages.get("sessions.session", session_id=session.id)
    rebook = page.find("a", href=url_for("sessions.schedule_session", rebook=session.id))
    assert rebook is not None and rebook.text.strip() == "Rebook this session"

    form = pages.get("sessions.schedule_session", rebook=session.id)
    assert form.find("input", attrs={"name": "supervisee_ids", "value": str(people.worker.id)}).has_attr(
        "checked"
    )
    assert form.find("input", id="location")["value"] == "Room 2, Civic Centre"
    pages.post(
        "sessions.schedule_session", {**BOOKING, "supervisee_ids": [people.worker.id]}, rebook=session.id
    )
    assert sessions()[1].rebooked_from_id == session.id


def test_did_not_attend_is_recorded(people, pages):
    session = make_session(people.supervisor, people.worker)
    pages.sign_in(people.supervisor)
    pages.post("sessions.did_not_attend", {"version": session.version}, session_id=session.id)
    assert sessions()[0].status is SessionStatus.DID_NOT_ATTEND
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionRecord)) == 0


def test_a_session_already_run_cannot_be_run_again(people, pages):
    session = make_session(
        people.supervisor, people.worker, status=SessionStatus.CANCELLED, cancelled_reason="x"
    )
    pages.sign_in(people.supervisor)
    pages.post(
        "sessions.mark_held",
        {"version": session.version, "held_on": ["20", "11", "2026"], "duration_minutes": "90"},
        session_id=session.id,
    )
    assert sessions()[0].status is SessionStatus.CANCELLED


def test_marking_held_in_the_future_is_refused_on_the_page(people, pages):
    session = make_session(people.supervisor, people.worker)
    pages.sign_in(people.supervisor)
    page = pages.post(
        "sessions.mark_held",
        {"version": session.version, "held_on": ["24", "11", "2026"], "duration_minutes": "90"},
        _expected_status=200,
        session_id=session.id,
    )
    assert "must be today or in the past" in page.select_one(".govuk-error-summary").text
    assert sessions()[0].status is SessionStatus.SCHEDULED


@pytest.mark.parametrize("endpoint", ["sessions.did_not_attend", "sessions.mark_held"])
def test_a_session_that_has_not_started_cannot_be_marked_held_or_did_not_attend(
    people, pages, clock, endpoint
):
    # Booked for 2:30pm today; it is 9am (FIXED_NOW) and the session has not started.
    session = make_session(
        people.supervisor, people.worker, starts_at=datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    )
    pages.sign_in(people.supervisor)
    page = pages.get("sessions.session", session_id=session.id)
    main = page.find("main")
    assert main.find("a", string="Did not attend") is None
    assert main.find("a", string=lambda text: text and "Mark as held" in text) is None
    assert "once it has started" in main.text

    response = pages.client.get(url_for(endpoint, session_id=session.id))
    assert response.status_code == 302
    pages.post(
        endpoint,
        {"version": session.version, "held_on": ["23", "11", "2026"], "duration_minutes": "90"},
        session_id=session.id,
    )
    page = pages.get("sessions.session", session_id=session.id)
    assert (
        "This session starts on Monday 23 November 2026, 2:30pm: you can mark it held or did not attend "
        "once it has started." in page.text
    )
    assert sessions()[0].status is SessionStatus.SCHEDULED
    with pytest.raises(services.ServiceError, match="once it has started"):
        services.mark_did_not_attend(people.supervisor, session, session.version)

    # Once it has started, both can be done.
    clock.at = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    pages.sign_in(people.supervisor)  # a new sign-in: the morning's has timed out
    page = pages.get("sessions.session", session_id=session.id)
    assert page.find("main").find("a", string="Did not attend") is not None
    pages.post(
        endpoint,
        {"version": session.version, "held_on": ["23", "11", "2026"], "duration_minutes": "90"},
        session_id=session.id,
    )
    assert sessions()[0].status is not SessionStatus.SCHEDULED


def test_marking_a_group_session_held_takes_attendance(people, pages):
    session = make_session(people.supervisor, people.worker, people.colleague)
    pages.sign_in(people.supervisor)
    page = pages.get("sessions.mark_held", session_id=session.id)
    assert {box["value"] for box in page.select("input[name=present_ids]")} == {
        str(people.worker.id),
        str(people.colleague.id),
    }
    response = pages.post(
        "sessions.mark_held",
        {
            "version": session.version,
            "held_on": ["20", "11", "2026"],
            "duration_minutes": "60",
            "present_ids": [people.worker.id, people.colleague.id],
        },
        session_id=session.id,
    )
    assert response.headers["Location"] == url_for("sessions.session", session_id=session.id)
    assert {record.supervisee_id for record in sessions()[0].records} == {
        people.worker.id,
        people.colleague.id,
    }


def test_the_supervisees_page_lists_each_supervisee_with_their_sessions(people, pages):
    make_record(people.worker, people.supervisor, held_on=date(2026, 11, 2), complete=True, locked=True)
    make_record(people.worker, people.supervisor, held_on=date(2026, 11, 16))
    make_session(people.supervisor, people.colleague, starts_at=datetime(2026, 12, 3, 10, tzinfo=UTC))
    pages.sign_in(people.supervisor)
    page = pages.get("sessions.supervisees")
    rows = {
        row.find("td").text.strip(): [cell.text.strip() for cell in row.select("td")]
        for row in page.select("main table tbody tr")
    }
    assert rows == {
        "Wren Worker": ["Wren Worker", "16 November 2026", "Nothing booked", "1"],
        "Cal Colleague": ["Cal Colleague", "Never", "Thursday 3 December 2026, 10am", "0"],
    }


@contextmanager
def counting_queries():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_the_supervisees_page_does_not_query_once_per_supervisee(people, pages):
    def queries_for_page():
        with counting_queries() as statements:
            pages.get("sessions.supervisees")
        return len(statements)

    pages.sign_in(people.supervisor)
    with_two = queries_for_page()
    for number in range(8):
        extra = make_staff(Role.SOCIAL_WORKER, line_manager=people.supervisor)
        make_agreement(extra, people.supervisor)
        make_record(extra, people.supervisor, held_on=date(2026, 11, 1 + number))
    assert queries_for_page() == with_two


def test_my_supervision_shows_my_agreement_sessions_and_open_actions(people, pages):
    from tests.factories import make_action

    record = make_record(people.worker, people.supervisor, complete=True, locked=True)
    make_action(record, description="Write the court statement")
    make_session(people.supervisor, people.worker, starts_at=datetime(2026, 12, 2, 10, tzinfo=UTC))
    pages.sign_in(people.worker)
    page = pages.get("sessions.my_supervision").find("main")
    assert page.find("h1").text.strip() == "My supervision"
    assert "Sam Supervisor" in page.text
    assert "Wednesday 2 December 2026, 10am" in page.text
    assert "Write the court statement" in page.text
    assert page.find("a", href=url_for("records.record", record_id=record.id)) is not None
    assert page.find("a", string="Make a new agreement") is None


def test_the_schedule_service_is_callable_from_code(people, clock):
    session = services.schedule_session(
        people.supervisor, [people.worker.id], datetime(2026, 12, 1, 10, tzinfo=UTC), 90, online=True
    )
    clock.at = datetime(2026, 12, 1, 11, tzinfo=UTC)
    [record] = services.mark_held(people.supervisor, session, session.version, date(2026, 12, 1))
    assert record.session.status is SessionStatus.HELD
