"""The daily digest: one email a day to each person who chose it, listing the day's notices.

Notices that may wait (supervision.notifications.services.Notice.may_wait) are kept in the
service for those people with no email of their own (Notification.digest_pending). This job
gathers them into one email per person, keyed (person, "daily_digest", London date), so a run
twice in a day, or two schedulers at once, send nothing twice; a notice that arrives after the
day's digest went waits for the next day's. Titles and links only: never supervision content.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import current_app

from supervision.clock import SystemClock
from supervision.extensions import AnySession
from supervision.idempotency import insert_new
from supervision.notifications.models import EmailStatus, Notification, OutboxEmail
from supervision.notifications.services import NOTICE_KEY, TITLE_LIMIT
from supervision.org.models import Staff
from supervision.plain_text import one_line
from supervision.records.formatting import long_date

DAILY_DIGEST = "daily_digest"


def digest_text(person: Staff, notifications: list[Notification], base_url: str) -> str:
    base_url = base_url.rstrip("/")
    items = "\n\n".join(
        f"- {one_line(notification.title)}\n  {base_url}{notification.link}" for notification in notifications
    )
    return (
        f"Dear {one_line(person.name)},\n\n"
        f"Here is what happened in Supervision since your last daily email "
        f"({len(notifications)} notification{'s' if len(notifications) != 1 else ''}):\n\n"
        f"{items}\n\n"
        "You chose one email a day; you can change this on your notifications page. "
        "This email never contains what was discussed in supervision: sign in to see more.\n"
    )


def send_daily_digests(session: AnySession, clock: SystemClock) -> dict[str, int]:
    """Queue one email per person with notices waiting for their digest; sent by the outbox."""
    now, today = clock.now(), clock.today()
    period = today.isoformat()
    waiting = list(
        session.scalars(
            sa.select(Notification)
            .where(Notification.digest_pending.is_(True), Notification.created_at <= now)
            .order_by(Notification.recipient_id, Notification.created_at, Notification.id)
        )
    )
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for notification in waiting:
        by_person[notification.recipient_id].append(notification)
    if not by_person:
        return {"recipients": 0, "notifications": 0, "emails": 0}
    # Anyone whose digest for today went already waits for tomorrow's.
    sent_today = set(
        session.scalars(
            sa.select(OutboxEmail.recipient_id).where(
                OutboxEmail.kind == DAILY_DIGEST,
                OutboxEmail.period == period,
                OutboxEmail.recipient_id.in_(by_person),
            )
        )
    )
    people = {
        person.id: person for person in session.scalars(sa.select(Staff).where(Staff.id.in_(by_person)))
    }
    base_url = current_app.config["BASE_URL"]
    subject = one_line(f"Your Supervision notifications for {long_date(today)}", TITLE_LIMIT)
    counts = {"recipients": 0, "notifications": 0, "emails": 0}
    for person_id, notifications in by_person.items():
        if person_id in sent_today:
            continue
        person = people[person_id]
        if person.active:
            row = {
                "recipient_id": person_id,
                "kind": DAILY_DIGEST,
                "subject_id": person_id,
                "period": period,
                "to_address": person.email,
                "subject": subject,
                "body": digest_text(person, notifications, base_url),
                "calendar": None,
                "status": EmailStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            if not insert_new(session, OutboxEmail.__table__, [row], NOTICE_KEY):
                session.rollback()  # another run queued it a moment ago: theirs covers these
                continue
            counts["emails"] += 1
        counts["recipients"] += 1
        counts["notifications"] += len(notifications)
        for notification in notifications:
            notification.digest_pending = False
        session.commit()
    return counts
