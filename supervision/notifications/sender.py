"""The outbox sender: emails go out by SMTP, with retries and exponential backoff.

Each email is claimed, sent and marked in a transaction of its own, so a crash loses at most
the one in flight (it goes again next time; its Message-ID is stable, so mail systems can
spot the repeat). While the mail server is down, emails wait with growing gaps between
attempts; after the last attempt an email is marked failed and shown to administrators.

One email never holds up the others: an email that cannot be built (a bad address, say) or that
the server refuses outright is marked failed at once, with its reason, and the run goes on.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import NonASCIILocalPartDefect
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import sqlalchemy as sa
from icalendar import Calendar

from supervision.backoff import doubling_wait
from supervision.extensions import AnySession
from supervision.notifications.models import EmailStatus, OutboxEmail
from supervision.plain_text import has_control_characters, one_line

log = logging.getLogger(__name__)

ERROR_TEXT_LIMIT = 500
# One @ between a local part and a domain, with nothing that could start another address or header.
SIMPLE_ADDRESS = re.compile(r'[^\s@()<>,;:\\"\[\]]+@[^\s@()<>,;:\\"\[\]]+')


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
    base, cap = timedelta(seconds=settings.retry_base_seconds), timedelta(seconds=settings.retry_max_seconds)
    return doubling_wait(base, attempts - 1, cap)


class Unsendable(Exception):
    """This email cannot be made into a message as it stands (a bad address, say): trying again
    cannot help, so it is marked failed at once with this reason."""


def recipient_address(to_address: str) -> str:
    """The one address the email goes to, or Unsendable: never a second header or a list."""
    problem = "the recipient address is not a valid email address"
    if has_control_characters(to_address):
        raise Unsendable(f"{problem} (it holds a line break or another control character)")
    try:
        address = Address(addr_spec=to_address)
    except NonASCIILocalPartDefect:
        # Fine for a server that speaks SMTPUTF8 (smtplib asks for it), if otherwise plain.
        if SIMPLE_ADDRESS.fullmatch(to_address):
            return to_address
        raise Unsendable(problem) from None
    except Exception:  # the email package raises ValueError, HeaderParseError, IndexError...
        raise Unsendable(problem) from None
    if not address.username or not address.domain or address.addr_spec != to_address:
        raise Unsendable(problem)
    return to_address


def build_message(email: OutboxEmail, settings: MailSettings) -> EmailMessage:
    """The message as it goes out, or Unsendable. Subjects are written on one line with no control
    characters, whatever was stored (a name saved before input refused them cannot split a header),
    and the whole message is written out once here, so sending cannot fail on its contents."""
    try:
        message = EmailMessage()
        message["From"] = settings.sender
        message["To"] = recipient_address(email.to_address)
        message["Subject"] = one_line(email.subject)
        message["Date"] = format_datetime(email.created_at)
        domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "localhost"
        message["Message-ID"] = f"<outbox-{email.id}@{domain}>"
        message.set_content(email.body)
        if email.calendar:
            attach_invitation(message, email.calendar)
        message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    except Unsendable:
        raise
    except Exception as error:
        raise Unsendable(f"the message could not be written ({type(error).__name__}: {error})") from None
    return message


def attach_invitation(message: EmailMessage, calendar: str) -> None:
    """The invitation as a text/calendar part with its METHOD (RFC 6047), which is what makes
    Outlook and Google Calendar offer it as a meeting and add, move or remove the event."""
    method = Calendar.from_ical(calendar).get("METHOD", "REQUEST")
    message.add_attachment(
        calendar.encode(),
        maintype="text",
        subtype="calendar",
        filename="invitation.ics",
        params={"method": str(method), "charset": "UTF-8"},
    )


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


class NoConnection(Exception):
    """The mail server could not be reached or refused us (not this email): try again later."""

    def __init__(self, cause: BaseException):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause


class Connection:
    """One SMTP connection for a run, opened when first needed.

    A failure of the connection itself is remembered, so the rest of the run's emails wait for
    the next run instead of each waiting for a timeout; a failure about one email is that email's
    alone, and the next one goes out on the same connection (or a fresh one).
    """

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None
        self.broken: NoConnection | None = None

    def send(self, message: EmailMessage) -> None:
        if self.broken is not None:
            raise self.broken
        if self.smtp is None:
            try:
                self.smtp = connect(self.settings)
            except (OSError, smtplib.SMTPException) as error:
                self.broken = NoConnection(error)
                log.warning(
                    "mail server unavailable: %s",
                    type(error).__name__,
                    extra={"mail_server": self.settings.server},
                )
                raise self.broken from error
        try:
            self.smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            if breaks_connection(error):
                self.close()
                self.broken = NoConnection(error)
                raise self.broken from error
            raise
        except Exception:
            # Not an answer from the server: the conversation may be half way through a message.
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is None:
            return
        smtp, self.smtp = self.smtp, None
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _due_email_ids(session: AnySession, now: datetime, limit: int) -> list[int]:
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


def _claim(session: AnySession, email_id: int) -> OutboxEmail | None:
    """Lock one pending email for this transaction; None if another sender has it or it went."""
    return session.scalar(
        sa.select(OutboxEmail)
        .where(OutboxEmail.id == email_id, OutboxEmail.status == EmailStatus.PENDING)
        .with_for_update(skip_locked=True)
    )


def is_permanent(error: BaseException) -> bool:
    """About this email and trying again cannot help: a 5xx answer about it (such as an unknown
    mailbox), a server that cannot take it (an address needing SMTPUTF8), or a message that
    cannot be built. A connection that failed is never permanent for the email."""
    if isinstance(error, NoConnection):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return True


def breaks_connection(error: BaseException) -> bool:
    """A network-level failure: later emails in this run would fail the same way."""
    return not isinstance(
        error,
        smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused | smtplib.SMTPNotSupportedError,
    )


def failure_text(error: BaseException) -> str:
    if isinstance(error, Unsendable):
        return f"Cannot be sent: {error}"[:ERROR_TEXT_LIMIT]
    if isinstance(error, NoConnection):
        return str(error)[:ERROR_TEXT_LIMIT]
    return f"{type(error).__name__}: {error}"[:ERROR_TEXT_LIMIT]


FORGOTTEN_BODY = "(This email held a single-use link, which is not kept once the email has gone.)"


def _forget_secret(email: OutboxEmail) -> None:
    if email.forget_body_once_sent:
        email.body = FORGOTTEN_BODY


def _record_failure(email: OutboxEmail, error: BaseException, now: datetime, settings: MailSettings) -> bool:
    """Count the attempt; True when the email is now failed (its last attempt, or hopeless)."""
    email.attempts += 1
    email.last_error = failure_text(error)
    if email.attempts >= settings.max_attempts or is_permanent(error):
        email.status = EmailStatus.FAILED
        _forget_secret(email)
        return True
    email.next_attempt_at = now + retry_delay(email.attempts, settings)
    return False


def send_outbox(session: AnySession, now: datetime, settings: MailSettings) -> dict[str, int]:
    """Send every email due by `now`; returns counts of sent, retrying and failed.

    Each email is judged on its own: one that cannot be built or that the server refuses is
    marked failed with its reason and the rest go on.
    """
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    email_ids = _due_email_ids(session, now, settings.batch_size)
    if not email_ids:
        return counts
    connection = Connection(settings)
    try:
        for email_id in email_ids:
            email = _claim(session, email_id)
            if email is None:
                session.rollback()
                continue
            try:
                connection.send(build_message(email, settings))
            except Exception as error:
                gave_up = _record_failure(email, error, now, settings)
                counts["failed" if gave_up else "retrying"] += 1
                log.warning(
                    "email not sent (attempt %d, %s): %s",
                    email.attempts,
                    "failed" if gave_up else "will try again",
                    type(error.cause if isinstance(error, NoConnection) else error).__name__,
                    extra={"outbox_email_id": email.id},
                )
            else:
                email.status = EmailStatus.SENT
                email.sent_at = now
                email.attempts += 1
                email.last_error = None
                _forget_secret(email)
                counts["sent"] += 1
            session.commit()
    finally:
        connection.close()
    return counts
