"""The words of reminders, escalations and digests: who, what is due and when.

Pure functions of names and dates. They never take a record, so they cannot leak what was
discussed in supervision into an email or a notification.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from supervision.compliance.models import AlertKind
from supervision.compliance.rules import (
    AsyeReviewDue,
    ReviewState,
    Status,
    SupervisionStatus,
    format_date,
)


@dataclass(frozen=True)
class Wording:
    title: str
    body: str


def _days(count: int, unit: str = "working day") -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def to_person(
    kind: AlertKind, due_on: date, supervisor_name: str | None, review: str | None = None
) -> Wording:
    """A reminder to the person whose supervision, review or renewal is due (`review`: which
    ASYE review, for its alerts)."""
    when = format_date(due_on)
    with_whom = f" with {supervisor_name}" if supervisor_name else ""
    wordings = {
        AlertKind.ASYE_REVIEW_DUE: (
            f"Your ASYE {review} is due by {when}",
            f"Your ASYE {review}{with_whom} is due by {when}.",
        ),
        AlertKind.ASYE_REVIEW_OVERDUE: (
            f"Your ASYE {review} is overdue",
            f"Your ASYE {review}{with_whom} was due on {when} and has not been recorded yet.",
        ),
        AlertKind.DUE_SOON: (
            f"Your supervision is due by {when}",
            f"Your next supervision{with_whom} is due by {when}. If it is not booked yet, book it now.",
        ),
        AlertKind.OVERDUE: (
            "Your supervision is overdue",
            f"Your supervision{with_whom} was due on {when} and has not been held yet.",
        ),
        AlertKind.AGREEMENT_REVIEW_DUE: (
            "Your supervision agreement is due for review",
            f"Your supervision agreement{with_whom} is due for review on {when}.",
        ),
        AlertKind.REGISTRATION_RENEWAL_DUE: (
            "Your Social Work England registration is due for renewal",
            f"Your Social Work England registration is due for renewal on {when}.",
        ),
        AlertKind.DBS_RENEWAL_DUE: (
            "Your DBS check is due for renewal",
            f"Your DBS check is due for renewal on {when}.",
        ),
    }
    return Wording(*wordings[kind])


def about_person(
    kind: AlertKind, name: str, due_on: date, held_on: date | None = None, review: str | None = None
) -> Wording:
    """A reminder to a supervisor or line manager about somebody they are responsible for."""
    when = format_date(due_on)
    wordings = {
        AlertKind.ASYE_REVIEW_DUE: (
            f"ASYE review due soon: {name}",
            f"{name}'s ASYE {review} is due by {when}. Arrange it, then record its outcome and "
            "who took part.",
        ),
        AlertKind.ASYE_REVIEW_OVERDUE: (
            f"ASYE review overdue: {name}",
            f"{name}'s ASYE {review} was due on {when} and has not been recorded. Hold it as soon as you "
            "can, then record its outcome and who took part.",
        ),
        AlertKind.DUE_SOON: (
            f"Supervision due soon: {name}",
            f"{name}'s next supervision is due by {when}. If it is not booked yet, book it now.",
        ),
        AlertKind.OVERDUE: (
            f"Supervision overdue: {name}",
            f"{name}'s supervision was due on {when} and has not been held yet. Book it as soon as you "
            "can, and record why it was missed and what cover was arranged.",
        ),
        AlertKind.WRITE_UP_OVERDUE: (
            f"Supervision record not signed: {name}",
            f"The record of {name}'s supervision on {format_date(held_on or due_on)} has not been signed "
            f"by the supervisor. It should have been signed by {when}.",
        ),
        AlertKind.AGREEMENT_REVIEW_DUE: (
            f"Supervision agreement review due: {name}",
            f"{name}'s supervision agreement is due for review on {when}.",
        ),
        AlertKind.REGISTRATION_RENEWAL_DUE: (
            f"Social Work England renewal due: {name}",
            f"{name}'s Social Work England registration is due for renewal on {when}.",
        ),
        AlertKind.DBS_RENEWAL_DUE: (
            f"DBS check renewal due: {name}",
            f"{name}'s DBS check is due for renewal on {when}.",
        ),
    }
    return Wording(*wordings[kind])


def escalation(
    name: str, team_name: str | None, supervisor_name: str | None, status: SupervisionStatus
) -> Wording:
    """To the head of service: somebody's supervision is overdue beyond the escalation point."""
    where = f" ({team_name})" if team_name else ""
    since = (
        f"Their last supervision was on {format_date(status.last_held_on)}."
        if status.last_held_on
        else "They have had no supervision under their current agreement."
    )
    supervisor = f" Their supervisor is {supervisor_name}." if supervisor_name else ""
    return Wording(
        f"Escalation: {name}'s supervision is overdue",
        f"{name}{where} was due supervision on {_due(status)}, "
        f"{_days(status.working_days_overdue)} ago. {since}{supervisor}",
    )


def asye_escalation(
    name: str, team_name: str | None, supervisor_name: str | None, review: str, due_on: date
) -> Wording:
    """To the head of service: somebody's ASYE review is overdue."""
    where = f" ({team_name})" if team_name else ""
    supervisor = f" Their supervisor is {supervisor_name}." if supervisor_name else ""
    return Wording(
        f"Escalation: {name}'s ASYE review is overdue",
        f"{name}{where} was due their ASYE {review} on {format_date(due_on)}, and none has been "
        f"recorded.{supervisor}",
    )


def _due(status: SupervisionStatus) -> str:
    """The due date of an overdue, escalated or due-soon status, which always has one."""
    if status.next_due_on is None:
        raise ValueError(f"a {status.status} status with no due date")
    return format_date(status.next_due_on)


def person_line(name: str, status: SupervisionStatus) -> str:
    if status.status in (Status.OVERDUE, Status.ESCALATED):
        return (
            f"{name}: {status.status.label.lower()}, due {_due(status)} "
            f"({_days(status.working_days_overdue)} ago)"
        )
    if status.status is Status.DUE_SOON:
        return f"{name}: due soon, by {_due(status)}"
    return f"{name}: {status.status.label.lower()}"


def summary_line(statuses: Sequence[SupervisionStatus]) -> str:
    counts = Counter(status.status for status in statuses)
    parts = [f"{counts[status]} {status.label.lower()}" for status in Status if counts[status]]
    return ", ".join(parts)


NEEDS_ATTENTION = (Status.ESCALATED, Status.OVERDUE, Status.DUE_SOON, Status.NO_AGREEMENT)


def asye_review_line(name: str, review: AsyeReviewDue) -> str:
    if review.state is ReviewState.OVERDUE:
        return f"{name}: {review.stage.label}, overdue, was due {format_date(review.due_on)}"
    return f"{name}: {review.stage.label}, due by {format_date(review.due_on)}"


def digest(
    week_beginning: date,
    supervisees: Sequence[tuple[str, SupervisionStatus]],
    services: Sequence[tuple[str, Sequence[tuple[str, SupervisionStatus]]]],
    asye_reviews: Sequence[tuple[str, AsyeReviewDue]] = (),
) -> Wording:
    """A manager's weekly summary: their supervisees, their supervisees' ASYE reviews due soon or
    overdue (`asye_reviews`: each one's next review), then each service they head."""
    sections = [f"Supervision for the week beginning {format_date(week_beginning)}."]
    if supervisees:
        sections.append(_people_section(f"Your supervisees ({len(supervisees)})", supervisees))
    if asye_reviews:
        overdue_first = sorted(
            asye_reviews,
            key=lambda pair: (pair[1].state is not ReviewState.OVERDUE, pair[1].due_on, pair[0]),
        )
        sections.append(
            "\n".join(
                [f"ASYE progress reviews due soon or overdue ({len(asye_reviews)}):"]
                + [f"- {asye_review_line(name, review)}" for name, review in overdue_first]
            )
        )
    sections += [_people_section(f"{service} ({len(people)} people)", people) for service, people in services]
    return Wording(f"Weekly supervision summary: {format_date(week_beginning)}", "\n\n".join(sections))


def _people_section(heading: str, people: Sequence[tuple[str, SupervisionStatus]]) -> str:
    lines = [f"{heading}: {summary_line([status for _, status in people])}."]
    attention = sorted(
        (pair for pair in people if pair[1].status in NEEDS_ATTENTION),
        key=lambda pair: (-pair[1].status.severity, pair[0]),
    )
    lines += [f"- {person_line(name, status)}" for name, status in attention]
    if not attention:
        lines.append("Nobody needs attention this week.")
    return "\n".join(lines)
