"""Retention figures as pure functions: no database, request or clock.

The definitions follow the DfE children's social work workforce census and are written out for
HR in docs/metrics.md ("HR retention figures"); keep the two in step. Callers pass the
registered social workers of one organisation as `Worker` facts and a `CensusYear`; every
figure for the organisation, each service and each team comes back from one pass over them.
Supervision before leaving pools each person's intervals met on time and closed in their window,
as the compliance engine works them out (`supervision.compliance.rules.period_compliance`, fed
by `supervision.compliance.services.period_compliance_for`): no rule about intervals lives here.
"""

from __future__ import annotations

import calendar
import enum
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import NamedTuple

from supervision.dates import add_months
from supervision.org.models import LeavingDestination

ZERO = Decimal("0")
MONTHS_BEFORE_LEAVING = 6


class Level(enum.StrEnum):
    ORGANISATION = "organisation"
    SERVICE = "service"
    TEAM = "team"


class ServiceBand(enum.StrEnum):
    """Length of service at leaving, in completed years."""

    UNDER_2 = "under_2"
    FROM_2_TO_5 = "2_to_5"
    FROM_5_TO_10 = "5_to_10"
    FROM_10 = "10_or_more"

    @property
    def label(self) -> str:
        return {
            "under_2": "Less than 2 years",
            "2_to_5": "2 to less than 5 years",
            "5_to_10": "5 to less than 10 years",
            "10_or_more": "10 years or more",
        }[self.value]


NOT_RECORDED = "not_recorded"
DESTINATION_KEYS: tuple[str, ...] = (*(d.value for d in LeavingDestination), NOT_RECORDED)
DESTINATION_LABELS = {d.value: d.label for d in LeavingDestination} | {NOT_RECORDED: "Not recorded"}


# ---------------------------------------------------------------------------- inputs


class Worker(NamedTuple):
    """One registered social worker's employment facts, as HR holds them.

    A named tuple: the summary makes one for each of 40,000 people, and a frozen dataclass
    took three times as long to build.
    """

    staff_id: int
    team_id: int | None
    agency: bool
    fte: Decimal
    caseload: int | None
    start_date: date
    end_date: date | None = None
    leaving_destination: LeavingDestination | None = None

    def in_post_on(self, day: date) -> bool:
        """Started on or before `day` and not yet gone: a person whose last day is `day` has left."""
        return self.start_date <= day and (self.end_date is None or self.end_date > day)

    def left_between(self, first: date, last: date) -> bool:
        return self.end_date is not None and first <= self.end_date <= last

    def started_between(self, first: date, last: date) -> bool:
        return first <= self.start_date <= last


@dataclass(frozen=True)
class Unit:
    """The organisation, a service or a team: a row of the report."""

    level: Level
    key: int | None  # service or team id; None for the organisation and for "not in a team"
    name: str
    service_key: int | None = None  # a team's service
    establishment_fte: Decimal = ZERO  # funded posts; for a service or the organisation, its teams'


@dataclass(frozen=True)
class CensusYear:
    """The 12 months ending on the snapshot date (the census year ends on 30 September)."""

    snapshot: date

    # Cached: the report asks for these once per worker.
    @cached_property
    def starts_on(self) -> date:
        return add_months(self.snapshot, -12) + timedelta(days=1)

    @cached_property
    def months(self) -> list[tuple[date, date]]:
        """The 12 calendar months up to the snapshot's, each as (first day, last day counted)."""
        months = []
        for back in range(11, -1, -1):
            first = add_months(self.snapshot.replace(day=1), -back)
            last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
            months.append((first, min(last, self.snapshot)))
        return months


@dataclass(frozen=True)
class Compliance:
    """Supervision intervals met on time and intervals closed over a stretch of time."""

    met: int = 0
    required: int = 0

    def __add__(self, other: Compliance) -> Compliance:
        return Compliance(self.met + other.met, self.required + other.required)


# ------------------------------------------------------------------------- outputs


@dataclass
class Tally:
    """Everything counted for one unit; rates are worked out from these by the properties."""

    unit: Unit
    in_post: int = 0
    in_post_fte: Decimal = ZERO
    agency: int = 0
    agency_fte: Decimal = ZERO
    starters: int = 0
    starters_fte: Decimal = ZERO
    leavers: int = 0
    leavers_fte: Decimal = ZERO
    case_holders: int = 0
    case_holders_fte: Decimal = ZERO
    cases: int = 0
    vacant_fte: Decimal = ZERO
    by_service_band: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ServiceBand, 0))
    by_destination: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DESTINATION_KEYS, 0))
    leavers_compliance: Compliance = Compliance()
    leavers_with_compliance: int = 0
    stayers_compliance: Compliance = Compliance()
    stayers_with_compliance: int = 0

    @property
    def turnover_rate(self) -> Decimal | None:
        """FTE leavers in the year ÷ FTE in post at the snapshot date, as a percentage."""
        return percentage(self.leavers_fte, self.in_post_fte)

    @property
    def agency_rate(self) -> Decimal | None:
        """Agency FTE ÷ (agency + employed FTE) at the snapshot date, as a percentage."""
        return percentage(self.agency_fte, self.agency_fte + self.in_post_fte)

    @property
    def vacancy_rate(self) -> Decimal | None:
        """Vacant FTE ÷ establishment FTE at the snapshot date, as a percentage."""
        return percentage(self.vacant_fte, self.unit.establishment_fte)

    @property
    def average_caseload(self) -> Decimal | None:
        """Cases held ÷ FTE of the case holders."""
        if not self.case_holders_fte:
            return None
        return Decimal(self.cases) / self.case_holders_fte

    @property
    def leavers_compliance_rate(self) -> Decimal | None:
        return percentage(self.leavers_compliance.met, self.leavers_compliance.required)

    @property
    def stayers_compliance_rate(self) -> Decimal | None:
        return percentage(self.stayers_compliance.met, self.stayers_compliance.required)


@dataclass(frozen=True)
class MonthFigures:
    first: date
    last: date
    leavers_fte: Decimal
    in_post_fte: Decimal
    vacant_fte: Decimal
    establishment_fte: Decimal
    leavers: int = 0  # people: the small-numbers rule for the month's turnover

    @property
    def turnover_rate(self) -> Decimal | None:
        """FTE leavers in the month ÷ FTE in post at the month's last day, as a percentage."""
        return percentage(self.leavers_fte, self.in_post_fte)

    @property
    def vacancy_rate(self) -> Decimal | None:
        return percentage(self.vacant_fte, self.establishment_fte)


@dataclass(frozen=True)
class Retention:
    year: CensusYear
    organisation: Tally
    services: list[Tally]
    teams: list[Tally]  # in service order; "not in a team" last
    trends: dict[Unit, list[MonthFigures]]  # the organisation and each service
    # When the stored figures shown were worked out (supervision.hr.stored): every figure when
    # `stored_whole`, else only "supervision before leaving"; None when all were worked out for
    # this request.
    figures_as_at: datetime | None = None
    stored_whole: bool = False
    # Counts of people and their FTE only (HR's home page): no supervision before leaving and no
    # monthly trend were worked out, so nothing may show them (supervision.hr.tables refuses).
    counts_only: bool = False

    def teams_of(self, service: Unit) -> list[Tally]:
        return self._teams_by_service.get(service.key, [])

    @cached_property
    def _teams_by_service(self) -> dict[int | None, list[Tally]]:
        # Once, not a pass over every team per service: 4,000 teams in 200 services at national scale.
        found: dict[int | None, list[Tally]] = defaultdict(list)
        for tally in self.teams:
            found[tally.unit.service_key].append(tally)
        return found


# -------------------------------------------------------------------------- helpers


def latest_census_date(today: date) -> date:
    """The most recent 30 September on or before `today`: the default snapshot date."""
    this_year = date(today.year, 9, 30)
    return this_year if this_year <= today else date(today.year - 1, 9, 30)


def percentage(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """None when there is nothing to divide by: a rate of an empty group is not 0%."""
    if not denominator:
        return None
    return Decimal(numerator) * 100 / Decimal(denominator)


def completed_years(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def service_band(start: date, end: date) -> ServiceBand:
    """Length of service at leaving: under 2, 2 to under 5, 5 to under 10, 10 or more years."""
    years = completed_years(start, end)
    if years < 2:
        return ServiceBand.UNDER_2
    if years < 5:
        return ServiceBand.FROM_2_TO_5
    if years < 10:
        return ServiceBand.FROM_5_TO_10
    return ServiceBand.FROM_10


@lru_cache(maxsize=4096)
def compliance_window_before_leaving(end_date: date) -> tuple[date, date]:
    """The 6 months up to and including a leaver's last day."""
    return add_months(end_date, -MONTHS_BEFORE_LEAVING) + timedelta(days=1), end_date


def compliance_window_of_stayers(year: CensusYear) -> tuple[date, date]:
    """Staff who stayed are looked at over the 6 months up to the snapshot date."""
    return compliance_window_before_leaving(year.snapshot)


def compliance_windows(workers: Iterable[Worker], year: CensusYear) -> dict[int, tuple[date, date]]:
    """Whose supervision is compared, and over which days: employed leavers and stayers only."""
    windows = {}
    for worker in workers:
        if worker.agency:
            continue
        if worker.left_between(year.starts_on, year.snapshot):
            windows[worker.staff_id] = compliance_window_before_leaving(worker.end_date)
        elif worker.in_post_on(year.snapshot):
            windows[worker.staff_id] = compliance_window_of_stayers(year)
    return windows


def vacant_fte(establishment: Decimal, employed_fte: Decimal) -> Decimal:
    """Funded posts not filled by an employed social worker (posts covered by agency staff count)."""
    return max(establishment - employed_fte, ZERO)


# ------------------------------------------------------------------------ the report


def _count_worker(
    tally: Tally, worker: Worker, year: CensusYear, compliance: Mapping[int, Compliance]
) -> None:
    """Add one worker to their team's tally (services and the organisation add up teams).

    Compliance compares leavers in the year against employed staff in post at the snapshot
    who have an agreement.
    """
    snapshot, first = year.snapshot, year.starts_on
    in_post = worker.in_post_on(snapshot)
    employed = not worker.agency
    started = employed and worker.started_between(first, snapshot)
    left = employed and worker.left_between(first, snapshot)
    found = compliance.get(worker.staff_id) if employed else None
    if in_post:
        if worker.agency:
            tally.agency += 1
            tally.agency_fte += worker.fte
        else:
            tally.in_post += 1
            tally.in_post_fte += worker.fte
        if worker.caseload:
            tally.case_holders += 1
            tally.case_holders_fte += worker.fte
            tally.cases += worker.caseload
    if started:
        tally.starters += 1
        tally.starters_fte += worker.fte
    if left and worker.end_date is not None:  # left_between: it is
        tally.leavers += 1
        tally.leavers_fte += worker.fte
        tally.by_service_band[service_band(worker.start_date, worker.end_date)] += 1
        tally.by_destination[
            worker.leaving_destination.value if worker.leaving_destination else NOT_RECORDED
        ] += 1
    if found is None:
        return
    if left:
        tally.leavers_compliance += found
        tally.leavers_with_compliance += 1
    elif in_post:
        tally.stayers_compliance += found
        tally.stayers_with_compliance += 1


# The plain counts of a Tally, pooled by adding (vacant FTE is worked out per team instead).
POOLED_COUNTS = (
    "in_post",
    "in_post_fte",
    "agency",
    "agency_fte",
    "starters",
    "starters_fte",
    "leavers",
    "leavers_fte",
    "case_holders",
    "case_holders_fte",
    "cases",
    "leavers_compliance",
    "leavers_with_compliance",
    "stayers_compliance",
    "stayers_with_compliance",
)


def _pool(into: Tally, part: Tally) -> None:
    """Add `part`'s counts to `into`'s."""
    for name in POOLED_COUNTS:
        setattr(into, name, getattr(into, name) + getattr(part, name))
    for name in ("by_service_band", "by_destination"):
        pooled = getattr(into, name)
        for key, count in getattr(part, name).items():
            pooled[key] = pooled.get(key, 0) + count


def retention(
    year: CensusYear,
    organisation: Unit,
    services: Iterable[Unit],
    teams: Iterable[Unit],
    workers: Iterable[Worker],
    compliance: Mapping[int, Compliance] | None = None,
    counts_only: bool = False,
) -> Retention:
    """Every figure for the organisation, each service and each team, and the monthly trends.

    `compliance` maps a staff id to the supervision intervals met and required in that person's
    window: the 6 months before leaving for a leaver, the 6 months to the snapshot for a stayer.
    A person missing from it had no supervision requirement in the window and is left out.
    The vacancy of a service or the organisation is the sum of its teams' vacancies, so one
    team's extra staff never hide another team's empty posts.

    `counts_only`: the same counts, without the monthly trends (and `compliance` is not asked for).
    """
    compliance = compliance or {}
    workers = list(workers)
    services = list(services)
    teams = list(teams)
    service_tallies = {unit.key: Tally(unit) for unit in services}
    team_tallies = {unit.key: Tally(unit) for unit in teams}
    no_team = Tally(Unit(Level.TEAM, None, "Not in a team"))
    organisation_tally = Tally(organisation)

    # Each worker is counted once, in their team; services and the organisation add up teams.
    for worker in workers:
        _count_worker(team_tallies.get(worker.team_id, no_team), worker, year, compliance)
    for tally in team_tallies.values():
        _pool(service_tallies[tally.unit.service_key], tally)
    for tally in [*service_tallies.values(), no_team]:
        _pool(organisation_tally, tally)

    teams_of_service: dict[int | None, list[Tally]] = defaultdict(list)
    for tally in team_tallies.values():
        tally.vacant_fte = vacant_fte(tally.unit.establishment_fte, tally.in_post_fte)
        teams_of_service[tally.unit.service_key].append(tally)
    for service in service_tallies.values():
        service.vacant_fte = sum((t.vacant_fte for t in teams_of_service[service.unit.key]), ZERO)
    organisation_tally.vacant_fte = sum((t.vacant_fte for t in team_tallies.values()), ZERO)

    service_order = {unit.key: position for position, unit in enumerate(services)}
    ordered_teams = sorted(
        team_tallies.values(), key=lambda t: (service_order[t.unit.service_key], t.unit.name.lower())
    )
    if any(worker.team_id not in team_tallies for worker in workers):
        ordered_teams.append(no_team)
    return Retention(
        year=year,
        organisation=organisation_tally,
        services=[service_tallies[unit.key] for unit in services],
        teams=ordered_teams,
        trends={} if counts_only else monthly_trends(year, organisation, services, teams, workers),
        counts_only=counts_only,
    )


def monthly_trends(
    year: CensusYear,
    organisation: Unit,
    services: list[Unit],
    teams: list[Unit],
    workers: list[Worker],
) -> dict[Unit, list[MonthFigures]]:
    """Turnover and vacancy month by month, for the organisation and each service.

    Each month's turnover is that month's FTE leavers ÷ FTE in post on its last day; vacancy is
    worked out per team on that day and added up, as for the year.
    """
    months = year.months
    firsts = [first for first, _ in months]
    lasts = [last for _, last in months]
    team_by_key = {unit.key: unit for unit in teams}
    # [month index][team key] -> employed FTE in post at the month's end; leavers FTE by unit key.
    # A worker's FTE joins their team's at the first month they are in post at the end of, and
    # leaves it after the last: changes per month, added up month by month below.
    changes: list[dict[int | None, Decimal]] = [defaultdict(lambda: ZERO) for _ in range(len(months) + 1)]
    leavers: list[dict[tuple[Level, int | None], Decimal]] = [defaultdict(lambda: ZERO) for _ in months]
    leaver_counts: list[dict[tuple[Level, int | None], int]] = [defaultdict(int) for _ in months]
    for worker in workers:
        if worker.agency:
            continue
        team = team_by_key.get(worker.team_id)
        # In post at the end of a run of months: from the first ending on or after the start
        # day to the last ending before the leaving day (Worker.in_post_on, found by bisection).
        in_post_from = bisect_left(lasts, worker.start_date)
        in_post_until = len(months) if worker.end_date is None else bisect_left(lasts, worker.end_date)
        if in_post_from < in_post_until:
            key = worker.team_id if team is not None else None
            changes[in_post_from][key] += worker.fte
            changes[in_post_until][key] -= worker.fte
        if worker.end_date is None:
            continue
        index = bisect_right(firsts, worker.end_date) - 1
        if index >= 0 and worker.left_between(*months[index]):
            leavers[index][(Level.ORGANISATION, None)] += worker.fte
            leaver_counts[index][(Level.ORGANISATION, None)] += 1
            if team is not None:
                leavers[index][(Level.SERVICE, team.service_key)] += worker.fte
                leaver_counts[index][(Level.SERVICE, team.service_key)] += 1

    # Month by month: each team's FTE in post at the month's end and its vacancy, added up into
    # its service's and the organisation's. A team's vacancy is worked out again only in a month
    # its FTE changed (at national scale most of 4,000 teams keep theirs from month to month).
    # The sums are exact (FTE has two decimal places), so adding teams by service, and services
    # into the organisation, gives the very same figures as adding teams one by one in any order.
    team_keys: dict[int | None, list[int | None]] = defaultdict(list)
    for team in teams:
        team_keys[team.service_key].append(team.key)
    funded = {team.key: team.establishment_fte for team in teams}
    running: dict[int | None, Decimal] = dict.fromkeys([*funded, None], ZERO)
    team_vacant = {key: vacant_fte(posts, ZERO) for key, posts in funded.items()}
    in_post_fte: list[dict[tuple[Level, int | None], Decimal]] = []
    vacant: list[dict[tuple[Level, int | None], Decimal]] = []
    for index in range(len(months)):
        for key, change in changes[index].items():
            running[key] += change
            if key in funded:
                team_vacant[key] = vacant_fte(funded[key], running[key])
        # By service key first: a key with the level in it is hashed through the enum's own
        # (Python) hash, 4,000 teams times 12 months times 4 at national scale.
        service_fte = {key: sum(map(running.__getitem__, keys), ZERO) for key, keys in team_keys.items()}
        service_vacant = {
            key: sum(map(team_vacant.__getitem__, keys), ZERO) for key, keys in team_keys.items()
        }
        month_fte: dict[tuple[Level, int | None], Decimal] = defaultdict(lambda: ZERO)
        month_vacant: dict[tuple[Level, int | None], Decimal] = defaultdict(lambda: ZERO)
        month_fte.update(((Level.SERVICE, key), fte) for key, fte in service_fte.items())
        month_vacant.update(((Level.SERVICE, key), fte) for key, fte in service_vacant.items())
        # The organisation's FTE includes people in no team (who leave no team's post vacant).
        month_fte[(Level.ORGANISATION, None)] = sum(service_fte.values(), ZERO) + running[None]
        month_vacant[(Level.ORGANISATION, None)] = sum(service_vacant.values(), ZERO)
        in_post_fte.append(month_fte)
        vacant.append(month_vacant)

    teams_of_service: dict[int | None, list[Unit]] = defaultdict(list)
    for team in teams:
        teams_of_service[team.service_key].append(team)

    def figures(unit: Unit, establishment: Decimal) -> list[MonthFigures]:
        key = (unit.level, unit.key)
        return [
            MonthFigures(
                first=first,
                last=last,
                leavers_fte=leavers[index][key],
                in_post_fte=in_post_fte[index][key],
                vacant_fte=vacant[index][key],
                establishment_fte=establishment,
                leavers=leaver_counts[index][key],
            )
            for index, (first, last) in enumerate(months)
        ]

    trends = {organisation: figures(organisation, sum((t.establishment_fte for t in teams), ZERO))}
    for service in services:
        establishment = sum((t.establishment_fte for t in teams_of_service[service.key]), ZERO)
        trends[service] = figures(service, establishment)
    return trends
