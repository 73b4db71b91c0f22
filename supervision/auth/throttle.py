"""Sign-in throttling that refuses password guessing without letting a stranger lock anyone out.

Wrong passwords are counted under keys, never on the account itself:

- per account and client address: after `free` failures each further attempt from that address
  for that account waits longer (base, 2 x base, 4 x base... up to a cap);
- per account across all addresses (distributed guessing), with a higher free allowance and the
  same growing waits;
- per known device: a browser where the person has signed in before carries a signed cookie;
  from it, only its own count applies, so the owner signs in from their usual browser however
  many wrong passwords strangers send from anywhere (OWASP's device cookies).

A count is forgotten `forget_after` its last failure. Keys are HMACs of the normalised email (and
address or device), kept whether or not the email belongs to anyone, so being throttled says
nothing about whether an account exists; the page shows one message whatever the reason.
The rules are pure functions; `authenticate` in services.py applies them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from supervision.backoff import doubling_wait
from supervision.clock import clock
from supervision.db_types import UTCDateTime
from supervision.extensions import Model, db

DEVICE_COOKIE = "supervision_device"


class SignInThrottle(Model):
    __tablename__ = "sign_in_throttle"

    key_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int]
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# Rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failures:
    count: int
    last_at: datetime | None


@dataclass(frozen=True)
class ThrottlePolicy:
    free: int  # failures per account and address (or known device) before any wait
    account_free: int  # failures per account across addresses before any wait
    base_delay: timedelta
    max_delay: timedelta
    forget_after: timedelta

    @classmethod
    def from_config(cls, config) -> ThrottlePolicy:
        return cls(
            free=config["SIGN_IN_FREE_FAILURES"],
            account_free=config["SIGN_IN_ACCOUNT_FREE_FAILURES"],
            base_delay=config["SIGN_IN_BASE_DELAY"],
            max_delay=config["SIGN_IN_MAX_DELAY"],
            forget_after=config["SIGN_IN_FORGET_AFTER"],
        )


def live(failures: Failures, now: datetime, forget_after: timedelta) -> Failures:
    """The count as it stands at `now`: forgotten once `forget_after` has passed since the last failure."""
    if failures.last_at is None or now - failures.last_at >= forget_after:
        return Failures(0, None)
    return failures


def next_attempt_at(failures: Failures, free: int, policy: ThrottlePolicy) -> datetime | None:
    """When the next attempt may be made, or None when there is no wait.

    The `free`-th failure makes the next attempt wait `base_delay`; each failure after that
    doubles the wait, up to `max_delay`.
    """
    if failures.last_at is None or failures.count < free:
        return None
    return failures.last_at + doubling_wait(policy.base_delay, failures.count - free, policy.max_delay)


def may_attempt(failures: Failures, free: int, now: datetime, policy: ThrottlePolicy) -> bool:
    failures = live(failures, now, policy.forget_after)
    allowed_from = next_attempt_at(failures, free, policy)
    return allowed_from is None or now >= allowed_from


# Keys -------------------------------------------------------------------------------------


def _key(kind: str, *parts: str) -> str:
    """An HMAC, so the table holds neither emails nor addresses nor anything to reverse them by."""
    message = "|".join((kind, *parts)).encode()
    return hmac.new(_secret_key(), message, hashlib.sha256).hexdigest()


def _secret_key() -> bytes:
    key = current_app.secret_key
    if not key:
        raise RuntimeError("SECRET_KEY is not set")
    return key.encode() if isinstance(key, str) else key


def normalised_email(email: str) -> str:
    return email.strip().lower()


def address_key(email: str, address: str) -> str:
    return _key("address", normalised_email(email), address)


def account_key(email: str) -> str:
    return _key("account", normalised_email(email))


def device_key(nonce: str) -> str:
    return _key("device", nonce)


# Known devices ----------------------------------------------------------------------------


class ClockSigner(TimestampSigner):
    """Dates the cookie by the app's clock (tests travel in time), not the machine's."""

    def get_timestamp(self) -> int:
        return int(clock().now().timestamp())


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret_key(), salt="known-device", signer=ClockSigner)


def new_device_cookie(email: str) -> str:
    """Issued at a successful sign-in: this browser has signed in to this account before."""
    return _device_serializer().dumps(
        {"account": account_key(email)[:32], "nonce": secrets.token_urlsafe(16)}
    )


def known_device_nonce(cookie: str | None, email: str) -> str | None:
    """The device's nonce when the cookie is genuine, in date, and for this account; else None."""
    if not cookie:
        return None
    max_age = int(current_app.config["KNOWN_DEVICE_LIFETIME"].total_seconds())
    try:
        value = _device_serializer().loads(cookie, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("nonce"), str):
        return None
    if not hmac.compare_digest(str(value.get("account")), account_key(email)[:32]):
        return None
    return value["nonce"]


# Storage ----------------------------------------------------------------------------------


def failures_for(keys: list[str]) -> dict[str, Failures]:
    rows = db.session.execute(
        sa.select(SignInThrottle.key_hash, SignInThrottle.failures, SignInThrottle.last_failure_at).where(
            SignInThrottle.key_hash.in_(keys)
        )
    )
    found = {row.key_hash: Failures(row.failures, row.last_failure_at) for row in rows}
    return {key: found.get(key, Failures(0, None)) for key in keys}


def count_failure(keys: list[str], now: datetime, forget_after: timedelta) -> None:
    """Add one failure under each key, atomically (concurrent attempts each count)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SignInThrottle).values(
        [{"key_hash": key, "failures": 1, "last_failure_at": now} for key in sorted(keys)]
    )
    statement = statement.on_conflict_do_update(
        index_elements=[SignInThrottle.key_hash],
        set_={
            "failures": sa.case(
                (SignInThrottle.last_failure_at <= now - forget_after, 1), else_=SignInThrottle.failures + 1
            ),
            "last_failure_at": now,
        },
    )
    db.session.execute(statement)


def forget(keys: list[str]) -> None:
    db.session.execute(sa.delete(SignInThrottle).where(SignInThrottle.key_hash.in_(keys)))


def purge_forgotten(db_session, now: datetime, forget_after: timedelta) -> int:
    result = db_session.execute(
        sa.delete(SignInThrottle).where(SignInThrottle.last_failure_at <= now - forget_after)
    )
    return result.rowcount
