"""Example caseloads (supervision/cases/examples.py) for the demo and the synthetic organisation:
about 15 cases a social worker, every status, some moved and closed, and the references the
history discussed in signed records are in the register, so oversight exists."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from itertools import pairwise

import pytest
import sqlalchemy as sa

from supervision import synth
from supervision.cases import services
from supervision.cases.examples import ExampleCase, Person, plan_caseloads
from supervision.cases.models import CaseAllocation, ChildCase
from supervision.cases.rules import CaseStatus
from supervision.demo import seed_demo
from supervision.extensions import db
from supervision.org.models import Organisation
from supervision.records.models import CaseDiscussion, SupervisionRecord, SupervisionSession

TODAY = date(2026, 11, 23)


def organisation_id() -> int:
    return db.session.scalar(sa.select(Organisation.id))


def share_of_signed_discussions_in_the_register(since: date | None = None) -> float:
    query = (
        sa.select(CaseDiscussion.case_reference, ChildCase.id)
        .join(SupervisionRecord, SupervisionRecord.id == CaseDiscussion.record_id)
        .join(SupervisionSession, SupervisionSession.id == SupervisionRecord.session_id)
        .outerjoin(ChildCase, ChildCase.reference == CaseDiscussion.case_reference)
        .where(SupervisionRecord.supervisor_signed_at.is_not(None))
    )
    if since is not None:
        query = query.where(SupervisionSession.held_on >= since)
    rows = db.session.execute(query).all()
    return sum(1 for _, case_id in rows if case_id is not None) / len(rows)


def assert_allocations_are_consistent() -> None:
    allocations: dict[int, list[CaseAllocation]] = {}
    for allocation in db.session.scalars(sa.select(CaseAllocation).order_by(CaseAllocation.allocated_on)):
        allocations.setdefault(allocation.case_id, []).append(allocation)
    for case in db.session.scalars(sa.select(ChildCase)):
        history = allocations[case.id]
        assert history[0].allocated_on == case.opened_on
        assert history[-1].worker_id == case.worker_id
        assert history[-1].ended_on == case.closed_on
        for earlier, later in pairwise(history):
            assert earlier.ended_on is not None and earlier.ended_on < later.allocated_on


def test_the_demo_has_caseloads_with_every_status_and_its_discussions_are_in_the_register(app, clock):
    seed_demo()
    rows = services.case_rows(organisation_id())
    statuses = Counter(
        oversight.status for oversight in services.statuses(rows, TODAY, organisation_id()).values()
    )
    assert set(statuses) == set(CaseStatus)
    per_worker = Counter(row.worker_id for row in rows if row.facts.closed_on is None)
    assert 12 <= sorted(per_worker.values())[len(per_worker) // 2] <= 18  # the median caseload
    assert sum(1 for row in rows if row.facts.closed_on is not None) >= 3
    moved = db.session.execute(
        sa.select(CaseAllocation.case_id).group_by(CaseAllocation.case_id).having(sa.func.count() > 1)
    ).all()
    assert len(moved) >= 2
    assert share_of_signed_discussions_in_the_register() > 0.95
    assert_allocations_are_consistent()


def test_the_synthetic_organisation_has_caseloads_in_bulk(app, clock):
    generated = synth.generate(staff=100, years=1, seed=7)
    assert generated.rows["child_case"] == db.session.scalar(
        sa.select(sa.func.count()).select_from(ChildCase)
    )
    rows = services.case_rows(organisation_id())
    per_worker = Counter(row.worker_id for row in rows if row.facts.closed_on is None)
    assert 12 <= sorted(per_worker.values())[len(per_worker) // 2] <= 18
    # Each discussion names a new reference here, and a caseload takes the latest 12 to 18 of a
    # person's: an ASYE's weekly sessions discuss more cases than that in six months.
    assert share_of_signed_discussions_in_the_register(since=date(2026, 6, 1)) > 0.8
    assert_allocations_are_consistent()


@pytest.mark.parametrize("seed", range(5))
def test_the_planned_cases_are_valid_whatever_the_seed(seed):
    people = [Person(n, n % 3, None if n < 9 else date(2026, 3, 1), n != 0) for n in range(12)]
    discussed = {
        n: [(f"C-{n}-{k}", date(2026, 1, 5) + (k * (date(2026, 2, 1) - date(2026, 1, 1))), date(2026, 11, 1))
            for k in range(4)]
        for n in range(12)
    }  # fmt: skip
    cases = plan_caseloads(people, discussed, {"C-1-1"}, TODAY, random.Random(seed), per_worker=15)
    references = [case.reference for case in cases]
    assert len(references) == len(set(references)) and "C-1-1" not in references
    for case in cases:
        assert isinstance(case, ExampleCase)
        allocations = case.allocations()
        assert allocations[0][1] == case.opened_on <= TODAY
        assert allocations[-1][0] == case.worker_id
        assert case.closed_on is None or case.closed_on >= allocations[-1][1]
        assert all(ended is None or ended >= start for _, start, ended in allocations)
    leavers = {9, 10, 11}
    assert not any(case.worker_id in leavers for case in cases if case.closed_on is None)
