"""Server-side sessions for signed-in people; a small signed cookie for everyone else.

A signed-in person's cookie holds only an opaque random id (`sid_` + 43 url-safe characters, 256
bits); the database keeps its SHA-256, who it belongs to, when it began and was last used, and the
session's few values (Flask-Login's keys, the CSRF token, flash messages). State lives in
PostgreSQL, so any gunicorn worker or instance serves any request, and ending a session on the
server ends it everywhere at once: signing out, "sign out everywhere", and a change of password,
email, roles or account status (`end_sessions`, called in the same transaction as the change).

Visitors who are not signed in keep Flask's signed cookie (the sign-in page's CSRF token, the
single sign-on state and nonce across the provider's redirect, a flash message): no row is ever
written for them, so a flood of anonymous requests cannot fill the table. Such a cookie can never
sign anyone in: the keys Flask-Login reads are dropped from it when it is read.

Cost (docs/performance.md, the page floor): one indexed look-up a request, which also brings the
person and their roles, so the user loader needs no statement of its own; the session's row is
written only when its values change or, for "last seen", at most once a minute.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, Request, Response, current_app, session
from flask.sessions import (
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionMixin,
    session_json_serializer,
)
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from supervision.bulk import rowcount
from supervision.clock import clock
from supervision.db_types import UTCDateTime
from supervision.extensions import Model, db, proxied
from supervision.org.models import Staff

log = logging.getLogger(__name__)

SESSION_ID_PREFIX = "sid_"
# "Last seen" is written at most this often, so a busy person costs one write a minute, not one a page.
LAST_SEEN_INTERVAL = timedelta(minutes=1)
# Flask-Login's session keys: only ever honoured from a server-side session.
SIGNED_IN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds")


class UserSession(Model):
    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Sign-in plus the absolute lifetime (PERMANENT_SESSION_LIFETIME), whatever happens after.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    data: Mapped[str] = mapped_column(sa.Text)

    staff: Mapped[Staff] = relationship()


def hash_session_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def ended_because(
    created_expires: datetime, last_seen_at: datetime, now: datetime, idle: timedelta
) -> str | None:
    """Why a session is over at `now`: "lifetime" (absolute), "idle", or None while it holds."""
    if now >= created_expires:
        return "lifetime"
    if now - last_seen_at > idle:
        return "idle"
    return None


class ServerSession(SecureCookieSession):
    """A signed-in person's session, backed by a `user_session` row."""

    def __init__(self, initial=None, *, row_id: int, staff: Staff, token_hash: str, last_seen_at: datetime):
        super().__init__(initial)
        # Held here so the identity map (weakly referencing) keeps the person for the user loader.
        self.staff = staff
        staff_id = staff.id
        self.row_id = row_id
        self.staff_id = staff_id
        self.token_hash = token_hash
        self.last_seen_at = last_seen_at
        self.rotate = False  # set at sign-in: a new id whatever came before


class CookieSession(SecureCookieSession):
    """A visitor's session in a signed cookie; `ended` says why a server session just ended, if it did."""

    ended: str | None = None
    failure: Exception | None = None


class HybridSessionInterface(SecureCookieSessionInterface):
    session_class = CookieSession

    def open_session(self, app: Flask, request: Request):
        value = request.cookies.get(self.get_cookie_name(app), "")
        if value.startswith(SESSION_ID_PREFIX) and "." not in value:
            return self._open_server_session(app, request, value)
        opened = super().open_session(app, request)
        if opened is not None:
            for key in SIGNED_IN_KEYS:
                if key in opened:
                    # Only a server-side session signs anyone in (an old-style cookie does not).
                    opened.pop(key)
            self._refuse_remember_cookie(app, request, opened)
        return opened

    @staticmethod
    def _refuse_remember_cookie(app: Flask, request: Request, visitor: SecureCookieSession) -> None:
        """Flask-Login would sign a visitor in from a "remember me" cookie, which this service never
        issues: tell it to ignore (and clear) one, so only signing in starts a session."""
        if app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
            visitor["_remember"] = "clear"

    def _open_server_session(self, app: Flask, request: Request, value: str):
        digest = hash_session_id(value)
        try:
            row = (
                db.session.scalars(
                    sa.select(UserSession)
                    .where(UserSession.token_hash == digest)
                    .options(joinedload(UserSession.staff).joinedload(Staff.role_rows))
                )
                .unique()
                .first()
            )
        except sa.exc.SQLAlchemyError as error:
            # Opening a session happens before Flask's error handlers can help: keep the cookie,
            # and let the request raise this where they can (supervision.security).
            db.session.rollback()
            unavailable = CookieSession()
            unavailable.failure = error
            return unavailable
        visitor = CookieSession()
        visitor.modified = True  # the id cookie is replaced (or removed) on the way out
        self._refuse_remember_cookie(app, request, visitor)
        if row is None:
            return visitor
        reason = ended_because(
            row.expires_at, row.last_seen_at, clock().now(), app.config["SESSION_IDLE_TIMEOUT"]
        )
        if reason is not None:
            _delete_rows(sa.delete(UserSession).where(UserSession.id == row.id))
            log.info("session ended", extra={"staff_id": row.staff_id, "reason": reason})
            visitor.ended = reason
            return visitor
        return ServerSession(
            session_json_serializer.loads(row.data),
            row_id=row.id,
            staff=row.staff,
            token_hash=digest,
            last_seen_at=row.last_seen_at,
        )

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, SecureCookieSession):  # open_session makes no other kind
            raise TypeError(f"not a session this interface opened: {type(session).__name__}")
        if isinstance(session, CookieSession) and session.failure is not None:
            return
        user_id = session.get("_user_id")
        if isinstance(session, ServerSession):
            if session.accessed:
                response.vary.add("Cookie")
            if user_id == str(session.staff_id) and not session.rotate:
                self._touch(session)
                return
            # Signed out, or someone new signed in: this session ends on the server.
            _delete_rows(sa.delete(UserSession).where(UserSession.id == session.row_id))
            session.modified = True
        if user_id is None or not str(user_id).isdigit():
            for key in SIGNED_IN_KEYS:
                dict.pop(session, key, None)
            super().save_session(app, session, response)
            return
        self._start(app, session, int(user_id), response)

    def _touch(self, session: ServerSession) -> None:
        now = clock().now()
        values: dict[str, object] = {}
        if session.modified:
            values["data"] = session_json_serializer.dumps(dict(session))
        if values or now - session.last_seen_at >= LAST_SEEN_INTERVAL:
            values["last_seen_at"] = now
            with db.engine.begin() as connection:
                connection.execute(
                    sa.update(UserSession).where(UserSession.id == session.row_id).values(values)
                )

    def _start(self, app: Flask, session: SecureCookieSession, staff_id: int, response: Response) -> None:
        """A new row and a new id, for a person who has just signed in."""
        now = clock().now()
        secret = SESSION_ID_PREFIX + secrets.token_urlsafe(32)
        with db.engine.begin() as connection:
            connection.execute(
                sa.insert(UserSession).values(
                    token_hash=hash_session_id(secret),
                    staff_id=staff_id,
                    created_at=now,
                    expires_at=now + app.permanent_session_lifetime,
                    last_seen_at=now,
                    data=session_json_serializer.dumps(dict(session)),
                )
            )
        response.set_cookie(
            self.get_cookie_name(app),
            secret,
            httponly=self.get_cookie_httponly(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
        )
        response.vary.add("Cookie")


def _delete_rows(statement: sa.Delete) -> None:
    """Session rows are written on a connection of their own: the request's transaction is its own."""
    with db.engine.begin() as connection:
        connection.execute(statement)


# Use cases --------------------------------------------------------------------------------


def begin_session(staff: Staff) -> None:
    """Sign `staff` in on a brand-new session: nothing of the session before survives (no fixation)."""
    session.clear()
    login_user(staff)
    # The forms' CSRF token, made now so it is stored with the new row: pages do not write it later.
    generate_csrf()
    current = proxied(session)
    if isinstance(current, ServerSession):
        current.rotate = True


def current_session_staff_id() -> int | None:
    """Whose server-side session this request carries (None for a visitor)."""
    current = proxied(session)
    return current.staff_id if isinstance(current, ServerSession) else None


def end_sessions(staff_ids: Iterable[int]) -> int:
    """End every session of these people, in the caller's transaction (the caller commits)."""
    ids = list(staff_ids)
    if not ids:
        return 0
    result = db.session.execute(sa.delete(UserSession).where(UserSession.staff_id.in_(ids)))
    return rowcount(result)


def sessions_of(staff_id: int) -> int:
    """How many sessions this person has open now (ended ones wait for the purge)."""
    now = clock().now()
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(UserSession)
        .where(
            UserSession.staff_id == staff_id,
            UserSession.expires_at > now,
            UserSession.last_seen_at >= now - idle,
        )
    ).scalar_one()


def purge_ended_sessions(db_session, now: datetime, idle: timedelta) -> int:
    """Delete the rows of sessions past their lifetime or idle too long."""
    result = db_session.execute(
        sa.delete(UserSession).where(
            sa.or_(UserSession.expires_at <= now, UserSession.last_seen_at < now - idle)
        )
    )
    return rowcount(result)
