"""The one place that decides who may see or do what (DESIGN section 1).

Every view carries one of the decorators below; tests/test_routes.py walks the URL map and
fails if a route has none. Object checks (`may_view_person`, `may_view_team`, ...) are used
by views and services alike, and a view that refuses an object answers 404, so a foreign id
reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from supervision.org.models import Role, Staff, Team

MAX_HIERARCHY_DEPTH = 50


def _mark(view: Callable, rule: str) -> Callable:
    view.permission_rule = rule  # type: ignore[attr-defined]
    return view


def public(view: Callable) -> Callable:
    """Open to anyone: sign-in, health check, static assets."""
    return _mark(view, "public")


def signed_in(view: Callable) -> Callable:
    """Any signed-in person; object checks inside the view narrow it further."""
    return _mark(login_required(view), "signed in")


def roles_required(*roles: Role) -> Callable[[Callable], Callable]:
    """Signed in and holding at least one of `roles`; otherwise 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return _mark(login_required(wrapper), "roles: " + ", ".join(sorted(roles)))

    return decorator


def api_token(scope: str) -> Callable[[Callable], Callable]:
    """A JSON API route: a bearer token holding `scope` ("read" or "write"), never the session."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            from supervision.api.auth import authenticate_request

            authenticate_request(scope)
            return view(*args, **kwargs)

        return _mark(wrapper, f"api token: {scope}")

    return decorator


def managers_above(person: Staff) -> list[Staff]:
    """The line-management chain above a person, nearest first."""
    chain: list[Staff] = []
    seen = {person.id}
    manager = person.line_manager
    while manager is not None and manager.id not in seen and len(chain) < MAX_HIERARCHY_DEPTH:
        chain.append(manager)
        seen.add(manager.id)
        manager = manager.line_manager
    return chain


def heads_of(person: Staff) -> Iterable[Staff]:
    """Team manager and head of service for the person's team, where set."""
    if person.team is not None:
        if person.team.manager is not None:
            yield person.team.manager
        if person.team.service.manager is not None:
            yield person.team.service.manager


def is_in_oversight_line(user: Staff, person: Staff) -> bool:
    """True when `user` manages `person` directly or further up, or heads their team or service."""
    if user.id == person.id:
        return False
    if any(manager.id == user.id for manager in managers_above(person)):
        return True
    return any(head.id == user.id for head in heads_of(person))


def may_view_person(user: Staff, person: Staff) -> bool:
    """Employment details: the person, their managers, HR and administrators."""
    if user.id == person.id or user.has_role(Role.ADMIN, Role.HR):
        return True
    return is_in_oversight_line(user, person)


def may_view_supervision_of(user: Staff, person: Staff) -> bool:
    """Supervision content: the supervisee and the managers above. Never HR or admin as such."""
    return user.id == person.id or is_in_oversight_line(user, person)


def may_view_team(user: Staff, team: Team) -> bool:
    if user.has_role(Role.ADMIN, Role.HR):
        return True
    if user.team_id == team.id or team.manager_id == user.id:
        return True
    return team.service.manager_id == user.id


def may_manage_organisation(user: Staff) -> bool:
    return user.has_role(Role.ADMIN)


def may_view_supervision_between(user: Staff, supervisee: Staff, supervisor: Staff) -> bool:
    """An agreement, session or record: the two parties and the managers above either of them."""
    if user.id in (supervisee.id, supervisor.id):
        return True
    return is_in_oversight_line(user, supervisee) or is_in_oversight_line(user, supervisor)


def may_view_supervision_page(user: Staff, person: Staff, current_supervisor_id: int | None) -> bool:
    """A person's supervision overview: themselves, their current supervisor, managers above."""
    return user.id == current_supervisor_id or may_view_supervision_of(user, person)


def may_manage_supervision_of(user: Staff, person: Staff, current_supervisor_id: int | None) -> bool:
    """Agree a supervision agreement and record absences: the current supervisor or a manager above."""
    return user.id == current_supervisor_id or is_in_oversight_line(user, person)


def may_view_agreement(user: Staff, agreement) -> bool:
    return may_view_supervision_between(user, agreement.supervisee, agreement.supervisor)


def may_view_session(user: Staff, session) -> bool:
    if user.id == session.supervisor_id:
        return True
    return any(
        may_view_supervision_between(user, attendee.supervisee, session.supervisor)
        for attendee in session.attendees
    )


def may_run_session(user: Staff, session) -> bool:
    """Mark held, cancelled or did not attend: the supervisor who booked it."""
    return user.id == session.supervisor_id


def may_view_record(user: Staff, record) -> bool:
    return may_view_supervision_between(user, record.supervisee, record.session.supervisor)


def may_write_record(user: Staff, record) -> bool:
    """Edit the draft, return it, add addenda: the two parties only, never managers above."""
    return user.id in (record.supervisee_id, record.session.supervisor_id)


def may_sign_as_supervisor(user: Staff, record) -> bool:
    return user.id == record.session.supervisor_id


def may_sign_as_supervisee(user: Staff, record) -> bool:
    return user.id == record.supervisee_id


def may_see_rating(user: Staff, record) -> bool:
    """Ratings are the supervisee's own; others see them only as team aggregates of five or more."""
    return user.id == record.supervisee_id


def require(allowed: bool) -> None:
    """Refuse an object the user may not see as if it did not exist."""
    if not allowed:
        abort(404)
