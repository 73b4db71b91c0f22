"""Caseload import: read the case management system's CSV export, check all of it, plan the changes.

Pure functions, like the staff import (hr/import_rules.py), and read through the same plumbing
(supervision/csv_import.py): the register's current state comes in as a `Register`, and the
answer is a `CasePlan` of cases to add and to change, or every error by row and column. Nothing
here writes; `import_services.py` applies a plan that has no errors. docs/cases.md ("Importing
caseloads") describes the columns for administrators; keep the two in step.

A row describes a case as the case management system has it now:
- a reference the register does not hold adds the case, allocated to the worker from the
  allocated date (the oversight clock starts then);
- a case whose worker changes gets a new allocation from the allocated date, and the previous
  one ends the day before: the case keeps its history and its oversight clock;
- the same worker with another allocated date corrects the current allocation's first day;
- a closed date closes the case and its allocation; a blank one reopens a closed case;
- a case the file does not mention is left as it is (an export of one team does not close the
  others' cases).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from supervision import csv_import, limits
from supervision.cases.rules import CaseCategory, normalised_reference
from supervision.csv_import import CellProblem, FileShape, RowError

Value = TypeVar("Value")

REQUIRED_COLUMNS = ("case_reference", "worker", "category", "allocated_date")
COLUMNS = (*REQUIRED_COLUMNS, "closed_date")
SHAPE = FileShape(
    required=REQUIRED_COLUMNS,
    columns=COLUMNS,
    guide="docs/cases.md",
    one_row_per="case",
    max_rows=int(limits.CASE_IMPORT_ROWS.high),
)
REQUIRED_MESSAGES = {
    "case_reference": "Enter the case reference",
    "worker": "Enter the allocated worker’s employee number or email address",
    "category": "Enter the category",
    "allocated_date": "Enter the date the case was allocated to the worker",
}
LABELS = {
    "case_reference": "Case reference",
    "worker": "Worker",
    "allocated_date": "Allocated date",
    "closed_date": "Closed date",
}
CATEGORY_BY_NAME = {
    name: category
    for category in CaseCategory
    for name in (category.value, csv_import.header_name(category.label))
}


# ------------------------------------------------------------------- database state


@dataclass(frozen=True)
class ExistingAllocation:
    id: int
    worker_id: int
    allocated_on: date
    ended_on: date | None


@dataclass(frozen=True)
class ExistingCase:
    id: int
    reference: str
    category: CaseCategory
    opened_on: date
    closed_on: date | None
    allocations: tuple[ExistingAllocation, ...]  # earliest first; the last is the current one


@dataclass(frozen=True)
class Register:
    """What the checks need of the database, loaded set-based by the service."""

    cases: Mapping[str, ExistingCase]  # by reference
    workers_by_number: Mapping[str, int]  # folded employee number -> staff id, this organisation
    workers_by_email: Mapping[str, int]  # lower-case email -> staff id, this organisation
    today: date


# ------------------------------------------------------------------------------ plan


@dataclass(frozen=True)
class NewCase:
    row: int
    reference: str
    category: CaseCategory
    worker_id: int
    allocated_on: date
    closed_on: date | None


@dataclass(frozen=True)
class CaseChange:
    """An existing case brought in line with its row: the case's new values, the allocations
    that change (id -> new allocated_on and ended_on) and the allocation it gains, if any."""

    row: int
    case_id: int
    values: Mapping[str, object]  # category, worker_id, opened_on, closed_on
    allocations: Mapping[int, tuple[date, date | None]]
    new_allocation: tuple[int, date, date | None] | None  # worker id, allocated on, ended on
    what: tuple[str, ...]  # "category", "reallocated", "allocated date", "closed", "reopened"


@dataclass(frozen=True)
class CasePlan:
    rows: int
    creates: tuple[NewCase, ...] = ()
    changes: tuple[CaseChange, ...] = ()
    unchanged: int = 0
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return bool(self.creates or self.changes)

    def count(self, what: str) -> int:
        """How many changed cases were changed in this way ("reallocated", "closed", ...)."""
        return sum(1 for change in self.changes if what in change.what)

    def counts(self) -> dict[str, int]:
        """For the audit entry and the summaries: numbers only, never a reference."""
        return {
            "rows": self.rows,
            "cases_added": len(self.creates),
            "cases_changed": len(self.changes),
            "cases_reallocated": self.count("reallocated"),
            "cases_closed": self.count("closed") + sum(1 for new in self.creates if new.closed_on),
            "cases_unchanged": self.unchanged,
        }


# ------------------------------------------------------------------------ one row


@dataclass
class ParsedRow:
    row: int
    reference: str = ""
    worker_id: int | None = None
    category: CaseCategory | None = None
    allocated_on: date | None = None
    closed_on: date | None = None
    existing: ExistingCase | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def fail(self, column: str, message: str) -> None:
        self.errors.setdefault(column, message)


def parse_category(text: str) -> CaseCategory:
    found = CATEGORY_BY_NAME.get(text.lower()) or CATEGORY_BY_NAME.get(csv_import.header_name(text))
    if found is None:
        raise CellProblem(
            "Category must be one of: " + ", ".join(category.value for category in CaseCategory)
        )
    return found


def find_worker(text: str, register: Register) -> int:
    if problem := limits.text_problem(text, LABELS["worker"], limits.TEXT["worker"]):
        raise CellProblem(problem)
    if "@" in text:
        found = register.workers_by_email.get(text.lower())
        if found is None:
            raise CellProblem(f"Nobody in the organisation has the email address {text}")
        return found
    found = register.workers_by_number.get(text.casefold())
    if found is None:
        raise CellProblem(f"Nobody in the organisation has the employee number {text}")
    return found


def parse_case_date(text: str, column: str, today: date, kept: date | None) -> date | None:
    """A date within its range (supervision.limits), unless it is the one the register holds."""
    value = csv_import.parse_date(text, LABELS[column].lower())
    problem = value != kept and limits.date_problem(value, LABELS[column], limits.DATES[column], today)
    if problem:
        raise CellProblem(problem)
    return value


def parse_row(row: int, cells: Mapping[str, str], register: Register) -> ParsedRow:
    """Each value read on its own, within its limit; rules that compare values come afterwards."""
    parsed = ParsedRow(row)
    for column, message in REQUIRED_MESSAGES.items():
        if not cells[column]:
            parsed.fail(column, message)
    reference = cells["case_reference"]
    if reference and (problem := limits.text_problem(reference, "Case reference", limits.CASE_REFERENCE)):
        parsed.fail("case_reference", problem)
    elif reference:
        parsed.reference = normalised_reference(reference)
        parsed.existing = register.cases.get(parsed.reference)
    current = parsed.existing.allocations[-1] if parsed.existing else None

    def read(column: str, reader: Callable[[str], Value]) -> Value | None:
        """The cell's value; None when it is blank, already refused, or refused now."""
        text = cells.get(column, "")
        if not text or column in parsed.errors:
            return None
        try:
            return reader(text)
        except CellProblem as problem:
            parsed.fail(column, str(problem))
            return None

    parsed.worker_id = read("worker", lambda text: find_worker(text, register))
    parsed.category = read("category", parse_category)
    parsed.allocated_on = read(
        "allocated_date",
        lambda text: parse_case_date(
            text, "allocated_date", register.today, current.allocated_on if current else None
        ),
    )
    parsed.closed_on = read(
        "closed_date",
        lambda text: parse_case_date(
            text, "closed_date", register.today, parsed.existing.closed_on if parsed.existing else None
        ),
    )
    if parsed.allocated_on and parsed.closed_on and parsed.closed_on < parsed.allocated_on:
        parsed.fail("closed_date", "The closed date must be on or after the allocated date")
    return parsed


def change_of(parsed: ParsedRow, case: ExistingCase) -> CaseChange | None:
    """What the row changes in an existing case; None when it says what the register holds.

    A refusal (an allocated date before the history allows) goes on the row's errors.
    """
    worker_id, allocated_on, closed_on = parsed.worker_id, parsed.allocated_on, parsed.closed_on
    if worker_id is None or allocated_on is None or parsed.category is None:
        raise ValueError("a row without errors has its worker, allocated date and category")
    current = case.allocations[-1]
    previous = case.allocations[-2] if len(case.allocations) > 1 else None
    values: dict[str, object] = {}
    allocations: dict[int, tuple[date, date | None]] = {}
    new_allocation = None
    what: list[str] = []
    if parsed.category != case.category:
        values["category"] = parsed.category
        what.append("category")
    if worker_id != current.worker_id:
        if allocated_on <= current.allocated_on:
            parsed.fail(
                "allocated_date",
                "The case moves to another worker, so the allocated date must be after "
                f"{limits.long_date(current.allocated_on)}, when its current worker was allocated it",
            )
            return None
        day_before = allocated_on - timedelta(days=1)
        ended = day_before if current.ended_on is None else min(current.ended_on, day_before)
        allocations[current.id] = (current.allocated_on, ended)
        new_allocation = (worker_id, allocated_on, closed_on)
        values["worker_id"] = worker_id
        what.append("reallocated")
    else:
        start = current.allocated_on
        if allocated_on != current.allocated_on:
            if previous is not None and allocated_on <= previous.allocated_on:
                parsed.fail(
                    "allocated_date",
                    f"The allocated date must be after {limits.long_date(previous.allocated_on)}, "
                    "when the case's previous worker was allocated it",
                )
                return None
            start = allocated_on
            if previous is not None:
                allocations[previous.id] = (previous.allocated_on, allocated_on - timedelta(days=1))
            else:
                values["opened_on"] = allocated_on
            what.append("allocated date")
        if start != current.allocated_on or closed_on != current.ended_on:
            allocations[current.id] = (start, closed_on)
    if closed_on != case.closed_on:
        values["closed_on"] = closed_on
        what.append("closed" if closed_on is not None else "reopened")
    if not values and not allocations and new_allocation is None:
        return None
    return CaseChange(parsed.row, case.id, values, allocations, new_allocation, tuple(what))


# ----------------------------------------------------------------------- the plan


def plan_import(text: str, register: Register) -> CasePlan:
    """Check the whole file and say what importing it would do, or everything wrong with it."""
    header, body = csv_import.read_rows(text, SHAPE)
    errors: list[RowError] = []
    parsed_rows: list[ParsedRow] = []
    first_row: dict[str, int] = {}
    for number, cells in body:
        if wrong := csv_import.wrong_width(number, cells, header):
            errors.append(wrong)
            continue
        values = {column: value.strip() for column, value in zip(header, cells, strict=True)}
        parsed = parse_row(number, values, register)
        if parsed.reference:
            if parsed.reference in first_row:
                parsed.fail(
                    "case_reference",
                    f"Case reference {parsed.reference} is also on row {first_row[parsed.reference]}",
                )
            else:
                first_row[parsed.reference] = number
        parsed_rows.append(parsed)

    creates, changes, unchanged = [], [], 0
    for parsed in parsed_rows:
        if parsed.errors:
            continue
        if parsed.worker_id is None or parsed.category is None or parsed.allocated_on is None:
            raise ValueError("a row without errors has its worker, allocated date and category")
        if parsed.existing is None:
            creates.append(
                NewCase(
                    parsed.row,
                    parsed.reference,
                    parsed.category,
                    parsed.worker_id,
                    parsed.allocated_on,
                    parsed.closed_on,
                )
            )
            continue
        change = change_of(parsed, parsed.existing)
        if change is not None:
            changes.append(change)
        elif not parsed.errors:
            unchanged += 1
    for parsed in parsed_rows:
        errors.extend(RowError(parsed.row, column, message) for column, message in parsed.errors.items())
    if errors:
        return CasePlan(rows=len(body), errors=csv_import.sorted_errors(errors, COLUMNS))
    return CasePlan(rows=len(body), creates=tuple(creates), changes=tuple(changes), unchanged=unchanged)
