"""Reading cases and their oversight from the database, for the rules in cases/rules.py.

Oversight is read from the records (a case discussion in a record its supervisor has signed,
dated by the session: docs/cases.md). Matching is by case reference, so a discussion recorded
before the case was imported counts once it is, and a case that moves worker keeps its history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from supervision import bulk
from supervision.agreements.models import SupervisionPolicy
from supervision.agreements.services import current_supervisor_id, get_policy
from supervision.cases.models import CaseAllocation, CaseOversightLimit, ChildCase
from supervision.cases.rules import CaseCategory, CaseFacts, CaseOversight, case_status, limit_days
from supervision.compliance.working_days import working_days_between
from supervision.extensions import AnySession, db
from supervision.org.models import Staff
from supervision.permissions import (
    content_barred,
    may_view_supervision_page,
    overseen_staff_query,
    supervision_pages_query,
)
from supervision.records.models import CaseDiscussion, SupervisionRecord


@dataclass(frozen=True)
class CaseRow:
    """One case with what the pages show beside it."""

    id: int
    reference: str
    category: CaseCategory
    worker_id: int
    team_id: int | None
    facts: CaseFacts


def oversight_held_on(organisation_id: int) -> sa.Select:
    """Every oversight in the organisation: (discussion id, case reference, date held, supervisee
    id, session id) of each case discussion in a record its supervisor has signed, dated by its
    session (the discussion's copy of the session's date: records/models.py), of a supervisee in
    the organisation (docs/cases.md). The one statement of the rule: the latest oversight, the
    figures and the histories all build on it."""
    return (
        sa.select(
            CaseDiscussion.id.label("discussion_id"),
            CaseDiscussion.case_reference.label("reference"),
            CaseDiscussion.held_on.label("held_on"),
            SupervisionRecord.supervisee_id.label("supervisee_id"),
            SupervisionRecord.session_id.label("session_id"),
        )
        .join(SupervisionRecord, SupervisionRecord.id == CaseDiscussion.record_id)
        .join(Staff, Staff.id == SupervisionRecord.supervisee_id)
        .where(SupervisionRecord.supervisor_signed_at.is_not(None), Staff.organisation_id == organisation_id)
    )


def latest_oversight(
    organisation_id: int, reference: sa.orm.QueryableAttribute[str], as_of: date
) -> sa.ScalarSelect[date]:
    """The date of the latest oversight of the case `reference` (a column of the outer statement)
    on or before `as_of`, or NULL: its discussions latest first, the first in a signed record
    (ix_case_discussion_case_reference_held_on; docs/performance.md, case oversight)."""
    return (
        oversight_held_on(organisation_id)
        .with_only_columns(CaseDiscussion.held_on)
        .where(CaseDiscussion.case_reference == reference, CaseDiscussion.held_on <= as_of)
        .order_by(CaseDiscussion.held_on.desc())
        .limit(1)
        .scalar_subquery()
    )


def limits_of(organisation_id: int) -> tuple[dict[CaseCategory, int], dict[tuple[int, CaseCategory], int]]:
    """The organisation's settings and its teams' overrides."""
    organisation: dict[CaseCategory, int] = {}
    teams: dict[tuple[int, CaseCategory], int] = {}
    rows = db.session.execute(
        sa.select(CaseOversightLimit.team_id, CaseOversightLimit.category, CaseOversightLimit.days).where(
            CaseOversightLimit.organisation_id == organisation_id
        )
    )
    for team_id, category, days in rows:
        if team_id is None:
            organisation[category] = days
        else:
            teams[(team_id, category)] = days
    return organisation, teams


def due_soon_rule(organisation_id: int, policy: SupervisionPolicy | None = None):
    """The supervision policy's "due soon" (working days), applied to a case's due date (`policy`:
    the organisation's, when the caller has already read it)."""
    working_days = (policy or get_policy(organisation_id)).due_soon_working_days

    def due_soon(today: date, due_on: date) -> bool:
        return working_days_between(today, due_on) <= working_days

    return due_soon


def case_rows(
    organisation_id: int, case_filter: sa.ColumnElement[bool] | None = None, as_of: date | None = None
) -> list[CaseRow]:
    """The organisation's cases (those matching `case_filter`), with the facts the rules need.

    With `as_of`, each case's facts hold only its latest oversight on or before that day, read in
    the same statement: all `rules.case_status` needs for that day, at a fraction of the rows
    (the lists and reminders ask about today; the report's trend asks about many days, so it
    reads every date)."""
    organisation_limits, team_limits = limits_of(organisation_id)
    current_allocation = (
        sa.select(sa.func.max(CaseAllocation.allocated_on))
        .where(CaseAllocation.case_id == ChildCase.id)
        .scalar_subquery()
    )
    latest: sa.ColumnElement[Any] = sa.null()
    if as_of is not None:
        latest = latest_oversight(organisation_id, ChildCase.reference, as_of)
    query = (
        sa.select(
            ChildCase.id,
            ChildCase.reference,
            ChildCase.category,
            ChildCase.worker_id,
            Staff.team_id,
            ChildCase.opened_on,
            ChildCase.closed_on,
            sa.func.coalesce(current_allocation, ChildCase.opened_on),
            latest,
        )
        .join(Staff, Staff.id == ChildCase.worker_id)
        .where(ChildCase.organisation_id == organisation_id)
        .order_by(ChildCase.reference)
    )
    if case_filter is not None:
        query = query.where(case_filter)
    cases = db.session.execute(query).all()
    if as_of is None:
        oversight = oversight_dates(organisation_id, case_filter)
    else:
        oversight = {row.reference: (held_on,) for row in cases if (held_on := row[-1]) is not None}
    return [
        CaseRow(
            id=case_id,
            reference=reference,
            category=category,
            worker_id=worker_id,
            team_id=team_id,
            facts=CaseFacts(
                opened_on=opened_on,
                allocated_on=allocated_on,
                closed_on=closed_on,
                limit_days=limit_days(category, team_id, organisation_limits, team_limits),
                oversight_dates=oversight.get(reference, ()),
            ),
        )
        for case_id, reference, category, worker_id, team_id, opened_on, closed_on, allocated_on, _ in cases
    ]


def oversight_dates(
    organisation_id: int, case_filter: sa.ColumnElement[bool] | None = None
) -> dict[str, tuple[date, ...]]:
    """The oversight dates of the organisation's cases matching `case_filter` (the filter of
    `case_rows`), earliest first, by reference. The cases are joined, not listed: a list of
    thousands of references costs more to send than to answer."""
    held = oversight_held_on(organisation_id).subquery()
    query = (
        sa.select(held.c.reference, held.c.held_on)
        .join(
            ChildCase,
            sa.and_(ChildCase.reference == held.c.reference, ChildCase.organisation_id == organisation_id),
        )
        .join(Staff, Staff.id == ChildCase.worker_id)
    )
    if case_filter is not None:
        query = query.where(case_filter)
    found: dict[str, set[date]] = defaultdict(set)
    for reference, held_on in db.session.execute(query):
        found[reference].add(held_on)
    return {reference: tuple(sorted(days)) for reference, days in found.items()}


def statuses(
    rows: Iterable[CaseRow], today: date, organisation_id: int, policy: SupervisionPolicy | None = None
) -> dict[int, CaseOversight]:
    """Each open case's oversight status today (closed cases are left out)."""
    due_soon = due_soon_rule(organisation_id, policy)
    answers = {row.id: case_status(row.facts, today, due_soon) for row in rows}
    return {case_id: answer for case_id, answer in answers.items() if answer is not None}


def open_cases_of(worker_id: int, today: date) -> list[tuple[str, CaseCategory]]:
    """The references and categories of a worker's open cases, for picking in a record."""
    return [
        (reference, category)
        for reference, category in db.session.execute(
            sa.select(ChildCase.reference, ChildCase.category)
            .where(
                ChildCase.worker_id == worker_id,
                ChildCase.opened_on <= today,
                sa.or_(ChildCase.closed_on.is_(None), ChildCase.closed_on > today),
            )
            .order_by(ChildCase.reference)
        )
    ]


def known_references(organisation_id: int, references: Iterable[str]) -> set[str]:
    """Which of `references` are in the case register (others are flagged on the record)."""
    wanted = sorted(set(references))
    if not wanted:
        return set()
    return set(
        db.session.scalars(
            sa.select(ChildCase.reference).where(
                ChildCase.organisation_id == organisation_id, ChildCase.reference.in_(wanted)
            )
        )
    )


WORKERS_BY_ID_LIMIT = 2_000


def visible_cases(viewer: Staff, page_people: Sequence[int] | None = None) -> sa.ColumnElement[bool]:
    """The cases `viewer` may see: their own, and those of everyone whose supervision page they
    may open (permissions.supervision_pages_query: everyone they oversee, and the supervisees whose
    current agreement names them as supervisor), the people of their team dashboard. A supervisor
    by agreement alone (a senior practitioner supervising an ASYE) discusses those cases in
    supervision, so they see them due. Nobody holding the HR role sees a case (docs/cases.md).

    `page_people`: the ids of that query, when the page has already read them this request (the
    team dashboard: reports.services.DashboardPeople)."""
    return _cases_of(viewer, supervision_pages_query(viewer), page_people)


def overseen_cases(viewer: Staff) -> sa.ColumnElement[bool]:
    """The cases the viewer's oversight report counts: their own and those of everyone they
    oversee (permissions.overseen_staff_query, the report's people; its stored counts are kept
    per worker for this scope: reports/stored_cases.py). Nobody's for the HR role."""
    return _cases_of(viewer, overseen_staff_query(viewer))


def _cases_of(viewer: Staff, people: sa.Select, ids: Sequence[int] | None = None) -> sa.ColumnElement[bool]:
    if content_barred(viewer):
        return sa.false()
    # Named ids let the database read a few workers' cases by index; the scope's recursive
    # statement inside the case query made PostgreSQL scan every case (docs/performance.md).
    if ids is None:
        ids = db.session.scalars(people.limit(WORKERS_BY_ID_LIMIT + 1)).all()
    if len(ids) <= WORKERS_BY_ID_LIMIT:
        return ChildCase.worker_id.in_([viewer.id, *ids])
    return sa.or_(ChildCase.worker_id == viewer.id, ChildCase.worker_id.in_(people))


def may_view_case(viewer: Staff, case: ChildCase) -> bool:
    """One case, by the same scope as `visible_cases`."""
    if content_barred(viewer) or case.organisation_id != viewer.organisation_id:
        return False
    return case.worker_id == viewer.id or may_view_supervision_page(
        viewer, case.worker, current_supervisor_id(case.worker_id)
    )


# (reference, category, worker id, opened on, closed on) of a case to add.
NewCase = tuple[str, CaseCategory, int, date, date | None]
CASE_COLUMNS = ("organisation_id", "reference", "category", "worker_id", "opened_on", "closed_on")


def insert_cases(
    session: AnySession, organisation_id: int, cases: list[NewCase], now: datetime
) -> dict[str, int]:
    """Add new cases in bulk (the import and the example caseloads); each one's id by reference."""
    bulk.insert_rows(
        session,
        ChildCase.__table__,
        (*CASE_COLUMNS, "created_at", "updated_at"),
        [
            (organisation_id, reference, category.value, worker_id, opened_on, closed_on, now, now)
            for reference, category, worker_id, opened_on, closed_on in cases
        ],
    )
    wanted = {case[0] for case in cases}
    return {
        reference: case_id
        for case_id, reference in session.execute(
            sa.select(ChildCase.id, ChildCase.reference).where(ChildCase.organisation_id == organisation_id)
        )
        if reference in wanted
    }
