"""The lists of cases people act on: cases needing oversight (the team dashboard, the cases
page, the home page count, the reminders and the API) and a worker's own cases due discussion
(My supervision, the record's agenda, the home page count). Every one is `case_lines`, so a count
and the list behind its link always agree (docs/cases.md, "Where case oversight shows")."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from supervision.agreements.models import AbsencePeriod, SupervisionPolicy
from supervision.cases.models import ChildCase
from supervision.cases.rules import CaseCategory, CaseOversight, CaseStatus
from supervision.cases.services import case_rows, statuses, visible_cases
from supervision.extensions import db
from supervision.org.models import Staff, Team
from supervision.sorting import Column, Sorting

# Past due: listed as overdue oversight, reminded and escalated.
NEEDING_OVERSIGHT = frozenset(status for status in CaseStatus if status.needs_oversight)
# What a worker brings to supervision: due soon or past due.
DUE_DISCUSSION = frozenset({CaseStatus.DUE_SOON, *NEEDING_OVERSIGHT})
# Worst first, for sorting by status.
STATUS_SEVERITY = {
    CaseStatus.ON_TRACK: 0,
    CaseStatus.DUE_SOON: 1,
    CaseStatus.OVERDUE: 2,
    CaseStatus.NOT_DISCUSSED: 3,
}


class Whose(enum.Enum):
    """A person's own cases, the cases of everyone they oversee, or both (the API's list)."""

    OWN = "own"
    OVERSEEN = "overseen"
    VISIBLE = "visible"


@dataclass(frozen=True)
class CaseFilter:
    team_id: int | None = None
    category: CaseCategory | None = None
    statuses: frozenset[CaseStatus] = field(default_factory=lambda: frozenset(CaseStatus))


@dataclass(frozen=True)
class CaseLine:
    """One open case with its status today and what the lists show beside it."""

    id: int
    reference: str
    category: CaseCategory
    worker_id: int
    worker_name: str
    worker_sort_name: tuple[str, str]
    team_id: int | None
    team_name: str | None
    oversight: CaseOversight
    worker_absent: bool  # absent today: reallocate the case or arrange cover (docs/cases.md)


def case_scope(
    viewer: Staff,
    whose: Whose,
    today: date,
    case_filter: CaseFilter,
    page_people: Sequence[int] | None = None,
) -> sa.ColumnElement[bool]:
    """The viewer's visible cases (cases.services.visible_cases, the one scope), open today."""
    mine = ChildCase.worker_id == viewer.id
    conditions = [
        visible_cases(viewer, page_people),
        ChildCase.opened_on <= today,
        sa.or_(ChildCase.closed_on.is_(None), ChildCase.closed_on > today),
    ]
    if whose is not Whose.VISIBLE:
        conditions.append(mine if whose is Whose.OWN else sa.not_(mine))
    if case_filter.team_id is not None:
        conditions.append(Staff.team_id == case_filter.team_id)
    if case_filter.category is not None:
        conditions.append(ChildCase.category == case_filter.category)
    return sa.and_(*conditions)


EVERY_CASE = CaseFilter()


def case_lines(
    viewer: Staff,
    today: date,
    whose: Whose,
    case_filter: CaseFilter = EVERY_CASE,
    *,
    page_people: Sequence[int] | None = None,
    policy: SupervisionPolicy | None = None,
) -> list[CaseLine]:
    """The open cases `viewer` may see (their own, or those of the people they oversee) whose
    status today is one of the filter's, ordered by due date (the longest overdue first).

    A page that has already read the viewer's supervision pages' people (`page_people`, the ids
    of permissions.supervision_pages_query) or the organisation's policy passes them on."""
    rows = case_rows(
        viewer.organisation_id, case_scope(viewer, whose, today, case_filter, page_people), as_of=today
    )
    if not rows:
        return []
    oversight = statuses(rows, today, viewer.organisation_id, policy)
    wanted = [row for row in rows if row.id in oversight and oversight[row.id].status in case_filter.statuses]
    workers = _workers({row.worker_id for row in wanted})
    absent = absent_today({row.worker_id for row in wanted}, today)
    lines = [
        CaseLine(
            id=row.id,
            reference=row.reference,
            category=row.category,
            worker_id=row.worker_id,
            worker_name=f"{workers[row.worker_id][0]} {workers[row.worker_id][1]}",
            worker_sort_name=(workers[row.worker_id][1].lower(), workers[row.worker_id][0].lower()),
            team_id=row.team_id,
            team_name=workers[row.worker_id][2],
            oversight=oversight[row.id],
            worker_absent=row.worker_id in absent,
        )
        for row in wanted
    ]
    return sorted(lines, key=lambda line: (line.oversight.due_on, line.reference))


def _workers(worker_ids: set[int]) -> dict[int, tuple[str, str, str | None]]:
    """Each worker's given name, family name and team name, in one statement."""
    if not worker_ids:
        return {}
    return {
        staff_id: (given, family, team)
        for staff_id, given, family, team in db.session.execute(
            sa.select(Staff.id, Staff.given_name, Staff.family_name, Team.name)
            .outerjoin(Team, Team.id == Staff.team_id)
            .where(Staff.id.in_(sorted(worker_ids)))
        )
    }


def absent_today(staff_ids: set[int], today: date) -> set[int]:
    """Who of `staff_ids` has an absence (agreements' absence periods) covering today."""
    if not staff_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(AbsencePeriod.staff_id).where(
                AbsencePeriod.staff_id.in_(sorted(staff_ids)),
                AbsencePeriod.starts_on <= today,
                AbsencePeriod.ends_on >= today,
            )
        )
    )


def needing_oversight(
    viewer: Staff,
    today: date,
    case_filter: CaseFilter = EVERY_CASE,
    *,
    page_people: Sequence[int] | None = None,
    policy: SupervisionPolicy | None = None,
) -> list[CaseLine]:
    """Cases of the people `viewer` oversees that are overdue oversight or not discussed since
    allocation (the team dashboard, the cases page's default and the home page count)."""
    chosen = case_filter.statuses & NEEDING_OVERSIGHT
    return case_lines(
        viewer,
        today,
        Whose.OVERSEEN,
        CaseFilter(case_filter.team_id, case_filter.category, chosen),
        page_people=page_people,
        policy=policy,
    )


def due_discussion(
    worker: Staff,
    today: date,
    *,
    page_people: Sequence[int] | None = None,
    policy: SupervisionPolicy | None = None,
) -> list[CaseLine]:
    """The worker's own open cases due soon, overdue or not discussed: what to bring to supervision."""
    return case_lines(
        worker,
        today,
        Whose.OWN,
        CaseFilter(statuses=DUE_DISCUSSION),
        page_people=page_people,
        policy=policy,
    )


def due_and_needing_oversight(
    viewer: Staff,
    today: date,
    *,
    page_people: Sequence[int] | None = None,
    policy: SupervisionPolicy | None = None,
) -> tuple[list[CaseLine], list[CaseLine]]:
    """`due_discussion` and `needing_oversight` of one viewer from one read of their visible cases
    (the home page shows both counts): needing oversight is part of due discussion, and a case is
    the viewer's own or someone else's (`case_scope`'s `mine`)."""
    lines = case_lines(
        viewer,
        today,
        Whose.VISIBLE,
        CaseFilter(statuses=DUE_DISCUSSION),
        page_people=page_people,
        policy=policy,
    )
    own = [line for line in lines if line.worker_id == viewer.id]
    overseen = [
        line for line in lines if line.worker_id != viewer.id and line.oversight.status in NEEDING_OVERSIGHT
    ]
    return own, overseen


# ------------------------------------------------------------------------------ sorting


def _worker(line: CaseLine) -> tuple[str, str]:
    return line.worker_sort_name


COLUMNS: tuple[Column, ...] = (
    Column("reference", "Case reference", lambda line: line.reference),
    Column("category", "Category", lambda line: list(CaseCategory).index(line.category)),
    Column("worker", "Worker", _worker),
    Column("team", "Team", lambda line: ((line.team_name or "").lower(), *_worker(line))),
    Column(
        "status",
        "Status",
        lambda line: STATUS_SEVERITY[line.oversight.status],
        starts_descending=True,
    ),
    Column("last-oversight", "Last oversight", lambda line: line.oversight.last_oversight_on or date.min),
    Column("due", "Due", lambda line: line.oversight.due_on),
    Column(
        "days-overdue",
        "Days overdue",
        lambda line: line.oversight.days_overdue,
        numeric=True,
        starts_descending=True,
    ),
)
DEFAULT_SORT = "due"


def sorting(key: str | None, order: str | None) -> Sorting:
    return Sorting.parse(COLUMNS, DEFAULT_SORT, key, order)


def sorted_lines(lines: list[CaseLine], chosen: Sorting) -> list[CaseLine]:
    """Sorted by the chosen column, ties broken by reference."""
    return chosen.sorted(lines, lambda line: line.reference)


def case_teams(viewer: Staff, today: date) -> list[tuple[int, str]]:
    """The teams of the people `viewer` oversees who hold open cases: the cases page's team filter."""
    return [
        (team_id, name)
        for team_id, name in db.session.execute(
            sa.select(Team.id, Team.name)
            .join(Staff, Staff.team_id == Team.id)
            .join(ChildCase, ChildCase.worker_id == Staff.id)
            .where(case_scope(viewer, Whose.OVERSEEN, today, EVERY_CASE))
            .distinct()
            .order_by(Team.name)
        )
    ]
