"""Telling people things: in-app notifications and their emails, queued together.

A notice becomes a notification row and an outbox row in the caller's transaction, both keyed
(recipient, kind, subject, period), so the email can never be lost or sent for a message
that was rolled back, and queueing the same notice again does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from supervision.bulk import rowcount
from supervision.clock import clock
from supervision.extensions import AnySession, db
from supervision.idempotency import insert_new
from supervision.notifications.models import (
    EmailFrequency,
    EmailStatus,
    Notification,
    NotificationPreference,
    OutboxEmail,
)
from supervision.org.models import Staff
from supervision.plain_text import one_line

log = logging.getLogger(__name__)

NOTICE_KEY = ("recipient_id", "kind", "subject_id", "period")
LIST_LIMIT = 100
TITLE_LIMIT = 200  # Notification.title and OutboxEmail.subject


@dataclass(frozen=True)
class Notice:
    """One message for one person. Title and body name people and dates, never supervision content."""

    recipient_id: int
    to_address: str
    recipient_name: str
    kind: str
    subject_id: int
    period: str
    title: str
    body: str
    link: str  # a path on this site, such as /people/12/compliance
    # An iCalendar invitation to attach to the email (supervision.notifications.calendar).
    calendar: str | None = None
    # The email may go in the recipient's daily digest if they chose one; else it goes at once.
    may_wait: bool = False


def title_text(notice: Notice) -> str:
    """The title as stored and as the email's subject: one line, no control characters, and
    short enough for its column (a long name cannot make the whole run's insert fail)."""
    return one_line(notice.title, TITLE_LIMIT)


def email_text(notice: Notice, base_url: str) -> str:
    return (
        f"Dear {one_line(notice.recipient_name)},\n\n"
        f"{notice.body}\n\n"
        f"See the details: {base_url.rstrip('/')}{notice.link}\n\n"
        "You are receiving this because of your role in supervision. "
        "This email never contains what was discussed in supervision: sign in to see more.\n"
    )


def queue_notices(
    session: AnySession, notices: Iterable[Notice], now: datetime, base_url: str
) -> tuple[int, int]:
    """Notifications and emails for `notices`, skipping any already made; (notifications, emails) added.

    A notice that may wait, for someone who chose one email a day, gets no email of its own: its
    notification waits for the daily digest (supervision.notifications.digest)."""
    by_key = {tuple(getattr(n, key) for key in NOTICE_KEY): n for n in notices}
    if not by_key:
        return 0, 0
    # Leave out what was queued before, so a run with nothing new writes nothing; the unique
    # keys still settle a race with another run queueing the same notice.
    already = {
        tuple(row)
        for row in session.execute(
            sa.select(*(getattr(Notification, key) for key in NOTICE_KEY)).where(
                Notification.subject_id.in_({key[2] for key in by_key}),
                Notification.period.in_({key[3] for key in by_key}),
            )
        )
    }
    notices = [notice for key, notice in by_key.items() if key not in already]
    digest_takers = daily_digest_takers(session, {n.recipient_id for n in notices if n.may_wait})

    def waits(n: Notice) -> bool:
        """Kept for the recipient's daily digest: no email of its own now."""
        return n.may_wait and n.recipient_id in digest_takers

    created = insert_new(
        session,
        Notification.__table__,
        [
            {
                "recipient_id": n.recipient_id,
                "kind": n.kind,
                "subject_id": n.subject_id,
                "period": n.period,
                "title": title_text(n),
                "body": n.body,
                "link": n.link,
                "created_at": now,
                "digest_pending": waits(n),
            }
            for n in notices
        ],
        NOTICE_KEY,
    )
    queued = insert_new(
        session,
        OutboxEmail.__table__,
        [
            {
                "recipient_id": n.recipient_id,
                "kind": n.kind,
                "subject_id": n.subject_id,
                "period": n.period,
                "to_address": n.to_address,
                "subject": title_text(n),
                "body": email_text(n, base_url),
                "calendar": n.calendar,
                "status": EmailStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for n in notices
            if not waits(n)
        ],
        NOTICE_KEY,
    )
    return created, queued


# ------------------------------------------------------------------- email frequency


def daily_digest_takers(session: AnySession, staff_ids: Iterable[int]) -> set[int]:
    """Those of `staff_ids` who chose one email a day."""
    ids = set(staff_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            sa.select(NotificationPreference.staff_id).where(
                NotificationPreference.staff_id.in_(ids),
                NotificationPreference.email_frequency == EmailFrequency.DAILY_DIGEST,
            )
        )
    )


def email_frequency_of(staff_id: int) -> EmailFrequency:
    preference = db.session.get(NotificationPreference, staff_id)
    return preference.email_frequency if preference is not None else EmailFrequency.IMMEDIATELY


def set_email_frequency(staff_id: int, frequency: EmailFrequency) -> None:
    """From now on. Notices already waiting for a digest still go in the next one."""
    preference = db.session.get(NotificationPreference, staff_id)
    if preference is None:
        preference = NotificationPreference(staff_id=staff_id)
        db.session.add(preference)
    preference.email_frequency = frequency
    preference.updated_at = clock().now()
    db.session.commit()
    log.info("email frequency set", extra={"staff_id": staff_id, "email_frequency": str(frequency)})


# --------------------------------------------------------------- in-app, for pages


def unread_count(staff_id: int) -> int:
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == staff_id, Notification.read_at.is_(None))
    ).scalar_one()


def notifications_for(staff_id: int, limit: int = LIST_LIMIT) -> list[Notification]:
    """Newest first: unread before read within the same moment."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.recipient_id == staff_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def notification_of(staff_id: int, notification_id: int) -> Notification | None:
    """The person's own notification, or None (someone else's is treated as not existing)."""
    return db.session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id, Notification.recipient_id == staff_id
        )
    )


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = clock().now()
        db.session.commit()


def mark_all_read(staff_id: int) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.recipient_id == staff_id, Notification.read_at.is_(None))
        .values(read_at=clock().now())
    )
    db.session.commit()
    return rowcount(result)


# ---------------------------------------------------------- failed email, for admins


def failed_emails(limit: int = LIST_LIMIT) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            sa.select(OutboxEmail)
            .where(OutboxEmail.status == EmailStatus.FAILED)
            .options(joinedload(OutboxEmail.recipient))
            .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
            .limit(limit)
        )
    )


def failed_email_count() -> int:
    """Every failed email (the page lists the latest LIST_LIMIT), for the page and the home page."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(OutboxEmail).where(OutboxEmail.status == EmailStatus.FAILED)
    ).scalar_one()


def pending_email_count() -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(OutboxEmail).where(OutboxEmail.status == EmailStatus.PENDING)
    ).scalar_one()


def retry_failed_email(email_id: int) -> OutboxEmail | None:
    """Put a failed email back in the queue for another full round of attempts."""
    email = db.session.scalar(
        sa.select(OutboxEmail).where(OutboxEmail.id == email_id, OutboxEmail.status == EmailStatus.FAILED)
    )
    if email is None:
        return None
    email.status = EmailStatus.PENDING
    email.attempts = 0
    email.next_attempt_at = clock().now()
    db.session.commit()
    log.info("failed email queued again", extra={"outbox_email_id": email.id})
    return email


def recipients_by_id(session: AnySession, staff_ids: Iterable[int]) -> dict[int, Staff]:
    ids = set(staff_ids)
    if not ids:
        return {}
    return {person.id: person for person in session.scalars(sa.select(Staff).where(Staff.id.in_(ids)))}


# --------------------------------------------------------------- emails with no notification


@dataclass(frozen=True)
class Email:
    """An email for one person with no in-app notification beside it (such as a set-password
    link, which must never show in the service). Keyed like a notice, so it is queued once."""

    recipient_id: int
    to_address: str
    kind: str
    subject_id: int
    period: str
    subject: str
    body: str
    # A body holding a secret (a single-use link) is not kept once the email is sent or fails.
    forget_body_once_sent: bool = False


def queue_emails(session: AnySession, emails: Iterable[Email], now: datetime) -> int:
    """Queue these emails in the caller's transaction, skipping any already queued; how many were."""
    return insert_new(
        session,
        OutboxEmail.__table__,
        [
            {
                "recipient_id": e.recipient_id,
                "kind": e.kind,
                "subject_id": e.subject_id,
                "period": e.period,
                "to_address": e.to_address,
                "subject": one_line(e.subject, TITLE_LIMIT),
                "body": e.body,
                "forget_body_once_sent": e.forget_body_once_sent,
                "status": EmailStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for e in emails
        ],
        NOTICE_KEY,
    )
