"""Telling the people a session or record event concerns: in the service and by email.

Records announces its events (supervision.records.events) and never imports this module; this
module subscribes, and `connect` is called by create_app, so every app that can change a record
tells people about it. A subscriber runs inside the change's transaction, so the notices commit
with the change or not at all, and their keys (kind, person, period naming the session's version
or the record's return, signature or addendum) mean no event is told twice.

Who is told:
- a session booked, moved or cancelled: its supervisor and supervisees, each email carrying an
  iCalendar invitation (REQUEST, or CANCEL) so it lands in, moves in or leaves their calendar;
- a draft returned for revision: the party it was returned to;
- the supervisor's signature: the supervisee, asked to comment and sign;
- the supervisee's signature (the record locks): both; with disagreement recorded, the
  supervisor and the supervisor's line manager are told of the disagreement instead;
- an addendum: the party who did not write it.
Messages name people, dates and times and link to the page; never what was written (no notes,
sections, comments or addendum text). Session emails go at once (the invitation is what puts the
session in a calendar); record emails follow the person's choice of daily digest.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import Flask, current_app

from supervision.clock import clock
from supervision.extensions import db
from supervision.notifications.calendar import InvitationMethod, session_invitation
from supervision.notifications.services import Notice, queue_notices
from supervision.org.models import Staff
from supervision.permissions import may_be_told_about
from supervision.records import events
from supervision.records.formatting import date_and_time, long_date
from supervision.records.models import SupervisionRecord, SupervisionSession

SESSION_BOOKED = "session_booked"
SESSION_MOVED = "session_moved"
SESSION_CANCELLED = "session_cancelled"
RECORD_RETURNED = "record_returned"
RECORD_READY_TO_SIGN = "record_ready_to_sign"
RECORD_LOCKED = "record_locked"
RECORD_DISAGREEMENT = "record_disagreement"
ADDENDUM_ADDED = "addendum_added"


def _path(endpoint: str, **values) -> str:
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _notice(
    recipient: Staff, kind: str, subject_id: int, period: str, title: str, body: str, link: str, **extra
):
    return Notice(
        recipient_id=recipient.id,
        to_address=recipient.email,
        recipient_name=recipient.name,
        kind=kind,
        subject_id=subject_id,
        period=period,
        title=title,
        body=body,
        link=link,
        **extra,
    )


def _queue(notices: Iterable[Notice]) -> None:
    """In the change's transaction: the use case commits them with the change."""
    queue_notices(db.session, list(notices), clock().now(), current_app.config["BASE_URL"])


def _active(people: Iterable[Staff | None]) -> list[Staff]:
    """Each person once, in order, leaving out nobody-there and deactivated accounts."""
    seen: dict[int, Staff] = {}
    for person in people:
        if person is not None and person.active and person.id not in seen:
            seen[person.id] = person
    return list(seen.values())


def _told_about(record: SupervisionRecord, people: Iterable[Staff | None]) -> list[Staff]:
    """`_active`, leaving out anyone the record's page is closed to by their role (the HR role)."""
    return [person for person in _active(people) if may_be_told_about(person, record.supervisee_id)]


# ---------------------------------------------------------------------------- sessions

SESSION_WORDS = {
    SESSION_BOOKED: ("Supervision booked", "booked", InvitationMethod.REQUEST),
    SESSION_MOVED: ("Supervision moved", "moved", InvitationMethod.REQUEST),
    SESSION_CANCELLED: ("Supervision cancelled", "cancelled", InvitationMethod.CANCEL),
}


def _where(session: SupervisionSession) -> str:
    return "online" if session.online else f"at {session.location}"


def session_notices(session: SupervisionSession, kind: str, actor: Staff, now: datetime) -> list[Notice]:
    heading, verb, method = SESSION_WORDS[kind]
    invitation = session_invitation(session, method, now, current_app.config["BASE_URL"])
    supervisees = [attendee.supervisee for attendee in session.attendees]
    when = date_and_time(session.scheduled_start)
    names = ", ".join(person.name for person in supervisees)
    title = f"{heading}: {when}"
    if kind == SESSION_CANCELLED:
        body = (
            f"The supervision of {names} with {session.supervisor.name} on {when} is cancelled.\n\n"
            "The email about it carries a cancellation that removes it from your calendar."
        )
    else:
        body = (
            f"{actor.name} {verb} the supervision of {names} with {session.supervisor.name}: "
            f"{when}, {session.duration_minutes} minutes, {_where(session)}.\n\n"
            "The email about it carries an invitation that puts it in your calendar."
        )
    # The version names this state of the session: a second move is told again, a retry is not.
    period = f"session-{session.id}-v{session.version}"
    link = _path("sessions.session", session_id=session.id)
    return [
        _notice(person, kind, supervisees[0].id, period, title, body, link, calendar=invitation)
        for person in _active([session.supervisor, *supervisees])
    ]


def _session_event(kind: str):
    def tell(_app: Flask, session: SupervisionSession, actor: Staff, **_) -> None:
        _queue(session_notices(session, kind, actor, clock().now()))

    tell.__name__ = f"tell_{kind}"
    return tell


tell_session_booked = _session_event(SESSION_BOOKED)
tell_session_moved = _session_event(SESSION_MOVED)
tell_session_cancelled = _session_event(SESSION_CANCELLED)


# ----------------------------------------------------------------------------- records


def _record_words(record: SupervisionRecord) -> tuple[str, str]:
    """Whose supervision, held when: (for titles, for bodies)."""
    held = long_date(record.session.held_on)
    return (
        held,
        f"the record of {record.supervisee.name}'s supervision "
        f"with {record.session.supervisor.name} on {held}",
    )


def _record_notice(record, recipient, kind, period, title, body) -> Notice:
    link = _path("records.record", record_id=record.id)
    return _notice(recipient, kind, record.supervisee_id, period, title, body, link, may_wait=True)


def tell_record_returned(_app: Flask, record: SupervisionRecord, returned, actor: Staff, **_) -> None:
    held, which = _record_words(record)
    recipient = db.session.get(Staff, returned.returned_to_id)
    _queue(
        _record_notice(
            record,
            person,
            RECORD_RETURNED,
            f"return-{returned.id}",
            f"Supervision record returned to you for revision: {held}",
            f"{actor.name} returned {which} to you for revision, with a note. "
            "Read the note and revise the draft in the service.",
        )
        for person in _told_about(record, [recipient])
    )


def tell_record_ready_to_sign(_app: Flask, record: SupervisionRecord, actor: Staff, **_) -> None:
    held, which = _record_words(record)
    _queue(
        _record_notice(
            record,
            person,
            RECORD_READY_TO_SIGN,
            f"record-{record.id}-v{record.version}",
            f"Supervision record ready for your signature: {held}",
            f"{actor.name} signed {which}. It is ready for you to read, comment on if you wish, and sign.",
        )
        for person in _told_about(record, [record.supervisee])
    )


def tell_record_locked(_app: Flask, record: SupervisionRecord, actor: Staff, **_) -> None:
    held, which = _record_words(record)
    supervisor = record.session.supervisor
    period = f"record-{record.id}-v{record.version}"
    locked = (
        f"Supervision record signed and locked: {held}",
        f"Both of you have signed {which}, so it is now locked. Corrections are made by addendum.",
    )
    if not record.supervisee_disagrees:
        notices = [
            _record_notice(record, person, RECORD_LOCKED, period, *locked)
            for person in _told_about(record, [record.supervisee, supervisor])
        ]
    else:
        disagreement = (
            f"Disagreement recorded on a supervision record: {held}",
            f"{record.supervisee.name} signed {which} and recorded that they disagree with part of it. "
            "The record is now locked; read the disagreement in the service.",
        )
        notices = [
            _record_notice(record, person, RECORD_LOCKED, period, *locked)
            for person in _told_about(record, [record.supervisee])
            if person.id != supervisor.id
        ] + [
            _record_notice(record, person, RECORD_DISAGREEMENT, period, *disagreement)
            for person in _told_about(record, [supervisor, supervisor.line_manager])
            if person.id != record.supervisee_id
        ]
    _queue(notices)


def tell_addendum_added(_app: Flask, record: SupervisionRecord, addendum, actor: Staff, **_) -> None:
    held, which = _record_words(record)
    _queue(
        _record_notice(
            record,
            person,
            ADDENDUM_ADDED,
            f"addendum-{addendum.id}",
            f"Addendum added to a supervision record: {held}",
            f"{actor.name} added an addendum to {which}.",
        )
        for person in _told_about(record, [record.supervisee, record.session.supervisor])
        if person.id != actor.id
    )


SUBSCRIPTIONS = (
    (events.session_booked, tell_session_booked),
    (events.session_moved, tell_session_moved),
    (events.session_cancelled, tell_session_cancelled),
    (events.record_returned, tell_record_returned),
    (events.record_signed_by_supervisor, tell_record_ready_to_sign),
    (events.record_locked, tell_record_locked),
    (events.addendum_added, tell_addendum_added),
)


def connect() -> None:
    """Subscribe to records' events; called by create_app. Blinker keeps one connection per
    receiver, so a second app (tests make many) connects nothing twice; the receivers are
    module-level functions, held strongly, and act for whichever app sends."""
    for signal, receiver in SUBSCRIPTIONS:
        signal.connect(receiver, weak=False)
