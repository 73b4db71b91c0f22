"""Staff import use cases: check a file against the database, hold it for confirmation, apply it.

The whole file is checked before anything is written (`import_rules.plan_import`); a plan with
no errors is applied in one transaction with set-based statements (bulk INSERT and bulk UPDATE
by primary key, a thousand rows a statement), so 40,000 rows take seconds, not minutes.
Unchanged people are not touched at all, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from supervision.auth.services import end_access
from supervision.clock import clock
from supervision.extensions import db
from supervision.hr import import_rules
from supervision.hr.import_rules import Directory, ExistingStaff, FileRefused, ImportPlan, TeamRef
from supervision.hr.models import StaffImport
from supervision.org.models import Service, Staff, Team

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_FILE_BYTES = 20 * 1024 * 1024
PENDING_FOR = timedelta(days=1)
# (stage, done, total): the command line prints these as the import goes.
Progress = Callable[[str, int, int], None]


class ImportRefused(Exception):
    """The file was not imported; nothing was written. `plan.errors` lists each problem."""

    def __init__(self, plan: ImportPlan):
        super().__init__(f"{len(plan.errors)} errors")
        self.plan = plan


class ImportChanged(Exception):
    """Staff details changed since the preview: the new plan must be shown before it is applied."""

    def __init__(self, plan: ImportPlan):
        super().__init__("the plan changed since the preview")
        self.plan = plan


class ImportInterrupted(Exception):
    """Staff changed while the import was being written; it was rolled back, nothing is changed."""

    message = (
        "Staff details were changed by someone else while the file was being imported. "
        "Nothing was imported: try again."
    )


def too_big_problem(size: int) -> str | None:
    if size > MAX_FILE_BYTES:
        return f"The file must be smaller than {MAX_FILE_BYTES // (1024 * 1024)} MB"
    return None


# ------------------------------------------------------------------- loading


def load_directory(organisation_id: int) -> Directory:
    """Everything the checks compare against, in three queries whatever the number of staff."""
    columns = [getattr(Staff, name) for name in import_rules.STAFF_ATTRIBUTES]
    staff: dict[str, ExistingStaff] = {}
    unnumbered: dict[str, ExistingStaff] = {}
    line_managers: dict[int, int | None] = {}
    employee_number_of: dict[int, str | None] = {}
    email_owners: dict[str, int] = {}
    elsewhere: set[str] = set()
    for row in db.session.execute(
        sa.select(Staff.id, Staff.organisation_id, *columns).order_by(Staff.id)
    ).mappings():
        email_owners[row["email"].lower()] = row["id"]
        if row["organisation_id"] != organisation_id:
            if row["employee_number"]:
                elsewhere.add(import_rules.fold(row["employee_number"]))
            continue
        person = ExistingStaff(
            id=row["id"],
            values={name: row[name] for name in import_rules.STAFF_ATTRIBUTES},
        )
        line_managers[person.id] = row["line_manager_id"]
        employee_number_of[person.id] = row["employee_number"]
        if row["employee_number"]:
            staff[import_rules.fold(row["employee_number"])] = person
        else:
            unnumbered[row["email"].lower()] = person
    teams = tuple(
        TeamRef(row.id, row.name, row.service_name)
        for row in db.session.execute(
            sa.select(Team.id, Team.name, Service.name.label("service_name"))
            .join(Team.service)
            .where(Service.organisation_id == organisation_id)
        )
    )
    return Directory(
        staff=staff,
        line_managers=line_managers,
        employee_numbers_elsewhere=frozenset(elsewhere),
        email_owners=email_owners,
        teams=teams,
        unnumbered_by_email=unnumbered,
        employee_number_of=employee_number_of,
    )


def check_file(organisation_id: int, data: bytes) -> tuple[ImportPlan, Directory]:
    """Read and check a file; FileRefused when it cannot be read at all. Writes nothing."""
    if problem := too_big_problem(len(data)):
        raise FileRefused([problem])
    text = import_rules.decode(data)
    directory = load_directory(organisation_id)
    return import_rules.plan_import(text, directory), directory


# ------------------------------------------------------------------- applying


def _batches(items: Sequence[dict], size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _run(stage: str, statement, rows: list[dict], progress: Progress | None) -> None:
    done = 0
    for batch in _batches(rows):
        db.session.execute(statement, batch)
        done += len(batch)
        if progress:
            progress(stage, done, len(rows))


def _moves_an_email(plan: ImportPlan, directory: Directory) -> bool:
    """True when a row takes an address somebody else holds now (it is being freed in the same file)."""
    for person in (*plan.creates, *plan.updates, *plan.leavers):
        owner = directory.email_owners.get(str(person.values["email"]))
        if owner is not None and owner != person.existing_id:
            return True
    return False


def apply_plan(
    plan: ImportPlan, directory: Directory, organisation_id: int, progress: Progress | None
) -> None:
    """Write a checked plan in the current transaction: updates, then creates, then line managers.

    Addresses passed from one person to another go through a unique stand-in first, so the
    unique email constraint holds after every statement.
    """
    now = clock().now()
    changed = [*plan.updates, *plan.leavers]
    # A new email ends the person's sessions and API tokens, in this same transaction.
    end_access([p.existing_id for p in changed if "email" in p.changes], "email changed by staff import")
    if _moves_an_email(plan, directory):
        stand_ins = [
            {"id": p.existing_id, "email": f"moving-{p.existing_id}@import.invalid"}
            for p in changed
            if "email" in p.changes
        ]
        _run("Freeing email addresses", sa.update(Staff), stand_ins, progress)

    _run(
        "Updating",
        sa.update(Staff),
        [
            {
                **person.values,
                "id": person.existing_id,
                "line_manager_id": person.line_manager_id,
                "updated_at": now,
            }
            for person in changed
        ],
        progress,
    )
    _run(
        "Creating",
        sa.insert(Staff),
        [
            {
                **person.values,
                "organisation_id": organisation_id,
                "line_manager_id": person.line_manager_id,
                "created_at": now,
                "updated_at": now,
            }
            for person in plan.creates
        ],
        progress,
    )
    pointing_at_new = [person for person in (*plan.creates, *changed) if person.line_manager_row]
    if pointing_at_new:
        ids = {
            import_rules.fold(number): staff_id
            for staff_id, number in db.session.execute(
                sa.select(Staff.id, Staff.employee_number).where(
                    Staff.organisation_id == organisation_id, Staff.employee_number.is_not(None)
                )
            )
        }
        _run(
            "Setting line managers",
            sa.update(Staff),
            [
                {
                    "id": person.existing_id or ids[import_rules.fold(person.employee_number)],
                    "line_manager_id": ids[person.line_manager_row],
                }
                for person in pointing_at_new
            ],
            progress,
        )


def _apply_and_commit(
    plan: ImportPlan, directory: Directory, organisation_id: int, progress: Progress | None, extra=None
) -> None:
    try:
        apply_plan(plan, directory, organisation_id, progress)
        if extra is not None:
            extra()
        db.session.commit()
    except IntegrityError:
        # Someone added a clashing email or employee number between the checks and now.
        db.session.rollback()
        raise ImportInterrupted(ImportInterrupted.message) from None
    log.info(
        "staff import applied",
        extra={
            "organisation_id": organisation_id,
            "created": len(plan.creates),
            "updated": len(plan.updates),
            "leavers": len(plan.leavers),
            "unchanged": plan.unchanged,
        },
    )


def import_staff(
    organisation_id: int,
    data: bytes,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    on_checked: Callable[[ImportPlan], None] | None = None,
) -> ImportPlan:
    """The command-line use case: check the whole file, then apply it in one transaction.

    A file with any error raises ImportRefused and writes nothing; `dry_run` checks and plans
    only. FileRefused when the file cannot be read as a staff import at all.
    """
    plan, directory = check_file(organisation_id, data)
    if not plan.ok:
        db.session.rollback()
        raise ImportRefused(plan)
    if on_checked is not None:
        on_checked(plan)
    if dry_run or not plan.changed:
        db.session.rollback()
        return plan
    _apply_and_commit(plan, directory, organisation_id, progress)
    return plan


# ------------------------------------------------------- upload, preview and confirm


def hold_for_confirmation(
    organisation_id: int, uploaded_by_id: int, filename: str, data: bytes
) -> tuple[StaffImport, ImportPlan]:
    """Check an uploaded file and keep it until the person confirms the preview.

    A refused file is not kept. Files nobody confirmed are cleared after a day.
    """
    plan, _ = check_file(organisation_id, data)
    if not plan.ok:
        db.session.rollback()
        raise ImportRefused(plan)
    now = clock().now()
    db.session.execute(sa.delete(StaffImport).where(StaffImport.created_at < now - PENDING_FOR))
    pending = StaffImport(
        token=secrets.token_urlsafe(32),
        organisation_id=organisation_id,
        uploaded_by_id=uploaded_by_id,
        filename=(filename or "staff.csv")[:255],
        content=data.decode("utf-8-sig"),
        content_sha256=hashlib.sha256(data).hexdigest(),
        plan_fingerprint=plan.fingerprint(),
        created_at=now,
    )
    db.session.add(pending)
    db.session.commit()
    log.info("staff import held for confirmation", extra={"staff_import_id": pending.id, "rows": plan.rows})
    return pending, plan


def pending_import(organisation_id: int, uploaded_by_id: int, token: str) -> StaffImport | None:
    """A file held for this person in this organisation, not yet expired."""
    if not token:
        return None
    return db.session.scalar(
        sa.select(StaffImport).where(
            StaffImport.token == token,
            StaffImport.organisation_id == organisation_id,
            StaffImport.uploaded_by_id == uploaded_by_id,
            StaffImport.created_at >= clock().now() - PENDING_FOR,
        )
    )


def preview(pending: StaffImport) -> ImportPlan:
    plan, _ = check_file(pending.organisation_id, pending.content.encode("utf-8"))
    db.session.rollback()
    return plan


def confirm_import(organisation_id: int, uploaded_by_id: int, token: str) -> ImportPlan:
    """Apply a held file, exactly as previewed, and forget it; one transaction.

    LookupError: no such file (expired, already applied, or someone else's). ImportRefused: it
    no longer passes the checks. ImportChanged: it would now do something other than the
    preview showed; the preview is updated so that the next confirm applies the new plan.
    """
    pending = pending_import(organisation_id, uploaded_by_id, token)
    if pending is None:
        raise LookupError(token)
    plan, directory = check_file(organisation_id, pending.content.encode("utf-8"))
    if not plan.ok:
        db.session.rollback()
        raise ImportRefused(plan)
    if plan.fingerprint() != pending.plan_fingerprint:
        pending.plan_fingerprint = plan.fingerprint()
        db.session.commit()
        raise ImportChanged(plan)
    _apply_and_commit(plan, directory, organisation_id, None, extra=lambda: db.session.delete(pending))
    return plan


def discard_import(organisation_id: int, uploaded_by_id: int, token: str) -> None:
    pending = pending_import(organisation_id, uploaded_by_id, token)
    if pending is not None:
        db.session.delete(pending)
        db.session.commit()
