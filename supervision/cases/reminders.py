"""Reminders and escalations for cases, as for people (docs/cases.md, "Reminders and escalation").

The supervisor hears when one of their supervisees' cases becomes due soon or overdue (or is not
discussed since allocation); the head of service hears when a case is overdue by more than the
supervision policy's escalation working days. Each person gets one message per run listing how
many cases, with a link to the cases page: emails carry counts only, never a case reference
(references are personal data: they are shown on the page, to people who may see them).

Idempotent: a `case_reminder` row per case, kind and due date is written in the same
transaction as the notification, so a rerun (or a second run at once) tells nobody twice, and a
case discussed since (a new due date) is reminded afresh when it falls due again. The jobs that
call this are supervision/jobs/catalogue.py's `case-reminders` and `case-escalations`.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from supervision.agreements.models import SupervisionAgreement
from supervision.agreements.services import get_policy
from supervision.cases.models import ChildCase
from supervision.cases.reminder_models import CaseReminder, CaseReminderKind
from supervision.cases.rules import CaseOversight, CaseStatus
from supervision.cases.services import case_rows, statuses
from supervision.compliance.working_days import working_days_between
from supervision.extensions import AnySession
from supervision.idempotency import insert_new
from supervision.org.models import Service, Staff, Team
from supervision.permissions import overseer_ids

CASE_REMINDER = "case_reminder"  # Notification.kind
CASE_ESCALATION = "case_escalation"
REMINDER_KEY = ("case_id", "kind", "due_on")
CHUNK = 5_000

Key = tuple[int, CaseReminderKind, date]  # (case id, kind, due date)


def is_escalated(oversight: CaseOversight, today: date, escalation_working_days: int) -> bool:
    """Past due by more than the policy's escalation working days, as a person's supervision is
    escalated (compliance/rules.py); a worker's absence does not pause a child's case."""
    return oversight.status.needs_oversight and (
        working_days_between(oversight.due_on, today) > escalation_working_days
    )


def reminder_kind(oversight: CaseOversight) -> CaseReminderKind | None:
    """What the supervisor is told about a case today, if anything."""
    if oversight.status is CaseStatus.DUE_SOON:
        return CaseReminderKind.DUE_SOON
    if oversight.status.needs_oversight:
        return CaseReminderKind.OVERDUE
    return None


@dataclass(frozen=True)
class CaseMessage:
    """One message for one person: how many cases, of which kinds, and the rows that record it."""

    recipient_id: int
    notice_kind: str
    keys: tuple[Key, ...]

    @property
    def counts(self) -> Counter:
        return Counter(kind for _case, kind, _due in self.keys)

    @property
    def period(self) -> str:
        """The notification's idempotency period: the cases it is about, so a later run that
        finds new cases sends a new message, and a rerun of this one sends none."""
        text = ";".join(f"{case}:{kind.value}:{due.isoformat()}" for case, kind, due in sorted(self.keys))
        return "cases-" + hashlib.sha256(text.encode()).hexdigest()[:32]

    def wording(self) -> tuple[str, str]:
        """Title and body: counts only, never a case reference."""
        counts = self.counts
        if self.notice_kind == CASE_ESCALATION:
            number = counts[CaseReminderKind.ESCALATED]
            cases = "1 case" if number == 1 else f"{number} cases"
            return (
                f"Escalated: {cases} overdue oversight",
                f"{cases.capitalize()} in your service {'is' if number == 1 else 'are'} overdue management "
                "oversight past the escalation point of the supervision policy. "
                "The cases page lists them, with the worker and how long each is overdue.",
            )
        parts = []
        for kind, words in (
            (CaseReminderKind.OVERDUE, "overdue oversight"),
            (CaseReminderKind.DUE_SOON, "due soon"),
        ):
            if counts[kind]:
                parts.append(f"{counts[kind]} {'case' if counts[kind] == 1 else 'cases'} {words}")
        summary = " and ".join(parts)
        return (
            f"Cases needing oversight: {summary}",
            f"Of the cases held by the people you oversee, {summary}. Discuss each one in supervision and "
            "record the decision: the case counts as overseen when you sign off the record.",
        )


def organisations_with_open_cases(session: AnySession, today: date) -> list[int]:
    return list(
        session.scalars(
            sa.select(ChildCase.organisation_id)
            .where(sa.or_(ChildCase.closed_on.is_(None), ChildCase.closed_on > today))
            .distinct()
            .order_by(ChildCase.organisation_id)
        )
    )


def _sent(session: AnySession, case_ids: list[int]) -> set[Key]:
    found: set[Key] = set()
    for start in range(0, len(case_ids), CHUNK):
        found |= {
            (case_id, kind, due_on)
            for case_id, kind, due_on in session.execute(
                sa.select(CaseReminder.case_id, CaseReminder.kind, CaseReminder.due_on).where(
                    CaseReminder.case_id.in_(case_ids[start : start + CHUNK])
                )
            )
        }
    return found


def _told(
    session: AnySession, organisation_id: int, worker_ids: set[int]
) -> dict[int, tuple[int | None, int | None]]:
    """Worker id -> (who is reminded, who is escalated to): their supervisor when that supervisor
    also oversees them (a management decision is asked of a manager), else their line manager; and the
    head of their team's service. Everyone is read in a fixed number of statements."""
    if not worker_ids:
        return {}
    line_managers = dict(
        session.execute(
            sa.select(Staff.id, Staff.line_manager_id).where(Staff.organisation_id == organisation_id)
        ).all()
    )
    heads: dict[int | None, tuple[int | None, int | None]] = {  # None: no team, so no heads
        team_id: (team_manager, service_manager)
        for team_id, team_manager, service_manager in session.execute(
            sa.select(Team.id, Team.manager_id, Service.manager_id).join(
                Service, Service.id == Team.service_id
            )
        )
    }
    supervisors = dict(
        session.execute(
            sa.select(SupervisionAgreement.supervisee_id, SupervisionAgreement.supervisor_id).where(
                SupervisionAgreement.ended_on.is_(None),
                SupervisionAgreement.supervisee_id.in_(sorted(worker_ids)),
            )
        ).all()
    )
    teams = dict(
        session.execute(sa.select(Staff.id, Staff.team_id).where(Staff.id.in_(sorted(worker_ids)))).all()
    )
    answer = {}
    for worker_id in worker_ids:
        team_heads = heads.get(teams.get(worker_id), (None, None))
        overseers = overseer_ids(worker_id, line_managers.get(worker_id), team_heads, line_managers)
        supervisor = supervisors.get(worker_id)
        reminded = supervisor if supervisor in overseers else line_managers.get(worker_id) or team_heads[0]
        head = team_heads[1] if team_heads[1] != worker_id else None
        answer[worker_id] = (reminded if reminded != worker_id else None, head)
    return answer


def plan(
    session: AnySession, organisation_id: int, today: date, escalations: bool
) -> tuple[list[CaseMessage], int]:
    """The messages today calls for in one organisation that were not sent before, one per
    person; and how many cases have nobody to tell (no supervisor, line manager or head)."""
    rows = case_rows(
        organisation_id,
        sa.and_(
            ChildCase.opened_on <= today, sa.or_(ChildCase.closed_on.is_(None), ChildCase.closed_on > today)
        ),
        as_of=today,
    )
    found = statuses(rows, today, organisation_id)
    escalation_days = get_policy(organisation_id).escalation_working_days
    wanted: dict[Key, int] = {}  # key -> worker id
    for row in rows:
        oversight = found.get(row.id)
        if oversight is None:
            continue
        if escalations:
            kind = CaseReminderKind.ESCALATED if is_escalated(oversight, today, escalation_days) else None
        else:
            kind = reminder_kind(oversight)
        if kind is not None:
            wanted[(row.id, kind, oversight.due_on)] = row.worker_id
    sent = _sent(session, sorted({case_id for case_id, _kind, _due in wanted}))
    new = {key: worker_id for key, worker_id in wanted.items() if key not in sent}
    told = _told(session, organisation_id, set(new.values()))
    by_recipient: dict[int, list[Key]] = defaultdict(list)
    without_recipient = 0
    for key, worker_id in new.items():
        reminded, head = told[worker_id]
        recipient = head if escalations else reminded
        if recipient is None:
            without_recipient += 1
        else:
            by_recipient[recipient].append(key)
    notice_kind = CASE_ESCALATION if escalations else CASE_REMINDER
    messages = [
        CaseMessage(recipient_id, notice_kind, tuple(sorted(keys)))
        for recipient_id, keys in sorted(by_recipient.items())
    ]
    return messages, without_recipient


def record_sent(session: AnySession, message: CaseMessage, now: datetime) -> int:
    """The message's reminder rows, in the caller's transaction (beside its notification)."""
    return insert_new(
        session,
        CaseReminder.__table__,
        [
            {"case_id": case_id, "kind": kind.value, "due_on": due_on, "sent_at": now}
            for case_id, kind, due_on in message.keys
        ],
        REMINDER_KEY,
    )
