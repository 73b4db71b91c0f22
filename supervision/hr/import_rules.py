"""Staff import: read a CSV file from the HR system, check all of it, and plan the changes.

Pure functions: the database's current state comes in as a `Directory`, and the answer is an
`ImportPlan` of people to create, update and record as leavers, or every error by row and
column. Nothing here writes; `import_services.py` applies a plan that has no errors. The
columns and values are documented for HR in docs/import.md; keep the two in step.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first person row 2.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from supervision import csv_import, limits
from supervision.csv_import import (
    WHOLE_ROW,
    CellProblem,
    FileShape,
    RowError,
    header_name,
    parse_date,
    sorted_errors,
    wrong_width,
)
from supervision.org import rules
from supervision.org.models import CareerStage, ContractType, LeavingDestination, Role
from supervision.org.rules import StaffDetails
from supervision.permissions import overseer_ids, oversight_gained

# A column's value once read: its type depends on the column (PARSERS: a date, a choice, FTE...),
# which the type of a mapping from column names cannot say.
CellValue = Any
Choice = CareerStage | ContractType | LeavingDestination
ChoiceEnum = type[CareerStage] | type[ContractType] | type[LeavingDestination]

REQUIRED_COLUMNS = (
    "employee_number",
    "email",
    "given_name",
    "family_name",
    "career_stage",
    "registered_social_worker",
    "contract_type",
    "fte",
    "start_date",
)
OPTIONAL_COLUMNS = (
    "job_title",
    "caseload",
    "end_date",
    "leaving_reason",
    "leaving_destination",
    "team",
    "line_manager_employee_number",
    "swe_registration_number",
    "swe_renewal_date",
    "dbs_check_date",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# The Staff attributes a file sets, and the value a new person gets when its column is left out.
DEFAULTS: dict[str, CellValue] = {
    "job_title": "",
    "caseload": None,
    "end_date": None,
    "leaving_reason": None,
    "leaving_destination": None,
    "team_id": None,
    "swe_registration_number": None,
    "swe_renewal_date": None,
    "dbs_check_date": None,
}
# Columns whose value is stored under another name.
ATTRIBUTE_OF_COLUMN = {"team": "team_id", "line_manager_employee_number": "line_manager_id"}
COLUMN_OF_ATTRIBUTE = {attribute: column for column, attribute in ATTRIBUTE_OF_COLUMN.items()}
STAFF_ATTRIBUTES = tuple(ATTRIBUTE_OF_COLUMN.get(column, column) for column in COLUMNS)

SHAPE = FileShape(required=REQUIRED_COLUMNS, columns=COLUMNS, guide="docs/import.md", one_row_per="person")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
LOOP_SHOWN = 6  # a line-management loop longer than this is shortened with "…" in the message


# ------------------------------------------------------------------- database state


@dataclass(frozen=True)
class ExistingStaff:
    """A person already in the organisation, with the values an import may change."""

    id: int
    values: Mapping[str, CellValue]  # every name in STAFF_ATTRIBUTES, plus "employee_number"


@dataclass(frozen=True)
class TeamRef:
    id: int
    name: str
    service_name: str


@dataclass(frozen=True)
class Directory:
    """What the checks need to know about the database, loaded set-based by the service."""

    staff: Mapping[str, ExistingStaff]  # this organisation's people by folded employee number
    line_managers: Mapping[int, int | None]  # staff id -> line manager id, whole organisation
    employee_numbers_elsewhere: frozenset[str]  # folded, held in other organisations
    email_owners: Mapping[str, int]  # lower-case email -> staff id, every organisation
    teams: tuple[TeamRef, ...]
    # People with no employee number yet, by lower-case email: a file gives them theirs.
    unnumbered_by_email: Mapping[str, ExistingStaff] = field(default_factory=dict)
    employee_number_of: Mapping[int, str | None] = field(default_factory=dict)  # for messages
    # The clock's today, for the dates' ranges (supervision.limits.DATES); the service sets it.
    today: date | None = None
    # team id -> (team manager id, head of service id), for who oversees whom
    team_heads: Mapping[int, tuple[int | None, int | None]] = field(default_factory=dict)
    roles_of: Mapping[int, frozenset[Role]] = field(default_factory=dict)  # people holding any role

    def heads_of(self, team_id: int | None) -> tuple[int | None, ...]:
        """The team's manager and its head of service; nobody for no team."""
        return () if team_id is None else self.team_heads.get(team_id, ())

    def find(self, employee_number: str, email: str) -> ExistingStaff | None:
        """The person a row is about: by employee number, else by the email of someone unnumbered."""
        if not employee_number:
            return None
        found = self.staff.get(fold(employee_number))
        if found is None and email:
            found = self.unnumbered_by_email.get(email.strip().lower())
        return found


@dataclass(frozen=True)
class ImportActor:
    """The person importing, for the separation of duties (docs/roles.md); None on the command line."""

    id: int
    roles: frozenset[Role]


# ------------------------------------------------------------------------------ plan


@dataclass(frozen=True)
class PlannedStaff:
    row: int
    employee_number: str
    existing_id: int | None
    values: Mapping[str, CellValue]  # Staff attribute -> value; the line manager is resolved below
    line_manager_id: int | None = None  # an existing person
    line_manager_row: str | None = None  # the folded employee number of a person this file creates
    changes: tuple[str, ...] = ()  # the columns that differ from the database (updates only)

    @property
    def name(self) -> str:
        return f"{self.values['given_name']} {self.values['family_name']}"


@dataclass(frozen=True)
class ImportPlan:
    rows: int
    creates: tuple[PlannedStaff, ...] = ()
    updates: tuple[PlannedStaff, ...] = ()
    leavers: tuple[PlannedStaff, ...] = ()  # existing people given an end date they did not have
    unchanged: int = 0
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return bool(self.creates or self.updates or self.leavers)

    def fingerprint(self) -> str:
        """Identifies what the plan would do, so a confirm can tell the data moved under it."""
        digest = hashlib.sha256()
        for kind, planned in (("create", self.creates), ("update", self.updates), ("leave", self.leavers)):
            for person in planned:
                digest.update(repr((kind, person.row, person.existing_id, person.changes)).encode())
        digest.update(repr((self.unchanged, self.errors)).encode())
        return digest.hexdigest()


# ------------------------------------------------------------------------ reading


def fold(text: str) -> str:
    """Employee numbers, emails and names are matched without regard to case."""
    return text.strip().casefold()


def decode(data: bytes) -> str:
    return csv_import.decode(data, SHAPE.one_row_per)


def read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and each non-blank row with its spreadsheet row number."""
    return csv_import.read_rows(text, SHAPE)


# ------------------------------------------------------------------ parsing values


def _choices(enum_cls: ChoiceEnum) -> dict[str, Choice]:
    """Each member by its code and by its label, both in the form `header_name` gives."""
    return {key: member for member in enum_cls for key in (member.value, header_name(member.label))}


CHOICES: dict[ChoiceEnum, dict[str, Choice]] = {
    enum_cls: _choices(enum_cls) for enum_cls in (CareerStage, ContractType, LeavingDestination)
}


def parse_choice(text: str, enum_cls: ChoiceEnum, label: str) -> Choice | None:
    """A choice by its code (fixed_term) or its label (Fixed term), in any case."""
    if not text:
        return None
    found = CHOICES[enum_cls].get(text.lower()) or CHOICES[enum_cls].get(header_name(text))
    if found is None:
        codes = ", ".join(member.value for member in enum_cls)
        raise CellProblem(f"{label} must be one of: {codes}")
    return found


def parse_yes_no(text: str) -> bool | None:
    if not text:
        return None
    if text.lower() in YES:
        return True
    if text.lower() in NO:
        return False
    raise CellProblem("Registered social worker must be yes or no")


def parse_fte(text: str) -> Decimal | None:
    if not text:
        return None
    value = rules.parse_decimal(text)
    if value is None:
        raise CellProblem("FTE must be a number, like 0.6")
    return value


def parse_caseload(text: str) -> int | None:
    if not text:
        return None
    value = rules.parse_whole_number(text)
    if value is None:
        raise CellProblem("Caseload must be a whole number, like 12")
    return value


DATE_LABELS = {
    "start_date": "Start date",
    "end_date": "End date",
    "swe_renewal_date": "Social Work England renewal date",
    "dbs_check_date": "DBS check date",
}
PARSERS: dict[str, Callable[[str], CellValue]] = {
    "career_stage": lambda text: parse_choice(text, CareerStage, "Career stage"),
    "contract_type": lambda text: parse_choice(text, ContractType, "Contract type"),
    "leaving_destination": lambda text: parse_choice(text, LeavingDestination, "Leaving destination"),
    "registered_social_worker": parse_yes_no,
    "fte": parse_fte,
    "caseload": parse_caseload,
    "start_date": lambda text: parse_date(text, "start date"),
    "end_date": lambda text: parse_date(text, "end date"),
    "swe_renewal_date": lambda text: parse_date(text, "Social Work England renewal date"),
    "dbs_check_date": lambda text: parse_date(text, "DBS check date"),
}
REQUIRED_MESSAGES = {
    "employee_number": "Enter the employee number",
    "email": "Enter the email address",
    "given_name": "Enter the given name",
    "family_name": "Enter the family name",
    "career_stage": "Enter the career stage",
    "registered_social_worker": "Enter yes or no for registered social worker",
    "contract_type": "Enter the contract type",
    "fte": "Enter the FTE, like 1 for full time or 0.6 for 3 days a week",
    "start_date": "Enter the start date",
}


# ------------------------------------------------------------------------- teams


class TeamFinder:
    """A team by its id, by "Service/Team", or by a team name no other service uses."""

    def __init__(self, teams: Iterable[TeamRef]):
        self.by_id: dict[str, TeamRef] = {}
        self.by_service_and_name: dict[tuple[str, str], TeamRef] = {}
        self.by_name: dict[str, list[TeamRef]] = defaultdict(list)
        self.services: set[str] = set()
        for team in teams:
            self.by_id[str(team.id)] = team
            self.by_service_and_name[(fold(team.service_name), fold(team.name))] = team
            self.by_name[fold(team.name)].append(team)
            self.services.add(fold(team.service_name))

    def find(self, text: str) -> int | None:
        if not text:
            return None
        if re.fullmatch(r"[0-9]+", text):
            if text not in self.by_id:
                raise CellProblem(f"There is no team with the id {text}")
            return self.by_id[text].id
        if "/" in text:
            service, name = (part.strip() for part in text.split("/", 1))
            team = self.by_service_and_name.get((fold(service), fold(name)))
            if team is not None:
                return team.id
            if fold(service) not in self.services:
                raise CellProblem(f"There is no service called {service}")
            raise CellProblem(f"The service {service} has no team called {name}")
        matches = self.by_name.get(fold(text), [])
        if not matches:
            raise CellProblem(f"There is no team called {text}")
        if len(matches) > 1:
            raise CellProblem(
                f"More than one service has a team called {text}: write the service too, "
                f"like {matches[0].service_name}/{matches[0].name}"
            )
        return matches[0].id


# ------------------------------------------------------------------------ one row


DETAIL_NAMES = tuple(f.name for f in dataclasses.fields(StaffDetails))
PLACEHOLDERS: dict[str, CellValue] = {
    "given_name": "",
    "family_name": "",
    "email": "",
    "employee_number": "",
    "career_stage": CareerStage.OTHER,
    "registered_social_worker": False,
    "contract_type": ContractType.PERMANENT,
    "fte": Decimal("1"),
    "start_date": date.min,
}


@dataclass
class ParsedRow:
    row: int
    cells: dict[str, str]
    existing: ExistingStaff | None = None
    values: dict[str, CellValue] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # column -> message

    def fail(self, column: str, message: str) -> None:
        self.errors.setdefault(column, message)


def parse_row(
    row: int,
    cells: dict[str, str],
    teams: TeamFinder,
    today: date | None = None,
    existing: ExistingStaff | None = None,
) -> ParsedRow:
    """Each value read on its own, within its limit (supervision.limits, as on the staff page;
    a date the person already has is kept as it is); rules that compare values come afterwards."""
    parsed = ParsedRow(row, cells, existing)
    for column, text in cells.items():
        if column == "line_manager_employee_number":
            continue
        if column in REQUIRED_MESSAGES and not text:
            parsed.fail(column, REQUIRED_MESSAGES[column])
            continue
        value: CellValue
        try:
            if column == "team":
                value = teams.find(text)
            elif column in PARSERS:
                value = PARSERS[column](text)
            else:
                value = text
            kept = existing is not None and existing.values.get(column) == value
            if column in DATE_LABELS and today is not None and not kept:
                problem = limits.date_problem(value, DATE_LABELS[column], limits.DATES[column], today)
                if problem:
                    raise CellProblem(problem)
        except CellProblem as problem:
            parsed.fail(column, str(problem))
        else:
            parsed.values[ATTRIBUTE_OF_COLUMN.get(column, column)] = value
    return parsed


def merged_details(parsed: ParsedRow, existing: ExistingStaff | None) -> StaffDetails:
    """The person as they would be after the import: the file's values over the current ones.

    A value that could not be read keeps a harmless stand-in; its own error is already listed.
    """
    base = {**(existing.values if existing else DEFAULTS), **parsed.values}
    values: dict[str, CellValue] = {name: base.get(name) for name in DETAIL_NAMES}
    for name, stand_in in PLACEHOLDERS.items():
        if values[name] is None:
            values[name] = stand_in
    values["team_id"] = None
    values["line_manager_id"] = None
    return rules.normalised(StaffDetails(**values))


def person_problems(details: StaffDetails) -> dict[str, str]:
    """The organisation's rules for one person (`rules.staff_details_problems`), the same messages.

    Composed here from the same rule functions because that function copies the details with
    `dataclasses.asdict` first, which is most of the time taken for a 40,000-row file.
    """
    problems = rules.text_problems(vars(details), rules.STAFF_TEXT_FIELDS)
    checks = {
        "email": rules.email_problem(details.email),
        "swe_registration_number": rules.swe_number_problem(details.swe_registration_number),
        "fte": rules.fte_problem(details.fte),
        "caseload": rules.caseload_problem(details.caseload),
        "end_date": rules.end_date_problem(details.start_date, details.end_date),
    }
    for attribute, message in checks.items():
        if message and attribute not in problems:
            problems[attribute] = message
    for attribute, message in rules.leaving_problems(
        details.end_date, details.leaving_reason, details.leaving_destination
    ).items():
        problems.setdefault(attribute, message)
    return problems


def check_details(parsed: ParsedRow, details: StaffDetails) -> None:
    """Put each broken rule on the column it is about, unless that column already has an error."""
    for attribute, message in person_problems(details).items():
        column = COLUMN_OF_ATTRIBUTE.get(attribute, attribute)
        if column in parsed.cells and column not in parsed.errors:
            parsed.fail(column, message)
        elif column not in parsed.cells and column not in parsed.errors:
            # A rule broken by a value this file does not set (an end date kept from before).
            parsed.fail(WHOLE_ROW, f"{message} (the {column} column is not in the file)")


# ----------------------------------------------------------------------- the plan


def plan_import(text: str, directory: Directory, actor: ImportActor | None = None) -> ImportPlan:
    """Check the whole file and say what importing it would do, or everything wrong with it.

    With an `actor` (the person importing through the pages), rows that would break the
    separation of duties are refused too (`_check_duties`).
    """
    header, body = read_rows(text)
    teams = TeamFinder(directory.teams)
    errors: list[RowError] = []
    parsed_rows: list[ParsedRow] = []
    for number, cells in body:
        if wrong := wrong_width(number, cells, header):
            errors.append(wrong)
            continue
        values = {column: value.strip() for column, value in zip(header, cells, strict=True)}
        existing = directory.find(values["employee_number"], values["email"])
        parsed = parse_row(number, values, teams, directory.today, existing)
        parsed_rows.append(parsed)

    keyed = _check_keys(parsed_rows, directory)
    details = {}
    for parsed in parsed_rows:
        details[parsed.row] = merged_details(parsed, parsed.existing)
        check_details(parsed, details[parsed.row])
    _check_emails(parsed_rows, details, directory)
    managers = _resolve_line_managers(parsed_rows, keyed, directory)
    if actor is not None:
        _check_duties(parsed_rows, keyed, details, managers, directory, actor)

    for parsed in parsed_rows:
        errors.extend(RowError(parsed.row, column, message) for column, message in parsed.errors.items())
    if errors:
        return ImportPlan(rows=len(body), errors=sorted_errors(errors, COLUMNS))
    return _plan(parsed_rows, details, managers, directory, rows=len(body))


def _check_keys(parsed_rows: list[ParsedRow], directory: Directory) -> dict[str, ParsedRow]:
    """Each employee number once in the file, and not someone else's in another organisation."""
    first_row: dict[str, ParsedRow] = {}
    for parsed in parsed_rows:
        number = parsed.cells.get("employee_number", "")
        if not number:
            continue
        key = fold(number)
        if key in first_row:
            parsed.fail("employee_number", f"Employee number {number} is also on row {first_row[key].row}")
        elif key in directory.employee_numbers_elsewhere:
            parsed.fail(
                "employee_number", f"Employee number {number} belongs to someone in another organisation"
            )
        else:
            first_row[key] = parsed
    return first_row


def _check_emails(
    parsed_rows: list[ParsedRow], details: Mapping[int, StaffDetails], directory: Directory
) -> None:
    """Each email address belongs to one person once the whole file is applied."""
    in_file: dict[str, ParsedRow] = {}
    staying_with = dict(directory.email_owners)
    # Addresses this file moves away from their current owner are free for someone else.
    for parsed in parsed_rows:
        existing = parsed.existing
        if existing is not None and "email" in parsed.cells:
            old = str(existing.values["email"]).lower()
            if staying_with.get(old) == existing.id and old != details[parsed.row].email:
                del staying_with[old]
    for parsed in parsed_rows:
        if "email" in parsed.errors or "email" not in parsed.cells:
            continue
        email = details[parsed.row].email
        existing = parsed.existing
        if email in in_file:
            parsed.fail("email", f"The email address {email} is also on row {in_file[email].row}")
            continue
        in_file[email] = parsed
        owner = staying_with.get(email)
        if owner is not None and (existing is None or owner != existing.id):
            parsed.fail("email", f"The email address {email} belongs to another member of staff")


def _resolve_line_managers(
    parsed_rows: list[ParsedRow], keyed: Mapping[str, ParsedRow], directory: Directory
) -> dict[int, tuple[int | None, str | None]]:
    """row -> (existing manager id, or the folded employee number of a new row), loops refused.

    People are nodes: an existing person by id, a new person by a negative row number.
    """
    node_of_key = {
        key: parsed.existing.id if parsed.existing else -parsed.row for key, parsed in keyed.items()
    }
    label = {node_of_key[key]: parsed.cells["employee_number"] for key, parsed in keyed.items()}
    graph: dict[int, int | None] = dict(directory.line_managers)
    resolved: dict[int, tuple[int | None, str | None]] = {}
    for key, parsed in keyed.items():
        if "line_manager_employee_number" not in parsed.cells:
            continue
        text, node = parsed.cells["line_manager_employee_number"], node_of_key[key]
        if not text:
            graph[node] = None
            resolved[parsed.row] = (None, None)
            continue
        manager_key = fold(text)
        if manager_key in node_of_key:
            manager = node_of_key[manager_key]
        elif manager_key in directory.staff:
            manager = directory.staff[manager_key].id
        else:
            parsed.fail(
                "line_manager_employee_number",
                f"Nobody has the employee number {text}, in this file or already in the service",
            )
            continue
        if manager == node:
            parsed.fail("line_manager_employee_number", "A person cannot be their own line manager")
            continue
        graph[node] = manager
        resolved[parsed.row] = (None, manager_key) if manager < 0 else (manager, None)

    rows_by_node = {node_of_key[key]: parsed for key, parsed in keyed.items()}
    for loop in _loops(graph, rows_by_node):
        names = [label.get(node) or directory.employee_number_of.get(node) or "someone" for node in loop]
        shown = names[:LOOP_SHOWN] + (["…"] if len(names) > LOOP_SHOWN else [])
        message = "Line managers would go round in a loop: " + " → ".join([*shown, names[0]])
        for node in loop:
            if node in rows_by_node:
                rows_by_node[node].fail("line_manager_employee_number", message)
    return resolved


def _check_duties(
    parsed_rows: list[ParsedRow],
    keyed: Mapping[str, ParsedRow],
    details: Mapping[int, StaffDetails],
    managers: Mapping[int, tuple[int | None, str | None]],
    directory: Directory,
    actor: ImportActor,
) -> None:
    """Separation of duties, as on the staff pages (org/services._duty_problems).

    No row may put the person importing above someone they were not above before (as line
    manager, further up the line, or as manager of their team or head of its service), and an
    email address changes only as `rules.email_change_problem` allows.
    """
    node_of_key = {
        key: parsed.existing.id if parsed.existing else -parsed.row for key, parsed in keyed.items()
    }
    after: dict[int, int | None] = dict(directory.line_managers)
    for key, parsed in keyed.items():
        if parsed.row in managers:
            manager_id, manager_key = managers[parsed.row]
            after[node_of_key[key]] = manager_id if manager_key is None else node_of_key.get(manager_key)
    for key, parsed in keyed.items():
        node, existing = node_of_key[key], parsed.existing
        old_team = existing.values["team_id"] if existing else None
        new_team = parsed.values.get("team_id", old_team)
        before = (
            overseer_ids(
                node,
                directory.line_managers.get(node),
                directory.heads_of(old_team),
                directory.line_managers,
            )
            if existing
            else set()
        )
        in_line = overseer_ids(node, after.get(node), (), after)
        now = in_line | overseer_ids(node, None, directory.heads_of(new_team), {})
        if node != actor.id and oversight_gained(actor.id, before, now):
            if actor.id in in_line:
                parsed.fail("line_manager_employee_number", rules.LINE_MANAGER_GAINED)
            else:
                parsed.fail("team", rules.TEAM_GAINED)
        if (
            existing is not None
            and "email" not in parsed.errors
            and details[parsed.row].email != str(existing.values["email"]).lower()
        ):
            message = rules.email_change_problem(
                actor.id, actor.roles, existing.id, directory.roles_of.get(existing.id, frozenset())
            )
            if message:
                parsed.fail("email", message)


def _loops(graph: Mapping[int, int | None], starts: Iterable[int]) -> list[list[int]]:
    """Every loop reachable from `starts` in a person → line manager graph, in linear time."""
    state: dict[int, int] = {}  # 1: on the path being walked, 2: finished
    loops = []
    for start in starts:
        path: list[int] = []
        node: int | None = start
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = graph.get(node)
        if node is not None and state.get(node) == 1:
            loops.append(path[path.index(node) :])
        for visited in path:
            state[visited] = 2
    return loops


def _plan(
    parsed_rows: list[ParsedRow],
    details: Mapping[int, StaffDetails],
    managers: Mapping[int, tuple[int | None, str | None]],
    directory: Directory,
    rows: int,
) -> ImportPlan:
    creates, updates, leavers, unchanged = [], [], [], 0
    for parsed in parsed_rows:
        person = details[parsed.row]
        existing = parsed.existing
        values = {
            attribute: getattr(person, attribute)
            for attribute in STAFF_ATTRIBUTES
            if attribute != "line_manager_id"
        }
        values["employee_number"] = person.employee_number
        values["team_id"] = parsed.values.get("team_id", existing.values["team_id"] if existing else None)
        manager_id, manager_row = managers.get(parsed.row, (None, None))
        if existing is not None and "line_manager_employee_number" not in parsed.cells:
            manager_id = existing.values["line_manager_id"]
        planned = PlannedStaff(
            row=parsed.row,
            employee_number=person.employee_number or "",
            existing_id=existing.id if existing else None,
            values=values,
            line_manager_id=manager_id,
            line_manager_row=manager_row,
        )
        if existing is None:
            creates.append(planned)
            continue
        changes = tuple(
            COLUMN_OF_ATTRIBUTE.get(name, name)
            for name in STAFF_ATTRIBUTES
            if name != "line_manager_id" and values[name] != existing.values[name]
        )
        if manager_row is not None or manager_id != existing.values["line_manager_id"]:
            changes += ("line_manager_employee_number",)
        if not changes:
            unchanged += 1
            continue
        planned = dataclasses.replace(planned, changes=changes)
        if existing.values["end_date"] is None and values["end_date"] is not None:
            leavers.append(planned)
        else:
            updates.append(planned)
    return ImportPlan(
        rows=rows,
        creates=tuple(creates),
        updates=tuple(updates),
        leavers=tuple(leavers),
        unchanged=unchanged,
    )
