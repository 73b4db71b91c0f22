"""Cases for the case oversight tests (linking, lists, reminders, API): made through the models."""

from __future__ import annotations

from datetime import UTC, date, datetime

from supervision.agreements.services import get_policy
from supervision.cases.models import CaseAllocation, ChildCase
from supervision.cases.rules import CaseCategory
from supervision.extensions import db
from supervision.org.models import Staff
from supervision.records.models import CaseDiscussion
from tests.factories import make_record


def make_case(
    worker: Staff,
    reference: str,
    category: CaseCategory = CaseCategory.CHILD_PROTECTION,
    opened_on: date = date(2026, 9, 1),
    closed_on: date | None = None,
) -> ChildCase:
    now = datetime.now(UTC)
    case = ChildCase(
        organisation_id=worker.organisation_id,
        reference=reference,
        category=category,
        worker_id=worker.id,
        opened_on=opened_on,
        closed_on=closed_on,
        created_at=now,
        updated_at=now,
        allocations=[CaseAllocation(worker_id=worker.id, allocated_on=opened_on, ended_on=closed_on)],
    )
    db.session.add(case)
    # The policy row a case's status reads, made now: pages made it in their own (rolled back)
    # transactions, and a test's open one would keep theirs waiting on PostgreSQL.
    get_policy(worker.organisation_id)
    db.session.commit()
    return case


def discuss(reference: str, worker: Staff, supervisor: Staff, held_on: date, signed: bool = True):
    """Oversight of a case: a discussion with a decision in a record its supervisor signed."""
    record = make_record(worker, supervisor, held_on=held_on, signed_by_supervisor=signed)
    now = datetime.now(UTC)
    record.case_discussions.append(
        CaseDiscussion(
            case_reference=reference, decision="Continue the plan.", created_at=now, updated_at=now
        )
    )
    db.session.commit()
    return record
