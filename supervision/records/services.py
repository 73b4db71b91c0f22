"""Session and record use cases: schedule, hold, write up, sign off, lock, correct by addendum.

Each use case is one transaction, audited in the same commit (`audited_change`). Every
change to a record, or to anything inside it, moves the record's version, so a save based
on a page opened before someone else's save is refused rather than silently overwriting it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from blinker import Signal
from flask import current_app
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified

from supervision import limits
from supervision.agreements import rules as agreement_rules
from supervision.agreements.models import AbsencePeriod, SupervisionAgreement
from supervision.agreements.services import get_policy
from supervision.audit.services import (
    AuditAction,
    ChangeKind,
    audited_change,
    back_dating,
    note_back_dating,
    record_event,
    record_view,
)
from supervision.clock import LONDON, clock
from supervision.db_types import UTCDateTime
from supervision.extensions import db, proxied
from supervision.org.models import Staff
from supervision.permissions import (
    may_run_session,
    may_see_rating,
    may_sign_as_supervisee,
    may_sign_as_supervisor,
    may_view_record,
    may_write_record,
)
from supervision.record_sections import TEXT_SECTIONS
from supervision.records import events
from supervision.records.errors import SignOffRefused
from supervision.records.formatting import date_and_time, long_date
from supervision.records.models import (
    Action,
    ActionReview,
    ActionStatus,
    CancelledBy,
    CaseDiscussion,
    RecordAddendum,
    RecordReturn,
    RecordState,
    SessionAttendee,
    SessionKind,
    SessionStatus,
    SupervisionRecord,
    SupervisionSession,
)
from supervision.records.signoff import (
    REVIEW_OUTCOMES,
    ActionReviewDraft,
    CaseDiscussionDraft,
    MissingItem,
    RecordDraft,
    is_blank,
    missing_for_sign_off,
)
from supervision.service_errors import NotPermitted, ServiceError, check_version

MAX_SESSION_MINUTES = limits.SESSION_MINUTES.high
EDITABLE_TEXT = ("agenda", *(section.key for section in TEXT_SECTIONS))

# --- reading ----------------------------------------------------------------------------------


def load_session(session_id: int) -> SupervisionSession | None:
    return db.session.scalar(
        sa.select(SupervisionSession)
        .where(SupervisionSession.id == session_id)
        .options(
            joinedload(SupervisionSession.supervisor),
            selectinload(SupervisionSession.attendees).joinedload(SessionAttendee.supervisee),
            selectinload(SupervisionSession.records),
        )
    )


def load_record(record_id: int) -> SupervisionRecord | None:
    return db.session.scalar(
        sa.select(SupervisionRecord)
        .where(SupervisionRecord.id == record_id)
        .options(
            joinedload(SupervisionRecord.session).joinedload(SupervisionSession.supervisor),
            joinedload(SupervisionRecord.supervisee),
            selectinload(SupervisionRecord.case_discussions).selectinload(CaseDiscussion.actions),
            selectinload(SupervisionRecord.actions).joinedload(Action.owner),
            selectinload(SupervisionRecord.action_reviews)
            .joinedload(ActionReview.action)
            .joinedload(Action.owner),
            selectinload(SupervisionRecord.addenda).joinedload(RecordAddendum.author),
            selectinload(SupervisionRecord.returns),
        )
    )


def sessions_of_supervisee(person_id: int) -> list[SupervisionSession]:
    """Every session the person attended or was booked into, newest first, with their records."""
    return list(
        db.session.scalars(
            sa.select(SupervisionSession)
            .join(SessionAttendee, SessionAttendee.session_id == SupervisionSession.id)
            .where(SessionAttendee.supervisee_id == person_id)
            .options(joinedload(SupervisionSession.supervisor), selectinload(SupervisionSession.records))
            .order_by(SupervisionSession.scheduled_start.desc())
        )
    )


def sessions_run_by(supervisor_id: int, since: datetime) -> list[SupervisionSession]:
    return list(
        db.session.scalars(
            sa.select(SupervisionSession)
            .where(
                SupervisionSession.supervisor_id == supervisor_id, SupervisionSession.scheduled_start >= since
            )
            .options(
                selectinload(SupervisionSession.attendees).joinedload(SessionAttendee.supervisee),
                selectinload(SupervisionSession.records),
            )
            .order_by(SupervisionSession.scheduled_start)
        )
    )


def sessions_booked_between(person_id: int, first: datetime, last: datetime) -> list[SupervisionSession]:
    """Sessions still booked (not yet marked held, cancelled or missed) that start from `first`
    up to `last`, that the person runs or attends, soonest first."""
    # The person's sessions by their two indexes (as supervisor, as attendee), then the rest of
    # the test on those rows: an OR across the two would scan every session (docs/performance.md).
    theirs = sa.union(
        sa.select(SupervisionSession.id).where(
            SupervisionSession.supervisor_id == person_id,
            SupervisionSession.scheduled_start >= first,
            SupervisionSession.scheduled_start < last,
        ),
        sa.select(SessionAttendee.session_id).where(SessionAttendee.supervisee_id == person_id),
    )
    return list(
        db.session.scalars(
            sa.select(SupervisionSession)
            .where(
                SupervisionSession.id.in_(theirs),
                SupervisionSession.status == SessionStatus.SCHEDULED,
                SupervisionSession.scheduled_start >= first,
                SupervisionSession.scheduled_start < last,
            )
            .options(
                joinedload(SupervisionSession.supervisor),
                selectinload(SupervisionSession.attendees).joinedload(SessionAttendee.supervisee),
            )
            .order_by(SupervisionSession.scheduled_start, SupervisionSession.id)
        )
    )


class WaitingFor(enum.StrEnum):
    """What a draft record waits for from the person it waits for."""

    SIGN_OFF = "sign_off"  # the supervisor's signature (a write-up pending)
    SIGNATURE = "signature"  # the supervisee's comment and signature, after the supervisor's
    REVISION = "revision"  # the supervisee's revision: the supervisor returned it to them


@dataclass(frozen=True)
class WaitingRecord:
    record: SupervisionRecord
    waiting_for: WaitingFor


def records_waiting_for(person_id: int) -> list[WaitingRecord]:
    """Draft records waiting for this person, oldest session first, in one statement.

    As supervisor: every held session's record they have not signed (the compliance engine's
    pending write-ups). As supervisee: records the supervisor has signed, and records last
    returned to them for revision."""
    last_returned_to = (
        sa.select(RecordReturn.returned_to_id)
        .where(RecordReturn.record_id == SupervisionRecord.id)
        .order_by(RecordReturn.created_at.desc(), RecordReturn.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    unsigned = SupervisionRecord.supervisor_signed_at.is_(None)
    to_sign_off = sa.and_(
        SupervisionSession.supervisor_id == person_id,
        SupervisionSession.status == SessionStatus.HELD,
        unsigned,
    )
    to_sign = sa.and_(
        SupervisionRecord.supervisee_id == person_id, SupervisionRecord.supervisor_signed_at.is_not(None)
    )
    to_revise = sa.and_(SupervisionRecord.supervisee_id == person_id, unsigned, last_returned_to == person_id)
    # The person's records by their two indexes (sessions they ran, records of theirs) before the
    # OR of the three cases: the OR alone would scan every record (docs/performance.md).
    theirs = sa.union(
        sa.select(SupervisionRecord.id)
        .join(SupervisionRecord.session)
        .where(SupervisionSession.supervisor_id == person_id, SupervisionRecord.locked_at.is_(None)),
        sa.select(SupervisionRecord.id).where(
            SupervisionRecord.supervisee_id == person_id, SupervisionRecord.locked_at.is_(None)
        ),
    )
    waiting = []
    for record in db.session.scalars(
        sa.select(SupervisionRecord)
        .join(SupervisionRecord.session)
        .where(
            SupervisionRecord.id.in_(theirs),
            SupervisionRecord.locked_at.is_(None),
            sa.or_(to_sign_off, to_sign, to_revise),
        )
        .options(
            contains_eager(SupervisionRecord.session).joinedload(SupervisionSession.supervisor),
            joinedload(SupervisionRecord.supervisee),
        )
        .order_by(SupervisionSession.held_on, SupervisionRecord.id)
    ):
        if record.supervisee_id != person_id:
            waiting_for = WaitingFor.SIGN_OFF
        elif record.supervisor_signed_at is not None:
            waiting_for = WaitingFor.SIGNATURE
        else:
            waiting_for = WaitingFor.REVISION
        waiting.append(WaitingRecord(record, waiting_for))
    return waiting


def open_actions_of(person_id: int) -> list[Action]:
    """Open actions from the person's records, soonest due first."""
    return list(
        db.session.scalars(
            sa.select(Action)
            .join(SupervisionRecord, SupervisionRecord.id == Action.record_id)
            .where(SupervisionRecord.supervisee_id == person_id, Action.status == ActionStatus.OPEN)
            .options(joinedload(Action.owner))
            .order_by(Action.due_on, Action.id)
        )
    )


@dataclass(frozen=True)
class SuperviseeSummary:
    agreement: SupervisionAgreement
    last_held_on: date | None
    next_scheduled: datetime | None
    drafts: int


def supervisee_summaries(agreements: list[SupervisionAgreement]) -> list[SuperviseeSummary]:
    """Last held, next booked and unsigned write-ups for each supervisee, in three set-based queries."""
    ids = [agreement.supervisee_id for agreement in agreements]
    if not ids:
        return []
    last_held = dict(
        db.session.execute(
            sa.select(SessionAttendee.supervisee_id, sa.func.max(SupervisionSession.held_on))
            .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
            .where(SessionAttendee.supervisee_id.in_(ids), SupervisionSession.status == SessionStatus.HELD)
            .group_by(SessionAttendee.supervisee_id)
        ).all()
    )
    next_booked = dict(
        db.session.execute(
            sa.select(SessionAttendee.supervisee_id, sa.func.min(SupervisionSession.scheduled_start))
            .join(SupervisionSession, SupervisionSession.id == SessionAttendee.session_id)
            .where(
                SessionAttendee.supervisee_id.in_(ids),
                SupervisionSession.status == SessionStatus.SCHEDULED,
                SupervisionSession.scheduled_start >= clock().now(),
            )
            .group_by(SessionAttendee.supervisee_id)
        ).all()
    )
    drafts = dict(
        db.session.execute(
            sa.select(SupervisionRecord.supervisee_id, sa.func.count())
            .where(SupervisionRecord.supervisee_id.in_(ids), SupervisionRecord.locked_at.is_(None))
            .group_by(SupervisionRecord.supervisee_id)
        ).all()
    )
    return [
        SuperviseeSummary(
            agreement=agreement,
            last_held_on=last_held.get(agreement.supervisee_id),
            next_scheduled=_as_utc(next_booked.get(agreement.supervisee_id)),
            drafts=drafts.get(agreement.supervisee_id, 0),
        )
        for agreement in agreements
    ]


def _as_utc(value: datetime | None) -> datetime | None:
    """Aggregates bypass the column type: SQLite hands back naive UTC, PostgreSQL aware."""
    return UTCDateTime().process_result_value(value, None)


# --- sessions ---------------------------------------------------------------------------------


def _supervisees_agreed_with(actor: Staff, supervisee_ids: Iterable[int]) -> list[Staff]:
    ids = list(dict.fromkeys(supervisee_ids))
    if not ids:
        raise ServiceError("Choose who the session is with", field="supervisee_ids")
    agreed = {
        staff.id: staff
        for staff in db.session.scalars(
            sa.select(Staff)
            .join(SupervisionAgreement, SupervisionAgreement.supervisee_id == Staff.id)
            .where(
                Staff.id.in_(ids),
                SupervisionAgreement.supervisor_id == actor.id,
                SupervisionAgreement.ended_on.is_(None),
            )
        )
    }
    if len(agreed) != len(ids):
        raise ServiceError("Choose people you supervise from the list", field="supervisee_ids")
    return [agreed[staff_id] for staff_id in ids]


def _checked_booking(starts_at: datetime, duration_minutes: int, location: str, online: bool) -> str:
    """The place, stripped, once the time, length and place of a booking are sound."""
    if starts_at.tzinfo is None:
        raise ServiceError("Enter the time the session starts", field="start_time")
    if not 1 <= duration_minutes <= MAX_SESSION_MINUTES:
        raise ServiceError(
            f"Duration must be between 1 and {MAX_SESSION_MINUTES} minutes", field="duration_minutes"
        )
    location = location.strip()
    if not online and not location:
        raise ServiceError("Enter where the session will be held, or say it is online", field="location")
    return location


def _announce(signal: Signal, **about) -> None:
    """Inside the use case's transaction: subscribers write with the change, or not at all."""
    db.session.flush()
    signal.send(proxied(current_app), **about)


ABSENCE_CONFIRMED_FIELD = "absence_confirmed"


def absences_on(person_ids: Iterable[int], day: date) -> list[AbsencePeriod]:
    """The recorded absences of these people that cover the day, in date order."""
    return list(
        db.session.scalars(
            sa.select(AbsencePeriod)
            .where(
                AbsencePeriod.staff_id.in_(list(person_ids)),
                AbsencePeriod.starts_on <= day,
                AbsencePeriod.ends_on >= day,
            )
            .options(joinedload(AbsencePeriod.staff))
            .order_by(AbsencePeriod.starts_on, AbsencePeriod.id)
        )
    )


def absence_warning(actor: Staff, absences: Iterable[AbsencePeriod]) -> str:
    """Who is away and when; not why (the kind of absence, such as sickness, stays off the page)."""
    parts = [
        f"{'you are' if absence.staff_id == actor.id else absence.staff.name + ' is'} recorded as away "
        + (
            f"on {long_date(absence.starts_on)}"
            if absence.starts_on == absence.ends_on
            else f"from {long_date(absence.starts_on)} to {long_date(absence.ends_on)}"
        )
        for absence in absences
    ]
    text = "; ".join(parts)
    return (
        f"This session is on a day when {text}. Choose another date, or confirm that you still want "
        "to book it."
    )


def schedule_session(
    actor: Staff,
    supervisee_ids: Iterable[int],
    starts_at: datetime,
    duration_minutes: int,
    location: str = "",
    online: bool = False,
    rebooked_from: SupervisionSession | None = None,
    closed_month_reason: str = "",
    absence_confirmed: bool = False,
) -> SupervisionSession:
    """Book a session with one supervisee (individual) or several (group) the actor supervises.

    A session dated in a closed month needs a reason (supervision.audit.closing). One on a day
    either person is recorded as absent is refused with a warning until `absence_confirmed`."""
    supervisees = _supervisees_agreed_with(actor, supervisee_ids)
    location = _checked_booking(starts_at, duration_minutes, location, online)
    if not absence_confirmed and (
        away := absences_on([actor.id, *(person.id for person in supervisees)], session_day(starts_at))
    ):
        raise ServiceError(absence_warning(actor, away), field=ABSENCE_CONFIRMED_FIELD)
    if rebooked_from is not None and (
        not may_run_session(actor, rebooked_from)
        or rebooked_from.status not in (SessionStatus.CANCELLED, SessionStatus.DID_NOT_ATTEND)
    ):
        raise NotPermitted()
    back_dated = back_dating([session_day(starts_at)], closed_month_reason)
    now = clock().now()
    session = SupervisionSession(
        supervisor_id=actor.id,
        kind=SessionKind.INDIVIDUAL if len(supervisees) == 1 else SessionKind.GROUP,
        scheduled_start=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        online=online,
        status=SessionStatus.SCHEDULED,
        rebooked_from_id=rebooked_from.id if rebooked_from else None,
        attendees=[SessionAttendee(supervisee_id=supervisee.id) for supervisee in supervisees],
        created_at=now,
        updated_at=now,
    )
    with audited_change(actor, AuditAction.CREATE, session):
        db.session.add(session)
        note_back_dating(actor, back_dated, ChangeKind.SESSION_BOOKED, session, _attendee_ids(session))
        _announce(events.session_booked, session=session, actor=actor)
    return session


def move_session(
    actor: Staff,
    session: SupervisionSession,
    expected_version: int | None,
    starts_at: datetime,
    duration_minutes: int,
    location: str = "",
    online: bool = False,
    closed_month_reason: str = "",
) -> SupervisionSession:
    """Change a booked session's date, time, length or place. Nothing changed is not a move.

    Moving from or into a closed month needs a reason (supervision.audit.closing)."""
    _scheduled_session_run_by(actor, session, expected_version)
    location = _checked_booking(starts_at, duration_minutes, location, online)
    if (session.scheduled_start, session.duration_minutes, session.location, session.online) == (
        starts_at,
        duration_minutes,
        location,
        online,
    ):
        raise ServiceError("Change the date, time, length or place to move the session", field="date")
    back_dated = back_dating(
        [session_day(session.scheduled_start), session_day(starts_at)], closed_month_reason
    )
    with audited_change(actor, AuditAction.UPDATE, session):
        note_back_dating(actor, back_dated, ChangeKind.SESSION_MOVED, session, _attendee_ids(session))
        session.scheduled_start = starts_at
        session.duration_minutes = duration_minutes
        session.location = location
        session.online = online
        session.updated_at = clock().now()
        _announce(events.session_moved, session=session, actor=actor)
    return session


def session_day(starts_at: datetime) -> date:
    """The London date a session is booked for: the day its month's figures count it on."""
    return starts_at.astimezone(LONDON).date()


def _attendee_ids(session: SupervisionSession) -> list[int]:
    return [attendee.supervisee_id for attendee in session.attendees]


def _scheduled_session_run_by(
    actor: Staff, session: SupervisionSession, expected_version: int | None
) -> None:
    if not may_run_session(actor, session):
        raise NotPermitted()
    if session.status is not SessionStatus.SCHEDULED:
        raise ServiceError(f"This session is already marked {session.status.label.lower()}.")
    check_version(session.version, expected_version)


def cancel_session(
    actor: Staff,
    session: SupervisionSession,
    expected_version: int | None,
    reason: str,
    cancelled_by: CancelledBy,
    closed_month_reason: str = "",
) -> SupervisionSession:
    _scheduled_session_run_by(actor, session, expected_version)
    if is_blank(reason):
        raise ServiceError("Enter why the session was cancelled", field="reason")
    back_dated = back_dating([session_day(session.scheduled_start)], closed_month_reason)
    with audited_change(actor, AuditAction.UPDATE, session):
        note_back_dating(actor, back_dated, ChangeKind.SESSION_CANCELLED, session, _attendee_ids(session))
        session.status = SessionStatus.CANCELLED
        session.cancelled_reason = reason.strip()
        session.cancelled_by = cancelled_by
        session.cancelled_by_id = actor.id
        session.updated_at = clock().now()
        _announce(events.session_cancelled, session=session, actor=actor)
    return session


def not_started_refusal(session: SupervisionSession) -> str | None:
    """A session cannot be marked held or did-not-attend before it starts (docs/rules.md)."""
    if clock().now() >= session.scheduled_start:
        return None
    return (
        f"This session starts on {date_and_time(session.scheduled_start)}: you can mark it held "
        "or did not attend once it has started."
    )


def _started(session: SupervisionSession) -> None:
    refusal = not_started_refusal(session)
    if refusal:
        raise ServiceError(refusal)


def mark_did_not_attend(
    actor: Staff, session: SupervisionSession, expected_version: int | None, closed_month_reason: str = ""
) -> SupervisionSession:
    _scheduled_session_run_by(actor, session, expected_version)
    _started(session)
    back_dated = back_dating([session_day(session.scheduled_start)], closed_month_reason)
    with audited_change(actor, AuditAction.UPDATE, session):
        note_back_dating(
            actor, back_dated, ChangeKind.SESSION_DID_NOT_ATTEND, session, _attendee_ids(session)
        )
        session.status = SessionStatus.DID_NOT_ATTEND
        session.updated_at = clock().now()
    return session


def mark_held(
    actor: Staff,
    session: SupervisionSession,
    expected_version: int | None,
    held_on: date | None,
    duration_minutes: int | None = None,
    present_ids: Iterable[int] | None = None,
    closed_month_reason: str = "",
) -> list[SupervisionRecord]:
    """The session happened: a draft record for each supervisee present, with their open actions
    from earlier sessions brought in for review. Absent group members are taken off the session,
    so it counts only for those who came. Booked or held in a closed month, it needs a reason."""
    _scheduled_session_run_by(actor, session, expected_version)
    _started(session)
    if held_on is None:
        raise ServiceError("Enter the date the session was held", field="held_on")
    if held_on > clock().today():
        raise ServiceError("The date the session was held must be today or in the past", field="held_on")
    duration = duration_minutes if duration_minutes is not None else session.duration_minutes
    if not 1 <= duration <= MAX_SESSION_MINUTES:
        raise ServiceError(
            f"Duration must be between 1 and {MAX_SESSION_MINUTES} minutes", field="duration_minutes"
        )
    attendee_ids = [attendee.supervisee_id for attendee in session.attendees]
    present = attendee_ids if present_ids is None else list(dict.fromkeys(present_ids))
    if not present:
        raise ServiceError("Choose who attended", field="present_ids")
    if not set(present) <= set(attendee_ids):
        raise ServiceError("Choose attendees from the list", field="present_ids")
    back_dated = back_dating([session_day(session.scheduled_start), held_on], closed_month_reason)
    open_actions = {supervisee_id: _open_actions_before(supervisee_id, held_on) for supervisee_id in present}
    now = clock().now()
    records = []
    with audited_change(actor, AuditAction.UPDATE, session):
        # Everyone booked is changed: those present gain a session, those absent lose one.
        note_back_dating(actor, back_dated, ChangeKind.SESSION_HELD, session, attendee_ids)
        session.status = SessionStatus.HELD
        session.held_on = held_on
        session.duration_minutes = duration
        session.updated_at = now
        for attendee in list(session.attendees):
            if attendee.supervisee_id not in present:
                session.attendees.remove(attendee)
        for supervisee_id in present:
            record = SupervisionRecord(
                session=session, supervisee_id=supervisee_id, created_at=now, updated_at=now
            )
            record.action_reviews = [ActionReview(action=action) for action in open_actions[supervisee_id]]
            db.session.add(record)
            records.append(record)
        db.session.flush()
        for record in records:
            record_event(actor, AuditAction.CREATE, record.__tablename__, record.id)
    return records


def _open_actions_before(supervisee_id: int, held_on: date) -> list[Action]:
    return list(
        db.session.scalars(
            sa.select(Action)
            .join(SupervisionRecord, SupervisionRecord.id == Action.record_id)
            .join(SupervisionSession, SupervisionSession.id == SupervisionRecord.session_id)
            .where(
                SupervisionRecord.supervisee_id == supervisee_id,
                Action.status == ActionStatus.OPEN,
                SupervisionSession.held_on <= held_on,
            )
            .order_by(Action.due_on, Action.id)
        )
    )


# --- the draft --------------------------------------------------------------------------------


def _draft_writable_by(actor: Staff, record: SupervisionRecord, expected_version: int | None) -> None:
    """Both parties may write the draft until the supervisor signs it; never after it locks."""
    if not may_write_record(actor, record):
        raise NotPermitted()
    if record.is_locked:
        raise ServiceError(
            "This record is locked because both of you have signed it. Add an addendum to correct it."
        )
    if record.supervisor_signed_at is not None:
        if actor.id == record.session.supervisor_id:
            raise ServiceError(
                "You have signed this record; it is now with the supervisee to comment and sign."
            )
        raise ServiceError(
            "The supervisor has signed this record, so it cannot be changed now. "
            "You can return it to them for revision with a note."
        )
    check_version(record.version, expected_version)


def _touch(record: SupervisionRecord) -> None:
    """Move the record's version: any change inside it is a change to the record.

    Flagged as modified so the row is updated (and its version moves) even when the clock
    reads the same as at the last save.
    """
    record.updated_at = clock().now()
    flag_modified(record, "updated_at")


def save_record(
    actor: Staff, record: SupervisionRecord, expected_version: int | None, sections: Mapping[str, str]
) -> SupervisionRecord:
    unknown = set(sections) - set(EDITABLE_TEXT)
    if unknown:
        raise ServiceError(f"Unknown section {sorted(unknown)[0]}")
    _draft_writable_by(actor, record, expected_version)
    with audited_change(actor, AuditAction.UPDATE, record):
        for key, text in sections.items():
            setattr(record, key, (text or "").strip())
        _touch(record)
    return record


@dataclass(frozen=True)
class CaseDiscussionFields:
    case_reference: str
    summary: str = ""
    analysis: str = ""
    decision: str = ""


def _checked_case_fields(fields: CaseDiscussionFields) -> CaseDiscussionFields:
    reference = fields.case_reference.strip()
    if not reference:
        raise ServiceError("Enter the case reference", field="case_reference")
    if len(reference) > 100:
        raise ServiceError("Case reference must be 100 characters or fewer", field="case_reference")
    return CaseDiscussionFields(
        reference, fields.summary.strip(), fields.analysis.strip(), fields.decision.strip()
    )


def add_case_discussion(
    actor: Staff, record: SupervisionRecord, expected_version: int | None, fields: CaseDiscussionFields
) -> CaseDiscussion:
    fields = _checked_case_fields(fields)
    _draft_writable_by(actor, record, expected_version)
    now = clock().now()
    case = CaseDiscussion(**fields.__dict__, created_at=now, updated_at=now)
    with audited_change(actor, AuditAction.UPDATE, record):
        record.case_discussions.append(case)
        _touch(record)
    return case


def update_case_discussion(
    actor: Staff, case: CaseDiscussion, expected_version: int | None, fields: CaseDiscussionFields
) -> CaseDiscussion:
    fields = _checked_case_fields(fields)
    record = case.record
    _draft_writable_by(actor, record, expected_version)
    with audited_change(actor, AuditAction.UPDATE, record):
        for name, value in fields.__dict__.items():
            setattr(case, name, value)
        case.updated_at = clock().now()
        _touch(record)
    return case


def remove_case_discussion(actor: Staff, case: CaseDiscussion, expected_version: int | None) -> None:
    record = case.record
    _draft_writable_by(actor, record, expected_version)
    with audited_change(actor, AuditAction.UPDATE, record):
        record.case_discussions.remove(case)
        _touch(record)


@dataclass(frozen=True)
class ActionFields:
    owner_id: int
    description: str
    due_on: date | None  # None (nothing entered) is refused
    case_discussion_id: int | None = None


def _checked_action_fields(record: SupervisionRecord, fields: ActionFields) -> ActionFields:
    if fields.owner_id not in (record.supervisee_id, record.session.supervisor_id):
        raise ServiceError("Choose who owns the action", field="owner_id")
    description = fields.description.strip()
    if not description:
        raise ServiceError("Describe the action", field="description")
    if fields.due_on is None:
        raise ServiceError("Enter the date the action is due", field="due_on")
    if fields.due_on < record.session.held_date:
        raise ServiceError("The due date must be on or after the date of the session", field="due_on")
    if fields.case_discussion_id is not None and fields.case_discussion_id not in {
        case.id for case in record.case_discussions
    }:
        raise ServiceError("Choose a case from the list", field="case_discussion_id")
    return ActionFields(fields.owner_id, description, fields.due_on, fields.case_discussion_id)


def add_action(
    actor: Staff, record: SupervisionRecord, expected_version: int | None, fields: ActionFields
) -> Action:
    fields = _checked_action_fields(record, fields)
    _draft_writable_by(actor, record, expected_version)
    now = clock().now()
    action = Action(**fields.__dict__, status=ActionStatus.OPEN, created_at=now, updated_at=now)
    with audited_change(actor, AuditAction.UPDATE, record):
        record.actions.append(action)
        _touch(record)
    return action


def update_action(actor: Staff, action: Action, expected_version: int | None, fields: ActionFields) -> Action:
    record = action.record
    fields = _checked_action_fields(record, fields)
    _draft_writable_by(actor, record, expected_version)
    with audited_change(actor, AuditAction.UPDATE, record):
        for name, value in fields.__dict__.items():
            setattr(action, name, value)
        action.updated_at = clock().now()
        _touch(record)
    return action


def remove_action(actor: Staff, action: Action, expected_version: int | None) -> None:
    record = action.record
    if action.carried_from_id is not None:
        raise ServiceError("An action carried forward from an earlier session cannot be removed.")
    _draft_writable_by(actor, record, expected_version)
    with audited_change(actor, AuditAction.UPDATE, record):
        record.actions.remove(action)
        _touch(record)


def review_problems(
    outcome: ActionStatus | str | None, comment: str | None, new_due_on: date | None, held_on: date
) -> list[tuple[str, str]]:
    """Every (field, message) wrong with an action review, so the page can show them all at once."""
    problems = []
    if outcome is None or str(outcome) not in REVIEW_OUTCOMES:
        problems.append(("outcome", "Say whether the action is done, carried forward or no longer needed"))
    if is_blank(comment or ""):
        problems.append(("comment", "Add a comment on the action"))
    if str(outcome) == ActionStatus.CARRIED_FORWARD.value and new_due_on is not None and new_due_on < held_on:
        problems.append(("new_due_on", "The new due date must be on or after the date of the session"))
    return problems


def review_action(
    actor: Staff,
    review: ActionReview,
    expected_version: int | None,
    outcome: ActionStatus | str | None,
    comment: str,
    new_due_on: date | None = None,
) -> ActionReview:
    """Say what became of an action from an earlier session; applied to the action when the record locks."""
    record = review.record
    problems = review_problems(outcome, comment, new_due_on, record.session.held_date)
    if problems:
        field, message = problems[0]
        raise ServiceError(message, field=field)
    outcome = ActionStatus(str(outcome))
    _draft_writable_by(actor, record, expected_version)
    with audited_change(actor, AuditAction.UPDATE, record):
        review.outcome = outcome
        review.comment = comment.strip()
        review.new_due_on = new_due_on if outcome is ActionStatus.CARRIED_FORWARD else None
        _touch(record)
    return review


# --- sign-off, return, lock -------------------------------------------------------------------


def draft_of(record: SupervisionRecord) -> RecordDraft:
    return RecordDraft(
        sections={section.key: getattr(record, section.key) for section in TEXT_SECTIONS},
        case_discussions=[
            CaseDiscussionDraft(case.id, case.case_reference, case.decision)
            for case in record.case_discussions
        ],
        action_reviews=[
            ActionReviewDraft(
                review.id,
                review.action.description,
                review.outcome.value if review.outcome else None,
                review.comment,
            )
            for review in record.action_reviews
        ],
    )


def optional_sections_for(record: SupervisionRecord) -> frozenset[str]:
    policy = get_policy(record.supervisee.organisation_id)
    return agreement_rules.parse_optional_sections(policy.optional_sections)


def sign_off_problems(record: SupervisionRecord) -> list[MissingItem]:
    return missing_for_sign_off(draft_of(record), optional_sections_for(record))


def sign_as_supervisor(
    actor: Staff, record: SupervisionRecord, expected_version: int | None
) -> SupervisionRecord:
    """Refused, with every missing item named, while the sign-off rule finds anything missing."""
    if not may_sign_as_supervisor(actor, record):
        raise NotPermitted()
    _draft_writable_by(actor, record, expected_version)
    missing = sign_off_problems(record)
    if missing:
        raise SignOffRefused(missing)
    now = clock().now()
    with audited_change(actor, AuditAction.SIGN, record):
        record.supervisor_signed_at = now
        record.updated_at = now
        _announce(events.record_signed_by_supervisor, record=record, actor=actor)
    return record


def sign_as_supervisee(
    actor: Staff,
    record: SupervisionRecord,
    expected_version: int | None,
    comment: str = "",
    disagrees: bool = False,
) -> SupervisionRecord:
    """The supervisee's comment (and any disagreement) and signature; the record then locks."""
    if not may_sign_as_supervisee(actor, record):
        raise NotPermitted()
    if record.is_locked:
        raise ServiceError("You have already signed this record.")
    if record.supervisor_signed_at is None:
        raise ServiceError("The supervisor signs first. You can sign once they have.")
    comment = (comment or "").strip()
    if disagrees and not comment:
        raise ServiceError("Say what you disagree with", field="supervisee_comment")
    check_version(record.version, expected_version)
    missing = sign_off_problems(record)
    if missing:
        raise SignOffRefused(missing)
    now = clock().now()
    with audited_change(actor, AuditAction.SIGN, record):
        record.supervisee_comment = comment
        record.supervisee_disagrees = disagrees
        record.supervisee_signed_at = now
        record.locked_at = now
        record.updated_at = now
        _apply_action_reviews(record, now)
        _announce(events.record_locked, record=record, actor=actor)
    return record


def _apply_action_reviews(record: SupervisionRecord, now: datetime) -> None:
    """Reviewed actions close, or continue as a new open action in this record."""
    held_on = record.session.held_on
    for review in record.action_reviews:
        action = review.action
        if action.status is not ActionStatus.OPEN:
            continue  # reviewed already in another record
        if review.outcome is None:
            raise ValueError("the sign-off rule locks no record with an unreviewed action")
        if review.outcome is ActionStatus.DONE:
            action.completed_on = held_on
        action.status = review.outcome
        action.updated_at = now
        if review.outcome is ActionStatus.CARRIED_FORWARD:
            record.actions.append(
                Action(
                    owner_id=action.owner_id,
                    description=action.description,
                    due_on=review.new_due_on or action.due_on,
                    status=ActionStatus.OPEN,
                    carried_from_id=action.id,
                    created_at=now,
                    updated_at=now,
                )
            )


def return_refusal(actor: Staff, record: SupervisionRecord) -> str | None:
    """Why this party cannot return the record for revision now, or None if they can."""
    state = record.state
    if state is RecordState.LOCKED:
        return "This record is locked because both of you have signed it: add an addendum to correct it."
    if state is RecordState.WAITING_FOR_SUPERVISEE and actor.id == record.session.supervisor_id:
        return "You have signed this record; it is now with the supervisee to comment and sign."
    return None


def return_for_revision(
    actor: Staff, record: SupervisionRecord, expected_version: int | None, note: str
) -> RecordReturn:
    """Either party, before they sign, sends the draft back to the other with a note.

    Returned by the supervisee after the supervisor signed, the supervisor's signature is withdrawn.
    """
    if not may_write_record(actor, record):
        raise NotPermitted()
    refusal = return_refusal(actor, record)
    if refusal:
        raise ServiceError(refusal)
    by_supervisor = actor.id == record.session.supervisor_id
    if is_blank(note):
        raise ServiceError("Enter a note saying what needs revising", field="note")
    check_version(record.version, expected_version)
    now = clock().now()
    returned = RecordReturn(
        returned_by_id=actor.id,
        returned_to_id=record.supervisee_id if by_supervisor else record.session.supervisor_id,
        note=note.strip(),
        created_at=now,
    )
    with audited_change(actor, AuditAction.RETURN, record):
        record.returns.append(returned)
        record.supervisor_signed_at = None
        record.updated_at = now
        _announce(events.record_returned, record=record, returned=returned, actor=actor)
    return returned


# --- after the lock ---------------------------------------------------------------------------


def addendum_refusal(record: SupervisionRecord) -> str | None:
    """Why an addendum cannot be added yet (addenda correct locked records only), or None."""
    state = record.state
    if state is RecordState.DRAFT:
        return "This record is still a draft: change the draft instead of adding an addendum."
    if state is RecordState.WAITING_FOR_SUPERVISEE:
        return (
            "This record is waiting for the supervisee's signature: "
            "you can add an addendum once both of you have signed."
        )
    return None


def add_addendum(actor: Staff, record: SupervisionRecord, reason: str, body: str) -> RecordAddendum:
    """The only way to correct a locked record: who, when, why, and what."""
    if not may_write_record(actor, record):
        raise NotPermitted()
    refusal = addendum_refusal(record)
    if refusal:
        raise ServiceError(refusal)
    if is_blank(reason):
        raise ServiceError("Enter why the addendum is needed", field="reason")
    if is_blank(body):
        raise ServiceError("Enter the addendum", field="body")
    addendum = RecordAddendum(
        author_id=actor.id, reason=reason.strip(), body=body.strip(), created_at=clock().now()
    )
    with audited_change(actor, AuditAction.ADDENDUM, record):
        record.addenda.append(addendum)
        _announce(events.addendum_added, record=record, addendum=addendum, actor=actor)
    return addendum


RATINGS = ("rating_helpful", "rating_reflective", "rating_safe_to_challenge")


def rate_session(
    actor: Staff, record: SupervisionRecord, ratings: Mapping[str, int | None]
) -> SupervisionRecord:
    """The supervisee's own rating of the session; it changes nothing in the record itself."""
    if not may_see_rating(actor, record):
        raise NotPermitted()
    for name in RATINGS:
        value = ratings.get(name)
        if value is None or not 1 <= value <= 5:
            raise ServiceError("Choose a rating from 1 to 5", field=name)
    with audited_change(actor, AuditAction.RATE, record):
        for name in RATINGS:
            setattr(record, name, ratings[name])
        record.rated_at = clock().now()
    return record


def view_record(actor: Staff, record: SupervisionRecord, export: bool = False) -> None:
    """Every sight of a record is audited; print views and case notes count as exports."""
    if not may_view_record(actor, record):
        raise NotPermitted()
    record_view(actor, record, AuditAction.EXPORT if export else AuditAction.VIEW)
