"""Sign-in use cases: authenticate with lockout or single sign-on, load the signed-in user."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from supervision.auth.lockout import LockoutState, after_failure, after_success, is_locked
from supervision.auth.passwords import verify_password
from supervision.clock import clock
from supervision.extensions import db
from supervision.org.models import Staff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignInResult:
    staff: Staff | None

    @property
    def ok(self) -> bool:
        return self.staff is not None


def load_user(user_id: str) -> Staff | None:
    if not user_id.isdigit():
        return None
    # Every signed-in request reads the person's roles: one statement with them, not two.
    return db.session.get(Staff, int(user_id), options=[joinedload(Staff.role_rows)])


def email_is(email: str) -> sa.ColumnElement[bool]:
    return sa.func.lower(Staff.email) == email.strip().lower()


def find_by_email(email: str) -> Staff | None:
    return db.session.scalar(sa.select(Staff).where(email_is(email)))


def authenticate(email: str, password: str) -> SignInResult:
    """Check a password, counting failures and refusing locked or inactive accounts.

    Every failure looks the same to the person signing in, so the page reveals neither
    whether the email exists nor whether the account is locked.
    """
    now = clock().now()
    staff = find_by_email(email)
    password_ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None:
        log.info("sign-in refused: unknown email")
        return SignInResult(None)

    state = LockoutState(staff.failed_sign_in_count, staff.locked_until)
    if is_locked(state, now) or not staff.active:
        log.info("sign-in refused: account locked or inactive", extra={"staff_id": staff.id})
        return SignInResult(None)
    if not password_ok:
        state = after_failure(
            state, now, current_app.config["SIGN_IN_MAX_FAILURES"], current_app.config["SIGN_IN_LOCKOUT"]
        )
        staff.failed_sign_in_count, staff.locked_until = state.failed_count, state.locked_until
        db.session.commit()
        log.info("sign-in refused: wrong password", extra={"staff_id": staff.id})
        return SignInResult(None)

    state = after_success()
    staff.failed_sign_in_count, staff.locked_until = state.failed_count, state.locked_until
    staff.last_signed_in_at = now
    db.session.commit()
    log.info("signed in", extra={"staff_id": staff.id})
    return SignInResult(staff)


def sign_in_with_sso(email: str) -> SignInResult:
    """Sign in the one active person whose email the identity provider has verified.

    Nobody is ever created here. The provider has authenticated the person, so the password
    lockout neither blocks this nor is reset by it: it counts wrong passwords, which SSO never sees.
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
