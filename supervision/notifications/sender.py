"""The outbox sender: emails go out by SMTP, with retries and exponential backoff.

Each email is claimed, sent and marked in a transaction of its own, so a crash loses at most
the one in flight (it goes again next time; its Message-ID is stable, so mail systems can
spot the repeat). While the mail server is down, emails wait with growing gaps between
attempts; after the last attempt an email is marked failed and shown to administrators.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from supervision.notifications.models import EmailStatus, OutboxEmail

log = logging.getLogger(__name__)

ERROR_TEXT_LIMIT = 500


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    sender: str
    timeout_seconds: float = 10
    max_attempts: int = 8
    retry_base_seconds: int = 60
    retry_max_seconds: int = 3600
    batch_size: int = 200

    @classmethod
    def from_config(cls, config) -> MailSettings:
        return cls(
            server=config["MAIL_SERVER"],
            port=config["MAIL_PORT"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            use_tls=config["MAIL_USE_TLS"],
            sender=config["MAIL_DEFAULT_SENDER"],
            timeout_seconds=config["MAIL_TIMEOUT_SECONDS"],
            max_attempts=config["OUTBOX_MAX_ATTEMPTS"],
            retry_base_seconds=config["OUTBOX_RETRY_BASE_SECONDS"],
            retry_max_seconds=config["OUTBOX_RETRY_MAX_SECONDS"],
        )


def retry_delay(attempts: int, settings: MailSettings) -> timedelta:
    """Wait before the next attempt: base, 2 x base, 4 x base, ... capped at the maximum."""
    seconds = settings.retry_base_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.retry_max_seconds))


def build_message(email: OutboxEmail, settings: MailSettings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    domain = settings.sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<outbox-{email.id}@{domain}>"
    message.set_content(email.body)
    return message


def connect(settings: MailSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout_seconds)
    try:
        if settings.use_tls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _due_email_ids(session: Session, now: datetime, limit: int) -> list[int]:
    ids = list(
        session.scalars(
            sa.select(OutboxEmail.id)
            .where(OutboxEmail.status == EmailStatus.PENDING, OutboxEmail.next_attempt_at <= now)
            .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
            .limit(limit)
        )
    )
    session.commit()
    return ids


def _claim(session: Session, email_id: int) -> OutboxEmail | None:
    """Lock one pending email for this transaction; None if another sender has it or it went."""
    return session.scalar(
        sa.select(OutboxEmail)
        .where(OutboxEmail.id == email_id, OutboxEmail.status == EmailStatus.PENDING)
        .with_for_update(skip_locked=True)
    )


def is_permanent(error: BaseException) -> bool:
    """A 5xx answer about this message (such as an unknown mailbox): trying again cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def breaks_connection(error: BaseException) -> bool:
    """A network-level failure: later emails in this run would fail the same way."""
    return not isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)


def _record_failure(email: OutboxEmail, error: BaseException, now: datetime, settings: MailSettings) -> bool:
    """Count the attempt; True when it was the last one and the email is now failed."""
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"[:ERROR_TEXT_LIMIT]
    if email.attempts >= settings.max_attempts or is_permanent(error):
        email.status = EmailStatus.FAILED
        return True
    email.next_attempt_at = now + retry_delay(email.attempts, settings)
    return False


def send_outbox(session: Session, now: datetime, settings: MailSettings) -> dict[str, int]:
    """Send every email due by `now`; returns counts of sent, retrying and failed."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    email_ids = _due_email_ids(session, now, settings.batch_size)
    if not email_ids:
        return counts
    smtp: smtplib.SMTP | None = None
    connection_error: BaseException | None = None
    try:
        smtp = connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        connection_error = error
        log.warning(
            "mail server unavailable: %s", type(error).__name__, extra={"mail_server": settings.server}
        )
    try:
        for email_id in email_ids:
            email = _claim(session, email_id)
            if email is None:
                session.rollback()
                continue
            try:
                if connection_error is not None:
                    raise connection_error
                smtp.send_message(build_message(email, settings))
            except (OSError, smtplib.SMTPException) as error:
                if breaks_connection(error):
                    connection_error = error
                gave_up = _record_failure(email, error, now, settings)
                counts["failed" if gave_up else "retrying"] += 1
                log.warning(
                    "email not sent (attempt %d)", email.attempts, extra={"outbox_email_id": email.id}
                )
            else:
                email.status = EmailStatus.SENT
                email.sent_at = now
                email.attempts += 1
                email.last_error = None
                counts["sent"] += 1
            session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return counts
