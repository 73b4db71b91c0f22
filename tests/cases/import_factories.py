"""Test data for the caseload import, limits page, example caseloads and purge (cases-import)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from supervision.cases.models import CaseAllocation, CaseOversightLimit, ChildCase
from supervision.cases.rules import CaseCategory
from supervision.extensions import db
from supervision.org.models import Staff, Team

HEADER = "case_reference,worker,category,allocated_date,closed_date"


def cases_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode("utf-8")


def make_case(
    reference: str,
    worker: Staff,
    allocated_on: date,
    category: CaseCategory = CaseCategory.CHILD_IN_NEED,
    closed_on: date | None = None,
) -> ChildCase:
    now = datetime.now(UTC)
    case = ChildCase(
        organisation_id=worker.organisation_id,
        reference=reference,
        category=category,
        worker_id=worker.id,
        opened_on=allocated_on,
        closed_on=closed_on,
        created_at=now,
        updated_at=now,
    )
    case.allocations = [CaseAllocation(worker_id=worker.id, allocated_on=allocated_on, ended_on=closed_on)]
    db.session.add(case)
    db.session.commit()
    return case


def make_limit(
    category: CaseCategory, days: int, team: Team | None = None, organisation_id: int | None = None
):
    limit = CaseOversightLimit(
        organisation_id=organisation_id or team.service.organisation_id,
        team_id=team.id if team else None,
        category=category,
        days=days,
        updated_at=datetime.now(UTC),
    )
    db.session.add(limit)
    db.session.commit()
    return limit


def register() -> dict[str, tuple]:
    """reference -> (category, worker id, opened, closed, ((worker id, allocated, ended), ...))"""
    db.session.expire_all()
    cases = db.session.scalars(sa.select(ChildCase).order_by(ChildCase.reference)).all()
    return {
        case.reference: (
            case.category,
            case.worker_id,
            case.opened_on,
            case.closed_on,
            tuple((a.worker_id, a.allocated_on, a.ended_on) for a in case.allocations),
        )
        for case in cases
    }
