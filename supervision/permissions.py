"""The one place that decides who may see or do what (docs/roles.md).

Every view carries one of the decorators below; tests/test_routes.py walks the URL map and
fails if a route has none. Object checks (`may_view_person`, `may_view_team`, ...) are used
by views and services alike, and a view that refuses an object answers 404, so a foreign id
reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, wraps
from typing import TypeVar

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required

from supervision.agreements.models import SupervisionAgreement
from supervision.extensions import db
from supervision.org.models import Role, Service, Staff, Team

Found = TypeVar("Found")
# A statement selecting staff ids: one SELECT, or a UNION of them.
StaffIds = sa.Select | sa.CompoundSelect

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


# The supervision relationship ---------------------------------------------------------------
#
# The one definition of who oversees whom. Every object check below, the set-based
# `overseen_staff_query` (dashboard, oversight report, exports, audits, API lists), the
# staff-editing guard (`oversight_gained`) derive from `overseer_ids` and `content_barred`
# (`overseen_staff_query` is its SQL form, proven equal by tests): a person is overseen by the
# managers above them in the line-management chain and by the manager of their team and the
# head of its service. Roles never grant content: the administrator role grants none, and a
# person holding the HR role sees nobody's supervision content but their own, whatever the
# organisation data says (even if they are somebody's line manager or supervisor).


def content_barred(user: Staff) -> bool:
    """True for a person who holds the HR role: they see no one else's supervision content."""
    return user.has_role(Role.HR)


def may_be_told_about(recipient: Staff, subject_id: int | None) -> bool:
    """Whether a reminder, escalation, digest or record notice about `subject_id`'s supervision or
    cases (None: about other people) may go to `recipient`.

    A person is always told about their own supervision. Anyone else is told only while their
    place grants them what the notice links to: never while holding the HR role, whatever the
    data says (docs/roles.md), since every link in it would answer 404.
    """
    return recipient.id == subject_id or not content_barred(recipient)


def overseer_ids(
    person_id: int | None,
    line_manager_id: int | None,
    head_ids: Iterable[int | None],
    line_managers: Mapping[int, int | None],
) -> set[int]:
    """Everyone who oversees a person with this line manager and these team heads.

    `line_managers` maps a person's id to their line manager's id and must cover the chain
    above `line_manager_id`. The walk stops at a loop, at the person, or after
    MAX_HIERARCHY_DEPTH steps. The person never oversees themselves.
    """
    chain: set[int] = set()
    current = line_manager_id
    while current is not None and current != person_id and current not in chain:
        if len(chain) >= MAX_HIERARCHY_DEPTH:
            break
        chain.add(current)
        current = line_managers.get(current)
    return (chain | {head for head in head_ids if head is not None}) - {person_id}


class _LineManagersFromSession(Mapping):
    """person id -> line manager id, read through the ORM identity map as the walk needs it."""

    def __getitem__(self, staff_id: int) -> int | None:
        person = db.session.get(Staff, staff_id)
        if person is None:
            raise KeyError(staff_id)
        return _id(person.line_manager)

    def __iter__(self):  # pragma: no cover - the walk only looks people up
        return iter(())

    def __len__(self) -> int:  # pragma: no cover
        return 0


def head_ids_of(team: Team | None) -> tuple[int | None, int | None]:
    """The manager of a team and the head of its service (either may be None)."""
    if team is None:
        return (None, None)
    return (team.manager_id, team.service.manager_id)


def _id(person: Staff | None) -> int | None:
    return person.id if person is not None else None


def overseers_of(person: Staff) -> set[int]:
    """The ids of everyone who oversees `person` as the organisation data stands (read through
    the relationships, so a change not yet flushed counts too)."""
    team = person.team
    heads = (_id(team.manager), _id(team.service.manager)) if team is not None else ()
    return overseer_ids(person.id, _id(person.line_manager), heads, _LineManagersFromSession())


def is_in_oversight_line(user: Staff, person: Staff) -> bool:
    """True when `user` manages `person` directly or further up, or heads their team or service.

    Never for a person holding the HR role, whatever the organisation data says.
    """
    if user.id == person.id or content_barred(user):
        return False
    return user.id in overseers_of(person)


def overseen_staff_query(viewer: Staff) -> sa.Select:
    """The ids of everyone `viewer` oversees, as one statement: the set form of `overseer_ids`.

    This is the one scope: the dashboard, the oversight report and its exports, the quality
    audits, the changes after close and the API lists all read it (tests/test_scope.py proves
    it opens exactly the pages `is_in_oversight_line` opens, on the demo and a generated
    organisation). A person is overseen when the viewer is within MAX_HIERARCHY_DEPTH steps
    above them in the line-management chain (a recursive walk down from the viewer; a loop
    ends at the depth limit, as the pure walk does), manages their team or heads its service.
    Never the viewer themselves; nobody for a person holding the HR role (`content_barred`).
    """
    if content_barred(viewer):
        return sa.select(Staff.id).where(sa.false())
    return _overseen_by(viewer.id, viewer.organisation_id)


@lru_cache(maxsize=1024)
def _overseen_by(viewer_id: int, organisation_id: int) -> sa.Select:
    # One object per viewer, so a statement that reads the scope twice (an API list of
    # supervisees and supervisors) holds one copy of the recursive CTE.
    below = (
        sa.select(
            Staff.id.label("id"),
            Staff.organisation_id.label("organisation_id"),
            sa.literal_column("1").label("depth"),
        )
        .where(Staff.line_manager_id == viewer_id)
        .cte("line_below", recursive=True)
    )
    below = below.union(
        sa.select(Staff.id, Staff.organisation_id, below.c.depth + 1).where(
            Staff.line_manager_id == below.c.id, below.c.depth < MAX_HIERARCHY_DEPTH
        )
    )

    # Each way in is its own indexed look-up, joined by UNION, and each filters its own rows:
    # an OR across the ways in, or the walk's rows filtered again through the staff table,
    # made PostgreSQL, which guesses thousands of rows for any recursive walk, read every
    # person (130 ms for a team manager at 40,000 staff against 2 to 10 ms; docs/performance.md).
    ways_in = sa.union(
        sa.select(below.c.id).where(below.c.organisation_id == organisation_id, below.c.id != viewer_id),
        sa.select(Staff.id).where(
            Staff.team_id.in_(_headed_teams(viewer_id)),
            Staff.organisation_id == organisation_id,
            Staff.id != viewer_id,
        ),
    ).subquery("overseen")
    # A plain select of the union, so that it can sit inside another UNION (SQLite refuses a
    # compound statement nested in parentheses).
    return sa.select(ways_in.c.id)


def _headed_teams(viewer_id: int) -> sa.CompoundSelect:
    """The teams the viewer manages, and the teams of the services they head (two look-ups)."""
    return sa.union(
        sa.select(Team.id).where(Team.manager_id == viewer_id),
        sa.select(Team.id)
        .join(Service, Service.id == Team.service_id)
        .where(Service.manager_id == viewer_id),
    )


def headed_teams_query(viewer: Staff) -> sa.Select | sa.CompoundSelect:
    """The ids of the teams `viewer` manages or whose service they head: everyone in them is
    overseen by them, however many people that is (none for a person holding the HR role)."""
    if content_barred(viewer):
        return sa.select(Team.id).where(sa.false())
    return _headed_teams(viewer.id)


def supervision_circle_query(viewer: Staff) -> StaffIds:
    """The ids of the supervisees whose supervision `viewer` may see as themselves or from above:
    themselves and everyone they oversee (one statement)."""
    return sa.union(sa.select(Staff.id).where(Staff.id == viewer.id), overseen_staff_query(viewer))


def supervision_pages_query(viewer: Staff) -> sa.Select:
    """The ids of everyone else whose supervision page `viewer` may open
    (`may_view_supervision_page`): everyone they oversee and the supervisees whose current
    agreement names them as supervisor (not for a person holding the HR role)."""
    if content_barred(viewer):
        return overseen_staff_query(viewer)
    supervised = sa.select(SupervisionAgreement.supervisee_id).where(
        SupervisionAgreement.supervisor_id == viewer.id, SupervisionAgreement.ended_on.is_(None)
    )
    return sa.select(Staff.id).where(
        Staff.id.in_(sa.union(overseen_staff_query(viewer), supervised)),
        Staff.organisation_id == viewer.organisation_id,
        Staff.id != viewer.id,
    )


def overseen_ids(user: Staff) -> set[int]:
    """Everyone `user` oversees, as a set (`overseen_staff_query`); empty for HR."""
    return set(db.session.scalars(overseen_staff_query(user)))


def supervisor_circle_query(user: Staff) -> StaffIds:
    """The supervisors whose sessions `user` may see: themselves and everyone they oversee.

    Nobody for a person holding the HR role: being named as someone's supervisor grants them
    nothing.
    """
    if content_barred(user):
        return sa.select(Staff.id).where(sa.false())
    return supervision_circle_query(user)


def acts_as_supervisor(user: Staff, supervisor_id: int | None) -> bool:
    """`user` is the supervisor named, and the supervisor's place grants them content."""
    return supervisor_id is not None and user.id == supervisor_id and not content_barred(user)


def oversight_gained(actor_id: int, before: set[int], after: set[int]) -> bool:
    """Separation of duties: a change may not put the person making it above anyone new."""
    return actor_id in after and actor_id not in before


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
    if user.id == supervisee.id or acts_as_supervisor(user, supervisor.id):
        return True
    return is_in_oversight_line(user, supervisee) or is_in_oversight_line(user, supervisor)


def may_view_supervision_page(user: Staff, person: Staff, current_supervisor_id: int | None) -> bool:
    """A person's supervision overview: themselves, their current supervisor, managers above."""
    return acts_as_supervisor(user, current_supervisor_id) or may_view_supervision_of(user, person)


def may_manage_supervision_of(user: Staff, person: Staff, current_supervisor_id: int | None) -> bool:
    """Agree a supervision agreement and record absences: the current supervisor or a manager above."""
    return acts_as_supervisor(user, current_supervisor_id) or is_in_oversight_line(user, person)


def may_view_agreement(user: Staff, agreement) -> bool:
    return may_view_supervision_between(user, agreement.supervisee, agreement.supervisor)


def may_view_session(user: Staff, session) -> bool:
    if acts_as_supervisor(user, session.supervisor_id):
        return True
    return any(
        may_view_supervision_between(user, attendee.supervisee, session.supervisor)
        for attendee in session.attendees
    )


def may_run_session(user: Staff, session) -> bool:
    """Mark held, cancelled or did not attend: the supervisor who booked it."""
    return acts_as_supervisor(user, session.supervisor_id)


def may_view_record(user: Staff, record) -> bool:
    return may_view_supervision_between(user, record.supervisee, record.session.supervisor)


def may_write_record(user: Staff, record) -> bool:
    """Edit the draft, return it, add addenda: the two parties only, never managers above."""
    return user.id == record.supervisee_id or acts_as_supervisor(user, record.session.supervisor_id)


def may_sign_as_supervisor(user: Staff, record) -> bool:
    return acts_as_supervisor(user, record.session.supervisor_id)


def may_sign_as_supervisee(user: Staff, record) -> bool:
    return user.id == record.supervisee_id


def may_see_rating(user: Staff, record) -> bool:
    """Ratings are the supervisee's own; others see them only as team aggregates of five or more."""
    return user.id == record.supervisee_id


def require(allowed: bool) -> None:
    """Refuse an object the user may not see as if it did not exist."""
    if not allowed:
        abort(404)


def found_or_404(item: Found | None, allowed: Callable[[Found], bool] | None = None) -> Found:
    """The item, when there is one and `allowed` (if given) says the user may see it; otherwise
    refused as if it did not exist, as require() does."""
    if item is None or (allowed is not None and not allowed(item)):
        abort(404)
    return item
