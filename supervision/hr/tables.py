"""The retention report as tables of figures ready to show: the page, CSV, XLSX, API and CLI read these.

Suppression happens here, once (`withheld_cells`, with the rules of `supervision.hr.disclosure`),
so every way out of the service withholds the same cells.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from supervision.hr import disclosure
from supervision.hr.disclosure import (
    SMALL_NUMBER_THRESHOLD,
    Cell,
    Equation,
    Kind,
    Shown,
    is_small,
    protect,
    shows_flows,
)
from supervision.hr.metrics import (
    DESTINATION_KEYS,
    DESTINATION_LABELS,
    POOLED_COUNTS,
    Level,
    MonthFigures,
    Retention,
    ServiceBand,
    Tally,
    Unit,
)
from supervision.memory import collector_paused


class Row(NamedTuple):
    """One row of a table. A named tuple: the CSV has a row for each of 4,200 units in each of six
    tables at national scale, and a frozen dataclass took about twice as long to build."""

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


# ---------------------------------------------------------------------------- measures
# Every figure a table shows rests on one or more *measures*: counts and FTE that add up from
# teams to services to the organisation. Suppression is decided per measure and unit
# (`withheld_cells`), so a figure shown in two tables (FTE in post) is withheld in both, and a
# rate is withheld whenever its numerator or denominator is.


@dataclass(frozen=True)
class Measure:
    name: str
    value: Callable[[Tally], int | Decimal]
    people: Callable[[Tally], int]  # the count of people the small-numbers rule looks at
    together: str  # measures withheld together in a row (a count and its FTE)
    flow: bool = False  # about the year's starters or leavers: census dates only
    every_level: bool = False  # about leavers: the rule applies to services and the organisation too
    supervision: bool = False  # supervision before leaving: not in a counts-only report


def _band(band: ServiceBand) -> Measure:
    count = lambda t: t.by_service_band[band]  # noqa: E731
    return Measure(f"band:{band}", count, count, f"band:{band}", flow=True, every_level=True)


def _destination(key: str) -> Measure:
    count = lambda t: t.by_destination[key]  # noqa: E731
    return Measure(f"destination:{key}", count, count, f"destination:{key}", flow=True, every_level=True)


MEASURES: tuple[Measure, ...] = (
    Measure("in_post", lambda t: t.in_post, lambda t: t.in_post, "in_post"),
    Measure("in_post_fte", lambda t: t.in_post_fte, lambda t: t.in_post, "in_post"),
    # A team's vacant FTE is its establishment (shown) minus its FTE: withheld with its headcount.
    Measure("vacant_fte", lambda t: t.vacant_fte, lambda t: t.in_post, "in_post"),
    Measure("agency", lambda t: t.agency, lambda t: t.agency, "agency"),
    Measure("agency_fte", lambda t: t.agency_fte, lambda t: t.agency, "agency"),
    # Not shown, but the average caseload is one over the other.
    Measure("cases", lambda t: t.cases, lambda t: t.case_holders, "caseload"),
    Measure("case_holders_fte", lambda t: t.case_holders_fte, lambda t: t.case_holders, "caseload"),
    Measure("starters", lambda t: t.starters, lambda t: t.starters, "starters", flow=True),
    Measure("starters_fte", lambda t: t.starters_fte, lambda t: t.starters, "starters", flow=True),
    Measure("leavers", lambda t: t.leavers, lambda t: t.leavers, "leavers", flow=True),
    Measure("leavers_fte", lambda t: t.leavers_fte, lambda t: t.leavers, "leavers", flow=True),
    *(_band(band) for band in ServiceBand),
    *(_destination(key) for key in DESTINATION_KEYS),
    *(
        Measure(name, value, lambda t: t.leavers_with_compliance, "leavers_supervision", True, True, True)
        for name, value in (
            ("leavers_with_compliance", lambda t: t.leavers_with_compliance),
            ("leavers_met", lambda t: t.leavers_compliance.met),
            ("leavers_required", lambda t: t.leavers_compliance.required),
        )
    ),
    *(
        Measure(name, value, lambda t: t.stayers_with_compliance, "stayers_supervision", True, False, True)
        for name, value in (
            ("stayers_with_compliance", lambda t: t.stayers_with_compliance),
            ("stayers_met", lambda t: t.stayers_compliance.met),
            ("stayers_required", lambda t: t.stayers_compliance.required),
        )
    ),
)
MEASURE_BY_NAME = {measure.name: measure for measure in MEASURES}
# Posts, not people: nobody without a team fills one, so "Not in a team" is in no vacancy sum.
NOT_SUMMED_OVER_NO_TEAM = {"vacant_fte"}
BANDS = tuple(f"band:{band}" for band in ServiceBand)
DESTINATIONS = tuple(f"destination:{key}" for key in DESTINATION_KEYS)
# Counts of people: "fewer than 5" of them is at most 4 (FTE and sums of intervals have no such bound).
COUNTS_OF_PEOPLE = frozenset(
    {"in_post", "agency", "starters", "leavers", *BANDS, *DESTINATIONS}
    | {"leavers_with_compliance", "stayers_with_compliance"}
)
# The sums across a row: its leavers = its length-of-service cells, and = its destination cells.
ROW_SUMS = (("leavers", BANDS), ("leavers", DESTINATIONS))

UnitId = tuple[str, int | None]


LEVEL_NAMES = {level: level.value for level in Level}


def unit_id(unit: Unit) -> UnitId:
    return (LEVEL_NAMES[unit.level], unit.key)


@dataclass(frozen=True)
class Withheld:
    """The cells of a report that are not shown: the small ones and those withheld to protect them."""

    small: frozenset[Cell]
    secondary: frozenset[Cell]
    decided: frozenset[str] | None = None  # the measures decided, when not every published one
    # Each row's withheld measures, and whether only to protect another ("secondary"): a table
    # asks for every cell of every row, so a row's are found once, not each cell in two sets.
    by_row: dict[Hashable, dict[str, bool]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_row: dict[Hashable, dict[str, bool]] = defaultdict(dict)
        for row, name in self.secondary:
            by_row[row][name] = True
        for row, name in self.small:
            by_row[row][name] = False
        object.__setattr__(self, "by_row", dict(by_row))

    def cell(self, value, kind: Kind, unit: Unit, measures: tuple[str, ...]) -> Shown:
        return self.in_row(unit)(value, kind, measures)

    def check_decided(self, measures: Iterable[str]) -> None:
        """Refuse to show a figure whose measures' withholding was not worked out."""
        if self.decided is not None and not self.decided.issuperset(measures):
            raise ValueError(f"withholding was not worked out for {tuple(measures)}")

    def in_row(self, unit: Unit) -> Callable[[object, Kind, tuple[str, ...]], Shown]:
        """`cell` for the cells of one row: the row's withheld measures looked up once."""
        withheld = self.by_row.get(unit_id(unit))

        def cell(value, kind: Kind, measures: tuple[str, ...]) -> Shown:
            self.check_decided(measures)
            return shown_in_row(value, kind, measures, withheld)

        return cell


def shown_in_row(value, kind: Kind, measures: tuple[str, ...], withheld: dict[str, bool] | None) -> Shown:
    """A figure of a row whose withheld measures are `withheld` (`Withheld.by_row`)."""
    if withheld:
        reasons = [withheld[name] for name in measures if name in withheld]
        if reasons:
            # Small wins over secondary: a figure resting on a small count is "fewer than 5".
            return Shown(value, kind, True, all(reasons))
    return Shown(value, kind)


def published_measures(report: Retention) -> tuple[Measure, ...]:
    flows = shows_flows(report.year.snapshot)
    return tuple(measure for measure in MEASURES if flows or not measure.flow)


def sums(report: Retention, measures: tuple[Measure, ...]) -> list[Equation]:
    """Every sum a reader can check: per measure, service = its teams and organisation = its
    services and "Not in a team"; per row, leavers = their length-of-service (and destination) cells.
    A service with no teams has nobody, so it is in no sum.

    A team's figures about leavers (length of service, destination, supervision before leaving)
    are never shown: a team rarely has 5 leavers in a year, and left out they cannot be added up
    against their service's, which keeps the sums to solve small at national scale. "Not in a
    team" has no service, so its figures are in the organisation's sums and protected there."""
    organisation = unit_id(report.organisation.unit)
    no_team = [tally for tally in report.teams if tally.unit.key is None]
    filled = [s for s in report.services if report.teams_of(s.unit)]
    equations = []
    names = [measure.name for measure in measures]
    for name in names:
        if not MEASURE_BY_NAME[name].every_level:  # a team's figures about leavers are never shown
            for service in filled:
                parts = tuple((unit_id(team.unit), name) for team in report.teams_of(service.unit))
                equations.append(Equation((unit_id(service.unit), name), parts))
        parts = tuple((unit_id(service.unit), name) for service in filled)
        if name not in NOT_SUMMED_OVER_NO_TEAM:
            parts += tuple((unit_id(tally.unit), name) for tally in no_team)
        equations.append(Equation((organisation, name), parts))
    row_sums = [(total, cells) for total, cells in ROW_SUMS if total in names]
    if row_sums:
        for tally in [report.organisation, *report.services, *no_team]:
            unit = unit_id(tally.unit)
            for total, cells in row_sums:
                equations.append(Equation((unit, total), tuple((unit, name) for name in cells)))
    return equations


def joined_measures(names: Iterable[str]) -> frozenset[str]:
    """`names` and every measure joined to them by a sum across a row (`ROW_SUMS`) or by being
    withheld together, and so on: the measures whose cells `protect` decides together. (A sum down
    a column joins one measure's cells.) No cell of one such group is ever decided by another's."""
    found = set(names)
    waiting = list(found)
    while waiting:
        name = waiting.pop()
        joined = {m.name for m in MEASURES if m.together == MEASURE_BY_NAME[name].together}
        for total, parts in ROW_SUMS:
            if name == total or name in parts:
                joined |= {total, *parts}
        waiting.extend(joined - found)
        found |= joined
    return frozenset(found)


# Where a decision already made for the same figures may be found (the `stored-figures` job's,
# supervision.hr.stored.kept_withholding), by `withholding_key`.
KeptWithholding = Callable[[bytes], Withheld | None]


def withheld_cells(
    report: Retention, asked: Iterable[str] | None = None, kept: KeptWithholding | None = None
) -> Withheld:
    """The small-numbers rule (`disclosure.is_small`) and secondary suppression (`disclosure.protect`).

    `asked`: decide only the cells of these measures (and those `joined_measures` to them), exactly
    as when every measure is decided: `protect` decides each group of cells joined by sums or by
    being withheld together on its own (tests/hr/test_secondary_suppression.py compares).

    The answer depends on the figures alone, so figures exactly the same as the last few decided
    (`withholding_key`) get the same answer again (`DECIDED_KEPT`), as do figures the hourly job
    decided (`kept`): no figure is kept, only which of these very figures are withheld; the
    figures shown are always the report's own."""
    measures, key = withholding_key(report, asked)
    with _decided_lock:
        found = _decided.get(key)
        if found is not None:
            _decided.move_to_end(key)
            return found
    found = kept(key) if kept is not None else None
    if found is None:
        with collector_paused():  # a cell, a sum and a row for every figure: see supervision.memory
            found = _decide(report, measures, asked is not None)
    with _decided_lock:
        _decided[key] = found
        while len(_decided) > DECIDED_KEPT:
            _decided.popitem(last=False)
    return found


def withholding_key(
    report: Retention, asked: Iterable[str] | None = None
) -> tuple[tuple[Measure, ...], bytes]:
    """The measures `withheld_cells` decides for `asked` (every published one when None), and the
    digest of everything the decision reads (`fingerprint`)."""
    measures = published_measures(report)
    if asked is not None:
        joined = joined_measures(asked)
        measures = tuple(measure for measure in measures if measure.name in joined)
    if report.counts_only and any(measure.supervision for measure in measures):
        raise ValueError("a counts-only report has no supervision before leaving")
    return measures, fingerprint(report, measures, asked is not None)


# Decided withholding, by the fingerprint of what it was decided from: a few, for the latest
# figures each process has shown (the summary's and HR's home page's, a snapshot date or two).
DECIDED_KEPT = 4
_decided: OrderedDict[bytes, Withheld] = OrderedDict()
_decided_lock = threading.Lock()
# The rules the decision follows, as written: a decision kept by a process or stored by the job
# is found again only by the code that made it, so a change to the rules is never answered by an
# old decision (the stored ones are decided again by the next hourly run).
RULES_DIGEST = hashlib.sha256(
    Path(disclosure.__file__).read_bytes() + Path(__file__).read_bytes()
).hexdigest()


# Every figure of a tally, in a fixed order, read at C speed: what the measures' `value` and
# `people` read, and the few that no measure of a given set reads (a caseload changes HR's
# headlines' digest too: their withholding is decided afresh, never wrongly reused). They are the
# counts the metrics pool (a compliance pair read as its two numbers) and the vacant FTE, worked
# out per team. tests/hr/test_withholding_digest.py fails if a field of `Tally` is missing here.
COMPLIANCE_PAIRS = ("leavers_compliance", "stayers_compliance")
TALLY_FIGURES = attrgetter(
    *(
        part
        for name in POOLED_COUNTS
        for part in ((f"{name}.met", f"{name}.required") if name in COMPLIANCE_PAIRS else (name,))
    ),
    "vacant_fte",
)
BAND_KEYS = tuple(ServiceBand)


def fingerprint(report: Retention, measures: tuple[Measure, ...], some_measures: bool) -> bytes:
    """A digest of the rules (`RULES_DIGEST`) and of everything `_decide` reads: each row's unit
    (level, id, service) and every figure of its tally (`TALLY_FIGURES`, and the counts by length
    of service and destination in a fixed order), the measures' names, whether only some.

    Read as whole tallies rather than measure by measure: at national scale 4,200 rows of about 40
    measures cost 170 ms a request this way round (docs/performance.md, "HR summary")."""
    names = tuple(measure.name for measure in measures)
    digest = hashlib.sha256(repr((RULES_DIGEST, some_measures, names)).encode())
    rows = []
    for tally in [report.organisation, *report.services, *report.teams]:
        unit = tally.unit
        rows.append(
            (
                LEVEL_NAMES[unit.level],
                unit.key,
                unit.service_key,
                TALLY_FIGURES(tally),
                tuple(map(tally.by_service_band.__getitem__, BAND_KEYS)),
                tuple(map(tally.by_destination.__getitem__, DESTINATION_KEYS)),
            )
        )
    digest.update(repr(rows).encode())
    return digest.digest()


def _decide(report: Retention, measures: tuple[Measure, ...], some_measures: bool) -> Withheld:
    values: dict[Cell, int | Decimal] = {}
    small: set[Cell] = set()
    never_shown: dict[Cell, bool] = {}  # a team's figures about leavers: is it small?
    groups: dict[tuple[Hashable, str], list[Cell]] = defaultdict(list)
    for tally in [report.organisation, *report.services, *report.teams]:
        unit, team_level = unit_id(tally.unit), tally.unit.level is Level.TEAM
        for measure in measures:
            cell = (unit, measure.name)
            if measure.every_level and team_level and tally.unit.key is not None:
                never_shown[cell] = is_small(measure.people(tally))
                continue
            values[cell] = measure.value(tally)
            if (team_level or measure.every_level) and is_small(measure.people(tally)):
                small.add(cell)
            # Vacant FTE goes with the headcount only in a team row (establishment − FTE).
            if measure.name != "vacant_fte" or team_level:
                groups[(unit, measure.together)].append(cell)

    def together(cell: Cell) -> list[Cell]:
        group = groups.get((cell[0], MEASURE_BY_NAME[cell[1]].together), [])
        return group if cell in group else []  # a service's vacant FTE goes on its own

    def known_below(cell: Cell) -> int | None:
        # A "fewer than 5" count is known to be at most 4; FTE and sums of intervals are not bounded.
        return SMALL_NUMBER_THRESHOLD - 1 if cell[1] in COUNTS_OF_PEOPLE else None

    secondary = protect(values, small, sums(report, measures), together, known_below)
    small |= {cell for cell, is_small_cell in never_shown.items() if is_small_cell}
    secondary |= {cell for cell, is_small_cell in never_shown.items() if not is_small_cell}
    decided = frozenset(measure.name for measure in measures) if some_measures else None
    return Withheld(frozenset(small), frozenset(secondary), decided)


# Each column: heading, the figure's kind, how to get it from a tally, the measures it rests on.
Figure = tuple[str, Kind, Callable[[Tally], Decimal | int | None], tuple[str, ...]]


def _in_post_columns() -> list[Figure]:
    return [
        ("Headcount", Kind.COUNT, lambda t: t.in_post, ("in_post",)),
        ("FTE", Kind.FTE, lambda t: t.in_post_fte, ("in_post_fte",)),
        ("Agency workers", Kind.COUNT, lambda t: t.agency, ("agency",)),
        ("Agency FTE", Kind.FTE, lambda t: t.agency_fte, ("agency_fte",)),
        ("Agency rate", Kind.RATE, lambda t: t.agency_rate, ("agency_fte", "in_post_fte")),
        ("Average caseload", Kind.AVERAGE, lambda t: t.average_caseload, ("cases", "case_holders_fte")),
    ]


def _vacancy_columns() -> list[Figure]:
    return [
        # Establishment is funded posts, not people: never withheld.
        ("Establishment FTE", Kind.FTE, lambda t: t.unit.establishment_fte, ()),
        ("Employed FTE in post", Kind.FTE, lambda t: t.in_post_fte, ("in_post_fte",)),
        ("Vacant FTE", Kind.FTE, lambda t: t.vacant_fte, ("vacant_fte",)),
        ("Vacancy rate", Kind.RATE, lambda t: t.vacancy_rate, ("vacant_fte",)),
    ]


def _movement_columns() -> list[Figure]:
    return [
        ("Starters", Kind.COUNT, lambda t: t.starters, ("starters",)),
        ("Starters FTE", Kind.FTE, lambda t: t.starters_fte, ("starters_fte",)),
        ("Leavers", Kind.COUNT, lambda t: t.leavers, ("leavers",)),
        ("Leavers FTE", Kind.FTE, lambda t: t.leavers_fte, ("leavers_fte",)),
        ("Turnover rate", Kind.RATE, lambda t: t.turnover_rate, ("leavers_fte", "in_post_fte")),
    ]


def _counted(counts: Callable[[Tally], dict[str, int]], key: str) -> Callable[[Tally], int]:
    """A column of one key of a tally's counts (by length of service, by destination)."""
    return lambda tally: counts(tally)[key]


def _band_columns() -> list[Figure]:
    return [
        (band.label, Kind.COUNT, _counted(lambda tally: tally.by_service_band, band), (f"band:{band}",))
        for band in ServiceBand
    ]


def _destination_columns() -> list[Figure]:
    return [
        (
            DESTINATION_LABELS[key],
            Kind.COUNT,
            _counted(lambda tally: tally.by_destination, key),
            (f"destination:{key}",),
        )
        for key in DESTINATION_KEYS
    ]


def _supervision_columns() -> list[Figure]:
    return [
        (
            "Leavers with a supervision requirement",
            Kind.COUNT,
            lambda t: t.leavers_with_compliance,
            ("leavers_with_compliance",),
        ),
        (
            "Leavers: intervals met in their last 6 months",
            Kind.RATE,
            lambda t: t.leavers_compliance_rate,
            ("leavers_met", "leavers_required"),
        ),
        (
            "Staff who stayed, with a requirement",
            Kind.COUNT,
            lambda t: t.stayers_with_compliance,
            ("stayers_with_compliance",),
        ),
        (
            "Staff who stayed: intervals met in the 6 months to the snapshot",
            Kind.RATE,
            lambda t: t.stayers_compliance_rate,
            ("stayers_met", "stayers_required"),
        ),
    ]


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

    def trends(self, report: Retention, withheld: Withheld | None = None) -> list[TrendTable]:
        """The organisation's trend, and each shown service's."""
        return [
            t
            for t in trend_tables(report, withheld)
            if t.unit.level is not Level.SERVICE or self.shows(t.unit)
        ]


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


def _rows(
    report: Retention, columns: list[Figure], teams_shown: TeamsShown, withheld: Withheld
) -> tuple[Row, ...]:
    """Each shown row's cells. A row with nothing withheld (most of them) makes its cells
    straight away: the CSV has some 150,000 cells at national scale (docs/performance.md)."""
    withheld.check_decided(name for *_, measures in columns for name in measures)
    service_names = {tally.unit.key: tally.unit.name for tally in report.services}
    figures = [(value, kind, measures) for _, kind, value, measures in columns]
    by_row = withheld.by_row

    def row(tally: Tally) -> Row:
        unit = tally.unit
        found = by_row.get((LEVEL_NAMES[unit.level], unit.key))
        if found:
            cells = tuple(
                [shown_in_row(value(tally), kind, measures, found) for value, kind, measures in figures]
            )
        else:
            cells = tuple([Shown(value(tally), kind) for value, kind, _ in figures])
        service = service_names.get(unit.service_key) if unit.level is Level.TEAM else None
        return Row(unit.level, unit.name, service, cells, unit.key)

    rows = [row(report.organisation)]
    for service in report.services:
        rows.append(row(service))
        if teams_shown(service.unit):
            rows.extend([row(team) for team in report.teams_of(service.unit)])
    rows.extend([row(team) for team in report.teams if team.unit.key is None])
    return tuple(rows)


FLOW_TABLES = ("starters-and-leavers", "length-of-service", "destination", "supervision")


# Each table's columns, by the table's key.
TABLE_COLUMNS: dict[str, Callable[[], list[Figure]]] = {
    "in-post": _in_post_columns,
    "vacancies": _vacancy_columns,
    "starters-and-leavers": _movement_columns,
    "length-of-service": _band_columns,
    "destination": _destination_columns,
    "supervision": _supervision_columns,
}


def _not_counts_only(report: Retention) -> None:
    if report.counts_only:
        raise ValueError("a counts-only report gives the organisation's cells only (organisation_cells)")


def retention_tables(
    report: Retention, teams_shown: TeamsShown = every_service, withheld: Withheld | None = None
) -> list[Table]:
    """The tables for the report's snapshot date: those about the year's starters and leavers on
    census dates only (`disclosure.shows_flows`)."""
    _not_counts_only(report)
    withheld = withheld or withheld_cells(report)
    snapshot, period = format_date(report.year.snapshot), period_text(report)
    specs = [
        (
            "in-post",
            f"Registered social workers in post on {snapshot}",
            "Headcount and FTE are employed staff (permanent and fixed term); agency workers are counted "
            "apart. Average caseload is cases held ÷ the FTE of the workers holding them.",
        ),
        (
            "vacancies",
            f"Vacancies on {snapshot}",
            "Funded posts (the team's establishment) not filled by an employed social worker, including "
            "posts covered by agency workers.",
        ),
        (
            "starters-and-leavers",
            f"Starters and leavers, {period}",
            "Employed staff who started or whose last day fell in the period. Turnover rate is leavers' FTE "
            f"÷ FTE in post on {snapshot}.",
        ),
        (
            "length-of-service",
            "Leavers by length of service",
            "Completed years from their start date to their last day.",
        ),
        (
            "destination",
            "Leavers by destination",
            "Where leavers said they were going.",
        ),
        (
            "supervision",
            "Supervision before leaving, compared with staff who stayed",
            "The share of supervision intervals met on time. Leavers: the 6 months up to their last "
            "day. Staff who stayed: the 6 months up to the snapshot date.",
        ),
    ]
    flows = shows_flows(report.year.snapshot)
    tables = []
    for key, title, description in specs:
        if flows or key not in FLOW_TABLES:
            columns = TABLE_COLUMNS[key]()
            rows = _rows(report, columns, teams_shown, withheld)
            tables.append(Table(key, title, description, tuple(heading for heading, *_ in columns), rows))
    return tables


# The organisation's headline figures on HR's home page: (retention table, column), shown as
# the retention page's own cells (with its small-numbers rule).
HR_HEADLINES = (
    ("in-post", "Headcount"),
    ("in-post", "Agency rate"),
    ("vacancies", "Vacancy rate"),
    ("starters-and-leavers", "Turnover rate"),
)


def _wanted_figures(report: Retention, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Figure]:
    flows = shows_flows(report.year.snapshot)
    figures: dict[tuple[str, str], Figure] = {}
    for key, heading in wanted:
        if flows or key not in FLOW_TABLES:
            by_heading = {figure[0]: figure for figure in TABLE_COLUMNS[key]()}
            figures[(key, heading)] = by_heading[heading]  # a heading the table lacks: KeyError
    return figures


def measures_of(report: Retention, wanted: Iterable[tuple[str, str]]) -> set[str]:
    """The measures the columns `wanted` rest on, on the report's snapshot date: `organisation_cells`'s
    `asked`, and the `stored-figures` job's for HR's headlines."""
    return {name for *_, measures in _wanted_figures(report, wanted).values() for name in measures}


def organisation_cells(
    report: Retention, wanted: Iterable[tuple[str, str]], kept: KeptWithholding | None = None
) -> dict[tuple[str, str], Shown]:
    """The organisation's cells of the columns `wanted` ((table key, column heading)), exactly as
    `retention_tables` shows them in its first row: the same figures and the same withholding,
    worked out for the measures they rest on only (`withheld_cells`'s `asked`). A column of a
    table not shown on the report's snapshot date (`shows_flows`) is left out."""
    figures = _wanted_figures(report, wanted)
    withheld = withheld_cells(report, measures_of(report, wanted), kept)
    organisation = report.organisation
    return {
        wanted_cell: withheld.cell(value(organisation), kind, organisation.unit, measures)
        for wanted_cell, (_, kind, value, measures) in figures.items()
    }


# A month's leavers' FTE and the FTE in post at its end are not shown: with the turnover rate they
# gave each month's leavers' FTE (one person's, in a month with one leaver), and the organisation's
# FTE minus its services' gave "Not in a team" every month.
TREND_COLUMNS = ("Turnover rate", "Vacant FTE", "Vacancy rate")


def _month_cells(
    unit: Unit, month: MonthFigures, last: bool, withheld: Withheld, teams: int
) -> tuple[Shown, ...]:
    """A month of the organisation's or a service's trend.

    Turnover is about leavers, so it follows their rule at every level: shown for 5 leavers or
    more in the month. Vacancy is withheld where it could give a team's: a service of one team,
    a vacancy of 0 (every team's would be 0), and in the snapshot's month wherever the tables
    withhold it.
    """
    turnover_small = is_small(month.leavers)
    vacancy_withheld = teams < 2 or month.vacant_fte == 0
    if last:
        vacancy_withheld = vacancy_withheld or withheld.cell(None, Kind.FTE, unit, ("vacant_fte",)).suppressed
    return (
        Shown(month.turnover_rate, Kind.RATE, suppressed=turnover_small),
        Shown(month.vacant_fte, Kind.FTE, suppressed=vacancy_withheld, secondary=vacancy_withheld),
        Shown(month.vacancy_rate, Kind.RATE, suppressed=vacancy_withheld, secondary=vacancy_withheld),
    )


def trend_tables(report: Retention, withheld: Withheld | None = None) -> list[TrendTable]:
    _not_counts_only(report)
    withheld = withheld or withheld_cells(report)
    real_teams = [tally for tally in report.teams if tally.unit.key is not None]
    teams = {None: len(real_teams)} | {s.unit.key: len(report.teams_of(s.unit)) for s in report.services}
    return [
        TrendTable(
            unit,
            TREND_COLUMNS,
            tuple(
                (
                    month.first,
                    _month_cells(
                        unit,
                        month,
                        index == len(months) - 1,
                        withheld,
                        teams[unit.key if unit.level is Level.SERVICE else None],
                    ),
                )
                for index, month in enumerate(months)
            ),
        )
        for unit, months in report.trends.items()
    ]
