"""The team dashboard's figures for one person, and sorting and filtering its rows: pure, so any
order can be tested directly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from supervision.compliance.rules import Status
from supervision.reports.figures import MonthState

EARLIEST = date.min
LATEST = date.max


@dataclass(frozen=True)
class DashboardFigures:
    """What the dashboard shows of one person: worked out by the compliance engine and the month
    grid, always live (supervision.reports.services.live_dashboard_figures)."""

    status: Status
    last_held_on: date | None
    next_due_on: date | None
    days_overdue: int
    has_agreement: bool
    write_ups_pending: int
    write_ups_overdue: int
    actions_overdue: int
    working_days_overdue: int  # escalation counts these (compliance engine), beside calendar days
    months: tuple[MonthState, ...]  # the last 12 months, oldest first


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort_key: Callable
    numeric: bool = False
    # The first click sorts this way: the most worrying first.
    starts_descending: bool = False


def _name(row) -> tuple[str, str]:
    return row.person.family_name.lower(), row.person.given_name.lower()


COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", _name),
    Column("team", "Team", lambda row: (row.team_name.lower(), *_name(row))),
    Column("status", "Status", lambda row: row.figures.status.severity, starts_descending=True),
    Column("last-held", "Last held", lambda row: row.figures.last_held_on or EARLIEST),
    Column("next-due", "Next due", lambda row: row.figures.next_due_on or LATEST),
    Column(
        "days-overdue",
        "Days overdue",
        lambda row: row.figures.days_overdue,
        numeric=True,
        starts_descending=True,
    ),
    Column(
        "working-days-overdue",
        "Working days overdue",
        lambda row: row.figures.working_days_overdue,
        numeric=True,
        starts_descending=True,
    ),
    Column(
        "write-ups",
        "Write-ups pending",
        lambda row: row.figures.write_ups_pending,
        numeric=True,
        starts_descending=True,
    ),
    Column(
        "actions",
        "Overdue actions",
        lambda row: row.figures.actions_overdue,
        numeric=True,
        starts_descending=True,
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_SORT = "status"


@dataclass(frozen=True)
class Sorting:
    key: str = DEFAULT_SORT
    descending: bool = True

    @classmethod
    def parse(cls, key: str | None, order: str | None) -> Sorting:
        """Unknown columns or orders fall back to the default: the most worrying first."""
        if key not in COLUMN_BY_KEY:
            return cls()
        column = COLUMN_BY_KEY[key]
        if order not in ("ascending", "descending"):
            return cls(key, column.starts_descending)
        return cls(key, order == "descending")

    def next_order_for(self, key: str) -> str:
        """Clicking the sorted column reverses it; another column starts in its natural order."""
        if key == self.key:
            return "ascending" if self.descending else "descending"
        return "descending" if COLUMN_BY_KEY[key].starts_descending else "ascending"

    def aria_sort(self, key: str) -> str:
        if key != self.key:
            return "none"
        return "descending" if self.descending else "ascending"


def filtered(rows: Sequence, team_id: int | None, status: Status | None) -> list:
    return [
        row
        for row in rows
        if (team_id is None or row.person.team_id == team_id)
        and (status is None or row.figures.status is status)
    ]


def sorted_rows(rows: Sequence, sorting: Sorting) -> list:
    """Sorted by the chosen column, ties broken by name (always A to Z)."""
    by_name = sorted(rows, key=_name)
    return sorted(by_name, key=COLUMN_BY_KEY[sorting.key].sort_key, reverse=sorting.descending)
