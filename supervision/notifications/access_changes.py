"""Telling people about changes to their access, announced by supervision.org.changes.

The person, their old line manager and their new line manager are told in the service and by
email (through the outbox); the email address a person had before a change of address is told
as well, so an account taken over by changing its address does not go unnoticed. The messages
name people, teams and roles only, never supervision content.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import current_app

from supervision.extensions import db
from supervision.notifications.services import Notice, queue_notices
from supervision.org.changes import AccessChange, AccessState, Names
from supervision.org.models import ROLE_LABELS, Staff

KIND = "access_changed"
TITLE_LENGTH = 200  # the notification title column
OLD_ADDRESS_KIND = "email_changed_old_address"


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


def tell_people_concerned(
    _sender,
    *,
    changes: Sequence[AccessChange],
    event_ids: Sequence[int],
    actor: Staff | None,
    names: Names,
    now: datetime,
    notify_new_people: bool,
    **_,
) -> None:
    """Receiver of supervision.org.changes.access_changed: queue the messages, no commit."""
    notices = [
        notice
        for change, event_id in zip(changes, event_ids, strict=True)
        if change.before is not None or notify_new_people
        for notice in _notices(change, event_id, actor, names)
    ]
    for start in range(0, len(notices), 1000):
        queue_notices(db.session, notices[start : start + 1000], now, current_app.config["BASE_URL"])
