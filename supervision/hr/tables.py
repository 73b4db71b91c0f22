"""The retention report as tables of figures ready to show: the page, CSV and XLSX read these.

Suppression happens here, once (`disclosure.shown`), so every way out of the service withholds
the same cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from supervision.hr.disclosure import Kind, Shown, shown
from supervision.hr.metrics import (
    DESTINATION_KEYS,
    DESTINATION_LABELS,
    Level,
    MonthFigures,
    Retention,
    ServiceBand,
    Tally,
    Unit,
)


@dataclass(frozen=True)
class Row:
    level: Level
    name: str
    service: str | None  # for a team, its service's name
    cells: tuple[Shown, ...]
    key: int | None = None  # the service's or team's id


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class TrendTable:
    unit: Unit
    columns: tuple[str, ...]
    months: tuple[tuple[date, tuple[Shown, ...]], ...]


def format_date(day: date) -> str:
    """GOV.UK style: 30 September 2026."""
    return f"{day.day} {day:%B %Y}"


def period_text(report: Retention) -> str:
    return f"{format_date(report.year.starts_on)} to {format_date(report.year.snapshot)}"


# Each column: heading, and how to get the figure and the people it rests on from a tally.
Figure = Callable[[Tally], tuple[object, Kind, int | tuple[int, ...]]]


def _in_post_columns() -> list[tuple[str, Figure]]:
    return [
        ("Headcount", lambda t: (t.in_post, Kind.COUNT, t.in_post)),
        ("FTE", lambda t: (t.in_post_fte, Kind.FTE, t.in_post)),
        ("Agency workers", lambda t: (t.agency, Kind.COUNT, t.agency)),
        ("Agency FTE", lambda t: (t.agency_fte, Kind.FTE, t.agency)),
        ("Agency rate", lambda t: (t.agency_rate, Kind.RATE, (t.agency, t.agency + t.in_post))),
        ("Average caseload", lambda t: (t.average_caseload, Kind.AVERAGE, t.case_holders)),
    ]


def _vacancy_columns() -> list[tuple[str, Figure]]:
    return [
        # Establishment is funded posts, not people: never withheld.
        ("Establishment FTE", lambda t: (t.unit.establishment_fte, Kind.FTE, ())),
        ("Employed FTE in post", lambda t: (t.in_post_fte, Kind.FTE, t.in_post)),
        ("Vacant FTE", lambda t: (t.vacant_fte, Kind.FTE, t.in_post)),
        ("Vacancy rate", lambda t: (t.vacancy_rate, Kind.RATE, t.in_post)),
    ]


def _movement_columns() -> list[tuple[str, Figure]]:
    return [
        ("Starters", lambda t: (t.starters, Kind.COUNT, t.starters)),
        ("Starters FTE", lambda t: (t.starters_fte, Kind.FTE, t.starters)),
        ("Leavers", lambda t: (t.leavers, Kind.COUNT, t.leavers)),
        ("Leavers FTE", lambda t: (t.leavers_fte, Kind.FTE, t.leavers)),
        ("Turnover rate", lambda t: (t.turnover_rate, Kind.RATE, (t.leavers, t.in_post))),
    ]


def _band_columns() -> list[tuple[str, Figure]]:
    return [
        (band.label, lambda t, band=band: (t.by_service_band[band], Kind.COUNT, t.by_service_band[band]))
        for band in ServiceBand
    ]


def _destination_columns() -> list[tuple[str, Figure]]:
    return [
        (
            DESTINATION_LABELS[key],
            lambda t, key=key: (t.by_destination[key], Kind.COUNT, t.by_destination[key]),
        )
        for key in DESTINATION_KEYS
    ]


def _supervision_columns() -> list[tuple[str, Figure]]:
    return [
        ("Leavers with a supervision requirement", lambda t: _people(t.leavers_with_compliance)),
        (
            "Leavers: intervals met in their last 6 months",
            lambda t: (t.leavers_compliance_rate, Kind.RATE, t.leavers_with_compliance),
        ),
        ("Staff who stayed, with a requirement", lambda t: _people(t.stayers_with_compliance)),
        (
            "Staff who stayed: intervals met in the 6 months to the snapshot",
            lambda t: (t.stayers_compliance_rate, Kind.RATE, t.stayers_with_compliance),
        ),
    ]


def _people(count: int) -> tuple[int, Kind, int]:
    return count, Kind.COUNT, count


# Which services' team rows a table lists; every service's unless told otherwise.
TeamsShown = Callable[[Unit], bool]


def every_service(_service: Unit) -> bool:
    return True


@dataclass(frozen=True)
class TeamsOnPage:
    """Which teams the page lists: every team, or (a large organisation) one service's or none."""

    team_count: int
    every_team: bool
    chosen: Unit | None = None

    def shows(self, service: Unit) -> bool:
        return self.every_team or service == self.chosen

    def trends(self, report: Retention) -> list[TrendTable]:
        """The organisation's trend, and each shown service's."""
        return [t for t in trend_tables(report) if t.unit.level is not Level.SERVICE or self.shows(t.unit)]


class UnknownService(Exception):
    """The service asked for is not one of the organisation's."""


def teams_on_page(report: Retention, asked_service: str | None, every_team_up_to: int) -> TeamsOnPage:
    """Up to `every_team_up_to` teams the page lists them all; beyond, the teams of the service
    asked for (its id as given in the address) or none."""
    team_count = sum(1 for tally in report.teams if tally.unit.key is not None)
    if team_count <= every_team_up_to:
        return TeamsOnPage(team_count, every_team=True)
    if asked_service is None:
        return TeamsOnPage(team_count, every_team=False)
    chosen = next((s.unit for s in report.services if str(s.unit.key) == asked_service), None)
    if chosen is None:
        raise UnknownService(asked_service)
    return TeamsOnPage(team_count, every_team=False, chosen=chosen)


def _rows(report: Retention, columns: list[tuple[str, Figure]], teams_shown: TeamsShown) -> tuple[Row, ...]:
    service_names = {tally.unit.key: tally.unit.name for tally in report.services}

    def row(tally: Tally) -> Row:
        team_level = tally.unit.level is Level.TEAM
        cells = []
        for _, figure in columns:
            value, kind, people = figure(tally)
            cells.append(shown(value, kind, people=people, team_level=team_level))
        service = service_names.get(tally.unit.service_key) if team_level else None
        return Row(tally.unit.level, tally.unit.name, service, tuple(cells), tally.unit.key)

    rows = [row(report.organisation)]
    for service in report.services:
        rows.append(row(service))
        if teams_shown(service.unit):
            rows.extend(row(team) for team in report.teams_of(service.unit))
    rows.extend(row(team) for team in report.teams if team.unit.key is None)
    return tuple(rows)


def retention_tables(report: Retention, teams_shown: TeamsShown = every_service) -> list[Table]:
    snapshot, period = format_date(report.year.snapshot), period_text(report)
    specs = [
        (
            "in-post",
            f"Registered social workers in post on {snapshot}",
            "Headcount and FTE are employed staff (permanent and fixed term); agency workers are counted "
            "apart. Average caseload is cases held ÷ the FTE of the workers holding them.",
            _in_post_columns(),
        ),
        (
            "vacancies",
            f"Vacancies on {snapshot}",
            "Funded posts (the team's establishment) not filled by an employed social worker, including "
            "posts covered by agency workers.",
            _vacancy_columns(),
        ),
        (
            "starters-and-leavers",
            f"Starters and leavers, {period}",
            "Employed staff who started or whose last day fell in the period. Turnover rate is leavers' FTE "
            f"÷ FTE in post on {snapshot}.",
            _movement_columns(),
        ),
        (
            "length-of-service",
            "Leavers by length of service",
            "Completed years from their start date to their last day.",
            _band_columns(),
        ),
        (
            "destination",
            "Leavers by destination",
            "Where leavers said they were going.",
            _destination_columns(),
        ),
        (
            "supervision",
            "Supervision before leaving, compared with staff who stayed",
            "The share of supervision intervals met on time. Leavers: the 6 months up to their last "
            "day. Staff who stayed: the 6 months up to the snapshot date.",
            _supervision_columns(),
        ),
    ]
    return [
        Table(
            key,
            title,
            description,
            tuple(heading for heading, _ in columns),
            _rows(report, columns, teams_shown),
        )
        for key, title, description, columns in specs
    ]


TREND_COLUMNS = ("Leavers FTE", "FTE in post at month end", "Turnover rate", "Vacant FTE", "Vacancy rate")


def _month_cells(month: MonthFigures) -> tuple[Shown, ...]:
    # Trends are shown for the organisation and services only, which are never withheld.
    return (
        Shown(month.leavers_fte, Kind.FTE),
        Shown(month.in_post_fte, Kind.FTE),
        Shown(month.turnover_rate, Kind.RATE),
        Shown(month.vacant_fte, Kind.FTE),
        Shown(month.vacancy_rate, Kind.RATE),
    )


def trend_tables(report: Retention) -> list[TrendTable]:
    return [
        TrendTable(unit, TREND_COLUMNS, tuple((month.first, _month_cells(month)) for month in months))
        for unit, months in report.trends.items()
    ]
