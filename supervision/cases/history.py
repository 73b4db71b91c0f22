"""A case's oversight history: every oversight of it, who held it when, and where it stands now.

Read for the history page, the case-note export (one case or a list of references) and the API,
so all three say the same (docs/cases.md, "A case's oversight history"). It carries the case
discussions and the actions agreed in them, never a record's personal sections
(record_sections.py): this is what may go on the child's file. Every sight of it is audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from supervision.audit.services import AuditAction, record_event
from supervision.cases.models import CaseAllocation, ChildCase
from supervision.cases.rules import CaseCategory, CaseOversight, normalised_reference
from supervision.cases.services import case_rows, may_view_case, oversight_held_on, statuses, visible_cases
from supervision.extensions import db
from supervision.org.models import Staff
from supervision.records.models import (
    Action,
    ActionStatus,
    CaseDiscussion,
    SupervisionSession,
)


@dataclass(frozen=True)
class AgreedAction:
    description: str
    owner_name: str
    due_on: date
    status: ActionStatus


@dataclass(frozen=True)
class Oversight:
    """One case discussion in a record its supervisor signed: oversight on the session's date."""

    discussion_id: int
    held_on: date
    supervisor_name: str
    worker_name: str
    summary: str
    analysis: str
    decision: str
    actions: tuple[AgreedAction, ...]


@dataclass(frozen=True)
class Allocation:
    worker_name: str
    allocated_on: date
    ended_on: date | None


@dataclass(frozen=True)
class CaseHistory:
    case_id: int
    reference: str
    category: CaseCategory
    worker_name: str
    opened_on: date
    closed_on: date | None
    limit_days: int
    # None once the case has closed (docs/cases.md: a closed case has no status).
    status: CaseOversight | None
    oversights: tuple[Oversight, ...]  # earliest first
    allocations: tuple[Allocation, ...]  # earliest first


def case_for(viewer: Staff, case_id: int) -> ChildCase | None:
    """The case, when `viewer` may see its history; None otherwise (the page answers 404)."""
    case = db.session.get(ChildCase, case_id)
    return case if case is not None and may_view_case(viewer, case) else None


def read_references(text: str) -> list[str]:
    """The references in a pasted list: one a line (commas and semicolons separate too), each
    trimmed as the register stores it, blanks dropped, the first of any repeat kept."""
    for separator in ",;\t":
        text = text.replace(separator, "\n")
    references = (normalised_reference(line) for line in text.splitlines())
    return list(dict.fromkeys(reference for reference in references if reference))


def cases_by_reference(viewer: Staff, references: Sequence[str]) -> tuple[list[ChildCase], list[str]]:
    """The cases `viewer` may see among `references`, in the order asked, and the references
    that are "not found": not in the register or not the viewer's to see, never saying which."""
    found = {
        case.reference: case
        for case in db.session.scalars(
            sa.select(ChildCase).where(
                ChildCase.organisation_id == viewer.organisation_id,
                ChildCase.reference.in_(list(references)),
                visible_cases(viewer),
            )
        )
    }
    return (
        [found[reference] for reference in references if reference in found],
        [reference for reference in references if reference not in found],
    )


def histories(cases: Sequence[ChildCase], today: date) -> list[CaseHistory]:
    """Each case's history (all of one organisation), a fixed number of statements for any number."""
    if not cases:
        return []
    organisation_id = cases[0].organisation_id
    case_ids = [case.id for case in cases]
    rows = {row.id: row for row in case_rows(organisation_id, ChildCase.id.in_(case_ids), as_of=today)}
    now = statuses(rows.values(), today, organisation_id)
    oversights = _oversights(organisation_id, [case.reference for case in cases])
    allocations: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    for case_id, worker_id, allocated_on, ended_on in db.session.execute(
        sa.select(
            CaseAllocation.case_id,
            CaseAllocation.worker_id,
            CaseAllocation.allocated_on,
            CaseAllocation.ended_on,
        )
        .where(CaseAllocation.case_id.in_(case_ids))
        .order_by(CaseAllocation.allocated_on)
    ):
        allocations[case_id].append((worker_id, allocated_on, ended_on))
    names = _names(
        {case.worker_id for case in cases} | {w for spans in allocations.values() for w, _, _ in spans}
    )
    return [
        CaseHistory(
            case_id=case.id,
            reference=case.reference,
            category=case.category,
            worker_name=names[case.worker_id],
            opened_on=case.opened_on,
            closed_on=case.closed_on,
            limit_days=rows[case.id].facts.limit_days,
            status=now.get(case.id),
            oversights=tuple(oversights.get(case.reference, ())),
            allocations=tuple(Allocation(names[w], start, end) for w, start, end in allocations[case.id]),
        )
        for case in cases
    ]


def _oversights(organisation_id: int, references: Iterable[str]) -> dict[str, list[Oversight]]:
    """Every oversight of `references` in the organisation: the rule of
    cases.services.oversight_held_on, with what the history shows of each discussion."""
    held = oversight_held_on(organisation_id).subquery()
    discussions = db.session.execute(
        sa.select(
            held.c.discussion_id,
            held.c.reference,
            held.c.held_on,
            SupervisionSession.supervisor_id,
            held.c.supervisee_id,
            CaseDiscussion.summary,
            CaseDiscussion.analysis,
            CaseDiscussion.decision,
        )
        .join(CaseDiscussion, CaseDiscussion.id == held.c.discussion_id)
        .join(SupervisionSession, SupervisionSession.id == held.c.session_id)
        .where(held.c.reference.in_(sorted(set(references))))
        .order_by(held.c.held_on, held.c.discussion_id)
    ).all()
    # By discussion (the column may be None, the `in_` leaves those out).
    actions: dict[int | None, list[tuple[str, int, date, ActionStatus]]] = defaultdict(list)
    for discussion_id, description, owner_id, due_on, status in db.session.execute(
        sa.select(
            Action.case_discussion_id, Action.description, Action.owner_id, Action.due_on, Action.status
        )
        .where(Action.case_discussion_id.in_([row[0] for row in discussions]))
        .order_by(Action.id)
    ):
        actions[discussion_id].append((description, owner_id, due_on, status))
    names = _names(
        {row[3] for row in discussions}
        | {row[4] for row in discussions}
        | {owner for listed in actions.values() for _, owner, _, _ in listed}
    )
    found: dict[str, list[Oversight]] = defaultdict(list)
    for (
        discussion_id,
        reference,
        held_on,
        supervisor_id,
        worker_id,
        summary,
        analysis,
        decision,
    ) in discussions:
        found[reference].append(
            Oversight(
                discussion_id=discussion_id,
                held_on=held_on,
                supervisor_name=names[supervisor_id],
                worker_name=names[worker_id],
                summary=summary,
                analysis=analysis,
                decision=decision,
                actions=tuple(
                    AgreedAction(description, names[owner], due_on, status)
                    for description, owner, due_on, status in actions[discussion_id]
                ),
            )
        )
    return found


def _names(staff_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(staff_ids))
    if not wanted:
        return {}
    return {
        person.id: person.name for person in db.session.scalars(sa.select(Staff).where(Staff.id.in_(wanted)))
    }


def audit_history_views(viewer: Staff, cases: Iterable[ChildCase], export: bool = False) -> None:
    """Every sight of a case's history is audited, one entry a case; exports (case notes, CSV,
    XLSX) as exports. One transaction for all of them."""
    for case in cases:
        record_event(
            viewer, AuditAction.EXPORT if export else AuditAction.VIEW, ChildCase.__tablename__, case.id
        )
    db.session.commit()
