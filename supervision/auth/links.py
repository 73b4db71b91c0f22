"""Set-password links: the invitation a new person gets, and "Forgot your password?".

A link is `BASE_URL/set-password/pwl_` + 43 url-safe characters (256 random bits). Only the
SHA-256 of the secret is kept (as for API tokens, supervision/auth/tokens.py): a slow hash adds
nothing for a secret of that entropy. A link works once, for one active person, until it
expires (an invitation after INVITATION_LIFETIME, a reset after RESET_LIFETIME); issuing a new
one ends the person's earlier links, and so do a new password, a new email address, new roles
and a deactivation (`end_links`, called by `end_access`).

The email goes through the outbox in the caller's transaction, so a link is never issued without
its email, or emailed for a person whose creation was rolled back. With single sign-on on, the
invitation says to sign in with the organisation account and carries no link.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from supervision.auth import sso
from supervision.bulk import rowcount
from supervision.clock import clock
from supervision.db_types import UTCDateTime
from supervision.extensions import Model, db
from supervision.notifications.services import Email, queue_emails
from supervision.org.models import Organisation, Staff
from supervision.plain_text import one_line

log = logging.getLogger(__name__)

LINK_PREFIX = "pwl_"
INVITATION_LIFETIME = timedelta(hours=72)
RESET_LIFETIME = timedelta(hours=2)
# However many addresses ask, a person gets at most this many reset emails an hour.
RESETS_PER_HOUR = 3
BATCH = 1000


class LinkPurpose(enum.StrEnum):
    INVITATION = "invitation"
    RESET = "reset"

    @property
    def lifetime(self) -> timedelta:
        return INVITATION_LIFETIME if self is LinkPurpose.INVITATION else RESET_LIFETIME


class PasswordLink(Model):
    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When it was used, or ended unused (a newer link, a new password, email or roles).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def link_url(secret: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/set-password/{secret}"


# ------------------------------------------------------------------------ the emails


def invitation_email(name: str, organisation: str, secret: str | None) -> tuple[str, str]:
    """Subject and body; `secret` None means single sign-on: no link, sign in with the organisation."""
    base = current_app.config["BASE_URL"].rstrip("/")
    greeting = f"Dear {one_line(name)},\n\n{one_line(organisation)} has given you an account in Supervision, "
    greeting += "the service for recording staff supervision.\n\n"
    if secret is None:
        return "Your Supervision account", (
            greeting + f'Sign in at {base}/sign-in and choose "{one_line(sso.display_name() or "")}": '
            "use your organisation account. You do not need a separate password.\n"
        )
    hours = int(INVITATION_LIFETIME.total_seconds() // 3600)
    return "Set up your Supervision account", (
        greeting + "Choose your password with this link. It works once, and only for the next "
        f"{hours} hours:\n\n{link_url(secret)}\n\n"
        'If it has expired, use "Forgot your password?" on the sign-in page, or ask an administrator '
        "to send a new invitation. If you were not expecting this email, you can ignore it.\n"
    )


def reset_email(name: str, secret: str) -> tuple[str, str]:
    minutes = int(RESET_LIFETIME.total_seconds() // 60)
    return "Reset your Supervision password", (
        f"Dear {one_line(name)},\n\n"
        "Someone asked to reset the password of your Supervision account. Choose a new password with "
        f"this link. It works once, and only for the next {minutes // 60} hours:\n\n{link_url(secret)}\n\n"
        "Setting a new password signs you out everywhere. If you did not ask for this, ignore this "
        "email: your password stays as it is.\n"
    )


# ------------------------------------------------------------------------ issuing


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    email: str
    organisation: str


def _people(staff_ids: list[int], *, without_password: bool) -> list[_Person]:
    found: list[_Person] = []
    for start in range(0, len(staff_ids), BATCH):
        query = (
            sa.select(Staff.id, Staff.given_name, Staff.family_name, Staff.email, Organisation.name)
            .join(Organisation, Staff.organisation_id == Organisation.id)
            .where(Staff.id.in_(staff_ids[start : start + BATCH]), Staff.active.is_(True))
        )
        if without_password:
            query = query.where(Staff.password_hash.is_(None))
        found.extend(
            _Person(row[0], f"{row[1]} {row[2]}", row[3], row[4]) for row in db.session.execute(query)
        )
    return found


def end_links(staff_ids: Iterable[int], now: datetime) -> int:
    """End every unused link of these people, in the caller's transaction."""
    ids = sorted(set(staff_ids))
    ended = 0
    for start in range(0, len(ids), BATCH):
        ended += rowcount(
            db.session.execute(
                sa.update(PasswordLink)
                .where(PasswordLink.staff_id.in_(ids[start : start + BATCH]), PasswordLink.ended_at.is_(None))
                .values(ended_at=now)
            )
        )
    return ended


def _issue(people: list[_Person], purpose: LinkPurpose, now: datetime) -> dict[int, tuple[int, str]]:
    """A new link for each person, their earlier links ended; {staff id: (link id, secret)}."""
    end_links([person.id for person in people], now)
    secrets_by_id = {person.id: LINK_PREFIX + secrets.token_urlsafe(32) for person in people}
    issued: dict[int, tuple[int, str]] = {}
    rows: list[dict[str, Any]] = [
        {
            "staff_id": staff_id,
            "purpose": str(purpose),
            "token_hash": hash_secret(secret),
            "created_at": now,
            "expires_at": now + purpose.lifetime,
        }
        for staff_id, secret in secrets_by_id.items()
    ]
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        link_ids = db.session.scalars(
            sa.insert(PasswordLink).returning(PasswordLink.id, sort_by_parameter_order=True), batch
        ).all()
        for row, link_id in zip(batch, link_ids, strict=True):
            issued[row["staff_id"]] = (link_id, secrets_by_id[row["staff_id"]])
    return issued


def invite(staff_ids: Iterable[int]) -> int:
    """Queue an invitation for each of these people who is active and has no password; no commit.

    With single sign-on on, the invitation says to sign in with the organisation account and no
    link is made. Returns how many invitations were queued.
    """
    now = clock().now()
    people = _people(sorted(set(staff_ids)), without_password=True)
    if not people:
        return 0
    issued = {} if sso.sso_enabled() else _issue(people, LinkPurpose.INVITATION, now)
    emails = []
    for person in people:
        link_id, secret = issued.get(person.id, (None, None))
        subject, body = invitation_email(person.name, person.organisation, secret)
        period = f"link:{link_id}" if link_id is not None else f"sso:{now.isoformat(timespec='seconds')}"
        emails.append(
            Email(
                person.id,
                person.email,
                "invitation",
                person.id,
                period,
                subject,
                body,
                forget_body_once_sent=True,
            )
        )
    queue_emails(db.session, emails, now)
    log.info("invitations queued", extra={"people": len(people), "links": len(issued)})
    return len(people)


def request_reset(staff: Staff | None) -> bool:
    """Queue a reset link for an active person, unless they have had RESETS_PER_HOUR this hour;
    commits. The caller answers the same whatever happens here."""
    now = clock().now()
    if staff is None or not staff.active:
        return False
    recent = db.session.execute(
        sa.select(sa.func.count())
        .select_from(PasswordLink)
        .where(
            PasswordLink.staff_id == staff.id,
            PasswordLink.purpose == str(LinkPurpose.RESET),
            PasswordLink.created_at > now - timedelta(hours=1),
        )
    ).scalar_one()
    if recent >= RESETS_PER_HOUR:
        log.info("password reset not sent: too many this hour", extra={"staff_id": staff.id})
        return False
    link_id, secret = _issue([_Person(staff.id, staff.name, staff.email, "")], LinkPurpose.RESET, now)[
        staff.id
    ]
    subject, body = reset_email(staff.name, secret)
    queue_emails(
        db.session,
        [
            Email(
                staff.id,
                staff.email,
                "password_reset",
                staff.id,
                f"link:{link_id}",
                subject,
                body,
                forget_body_once_sent=True,
            )
        ],
        now,
    )
    db.session.commit()
    log.info("password reset link sent", extra={"staff_id": staff.id})
    return True


# ------------------------------------------------------------------------ using


def usable_link(secret: str) -> PasswordLink | None:
    """The unused, unexpired link with this secret whose person is active; None for anything else."""
    if not secret.startswith(LINK_PREFIX) or len(secret) > 100:
        return None
    digest = hash_secret(secret)
    link = db.session.scalar(sa.select(PasswordLink).where(PasswordLink.token_hash == digest))
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        return None
    if link.ended_at is not None or clock().now() >= link.expires_at:
        return None
    person = db.session.get(Staff, link.staff_id)
    if person is None or not person.active:
        return None
    return link


def spend(link: PasswordLink, now: datetime) -> bool:
    """Mark the link used, in the caller's transaction; False if another request got there first."""
    return (
        rowcount(
            db.session.execute(
                sa.update(PasswordLink)
                .where(PasswordLink.id == link.id, PasswordLink.ended_at.is_(None))
                .values(ended_at=now)
            )
        )
        == 1
    )
