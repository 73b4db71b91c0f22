"""Months of the oversight report that changed after they closed, and the list of what changed.

The marks are read from the closed-month changes themselves (supervision.audit.models), never
from the figures, so a page built from the stored figures carries them as a live one does. The
scope is the report's: the people now in the unit's teams, exactly as its figures count them.
Only dates, kinds of change, who made them and the reason: no supervision content.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from supervision.audit.closing import first_of_month
from supervision.audit.models import ClosedMonthChange
from supervision.audit.services import ChangeKind
from supervision.extensions import db
from supervision.org.models import Staff, Team
from supervision.reports.figures import Period, month_containing
from supervision.reports.services import Level, OversightReport, report_people, team_ids_of

# The changes page lists at most this many, newest first, and says so when there are more.
CHANGES_PAGE_LIMIT = 500


def _scope(user: Staff, level: Level, unit_id: int | None, team_ids: list[int]) -> sa.ColumnElement[bool]:
    """The people a unit's figures count: those of `report_people` now in its teams (a worker:
    that person)."""
    counted = sa.and_(Staff.team_id.in_(team_ids), Staff.id.in_(report_people(user)))
    if level is Level.PERSON:
        return sa.and_(Staff.id == unit_id, counted)
    return counted


def _reaching(window: Period) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        ClosedMonthChange.first_month <= window.ends_on,
        ClosedMonthChange.last_month >= first_of_month(window.starts_on),
    )


@dataclass
class ChangeMarks:
    """The months (by their first day) of each unit that changed after they closed."""

    unit: set[date] = field(default_factory=set)
    children: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))
    people: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))
    period_changed: bool = False
    period_months: list[Period] = field(default_factory=list)

    def unit_month(self, month: Period) -> bool:
        return month.starts_on in self.unit

    def child_changed(self, child_id: int | None) -> bool:
        return child_id is not None and bool(self.children.get(child_id))

    def person_month(self, person_id: int, month: Period) -> bool:
        return month.starts_on in self.people.get(person_id, ())

    @property
    def any(self) -> bool:
        return bool(self.unit)

    def grid_link(self, changes_url: Callable[..., str]) -> Callable[[Staff, Period], str | None]:
        """For a staff-by-month grid: the address of what changed in a person's changed month."""

        def link(person: Staff, month: Period) -> str | None:
            if not self.person_month(person.id, month):
                return None
            return changes_url(Level.PERSON, person.id, month)

        return link


def _report_scope(report: OversightReport) -> sa.ColumnElement[bool]:
    """The people the report counts, from the report itself: it exists only for a unit the
    viewer oversees, an organisation's children are the services they oversee, and only the
    people of `report_people` are counted."""
    unit: sa.ColumnElement[bool]
    if report.level is Level.ORGANISATION:
        unit = Team.service_id.in_([child.id for child in report.children])
    elif report.level is Level.SERVICE:
        unit = Team.service_id == report.unit.id
    elif report.level is Level.TEAM:
        unit = Staff.team_id == report.unit.id
    else:
        unit = Staff.id == report.unit.id
    return unit if report.people is None else sa.and_(unit, Staff.id.in_(report.people))


def marks_for(report: OversightReport) -> ChangeMarks:
    """Which of the report's months (trend and period) of the unit, its children and the people
    in its grid changed after they closed: one query however many people the unit has."""
    marks = ChangeMarks(period_months=_months_of(report.period))
    months = [*report.months, *marks.period_months]
    window = Period(min(m.starts_on for m in months), max(m.ends_on for m in months))
    rows = db.session.execute(
        sa.select(
            ClosedMonthChange.staff_id,
            Staff.team_id,
            Team.service_id,
            ClosedMonthChange.first_month,
            ClosedMonthChange.last_month,
        )
        .join(Staff, Staff.id == ClosedMonthChange.staff_id)
        .join(Team, Team.id == Staff.team_id)
        .where(_report_scope(report), *_reaching(window))
    ).all()
    child_of = {
        Level.ORGANISATION: lambda row: row.service_id,
        Level.SERVICE: lambda row: row.team_id,
        Level.TEAM: lambda row: row.staff_id,
        Level.PERSON: lambda row: None,
    }[report.level]
    period_months = {month.starts_on for month in marks.period_months}
    for row in rows:
        reached = {m.starts_on for m in months if row.first_month <= m.starts_on <= row.last_month}
        marks.unit |= reached
        marks.people[row.staff_id] |= reached
        if reached & period_months:
            marks.period_changed = True
            if (child := child_of(row)) is not None:
                marks.children[child] |= reached & period_months
    return marks


def _months_of(period: Period) -> list[Period]:
    """The calendar months a period touches, whole."""
    found = [month_containing(period.starts_on)]
    while found[-1].ends_on < period.ends_on:
        found.append(month_containing(found[-1].ends_on + timedelta(days=1)))
    return found


@dataclass(frozen=True)
class ListedChange:
    row: ClosedMonthChange
    person_name: str
    actor_name: str

    @property
    def kind(self) -> str:
        try:
            return ChangeKind(self.row.change).label
        except ValueError:
            return self.row.change


def changes_in(
    user: Staff, level: Level, unit_id: int | None, window: Period | None
) -> tuple[list[ListedChange], bool] | None:
    """The changes to closed months of the people in a unit the user oversees (None: 404),
    newest first, reaching `window` if given; and whether there were more than the page lists."""
    team_ids = team_ids_of(user, level, unit_id)
    if team_ids is None:
        return None
    actor = aliased(Staff)
    query = (
        sa.select(ClosedMonthChange, Staff, actor)
        .join(Staff, Staff.id == ClosedMonthChange.staff_id)
        .outerjoin(actor, actor.id == ClosedMonthChange.actor_id)
        .where(_scope(user, level, unit_id, team_ids))
    )
    if window is not None:
        query = query.where(*_reaching(window))
    rows = db.session.execute(
        query.order_by(ClosedMonthChange.occurred_at.desc(), ClosedMonthChange.id.desc()).limit(
            CHANGES_PAGE_LIMIT + 1
        )
    ).all()
    listed = [
        ListedChange(change, person.name, changed_by.name if changed_by is not None else "The system")
        for change, person, changed_by in rows[:CHANGES_PAGE_LIMIT]
    ]
    return listed, len(rows) > CHANGES_PAGE_LIMIT
