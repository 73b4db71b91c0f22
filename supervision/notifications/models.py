"""In-app notifications, the email outbox and private calendar feed tokens."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.db_types import UTCDateTime
from supervision.extensions import Model
from supervision.org.models import Staff, enum_column


class Notification(Model):
    """A message in a person's notifications list.

    Unique per (recipient, kind, subject, period): a job that runs twice, or two at once,
    cannot tell anybody the same thing twice.
    """

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint(
            "recipient_id",
            "kind",
            "subject_id",
            "period",
            name="uq_notification_recipient_kind_subject_period",
        ),
        sa.Index("ix_notification_recipient_id_read_at", "recipient_id", "read_at"),
        # The daily digest job reads only the few rows still waiting for it.
        sa.Index(
            "ix_notification_digest_pending",
            "recipient_id",
            sqlite_where=sa.text("digest_pending"),
            postgresql_where=sa.text("digest_pending"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"))
    # A short machine name such as "due_soon" or "weekly_digest".
    kind: Mapped[str] = mapped_column(sa.String(40))
    # The person the message is about.
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Waiting for the recipient's daily digest email (they chose one email a day): no email of
    # its own was queued, and the digest job clears this when it puts it in one.
    digest_pending: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    recipient: Mapped[Staff] = relationship(foreign_keys=[recipient_id])


class EmailFrequency(enum.StrEnum):
    """How a person wants the emails that can wait: each at once, or one a day."""

    IMMEDIATELY = "immediately"
    DAILY_DIGEST = "daily_digest"

    @property
    def label(self) -> str:
        return {
            "immediately": "Send each email straight away",
            "daily_digest": "Send one email a day with everything that happened",
        }[self.value]


class NotificationPreference(Model):
    """A person's choice of email frequency; no row means straight away."""

    __tablename__ = "notification_preference"

    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    email_frequency: Mapped[EmailFrequency] = mapped_column(
        enum_column(EmailFrequency, "email_frequency"), default=EmailFrequency.IMMEDIATELY
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"pending": "Waiting to send", "sent": "Sent", "failed": "Failed"}[self.value]


class OutboxEmail(Model):
    """An email waiting to go, going, sent or given up on.

    Written in the same transaction as the notification it mirrors, so an SMTP outage loses
    nothing; the sender retries with backoff and marks it failed after the last attempt.
    """

    __tablename__ = "outbox_email"
    __table_args__ = (
        sa.UniqueConstraint(
            "recipient_id",
            "kind",
            "subject_id",
            "period",
            name="uq_outbox_email_recipient_kind_subject_period",
        ),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_sent_at"),
        sa.Index("ix_outbox_email_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(sa.String(40))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    # A body holding a single-use link is replaced by FORGOTTEN_BODY once sent or failed, so the
    # table never keeps a working link longer than it takes to send it (docs/security.md).
    forget_body_once_sent: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # An iCalendar invitation (RFC 5546: METHOD REQUEST or CANCEL) attached as invitation.ics,
    # kept as sent so a retry sends exactly the same one.
    calendar: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus, "email_status"), default=EmailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The SMTP error of the latest failed attempt, for administrators.
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[Staff] = relationship(foreign_keys=[recipient_id])


class CalendarFeed(Model):
    """A private calendar address; only a hash of its token is kept, and it can be revoked."""

    __tablename__ = "calendar_feed"
    __table_args__ = (
        # At most one working address per person.
        sa.Index(
            "uq_calendar_feed_current",
            "staff_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship()
