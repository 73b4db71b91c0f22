"""Test data for the caseload import, limits page, example caseloads and purge (cases-import)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from supervision.cases.models import CaseOversightLimit, ChildCase
from supervision.cases.rules import CaseCategory
from supervision.extensions import db
from supervision.org.models import Staff, Team
from tests.cases import report_factories

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
    return report_factories.make_case(worker, reference, category, allocated_on, closed_on)


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
