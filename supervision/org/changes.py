"""Changes to a person's access: audited with old and new values, and announced.

A change to someone's line manager, team, roles, email address or account status (active or
deactivated) decides who sees whose supervision and who can sign in as whom, so each one is
written to the audit log with its old and new values, in the same transaction as the change,
and announced with the `access_changed` signal in that transaction too. The floors above
subscribe (connected in create_app, so no app can miss them): supervision.auth ends the
sessions and API tokens of people whose email, roles or account status changed, and
supervision.notifications tells the person and their old and new line managers (and the old
address of a changed email). Pages, the staff import and the command line all come through
`record_changes`. org announces and never asks back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app

from supervision.audit.models import AuditEvent
from supervision.audit.services import AuditAction
from supervision.extensions import db, proxied
from supervision.org.models import Role, Service, Staff, Team

# The fields whose changes are audited with their values, in the order messages list them.
WATCHED = ("line_manager_id", "team_id", "roles", "email", "active")


@dataclass(frozen=True)
class AccessState:
    """What decides a person's access: line manager, team, roles, email and account status."""

    line_manager_id: int | None
    team_id: int | None
    roles: frozenset[Role]
    email: str
    active: bool

    @classmethod
    def of(cls, person: Staff) -> AccessState:
        return cls(person.line_manager_id, person.team_id, person.roles, person.email, person.active)


_signals = Namespace()
access_changed = _signals.signal("access-changed")
"""Sent by `record_changes`, inside the change's transaction (receivers write in it and never
commit), with:
- `changes`: the AccessChanges that changed something, in order;
- `event_ids`: the id of each one's audit entry, in the same order;
- `actor`: who made them (None for the command line);
- `names`: the names of the people and teams they mention, as they were (`load_names`);
- `now`: when;
- `notify_new_people`: False when new people are to be audited but not told (the staff import).
"""
people_added = _signals.signal("people-added")
"""Sent by `record_changes`, inside the transaction that adds them, with `person_ids`: people new
to the organisation (the staff pages and the staff import). supervision.auth invites them."""


@dataclass(frozen=True)
class AccessChange:
    person_id: int
    before: AccessState | None  # None: the person is new
    after: AccessState

    @property
    def ends_access(self) -> bool:
        """A new email (not only its case), new roles or a deactivation ends the person's
        sessions and API tokens (docs/roles.md)."""
        before, after = self.before, self.after
        return before is not None and (
            before.email.lower() != after.email.lower()
            or before.roles != after.roles
            or (before.active and not after.active)
        )

    @property
    def fields(self) -> tuple[str, ...]:
        """The watched fields that differ (for a new person: those with a value)."""
        if self.before is None:
            return tuple(
                name
                for name in WATCHED
                if name not in ("email", "active") and getattr(self.after, name) not in (None, frozenset())
            )
        return tuple(name for name in WATCHED if getattr(self.before, name) != getattr(self.after, name))


def changed(changes: Iterable[AccessChange]) -> list[AccessChange]:
    return [change for change in changes if change.fields]


# ----------------------------------------------------------------------------- wording


@dataclass(frozen=True)
class Contact:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Names:
    staff: Mapping[int, Contact]
    teams: Mapping[int, str]


def load_names(changes: Sequence[AccessChange]) -> Names:
    staff_ids: set[int] = set()
    team_ids: set[int] = set()
    for change in changes:
        staff_ids.add(change.person_id)
        for state in (change.before, change.after):
            if state is not None:
                if state.line_manager_id is not None:
                    staff_ids.add(state.line_manager_id)
                if state.team_id is not None:
                    team_ids.add(state.team_id)
    staff = {}
    ids = sorted(staff_ids)
    for start in range(0, len(ids), 1000):
        for row in db.session.execute(
            sa.select(Staff.id, Staff.given_name, Staff.family_name, Staff.email).where(
                Staff.id.in_(ids[start : start + 1000])
            )
        ):
            staff[row.id] = Contact(row.id, f"{row.given_name} {row.family_name}", row.email)
    teams = {}
    team_list = sorted(team_ids)
    for start in range(0, len(team_list), 1000):
        for team_row in db.session.execute(
            sa.select(Team.id, Team.name, Service.name.label("service"))
            .join(Service, Team.service_id == Service.id)
            .where(Team.id.in_(team_list[start : start + 1000]))
        ):
            teams[team_row.id] = f"{team_row.service}: {team_row.name}"
    return Names(staff, teams)


def _audit_value(field: str, state: AccessState | None, names: Names):
    """A JSON value for the audit log: ids with the names they had at the time."""
    if state is None:
        return None
    value = getattr(state, field)
    if field == "line_manager_id":
        person = names.staff.get(value) if value is not None else None
        return None if value is None else {"id": value, "name": person.name if person else ""}
    if field == "team_id":
        return None if value is None else {"id": value, "name": names.teams.get(value, "")}
    if field == "roles":
        return sorted(str(role) for role in value)
    return value


def audit_changes(change: AccessChange, names: Names) -> dict:
    return {
        field: [_audit_value(field, change.before, names), _audit_value(field, change.after, names)]
        for field in change.fields
    }


def record_changes(
    actor: Staff | None, changes: Iterable[AccessChange], now: datetime, notify_new_people: bool = True
) -> int:
    """Audit each change with old and new values and announce them (`access_changed`); no commit.

    Runs in the caller's transaction, so the change, its audit entry and what the subscribers
    write (ended sessions, messages) are written together or not at all. A new person is
    audited; they and their line manager are told only when `notify_new_people` (the staff
    import adds people in bulk and does not). Returns the number of audit entries written.
    """
    changes = list(changes)
    added = [change.person_id for change in changes if change.before is None]
    if added:
        people_added.send(proxied(current_app), person_ids=added)
    changes = changed(changes)
    if not changes:
        return 0
    names = load_names(changes)
    rows = [
        {
            "occurred_at": now,
            "actor_id": actor.id if actor is not None else None,
            "action": str(AuditAction.CREATE if change.before is None else AuditAction.UPDATE),
            "object_type": Staff.__tablename__,
            "object_id": change.person_id,
            "changes": audit_changes(change, names),
        }
        for change in changes
    ]
    ids: list[int] = []
    for start in range(0, len(rows), 1000):
        ids.extend(
            db.session.scalars(
                sa.insert(AuditEvent).returning(AuditEvent.id, sort_by_parameter_order=True),
                rows[start : start + 1000],
            )
        )
    access_changed.send(
        proxied(current_app),
        changes=changes,
        event_ids=ids,
        actor=actor,
        names=names,
        now=now,
        notify_new_people=notify_new_people,
    )
    return len(rows)
