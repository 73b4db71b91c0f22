"""Personal access tokens for the JSON API: scoped, expiring, revocable, stored hashed.

A token is `sup_` + 43 url-safe characters (256 random bits). Only its SHA-256 is kept: a
slow password hash adds nothing for a secret of that entropy, and a lookup by hash is one
indexed query.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.bulk import rowcount
from supervision.clock import clock
from supervision.db_types import UTCDateTime
from supervision.extensions import Model, db
from supervision.org.models import Staff

log = logging.getLogger(__name__)

# A public marker that makes leaked tokens easy to recognise and scan for, not a secret.
TOKEN_PREFIX = "sup_"  # noqa: S105  # nosec B105
MAX_NAME_LENGTH = 100


class TokenScope(enum.StrEnum):
    READ = "read"
    WRITE = "write"


class ApiToken(Model):
    __tablename__ = "api_token"
    __table_args__ = (
        # A token that may write may also read: scopes are "read" or "read write".
        sa.CheckConstraint("scopes IN ('read', 'read write')", name="scopes_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_NAME_LENGTH))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters, so the owner can tell tokens apart; useless to an attacker.
    hint: Mapped[str] = mapped_column(sa.String(12))
    scopes: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship()

    @property
    def scope_set(self) -> frozenset[TokenScope]:
        return frozenset(TokenScope(s) for s in self.scopes.split())

    def usable_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown to its owner once, never stored


def create_token(owner: Staff, name: str, write: bool, lifetime: timedelta) -> NewToken:
    """Issue a token for `owner`; the secret is returned once and only its hash is stored."""
    now = clock().now()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        staff_id=owner.id,
        name=name.strip()[:MAX_NAME_LENGTH],
        token_hash=hash_token(secret),
        hint=secret[:8],
        scopes="read write" if write else "read",
        created_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(token)
    db.session.commit()
    log.info("api token created", extra={"staff_id": owner.id, "token_id": token.id})
    return NewToken(token, secret)


def tokens_of(owner: Staff) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.staff_id == owner.id).order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(owner: Staff, token_id: int) -> bool:
    """Revoke one of the owner's own tokens; False when it is not theirs (or not there)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.staff_id != owner.id:
        return False
    if token.revoked_at is None:
        token.revoked_at = clock().now()
        db.session.commit()
        log.info("api token revoked", extra={"staff_id": owner.id, "token_id": token.id})
    return True


def revoke_all_tokens(staff_ids: list[int], now: datetime) -> int:
    """Revoke every live token of these people, in the caller's transaction (the caller commits)."""
    if not staff_ids:
        return 0
    result = db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.staff_id.in_(staff_ids), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return rowcount(result)


def authenticate_token(secret: str) -> ApiToken | None:
    """The usable token with this secret, its last use noted; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(secret)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest))
    now = clock().now()
    if token is None or not hmac.compare_digest(token.token_hash, digest) or not token.usable_at(now):
        return None
    if not token.staff.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.commit()
    return token
