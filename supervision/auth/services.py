"""Sign-in use cases: authenticate under the throttle or with single sign-on, load the signed-in user."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from supervision.auth import links, throttle
from supervision.auth.passwords import hash_password, problem_for, verify_password
from supervision.auth.sessions import current_session_staff_id, end_sessions
from supervision.auth.tokens import revoke_all_tokens
from supervision.clock import clock
from supervision.extensions import db
from supervision.org.changes import AccessChange
from supervision.org.models import Staff
from supervision.org.services import email_is, find_by_email

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignInResult:
    staff: Staff | None
    # For a password sign-in: the known-device cookie this browser gets (supervision.auth.throttle).
    device_cookie: str | None = None

    @property
    def ok(self) -> bool:
        return self.staff is not None


def load_user(user_id: str) -> Staff | None:
    """The person whose server-side session this is; nobody for any other kind of session.

    Opening the session has already read the person and their roles in the same statement as the
    session (supervision.auth.sessions), so this is answered from the identity map.
    """
    if not user_id.isdigit() or current_session_staff_id() != int(user_id):
        return None
    return db.session.get(Staff, int(user_id), options=[joinedload(Staff.role_rows)])


def authenticate(email: str, password: str, address: str, device_cookie: str | None = None) -> SignInResult:
    """Check a password under the sign-in throttle (supervision.auth.throttle).

    From a known device for this account only that device's count applies; otherwise the count
    for this account from this address and the account's count across addresses. Every refusal
    looks the same to the person signing in, so the page reveals neither whether the email exists
    nor whether attempts are being held back; the password is checked even when they are, so
    neither does the time taken.
    """
    now = clock().now()
    policy = throttle.ThrottlePolicy.from_config(current_app.config)
    nonce = throttle.known_device_nonce(device_cookie, email)
    if nonce is not None:
        free = {throttle.device_key(nonce): policy.free}
    else:
        free = {
            throttle.address_key(email, address): policy.free,
            throttle.account_key(email): policy.account_free,
        }
    counts = throttle.failures_for(list(free))
    held_back = not all(throttle.may_attempt(counts[key], free[key], now, policy) for key in free)

    staff = find_by_email(email)
    password_ok = verify_password(staff.password_hash if staff else None, password)
    if held_back:
        log.info("sign-in refused: too many attempts", extra={"known_device": nonce is not None})
        return SignInResult(None)
    if staff is None or not staff.active or not password_ok:
        throttle.count_failure(list(free), now, policy.forget_after)
        db.session.commit()
        log.info(
            "sign-in refused: wrong email or password, or inactive account",
            extra={"staff_id": staff.id if staff else None},
        )
        return SignInResult(None)

    # The person's own address or device starts afresh; the count across addresses stays, so one
    # success never wipes out what strangers have been trying.
    throttle.forget([key for key in free if key != throttle.account_key(email)])
    staff.last_signed_in_at = now
    db.session.commit()
    log.info("signed in", extra={"staff_id": staff.id})
    return SignInResult(staff, device_cookie=throttle.new_device_cookie(email))


def sign_in_with_sso(email: str) -> SignInResult:
    """Sign in the one active person whose email the identity provider has verified.

    Nobody is ever created here. The provider has authenticated the person, so the password
    throttle neither blocks this nor is reset by it: it counts wrong passwords, which SSO never sees.
    """
    active_matches = sa.select(Staff).where(email_is(email), Staff.active.is_(True)).limit(2)
    matches = db.session.scalars(active_matches).all()
    if len(matches) != 1:
        log.info("single sign-on refused: no single active person with that email")
        return SignInResult(None)
    staff = matches[0]
    staff.last_signed_in_at = clock().now()
    db.session.commit()
    log.info("signed in with single sign-on", extra={"staff_id": staff.id})
    return SignInResult(staff)


def end_access(staff_ids: Iterable[int], reason: str, *, tokens: bool = True) -> None:
    """End every session of these people at once, and revoke their API tokens unless `tokens` is
    False, in the caller's transaction: the caller commits with the change that is the reason
    (a new email, roles or password, or a deactivation), so neither happens without the other."""
    ids = sorted(set(staff_ids))
    if not ids:
        return
    ended = end_sessions(ids)
    revoked = revoke_all_tokens(ids, clock().now()) if tokens else 0
    # A set-password link sent to an old address, or before a new password, must not outlive it.
    unused_links = links.end_links(ids, clock().now())
    log.info(
        "sign-ins ended",
        extra={
            "staff_ids": ids,
            "reason": reason,
            "sessions": ended,
            "tokens": revoked,
            "links": unused_links,
        },
    )


def end_access_of_changed_people(_sender, *, changes: Iterable[AccessChange], **_) -> None:
    """Receiver of supervision.org.changes.access_changed: a new email, new roles or a
    deactivation ends the person's sessions and API tokens, in the change's transaction."""
    end_access(
        [change.person_id for change in changes if change.ends_access],
        "email, roles or account status changed",
    )


def invite_new_people(_sender, person_ids: Iterable[int], **_) -> None:
    """A person added on the staff pages or by the staff import (page or command line) is invited,
    in the same transaction (supervision.auth.links)."""
    links.invite(person_ids)


def sign_out_everywhere(staff: Staff) -> None:
    """End every session of this person, the current one included (their API tokens stay)."""
    ended = end_sessions([staff.id])
    db.session.commit()
    log.info("signed out everywhere", extra={"staff_id": staff.id, "sessions": ended})


CURRENT_CREDENTIAL_REFUSED = (
    "Your current password is incorrect, or there have been too many attempts. "
    "Check it, or wait a few minutes and try again."
)


class PasswordChangeRefused(Exception):
    """Refused, with the form field at fault and what to tell the person."""

    def __init__(self, field: str, message: str):
        super().__init__(f"refused: {field}")
        self.field, self.message = field, message


def change_password(staff: Staff, current: str, new: str, confirm: str, address: str) -> None:
    """Set a new password and end every session of the person (the caller starts a new one).

    The current password is checked under the sign-in throttle's count for this account and
    address, so a borrowed session cannot be used to guess it. API tokens stay: they do not rest
    on the password.
    """
    now = clock().now()
    policy = throttle.ThrottlePolicy.from_config(current_app.config)
    key = throttle.address_key(staff.email, address)
    held_back = not throttle.may_attempt(throttle.failures_for([key])[key], policy.free, now, policy)
    current_ok = verify_password(staff.password_hash, current)
    if held_back or not current_ok:
        if not held_back:
            throttle.count_failure([key], now, policy.forget_after)
            db.session.commit()
        log.info("password change refused: current password", extra={"staff_id": staff.id})
        raise PasswordChangeRefused("current_password", CURRENT_CREDENTIAL_REFUSED)
    if problem := problem_for(staff, new):
        raise PasswordChangeRefused("new_password", problem)
    if new != confirm:
        raise PasswordChangeRefused("confirm_password", "The new passwords do not match")
    staff.password_hash = hash_password(new)
    staff.updated_at = now
    throttle.forget([key])
    end_access([staff.id], "password changed", tokens=False)
    db.session.commit()
    log.info("password changed", extra={"staff_id": staff.id})


class LinkRefused(Exception):
    """The set-password link is unknown, used, ended or expired, or its person deactivated."""


def set_password_with_link(secret: str, new: str, confirm: str) -> Staff:
    """Set the password of the link's person, spend the link, and end every session and API token
    of theirs (a reset is how someone takes back an account). LinkRefused or PasswordChangeRefused,
    writing nothing."""
    link = links.usable_link(secret)
    if link is None:
        raise LinkRefused
    person = db.session.get_one(Staff, link.staff_id)
    if problem := problem_for(person, new):
        raise PasswordChangeRefused("new_password", problem)
    if new != confirm:
        raise PasswordChangeRefused("confirm_password", "The passwords do not match")
    now = clock().now()
    if not links.spend(link, now):
        db.session.rollback()
        raise LinkRefused
    person.password_hash = hash_password(new)
    person.updated_at = now
    end_access([person.id], f"password set with a {link.purpose} link")
    db.session.commit()
    log.info("password set with a link", extra={"staff_id": person.id, "purpose": link.purpose})
    return person


def resend_invitation(person: Staff) -> bool:
    """Send a new invitation (ending the earlier link); False when the person has a password or
    is deactivated, and nothing is sent."""
    if person.password_hash is not None or not person.active:
        return False
    sent = links.invite([person.id]) == 1
    db.session.commit()
    return sent
