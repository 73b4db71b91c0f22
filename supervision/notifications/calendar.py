"""Each person's private calendar feed: booked sessions and due dates, for Outlook and the rest.

The address carries a random token; only its SHA-256 is stored, so a copy of the database
gives nobody a working address. Making a new address revokes the old one. Events carry names,
times, places and due dates, never what is discussed in supervision. Names and places are written
on one line with no control characters (supervision.plain_text), whatever was stored.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from supervision.agreements.models import SupervisionAgreement
from supervision.bulk import rowcount
from supervision.clock import LONDON, clock
from supervision.compliance import rules
from supervision.compliance.services import compliance_for
from supervision.extensions import db
from supervision.notifications.models import CalendarFeed
from supervision.org.models import Staff
from supervision.permissions import content_barred
from supervision.plain_text import one_line
from supervision.records.models import SessionAttendee, SessionStatus, SupervisionSession

log = logging.getLogger(__name__)

TOKEN_BYTES = 32
# Sessions from a little while ago stay in the calendar, so last week's entry does not vanish.
PAST_SESSIONS = timedelta(days=31)
PRODUCT_ID = "-//Supervision//Calendar feed//EN"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_feed(person_id: int) -> CalendarFeed | None:
    return db.session.scalar(
        sa.select(CalendarFeed).where(CalendarFeed.staff_id == person_id, CalendarFeed.revoked_at.is_(None))
    )


def _revoke_current(person_id: int, now: datetime) -> bool:
    result = db.session.execute(
        sa.update(CalendarFeed)
        .where(CalendarFeed.staff_id == person_id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return rowcount(result) > 0


def create_feed(person: Staff) -> str:
    """A new private address for `person` (any old one stops working); returns the token once."""
    now = clock().now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    _revoke_current(person.id, now)
    db.session.add(CalendarFeed(staff_id=person.id, token_hash=token_hash(token), created_at=now))
    try:
        db.session.commit()
    except IntegrityError:
        # A new address made in another tab at the same moment: this one replaces it.
        db.session.rollback()
        return create_feed(person)
    log.info("calendar feed address created", extra={"staff_id": person.id})
    return token


def revoke_feed(person: Staff) -> bool:
    revoked = _revoke_current(person.id, clock().now())
    db.session.commit()
    if revoked:
        log.info("calendar feed address revoked", extra={"staff_id": person.id})
    return revoked


def feed_owner(token: str) -> Staff | None:
    """The active person whose current address has this token, or None; notes when it was used."""
    feed = db.session.scalar(
        sa.select(CalendarFeed).where(
            CalendarFeed.token_hash == token_hash(token), CalendarFeed.revoked_at.is_(None)
        )
    )
    if feed is None or not feed.staff.active:
        return None
    feed.last_used_at = clock().now()
    db.session.commit()
    return feed.staff


def feed_url(token: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/calendar/{token}.ics"


# --------------------------------------------------------------------- the calendar


@dataclass(frozen=True)
class DueDateEvent:
    uid: str
    on: date
    summary: str
    path: str


def _sessions_for(person: Staff, since: datetime) -> list[SupervisionSession]:
    """Sessions the person attends, and those they run unless they hold the HR role (which
    grants no supervision, permissions.content_barred)."""
    attending = sa.select(SessionAttendee.session_id).where(SessionAttendee.supervisee_id == person.id)
    running = sa.false() if content_barred(person) else SupervisionSession.supervisor_id == person.id
    return list(
        db.session.scalars(
            sa.select(SupervisionSession)
            .where(
                SupervisionSession.status == SessionStatus.SCHEDULED,
                SupervisionSession.scheduled_start >= since,
                sa.or_(running, SupervisionSession.id.in_(attending)),
            )
            .options(
                selectinload(SupervisionSession.attendees).selectinload(SessionAttendee.supervisee),
                selectinload(SupervisionSession.supervisor),
            )
            .order_by(SupervisionSession.scheduled_start)
        )
    )


def _due_dates_for(person: Staff, today: date) -> list[DueDateEvent]:
    """The person's own due dates, and the next due date of everyone they supervise (nobody's
    for someone holding the HR role)."""
    supervisee_ids = (
        []
        if content_barred(person)
        else list(
            db.session.scalars(
                sa.select(SupervisionAgreement.supervisee_id).where(
                    SupervisionAgreement.supervisor_id == person.id, SupervisionAgreement.ended_on.is_(None)
                )
            )
        )
    )
    everyone = compliance_for([person.id, *supervisee_ids], today)
    events = []
    own = everyone.get(person.id)
    if own is not None:
        path = url_for("compliance.person", person_id=person.id)
        assessment = own.assessment
        for kind, summary, due in (
            ("supervision", "Your supervision is due", own.supervision.next_due_on),
            (
                "agreement-review",
                "Your supervision agreement review is due",
                _date(assessment.agreement_review),
            ),
            (
                "registration",
                "Your Social Work England registration renewal is due",
                _date(assessment.registration_renewal),
            ),
            ("dbs", "Your DBS check renewal is due", _date(assessment.dbs_renewal)),
        ):
            if due is not None:
                events.append(DueDateEvent(f"due-{kind}-{person.id}-{due.isoformat()}", due, summary, path))
    for supervisee_id in supervisee_ids:
        other = everyone.get(supervisee_id)
        due = other.supervision.next_due_on if other else None
        if other is not None and due is not None:
            events.append(
                DueDateEvent(
                    f"due-supervision-{supervisee_id}-{due.isoformat()}",
                    due,
                    f"Supervision due: {other.person.name}",
                    url_for("compliance.person", person_id=supervisee_id),
                )
            )
    return events


def _date(due: rules.DueDate | None) -> date | None:
    return due.due_on if due is not None else None


def _session_summary(session: SupervisionSession, person: Staff) -> str:
    if session.supervisor_id != person.id:
        return f"Supervision with {session.supervisor.name}"
    names = [attendee.supervisee.name for attendee in session.attendees]
    if len(names) == 1:
        return f"Supervision with {names[0]}"
    return f"Group supervision ({len(names)} people)"


def session_uid(session: SupervisionSession, base_url: str) -> str:
    """One UID per session for its whole life, in the feed and in every invitation, so a
    calendar app moves or removes the event it already has instead of adding another."""
    host = base_url.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "supervision"
    return f"session-{session.id}@{host}"


def build_calendar(person: Staff, now: datetime, today: date) -> bytes:
    """The iCalendar (RFC 5545) document for `person`."""
    base_url = current_app.config["BASE_URL"].rstrip("/")
    host = base_url.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "supervision"
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", one_line(f"Supervision: {person.name}"))
    calendar.add("x-wr-timezone", "Europe/London")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")

    for session in _sessions_for(person, now - PAST_SESSIONS):
        event = Event()
        event.add("uid", session_uid(session, base_url))
        event.add("dtstamp", session.updated_at)
        event.add("last-modified", session.updated_at)
        event.add("sequence", session.version)
        event.add("dtstart", session.scheduled_start)
        event.add("dtend", session.scheduled_start + timedelta(minutes=session.duration_minutes))
        event.add("summary", one_line(_session_summary(session, person)))
        event.add("location", "Online" if session.online else one_line(session.location or ""))
        link = base_url + url_for("sessions.session", session_id=session.id)
        event.add("url", link)
        event.add("description", f"Details in Supervision: {link}")
        event.add("status", "CONFIRMED")
        calendar.add_component(event)

    for due in _due_dates_for(person, today):
        event = Event()
        event.add("uid", f"{due.uid}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", due.on)
        event.add("dtend", due.on + timedelta(days=1))
        event.add("summary", one_line(due.summary))
        event.add("url", f"{base_url}{due.path}")
        event.add("description", f"Details in Supervision: {base_url}{due.path}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


# ------------------------------------------------------------------ invitations by email

INVITATION_PRODUCT_ID = "-//Supervision//Session invitation//EN"


class InvitationMethod(enum.StrEnum):
    """RFC 5546: REQUEST adds or moves the event, CANCEL removes it."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


def _mailto(person: Staff, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{one_line(person.email)}")
    address.params["CN"] = vText(one_line(person.name))
    if role is not None:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("FALSE")
    return address


def session_invitation(
    session: SupervisionSession, method: InvitationMethod, now: datetime, base_url: str
) -> str:
    """The iTIP (RFC 5546) invitation for a session as it now stands: the supervisor organises,
    the supervisees attend; times in Europe/London with the zone's rules included, the session's
    lasting UID, and its version as SEQUENCE, which every change moves on. Names, times and the
    place only, like the feed."""
    base_url = base_url.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", INVITATION_PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.value)
    event = Event()
    event.add("uid", session_uid(session, base_url))
    event.add("dtstamp", now)
    event.add("last-modified", session.updated_at)
    event.add("sequence", session.version)
    start = session.scheduled_start.astimezone(LONDON)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=session.duration_minutes))
    names = [attendee.supervisee.name for attendee in session.attendees]
    with_whom = names[0] if len(names) == 1 else f"{len(names)} people"
    event.add("summary", one_line(f"Supervision: {session.supervisor.name} with {with_whom}"))
    event.add("location", "Online" if session.online else one_line(session.location or ""))
    link = base_url + current_app.url_map.bind("localhost").build(
        "sessions.session", {"session_id": session.id}
    )
    event.add("url", link)
    event.add("description", f"Details in Supervision: {link}")
    event.add("organizer", _mailto(session.supervisor))
    for attendee in session.attendees:
        event.add("attendee", _mailto(attendee.supervisee, "REQ-PARTICIPANT"))
    event.add("status", "CANCELLED" if method is InvitationMethod.CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
