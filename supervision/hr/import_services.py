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

from supervision import csv_import
from supervision.clock import clock
from supervision.csv_import import FileRefused, ImportRefused
from supervision.extensions import db
from supervision.hr import import_rules
from supervision.hr.import_rules import (
    Directory,
    ExistingStaff,
    ImportActor,
    ImportPlan,
    TeamRef,
)
from supervision.hr.models import StaffImport
from supervision.org.changes import AccessChange, AccessState, record_changes
from supervision.org.models import Role, Service, Staff, StaffRole, Team

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_FILE_BYTES = 20 * 1024 * 1024
PENDING_FOR = timedelta(days=1)
# (stage, done, total): the command line prints these as the import goes.
Progress = Callable[[str, int, int], None]


class ImportChanged(Exception):
    """Staff details changed since the preview: the new plan must be shown before it is applied."""

    def __init__(self, plan: ImportPlan):
        super().__init__("the plan changed since the preview")
        self.plan = plan


class ImportGone(Exception):
    """No such held file: already applied, cancelled, expired, or someone else's."""


class ImportInterrupted(csv_import.ImportInterrupted):
    """Staff changed while the import was being written; it was rolled back, nothing is changed."""

    message = (
        "Staff details were changed by someone else while the file was being imported. "
        "Nothing was imported: try again."
    )


def too_big_problem(size: int) -> str | None:
    return csv_import.too_big_problem(size, MAX_FILE_BYTES)


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
    teams = []
    team_heads = {}
    for team_row in db.session.execute(
        sa.select(
            Team.id,
            Team.name,
            Team.manager_id,
            Service.name.label("service_name"),
            Service.manager_id.label("head_id"),
        )
        .join(Team.service)
        .where(Service.organisation_id == organisation_id)
    ):
        teams.append(TeamRef(team_row.id, team_row.name, team_row.service_name))
        team_heads[team_row.id] = (team_row.manager_id, team_row.head_id)
    roles_of: dict[int, set[Role]] = {}
    for staff_id, role in db.session.execute(
        sa.select(StaffRole.staff_id, StaffRole.role)
        .join(Staff, Staff.id == StaffRole.staff_id)
        .where(Staff.organisation_id == organisation_id, StaffRole.role.in_([Role.ADMIN, Role.HR]))
    ):
        roles_of.setdefault(staff_id, set()).add(role)
    return Directory(
        team_heads=team_heads,
        roles_of={staff_id: frozenset(roles) for staff_id, roles in roles_of.items()},
        staff=staff,
        line_managers=line_managers,
        employee_numbers_elsewhere=frozenset(elsewhere),
        email_owners=email_owners,
        teams=tuple(teams),
        unnumbered_by_email=unnumbered,
        employee_number_of=employee_number_of,
        today=clock().today(),
    )


def import_actor(actor_id: int | None) -> ImportActor | None:
    person = db.session.get(Staff, actor_id) if actor_id is not None else None
    return ImportActor(person.id, person.roles) if person is not None else None


def check_file(
    organisation_id: int, data: bytes, actor_id: int | None = None
) -> tuple[ImportPlan, Directory]:
    """Read and check a file; FileRefused when it cannot be read at all. Writes nothing.

    `actor_id`: the person importing through the pages, held to the separation of duties.
    """
    if problem := too_big_problem(len(data)):
        raise FileRefused([problem])
    text = import_rules.decode(data)
    directory = load_directory(organisation_id)
    return import_rules.plan_import(text, directory, import_actor(actor_id)), directory


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
    plan: ImportPlan,
    directory: Directory,
    organisation_id: int,
    progress: Progress | None,
    actor_id: int | None = None,
) -> None:
    """Write a checked plan in the current transaction: updates, then creates, then line managers.

    Addresses passed from one person to another go through a unique stand-in first, so the
    unique email constraint holds after every statement.
    """
    now = clock().now()
    changed = [*plan.updates, *plan.leavers]
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
    # (person, the folded employee number of their new line manager, whom this file creates)
    pointing_at_new = [
        (person, person.line_manager_row) for person in (*plan.creates, *changed) if person.line_manager_row
    ]
    ids = {}
    if pointing_at_new or plan.creates:
        ids = {
            import_rules.fold(number): staff_id
            for staff_id, number in db.session.execute(
                sa.select(Staff.id, Staff.employee_number).where(
                    Staff.organisation_id == organisation_id, Staff.employee_number.is_not(None)
                )
            )
            if number is not None  # as the query says
        }
    if pointing_at_new:
        _run(
            "Setting line managers",
            sa.update(Staff),
            [
                {
                    "id": person.existing_id or ids[import_rules.fold(person.employee_number)],
                    "line_manager_id": ids[manager_row],
                }
                for person, manager_row in pointing_at_new
            ],
            progress,
        )
    _record_access_changes(plan, directory, ids, actor_id, now)


def _record_access_changes(
    plan: ImportPlan, directory: Directory, ids: dict[str, int], actor_id: int | None, now
) -> None:
    """Audit line manager, team and email changes with old and new values, and tell people.

    People the file adds are audited but not told (a first import adds thousands at once).
    Roles and account status are not in the file, so they stay as they were.
    """

    def state(values, line_manager_id, staff_id) -> AccessState:
        roles = directory.roles_of.get(staff_id, frozenset())
        return AccessState(line_manager_id, values["team_id"], roles, str(values["email"]), True)

    existing_by_id = {
        existing.id: existing
        for existing in (*directory.staff.values(), *directory.unnumbered_by_email.values())
    }
    changes = []
    for person in (*plan.updates, *plan.leavers, *plan.creates):
        staff_id = person.existing_id or ids[import_rules.fold(person.employee_number)]
        manager_id = ids[person.line_manager_row] if person.line_manager_row else person.line_manager_id
        existing = existing_by_id.get(person.existing_id) if person.existing_id is not None else None
        before = state(existing.values, existing.values["line_manager_id"], staff_id) if existing else None
        changes.append(AccessChange(staff_id, before, state(person.values, manager_id, staff_id)))
    actor = db.session.get(Staff, actor_id) if actor_id is not None else None
    record_changes(actor, changes, now, notify_new_people=False)


def _apply_and_commit(
    plan: ImportPlan,
    directory: Directory,
    organisation_id: int,
    progress: Progress | None,
    extra=None,
    actor_id: int | None = None,
) -> None:
    try:
        apply_plan(plan, directory, organisation_id, progress, actor_id)
        if extra is not None:
            extra()
        db.session.commit()
    except IntegrityError:
        # Someone added a clashing email or employee number between the checks and now.
        db.session.rollback()
        raise ImportInterrupted() from None
    log.info(
        "staff import applied",
        extra={
            "organisation_id": organisation_id,
            # Not "created": a LogRecord attribute, which `extra` may not overwrite.
            "people_created": len(plan.creates),
            "people_updated": len(plan.updates),
            "people_leaving": len(plan.leavers),
            "people_unchanged": plan.unchanged,
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
    plan, _ = check_file(organisation_id, data, uploaded_by_id)
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
    plan, _ = check_file(pending.organisation_id, pending.content.encode("utf-8"), pending.uploaded_by_id)
    db.session.rollback()
    return plan


def confirm_import(organisation_id: int, uploaded_by_id: int, token: str) -> ImportPlan:
    """Apply a held file, exactly as previewed, and forget it; one transaction.

    ImportGone: no such file (expired, already applied, or someone else's). ImportRefused: it
    no longer passes the checks. ImportChanged: it would now do something other than the
    preview showed; the preview is updated so that the next confirm applies the new plan.
    """
    pending = pending_import(organisation_id, uploaded_by_id, token)
    if pending is None:
        raise ImportGone(token)
    plan, directory = check_file(organisation_id, pending.content.encode("utf-8"), uploaded_by_id)
    if not plan.ok:
        db.session.rollback()
        raise ImportRefused(plan)
    if plan.fingerprint() != pending.plan_fingerprint:
        pending.plan_fingerprint = plan.fingerprint()
        db.session.commit()
        raise ImportChanged(plan)
    _apply_and_commit(
        plan,
        directory,
        organisation_id,
        None,
        extra=lambda: db.session.delete(pending),
        actor_id=uploaded_by_id,
    )
    return plan


def discard_import(organisation_id: int, uploaded_by_id: int, token: str) -> None:
    pending = pending_import(organisation_id, uploaded_by_id, token)
    if pending is not None:
        db.session.delete(pending)
        db.session.commit()
