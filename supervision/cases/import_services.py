"""Caseload import use cases: check a file against the register, then apply it in one transaction.

The whole file is checked before anything is written (`import_rules.plan_import`); a plan with
no errors is applied with set-based statements (COPY or batched inserts for new cases, bulk
UPDATE by primary key for changed ones), so the 600,000 cases of a national-sized organisation
import in one go. Unchanged cases are not touched, so importing the same file twice changes
nothing. The audit entry and the log line carry counts, never a case reference (docs/cases.md).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence

import psycopg
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from supervision import bulk, csv_import
from supervision.audit.services import AuditAction, record_event
from supervision.cases import import_rules
from supervision.cases.import_rules import CasePlan, ExistingAllocation, ExistingCase, Register
from supervision.cases.models import CaseAllocation, ChildCase
from supervision.cases.services import insert_cases
from supervision.clock import clock
from supervision.csv_import import ImportRefused
from supervision.extensions import db
from supervision.org.models import Staff

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 64 * 1024 * 1024  # 1,000,000 rows of about 60 characters (supervision.limits)
AUDIT_OBJECT = "case_import"  # the audit entry's object: the organisation imported into


class ImportInterrupted(csv_import.ImportInterrupted):
    """The register changed while the file was being written; it was rolled back, nothing changed."""

    message = (
        "Cases were changed by someone else while the file was being imported. "
        "Nothing was imported: try again."
    )


def too_big_problem(size: int) -> str | None:
    return csv_import.too_big_problem(size, MAX_FILE_BYTES)


def load_register(organisation_id: int) -> Register:
    """The organisation's cases, their allocations and its staff, in three queries."""
    allocations: dict[int, list[ExistingAllocation]] = defaultdict(list)
    for case_id, allocation_id, worker_id, allocated_on, ended_on in db.session.execute(
        sa.select(
            CaseAllocation.case_id,
            CaseAllocation.id,
            CaseAllocation.worker_id,
            CaseAllocation.allocated_on,
            CaseAllocation.ended_on,
        )
        .join(ChildCase, ChildCase.id == CaseAllocation.case_id)
        .where(ChildCase.organisation_id == organisation_id)
        .order_by(CaseAllocation.case_id, CaseAllocation.allocated_on)
    ):
        allocations[case_id].append(ExistingAllocation(allocation_id, worker_id, allocated_on, ended_on))
    cases = {
        reference: ExistingCase(
            case_id, reference, category, opened_on, closed_on, tuple(allocations[case_id])
        )
        for case_id, reference, category, opened_on, closed_on in db.session.execute(
            sa.select(
                ChildCase.id,
                ChildCase.reference,
                ChildCase.category,
                ChildCase.opened_on,
                ChildCase.closed_on,
            ).where(ChildCase.organisation_id == organisation_id)
        )
    }
    by_number, by_email = {}, {}
    for staff_id, number, email in db.session.execute(
        sa.select(Staff.id, Staff.employee_number, Staff.email).where(
            Staff.organisation_id == organisation_id
        )
    ):
        if number:
            by_number[number.strip().casefold()] = staff_id
        by_email[email.lower()] = staff_id
    return Register(
        cases=cases, workers_by_number=by_number, workers_by_email=by_email, today=clock().today()
    )


def check_file(organisation_id: int, data: bytes) -> CasePlan:
    """Read and check a file; FileRefused when it cannot be read at all. Writes nothing."""
    if problem := too_big_problem(len(data)):
        raise csv_import.FileRefused([problem])
    text = csv_import.decode(data, import_rules.SHAPE.one_row_per)
    return import_rules.plan_import(text, load_register(organisation_id))


def _update_by_key(model, rows: Sequence[dict]) -> None:
    """Bulk UPDATE by primary key, one statement for each set of columns changed."""
    by_columns: dict[tuple[str, ...], list[dict]] = defaultdict(list)
    for row in rows:
        by_columns[tuple(sorted(row))].append(row)
    for batch in by_columns.values():
        db.session.execute(sa.update(model), batch)


def apply_plan(plan: CasePlan, organisation_id: int) -> None:
    """Write a checked plan in the current transaction."""
    now = clock().now()
    _update_by_key(
        ChildCase, [{"id": change.case_id, **change.values, "updated_at": now} for change in plan.changes]
    )
    _update_by_key(
        CaseAllocation,
        [
            {"id": allocation_id, "allocated_on": allocated_on, "ended_on": ended_on}
            for change in plan.changes
            for allocation_id, (allocated_on, ended_on) in change.allocations.items()
        ],
    )
    new_allocations = [
        (change.case_id, *change.new_allocation) for change in plan.changes if change.new_allocation
    ]
    if plan.creates:
        ids = insert_cases(
            db.session(),
            organisation_id,
            [
                (new.reference, new.category, new.worker_id, new.allocated_on, new.closed_on)
                for new in plan.creates
            ],
            now,
        )
        new_allocations += [
            (ids[new.reference], new.worker_id, new.allocated_on, new.closed_on) for new in plan.creates
        ]
    bulk.insert_rows(
        db.session(),
        CaseAllocation.__table__,
        ("case_id", "worker_id", "allocated_on", "ended_on"),
        new_allocations,
    )


def import_cases(
    organisation_id: int, data: bytes, *, actor_id: int | None = None, dry_run: bool = False
) -> CasePlan:
    """Check the whole file, then apply it and its audit entry in one transaction.

    A file with any error raises ImportRefused and writes nothing; `dry_run` checks and plans
    only. FileRefused when the file cannot be read as a caseload import at all. `actor_id`: the
    administrator importing through the page (None on the command line).
    """
    plan = check_file(organisation_id, data)
    if not plan.ok:
        db.session.rollback()
        raise ImportRefused(plan)
    if dry_run or not plan.changed:
        db.session.rollback()
        return plan
    try:
        apply_plan(plan, organisation_id)
        actor = db.session.get(Staff, actor_id) if actor_id is not None else None
        counts = plan.counts()
        record_event(
            actor,
            AuditAction.IMPORT,
            AUDIT_OBJECT,
            organisation_id,
            changes={name: [None, count] for name, count in counts.items()},
        )
        db.session.commit()
    except (IntegrityError, psycopg.IntegrityError):
        # Another import added one of these references between the checks and now (COPY on
        # PostgreSQL raises psycopg's own error: supervision/bulk.py writes through the driver).
        db.session.rollback()
        raise ImportInterrupted() from None
    except BaseException:
        db.session.rollback()
        raise
    log.info("caseload import applied", extra={"organisation_id": organisation_id, **counts})
    return plan
