"""The private calendar feed: a revocable token, a valid iCalendar document, nothing private in it.

The clock fixture's today is Monday 23 November 2026.
"""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from supervision.extensions import db
from supervision.notifications.calendar import token_hash
from supervision.notifications.models import CalendarFeed
from supervision.org.models import Role
from tests.factories import COMPLETE_SECTIONS, make_agreement, make_record, make_session, make_staff
from tests.html import parse_html


@pytest.fixture
def supervisor():
    return make_staff(Role.SUPERVISOR, given_name="Dana", family_name="Reid")


@pytest.fixture
def worker(supervisor, clock):
    worker = make_staff(given_name="Sam", family_name="Okoro", swe_renewal_date=date(2027, 2, 1))
    make_agreement(worker, supervisor, agreed_on=date(2026, 1, 5), review_due_on=date(2027, 1, 5))
    make_record(worker, supervisor, held_on=date(2026, 11, 2), complete=True)
    return worker


def make_address(client, pages, person):
    pages.sign_in(person)
    response = client.post("/calendar-feed")
    assert response.status_code == 200
    page = parse_html(response.get_data(as_text=True))
    url = page.select_one("#calendar-url")["value"]
    assert url.startswith("http://127.0.0.1:5000/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://127.0.0.1:5000")


def fetch(client, path, status=200):
    client.post("/sign-out")
    response = client.get(path)
    assert response.status_code == status
    return response


def events(response):
    calendar = Calendar.from_ical(response.data)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_a_person_gets_a_private_address_listing_sessions_and_due_dates(
    client, pages, supervisor, worker, clock
):
    make_session(
        supervisor,
        worker,
        starts_at=datetime(2026, 11, 27, 14, 0, tzinfo=UTC),
        location="Room 4, Civic Centre",
    )
    path = make_address(client, pages, worker)
    response = fetch(client, path)
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, no-store"

    calendar = Calendar.from_ical(response.data)
    assert str(calendar["version"]) == "2.0" and "Supervision" in str(calendar["prodid"])
    found = events(response)
    assert set(found) == {
        "Supervision with Dana Reid",
        "Your supervision is due",
        "Your supervision agreement review is due",
        "Your Social Work England registration renewal is due",
    }
    session = found["Supervision with Dana Reid"]
    assert session.decoded("dtstart") == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    assert session.decoded("dtend") == datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    assert str(session["location"]) == "Room 4, Civic Centre"
    due = found["Your supervision is due"]
    assert due.decoded("dtstart") == date(2026, 11, 30)
    assert due.decoded("dtend") == date(2026, 12, 1)
    for event in found.values():  # what Outlook insists on
        assert event["uid"] and event["dtstamp"]
    assert b"\r\n" in response.data


def test_a_supervisor_sees_their_supervisees_due_dates_and_group_sessions(
    client, pages, supervisor, worker, clock
):
    other = make_staff(given_name="Kit", family_name="Lowe")
    make_agreement(other, supervisor, agreed_on=date(2026, 11, 9))
    make_session(supervisor, worker, other, starts_at=datetime(2026, 12, 2, 10, tzinfo=UTC), online=True)
    found = events(fetch(client, make_address(client, pages, supervisor)))
    assert "Supervision due: Sam Okoro" in found and "Supervision due: Kit Lowe" in found
    group = found["Group supervision (2 people)"]
    assert str(group["location"]) == "Online"


def test_the_feed_never_contains_supervision_content(client, pages, supervisor, worker, clock):
    make_session(supervisor, worker, starts_at=datetime(2026, 11, 27, 14, tzinfo=UTC))
    body = fetch(client, make_address(client, pages, worker)).get_data(as_text=True)
    unfolded = body.replace("\r\n ", "")
    for text in COMPLETE_SECTIONS.values():
        assert text not in unfolded
    assert "CH-1001" not in unfolded


def test_only_a_hash_of_the_token_is_kept(client, pages, worker, clock):
    path = make_address(client, pages, worker)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    [feed] = db.session.scalars(sa.select(CalendarFeed))
    assert feed.token_hash == token_hash(token) != token
    assert token not in (pages.get("notifications.calendar_feed").get_text())


def test_a_new_address_revokes_the_old_one_and_turning_it_off_revokes_it(client, pages, worker, clock):
    old = make_address(client, pages, worker)
    new = make_address(client, pages, worker)
    fetch(client, old, 404)
    fetch(client, new, 200)
    pages.sign_in(worker)
    pages.post("notifications.turn_off_calendar_feed")
    fetch(client, new, 404)


def test_an_unknown_token_is_not_found_and_a_leaver_s_address_stops_working(client, pages, worker, clock):
    fetch(client, "/calendar/not-a-real-token.ics", 404)
    fetch(client, "/calendar/" + "x" * 200 + ".ics", 404)
    path = make_address(client, pages, worker)
    worker.active = False
    db.session.commit()
    fetch(client, path, 404)


def test_the_page_says_when_the_address_was_last_used(client, pages, worker, clock):
    path = make_address(client, pages, worker)
    clock.advance(hours=2)
    fetch(client, path)
    pages.sign_in(worker)
    text = pages.get("notifications.calendar_feed").get_text(" ", strip=True)
    assert "last read by a calendar on Monday 23 November 2026, 11am" in text


def test_no_control_character_reaches_a_calendar_line(client, pages, clock):
    """Names and places stored before input refused control characters: each event stays one
    line per property, and the feed still answers (a line break in a name used to stop it)."""
    supervisor = make_staff(Role.SUPERVISOR, given_name="Dana\r\nATTENDEE:mailto:x@y", family_name="Reid\x1b")
    worker = make_staff(given_name="Sam\x01", family_name="Okoro\u2028X-INJECTED:1")
    make_agreement(worker, supervisor, agreed_on=date(2026, 1, 5), review_due_on=date(2027, 1, 5))
    make_record(worker, supervisor, held_on=date(2026, 11, 2), complete=True)
    make_session(
        supervisor,
        worker,
        starts_at=datetime(2026, 11, 27, 14, tzinfo=UTC),
        location="Room 4\r\nDTSTART:1999",
    )
    for person in (worker, supervisor):
        response = fetch(client, make_address(client, pages, person))
        body = response.get_data(as_text=True)
        assert not any(char in body.replace("\r\n", "") for char in "\r\n\x01\x1b\u2028")
        unfolded = body.replace("\r\n ", "")
        for name in ("ATTENDEE", "X-INJECTED", "DTSTART:1999"):
            assert not any(line.startswith(name) for line in unfolded.split("\r\n"))
    found = events(response)  # the supervisor's
    session = found["Supervision with Sam Okoro X-INJECTED:1"]
    assert str(session["location"]) == "Room 4 DTSTART:1999"
    assert "Supervision due: Sam Okoro X-INJECTED:1" in found
    assert (
        str(Calendar.from_ical(response.data)["x-wr-calname"]) == "Supervision: Dana ATTENDEE:mailto:x@y Reid"
    )


def test_someone_holding_the_hr_role_gets_no_supervisees_in_their_feed(client, pages, worker, clock):
    """The HR role grants no supervision, whatever the data says (docs/roles.md)."""
    hr = make_staff(Role.HR, Role.SUPERVISOR, given_name="Hari", family_name="Singh")
    db.session.execute(sa.text("UPDATE supervision_agreement SET supervisor_id = :hr"), {"hr": hr.id})
    make_session(hr, worker, starts_at=datetime(2026, 12, 2, 10, tzinfo=UTC))
    db.session.commit()
    found = events(fetch(client, make_address(client, pages, hr)))
    assert not any("Sam Okoro" in summary for summary in found)
    assert not any(summary.startswith("Supervision") for summary in found)
