"""Example caseloads for the demo and for national-scale synthesis: one generator, two sizes.

Run after the supervision history is in the database, whichever generator wrote it: the cases
are derived from the organisation's people and their case discussions as the database holds
them, so the references discussed in signed records are in the register and oversight exists
(docs/cases.md). Each social worker in post gets about `per_worker` cases:
- the cases they discussed in supervision in the last `DISCUSSED_WITHIN` days, most recent first,
  opened some weeks before their first discussion: on track, due soon or overdue depending on
  how long ago the last discussion was and the category's limit;
- then new cases, most opened recently (on track or due soon) and some opened long ago without
  ever being discussed (not discussed since allocation);
- about `MOVED_SHARE` of the cases moved from a colleague in the same team, most of them after
  their last discussion (so not discussed since allocation once overdue), and about
  `CLOSED_SHARE` closed.
Every choice comes from one seeded generator; every date counts back from `today`. Rows are
written with `supervision.bulk.insert_rows` (COPY on PostgreSQL): 600,000 cases at 40,000 staff.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from supervision import bulk
from supervision.cases.models import CaseAllocation, ChildCase
from supervision.cases.rules import DEFAULT_LIMIT_DAYS, CaseCategory
from supervision.cases.services import insert_cases
from supervision.extensions import AnySession
from supervision.org.models import Role, Staff, StaffRole
from supervision.records.models import CaseDiscussion, SupervisionRecord, SupervisionSession

DISCUSSED_WITHIN = 180
MOVED_SHARE = 0.01
CLOSED_SHARE = 0.03
NEVER_DISCUSSED_SHARE = 0.25  # of the cases added beyond those discussed
CATEGORY_WEIGHTS = {
    CaseCategory.CHILD_PROTECTION: 20,
    CaseCategory.CHILD_IN_NEED: 30,
    CaseCategory.CHILD_IN_CARE: 20,
    CaseCategory.CARE_LEAVER: 10,
    CaseCategory.EARLY_HELP: 15,
    CaseCategory.OTHER: 5,
}
NEW_REFERENCE = "CM-{:06d}"


@dataclass
class ExampleCase:
    reference: str
    category: CaseCategory
    worker_id: int
    opened_on: date
    closed_on: date | None = None
    moved_from: int | None = None
    moved_on: date | None = None

    def allocations(self) -> list[tuple[int, date, date | None]]:
        if self.moved_from is None or self.moved_on is None:
            return [(self.worker_id, self.opened_on, self.closed_on)]
        return [
            (self.moved_from, self.opened_on, self.moved_on - timedelta(days=1)),
            (self.worker_id, self.moved_on, self.closed_on),
        ]


@dataclass(frozen=True)
class Person:
    id: int
    team_id: int | None
    end_date: date | None
    social_worker: bool  # holds the social worker role: carries a caseload


def people_of(session: AnySession, organisation_id: int, today: date) -> list[Person]:
    """Everyone who has started, in id order."""
    social_workers = set(
        session.scalars(
            sa.select(StaffRole.staff_id)
            .join(Staff, Staff.id == StaffRole.staff_id)
            .where(Staff.organisation_id == organisation_id, StaffRole.role == Role.SOCIAL_WORKER)
        )
    )
    return [
        Person(staff_id, team_id, end_date, staff_id in social_workers)
        for staff_id, team_id, end_date in session.execute(
            sa.select(Staff.id, Staff.team_id, Staff.end_date)
            .where(Staff.organisation_id == organisation_id, Staff.start_date <= today)
            .order_by(Staff.id)
        )
    ]


def discussed_cases(
    session: AnySession, worker_ids: set[int], today: date, within_days: int
) -> dict[int, list[tuple[str, date, date]]]:
    """Each person's references discussed in signed records lately: (reference, first, last), latest first."""
    found: dict[int, list[tuple[str, date, date]]] = defaultdict(list)
    rows = session.execute(
        sa.select(
            SupervisionRecord.supervisee_id,
            CaseDiscussion.case_reference,
            sa.func.min(SupervisionSession.held_on),
            sa.func.max(SupervisionSession.held_on),
        )
        .join(SupervisionRecord, SupervisionRecord.id == CaseDiscussion.record_id)
        .join(SupervisionSession, SupervisionSession.id == SupervisionRecord.session_id)
        .where(
            SupervisionRecord.supervisor_signed_at.is_not(None),
            SupervisionSession.held_on >= today - timedelta(days=within_days),
            SupervisionSession.held_on <= today,
        )
        .group_by(SupervisionRecord.supervisee_id, CaseDiscussion.case_reference)
    )
    for worker_id, reference, first, last in rows:
        # Never None: only sessions held in the window are grouped (held_on is set once held).
        if worker_id in worker_ids and first is not None and last is not None:
            found[worker_id].append((reference.strip(), first, last))
    for cases in found.values():
        cases.sort(key=lambda case: (case[2], case[0]), reverse=True)
    return found


def plan_caseloads(
    people: list[Person],
    discussed: dict[int, list[tuple[str, date, date]]],
    existing: set[str],
    today: date,
    rng: random.Random,
    per_worker: int,
) -> list[ExampleCase]:
    """Pure: the cases to write, given the people and what they discussed.

    Social workers in post get a full caseload. Anyone else in post who discussed cases (a team
    manager's own cases) gets just those. A leaver's cases moved to a colleague in their team the
    day after their last day, or closed that day when the team has nobody left to take them.
    """
    categories, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    taken = set(existing)
    colleagues: dict[int | None, list[int]] = defaultdict(list)
    for person in people:
        if person.social_worker and (person.end_date is None or person.end_date >= today):
            colleagues[person.team_id].append(person.id)
    serial = 100_000

    def category() -> CaseCategory:
        return rng.choices(categories, weights)[0]

    cases: list[ExampleCase] = []
    for person in people:
        in_post = person.end_date is None or person.end_date >= today
        target = rng.randint(max(1, per_worker - 3), per_worker + 3)
        mine: list[tuple[ExampleCase, date | None]] = []  # with the last discussion
        for reference, first, last in discussed.get(person.id, []):
            if len(mine) == target:
                break
            if reference in taken or not reference:
                continue
            taken.add(reference)
            opened = first - timedelta(days=rng.randint(7, 120))
            mine.append((ExampleCase(reference, category(), person.id, opened), last))
        while in_post and person.social_worker and len(mine) < target:
            serial += 1
            reference = NEW_REFERENCE.format(serial)
            if reference in taken:
                continue
            taken.add(reference)
            kind = category()
            limit = DEFAULT_LIMIT_DAYS[kind]
            if rng.random() < NEVER_DISCUSSED_SHARE:
                opened = today - timedelta(days=limit + rng.randint(3, 200))
            else:
                opened = today - timedelta(days=rng.randint(0, limit))
            mine.append((ExampleCase(reference, kind, person.id, opened), None))
        others = [colleague for colleague in colleagues[person.team_id] if colleague != person.id]
        for case, last_discussed in mine:
            if not in_post and person.end_date is not None:
                _leavers_case(case, person.end_date, others, rng)
                cases.append(case)
                continue
            if others and rng.random() < MOVED_SHARE:
                after = max(case.opened_on, last_discussed or case.opened_on) + timedelta(days=1)
                if after < today:
                    case.moved_from, case.worker_id = case.worker_id, rng.choice(others)
                    case.moved_on = min(today, after + timedelta(days=rng.randint(0, 20)))
            if rng.random() < CLOSED_SHARE:
                start = max(case.moved_on or case.opened_on, last_discussed or case.opened_on)
                if start < today:
                    case.closed_on = min(today, start + timedelta(days=rng.randint(1, 30)))
            cases.append(case)
    return cases


def _leavers_case(case: ExampleCase, last_day: date, others: list[int], rng: random.Random) -> None:
    if others:
        case.moved_from, case.worker_id = case.worker_id, rng.choice(others)
        case.moved_on = max(last_day, case.opened_on) + timedelta(days=1)
    else:
        case.closed_on = max(last_day, case.opened_on)


def add_caseloads(
    session: AnySession,
    organisation_id: int,
    today: date,
    now: datetime,
    seed: int,
    per_worker: int = 15,
    discussed_within: int = DISCUSSED_WITHIN,
) -> dict[str, int]:
    """Write the organisation's example caseloads in the session's transaction; rows per table.

    `discussed_within`: how many days back discussions are read (the demo reads its whole year).
    """
    people = people_of(session, organisation_id, today)
    discussed = discussed_cases(session, {person.id for person in people}, today, discussed_within)
    existing = set(
        session.scalars(sa.select(ChildCase.reference).where(ChildCase.organisation_id == organisation_id))
    )
    cases = plan_caseloads(people, discussed, existing, today, random.Random(seed), per_worker)  # noqa: S311  # nosec B311
    ids = insert_cases(
        session,
        organisation_id,
        [(case.reference, case.category, case.worker_id, case.opened_on, case.closed_on) for case in cases],
        now,
    )
    allocations = [
        (ids[case.reference], worker_id, allocated_on, ended_on)
        for case in cases
        for worker_id, allocated_on, ended_on in case.allocations()
    ]
    bulk.insert_rows(
        session, CaseAllocation.__table__, ("case_id", "worker_id", "allocated_on", "ended_on"), allocations
    )
    return {"child_case": len(cases), "case_allocation": len(allocations)}
