"""Case oversight rules, pure: how long a case may go without oversight and where it stands.

docs/cases.md states these rules; this module is their one implementation. Nothing here reads
the database, so the dashboards, the report, the reminders and the API all take a case's
status from `case_status`, and the trend asks the same function about each month's last day.

- Oversight is a case discussion in a record its supervisor has signed, on the session's date
  (the sign-off rule refuses a case discussion without a decision: records/signoff.py).
- The clock starts when the case was first allocated and restarts at each oversight; moving
  the case to another worker does not restart it, and the worker's absences do not pause it:
  a child's case needs oversight whoever holds it.
- Due: the last oversight (or the opening day) plus the category's limit in days.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


class CaseCategory(enum.StrEnum):
    """The categories of the case management system's export, in order of need."""

    CHILD_PROTECTION = "child_protection"
    CHILD_IN_NEED = "child_in_need"
    CHILD_IN_CARE = "child_in_care"
    CARE_LEAVER = "care_leaver"
    EARLY_HELP = "early_help"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "child_protection": "Child protection plan",
            "child_in_need": "Child in need",
            "child_in_care": "Child in care",
            "care_leaver": "Care leaver",
            "early_help": "Early help",
            "other": "Other",
        }[self.value]


# The longest a case may go without oversight, in days, where the organisation has set nothing.
DEFAULT_LIMIT_DAYS: Mapping[CaseCategory, int] = {
    CaseCategory.CHILD_PROTECTION: 28,
    CaseCategory.CHILD_IN_NEED: 42,
    CaseCategory.CHILD_IN_CARE: 42,
    CaseCategory.CARE_LEAVER: 91,
    CaseCategory.EARLY_HELP: 91,
    CaseCategory.OTHER: 91,
}


def normalised_reference(text: str) -> str:
    """The form a case reference is stored and matched in: trimmed, otherwise as written."""
    return text.strip()


def limit_days(
    category: CaseCategory,
    team_id: int | None,
    organisation_limits: Mapping[CaseCategory, int],
    team_limits: Mapping[tuple[int, CaseCategory], int],
) -> int:
    """The team's override, else the organisation's setting, else the default."""
    if team_id is not None and (team_id, category) in team_limits:
        return team_limits[(team_id, category)]
    return organisation_limits.get(category, DEFAULT_LIMIT_DAYS[category])


class CaseStatus(enum.StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NOT_DISCUSSED = "not_discussed"

    @property
    def label(self) -> str:
        return {
            "on_track": "On track",
            "due_soon": "Due soon",
            "overdue": "Overdue",
            "not_discussed": "Not discussed since allocation",
        }[self.value]

    @property
    def tag_class(self) -> str:
        return {
            "on_track": "govuk-tag--green",
            "due_soon": "govuk-tag--yellow",
            "overdue": "govuk-tag--red",
            "not_discussed": "govuk-tag--red",
        }[self.value]

    @property
    def needs_oversight(self) -> bool:
        """Past its due date: listed as overdue oversight, reminded and escalated."""
        return self in (CaseStatus.OVERDUE, CaseStatus.NOT_DISCUSSED)


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need of one case. `oversight_dates` are sorted, earliest first."""

    opened_on: date
    allocated_on: date  # the current allocation's first day
    closed_on: date | None
    limit_days: int
    oversight_dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class CaseOversight:
    status: CaseStatus
    due_on: date
    last_oversight_on: date | None
    days_overdue: int


def last_oversight_on(facts: CaseFacts, day: date) -> date | None:
    """The latest oversight on or before `day` (a later one has not happened yet on `day`)."""
    position = bisect_right(facts.oversight_dates, day)
    return facts.oversight_dates[position - 1] if position else None


def is_open_on(facts: CaseFacts, day: date) -> bool:
    return facts.opened_on <= day and (facts.closed_on is None or day < facts.closed_on)


def due_on(facts: CaseFacts, day: date) -> tuple[date, date | None]:
    """When the case's next oversight is due as it stands on `day`, and its last oversight by
    then: the last oversight (or the opening day) plus the category's limit."""
    last = last_oversight_on(facts, day)
    start = max(last, facts.opened_on) if last is not None else facts.opened_on
    return start + timedelta(days=facts.limit_days), last


def case_status(
    facts: CaseFacts, today: date, due_soon: Callable[[date, date], bool]
) -> CaseOversight | None:
    """Where an open case stands on `today`; None when it is not open that day.

    `due_soon(today, due_on)` says whether a due date still to come is close enough to warn:
    the supervision policy's "due soon" in working days (compliance/working_days.py).
    """
    if not is_open_on(facts, today):
        return None
    due, last = due_on(facts, today)
    if today > due:
        discussed_since_allocation = last is not None and last >= facts.allocated_on
        status = CaseStatus.OVERDUE if discussed_since_allocation else CaseStatus.NOT_DISCUSSED
        return CaseOversight(status, due, last, (today - due).days)
    status = CaseStatus.DUE_SOON if due_soon(today, due) else CaseStatus.ON_TRACK
    return CaseOversight(status, due, last, 0)


def in_time_on(facts: CaseFacts, day: date) -> bool | None:
    """For the trend: was the case, open on `day`, within its limit that day (not past its due
    date, the line `case_status` draws between on track or due soon and needing oversight)?
    None if not open."""
    if not is_open_on(facts, day):
        return None
    return day <= due_on(facts, day)[0]


@dataclass(frozen=True)
class CategoryShare:
    category: CaseCategory | None  # None: every category
    open_cases: int
    in_time: int

    @property
    def percent(self) -> float | None:
        return None if self.open_cases == 0 else 100 * self.in_time / self.open_cases


def shares_on(cases: Sequence[tuple[CaseCategory, CaseFacts]], day: date) -> list[CategoryShare]:
    """Open cases on `day` and how many were within their limit, per category and in all."""
    return tally((category, in_time_on(facts, day)) for category, facts in cases)


def tally(answers: Iterable[tuple[CaseCategory, bool | None]]) -> list[CategoryShare]:
    """Per category and in all: how many cases were open (answer not None) and how many of them
    in time (answer True); the answers are `in_time_on`'s, one per case."""
    open_by: dict[CaseCategory, int] = dict.fromkeys(CaseCategory, 0)
    in_time_by: dict[CaseCategory, int] = dict.fromkeys(CaseCategory, 0)
    for category, answer in answers:
        if answer is None:
            continue
        open_by[category] += 1
        in_time_by[category] += answer
    return shares_of(open_by, in_time_by)


def shares_of(
    open_by: Mapping[CaseCategory, int], in_time_by: Mapping[CaseCategory, int]
) -> list[CategoryShare]:
    """The shares `tally` gives, from counts of open cases and of those in time per category
    (missing: none): how stored counts, added up, become the same figures."""
    rows = [
        CategoryShare(category, open_by.get(category, 0), in_time_by.get(category, 0))
        for category in CaseCategory
    ]
    return [*rows, CategoryShare(None, sum(row.open_cases for row in rows), sum(row.in_time for row in rows))]
