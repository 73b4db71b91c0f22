"""Changes to a person's access: audited with old and new values, and the people concerned told.

A change to someone's line manager, team, roles, email address or account status (active or
deactivated) decides who sees whose supervision and who can sign in as whom, so each one is
written to the audit log with its old and new values, in the same transaction as the change,
and the person, their old line manager and their new line manager are told in the service and
by email (through the outbox). The email address a person had before a change of address is
told as well, so an account taken over by changing its address does not go unnoticed.
Pages, the staff import and the command line all come through `record_changes`.

The messages name people, teams and roles only, never supervision content.
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
from supervision.extensions import db
from supervision.notifications.services import Notice, queue_notices
from supervision.org.models import ROLE_LABELS, Role, Service, Staff, Team

# The fields whose changes are audited with their values, in the order messages list them.
WATCHED = ("line_manager_id", "team_id", "roles", "email", "active")
KIND = "access_changed"
TITLE_LENGTH = 200  # the notification title column
OLD_ADDRESS_KIND = "email_changed_old_address"


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
access_ended = _signals.signal("access-ended")
"""Sent by `record_changes`, inside the change's transaction, with `person_ids`: people whose
email or roles changed or who were deactivated. Whoever keeps sign-ins (supervision.auth) ends
their sessions and API tokens; org announces the change and never asks auth back."""
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


def _load_names(changes: Sequence[AccessChange]) -> Names:
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
        for row in db.session.execute(
            sa.select(Team.id, Team.name, Service.name.label("service"))
            .join(Service, Team.service_id == Service.id)
            .where(Team.id.in_(team_list[start : start + 1000]))
        ):
            teams[row.id] = f"{row.service}: {row.name}"
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


def _said(field: str, state: AccessState | None, names: Names) -> str:
    if state is None:
        return "none"
    value = getattr(state, field)
    if field == "line_manager_id":
        return names.staff[value].name if value in names.staff else "none"
    if field == "team_id":
        return names.teams.get(value, "none") if value is not None else "none"
    if field == "roles":
        return ", ".join(ROLE_LABELS[role] for role in sorted(value)) or "none"
    if field == "active":
        return "can sign in" if value else "deactivated (cannot sign in)"
    return str(value)


LABELS = {
    "line_manager_id": "Line manager",
    "team_id": "Team",
    "roles": "Roles",
    "email": "Email address",
    "active": "Account",
}


def describe(change: AccessChange, names: Names) -> str:
    """One line per change: "Line manager: Ann Bee (was Cee Dee)."; names only, no content."""
    lines = []
    for field in change.fields:
        now = _said(field, change.after, names)
        if change.before is None:
            lines.append(f"{LABELS[field]}: {now}.")
        else:
            lines.append(f"{LABELS[field]}: {now} (was {_said(field, change.before, names)}).")
    return "\n".join(lines)


def _notices(change: AccessChange, event_id: int, actor: Staff | None, names: Names) -> list[Notice]:
    person = names.staff.get(change.person_id)
    if person is None:
        return []
    by = f" by {actor.name}" if actor is not None else ""
    what = describe(change, names)
    period = f"audit:{event_id}"
    link = "/notifications"
    notices = [
        Notice(
            recipient_id=person.id,
            to_address=person.email,
            recipient_name=person.name,
            kind=KIND,
            subject_id=person.id,
            period=period,
            title="Your line management, team, roles or account details changed",
            body=f"Your details were changed{by}:\n{what}\n\n"
            "If you did not expect this, tell your line manager or an administrator.",
            link=link,
        )
    ]
    managers = {
        state.line_manager_id
        for state in (change.before, change.after)
        if state is not None and state.line_manager_id is not None
    } - {person.id}
    for manager_id in sorted(managers):
        manager = names.staff.get(manager_id)
        if manager is None:
            continue
        notices.append(
            Notice(
                recipient_id=manager.id,
                to_address=manager.email,
                recipient_name=manager.name,
                kind=KIND,
                subject_id=person.id,
                period=period,
                title=f"{person.name}: line management, team, roles or account changed"[:TITLE_LENGTH],
                body=f"The details of {person.name}, who reports or reported to you, were changed{by}:\n"
                f"{what}",
                link=link,
            )
        )
    if change.before is not None and change.before.email != change.after.email:
        notices.append(
            Notice(
                recipient_id=person.id,
                to_address=change.before.email,
                recipient_name=person.name,
                kind=OLD_ADDRESS_KIND,
                subject_id=person.id,
                period=period,
                title="The email address of your Supervision account changed",
                body=f"The email address of your account was changed{by} from {change.before.email} "
                f"to {change.after.email}.\n\n"
                "If you did not expect this, tell your line manager or an administrator now.",
                link=link,
            )
        )
    return notices


def record_changes(
    actor: Staff | None, changes: Iterable[AccessChange], now: datetime, notify_new_people: bool = True
) -> int:
    """Audit each change with old and new values and tell the people concerned; no commit.

    Runs in the caller's transaction, so the change, its audit entry and its messages are
    written together or not at all. A new person is audited; they and their line manager are
    told only when `notify_new_people` (the staff import adds people in bulk and does not).
    Returns the number of audit entries written.
    """
    changes = list(changes)
    added = [change.person_id for change in changes if change.before is None]
    if added:
        people_added.send(current_app._get_current_object(), person_ids=added)
    changes = changed(changes)
    if not changes:
        return 0
    names = _load_names(changes)
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
    ids = []
    for start in range(0, len(rows), 1000):
        ids.extend(
            db.session.scalars(
                sa.insert(AuditEvent).returning(AuditEvent.id, sort_by_parameter_order=True),
                rows[start : start + 1000],
            )
        )
    ending = [change.person_id for change in changes if change.ends_access]
    if ending:
        access_ended.send(current_app._get_current_object(), person_ids=ending)
    notices = [
        notice
        for change, event_id in zip(changes, ids, strict=True)
        if change.before is not None or notify_new_people
        for notice in _notices(change, event_id, actor, names)
    ]
    for start in range(0, len(notices), 1000):
        queue_notices(db.session, notices[start : start + 1000], now, current_app.config["BASE_URL"])
    return len(rows)
