"""Stored oversight figures: each person's counts per calendar month, refreshed every hour.

The organisation and service oversight reports pool every person's history. Worked out live
at national scale that is a minute of replaying 45,000 histories per page (docs/performance.md),
so the `stored-figures` job works each person's figures out once an hour, through the same
`figures` functions the live report uses, and stores them per person and month. The reports
then add rows up in SQL.

A stored month is exactly the live figure for that month, and the months add up to any period
made of whole months, because every count is dated (an interval by the day it closed, a record
by the day it was held, a cancellation by its day, an explained gap by its due date). The three
figures that do not simply add are stored so that they can be pooled:
- staff in scope: a person is counted once however many of the period's months they have;
- longest gap: the longest gap closed in any month, or the gap still open at the end of the
  person's last month in the period (`figures.Gaps` keeps the two apart);
- days between sessions, gap reasons and audit grades: stored as counts per value, so a median
  comes from the pooled counts.

The stored figures follow the one freshness rule (supervision.stored_figures.freshness): used
only when worked out today, and the page says "Figures as at" the run's time. They answer any
period of whole stored months (it may end today); team and worker pages are always live: they
are small.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from supervision.agreements.models import SupervisionPolicy
from supervision.bulk import NO_SYNC, insert_rows
from supervision.compliance.services import assess_people, thresholds_for
from supervision.extensions import AnySession
from supervision.memory import collector_paused
from supervision.org.models import Service, Staff, Team
from supervision.reports import figures
from supervision.reports.figures import Period, Tally
from supervision.reports.forms import default_period
from supervision.reports.models import (
    OversightMonth,
    OversightMonthValue,
    OversightNow,
    OversightServiceMonth,
    OversightUnitFigures,
)
from supervision.stored_figures.freshness import current_run
from supervision.stored_figures.models import StoredFiguresRun

# People whose histories are worked out at a time: bounds the job's memory.
BATCH_SIZE = 5_000

GAP_DAYS = "gap_days"
GAP_REASON = "gap_reason"
AUDIT_GRADE = "audit_grade"

# The plain counts stored per person and month, each summed across people and months.
MONTH_COUNTS = (
    "sessions_required",
    "sessions_on_time",
    "records_held",
    "write_ups_judged",
    "write_ups_on_time",
    "records_signed",
    "records_complete",
    "disagreements",
    "sessions_planned",
    "sessions_cancelled",
    "gaps_started",
    "gaps_unexplained",
)
NOW_COUNTS = ("overdue_now", "escalated_now", "without_agreement_now", "actions_overdue_now")
MONTH_COLUMNS = ("staff_id", "month", *MONTH_COUNTS, "longest_closed_gap", "open_gap")
VALUE_COLUMNS = ("staff_id", "month", "kind", "value", "count")


def stored_months(today: date) -> list[Period]:
    """Every month a report's period or trend may cover (figures.reportable_months)."""
    return figures.months_ending(today, figures.STORED_MONTHS)


# ------------------------------------------------------------------------------ the job


def refresh_organisation(session: AnySession, organisation_id: int, today: date) -> Counter:
    """Work out and store every person's monthly figures, and every unit's for the default
    period, replacing the organisation's old ones. The `stored-figures` job commits them with
    its run record (supervision.stored_figures), so a report never reads a half-written set."""
    from supervision.reports.services import load_histories, policy_for  # services imports this module

    months = stored_months(today)
    window = Period(months[0].starts_on, today)
    default = default_period(today)
    trend_count = len(figures.months_ending(today, figures.TREND_MONTHS))
    policy: SupervisionPolicy | None = policy_for(organisation_id)
    thresholds = thresholds_for(policy)
    staff_of_organisation = sa.select(Staff.id).where(Staff.organisation_id == organisation_id)
    for table in (OversightMonthValue, OversightMonth, OversightNow):
        session.execute(
            sa.delete(table).where(table.staff_id.in_(staff_of_organisation)), execution_options=NO_SYNC
        )
    session.execute(
        sa.delete(OversightUnitFigures).where(OversightUnitFigures.organisation_id == organisation_id),
        execution_options=NO_SYNC,
    )
    services_of_organisation = sa.select(Service.id).where(Service.organisation_id == organisation_id)
    session.execute(
        sa.delete(OversightServiceMonth).where(
            OversightServiceMonth.service_id.in_(services_of_organisation)
        ),
        execution_options=NO_SYNC,
    )
    service_of_team = dict(
        session.execute(
            sa.select(Team.id, Team.service_id).where(Team.service_id.in_(services_of_organisation))
        ).all()
    )
    in_window = list(
        session.scalars(
            staff_of_organisation.where(
                Staff.start_date <= window.ends_on,
                sa.or_(Staff.end_date.is_(None), Staff.end_date >= window.starts_on),
            ).order_by(Staff.id)
        )
    )
    # Each team's figures for the default period and its trend, added up person by person.
    team_totals: dict[int, list[Tally]] = defaultdict(lambda: [Tally() for _ in range(1 + trend_count)])
    # Each service's months, added up person by person (people count in the team they are in).
    service_months: dict[tuple[int, date], ServiceMonth] = defaultdict(ServiceMonth)
    counts: Counter = Counter()
    for start in range(0, len(in_window), BATCH_SIZE):
        batch = in_window[start : start + BATCH_SIZE]
        month_rows: list[tuple] = []
        value_rows: list[tuple] = []
        # The collector waits while a batch's histories are built (see supervision.memory), and
        # runs between batches, so that what one batch left behind is freed before the next.
        with collector_paused():
            people, histories = load_histories(batch, window, today, policy)
            for person in people:
                pairs = figures.tally_person_with_gaps(
                    histories[person.id], [*months, default], today, thresholds
                )
                team_id = person.team_id
                service_id = None if team_id is None else service_of_team.get(team_id)
                for month, (tally, month_gaps) in zip(months, pairs, strict=False):
                    if tally.staff_in_scope:
                        month_rows.append(_month_row(person.id, month, tally, month_gaps))
                        value_rows.extend(_value_rows(person.id, month, tally))
                        if service_id is not None:
                            service_months[service_id, month.starts_on].add(tally, month_gaps)
                if team_id is not None:
                    totals = team_totals[team_id]
                    totals[0] += pairs[-1][0]
                    for total_tally, (tally, _) in zip(totals[1:], pairs[-1 - trend_count : -1], strict=True):
                        total_tally += tally
            counts["people"] += len(people)
        insert_rows(session, OversightMonth.__table__, MONTH_COLUMNS, month_rows)
        insert_rows(session, OversightMonthValue.__table__, VALUE_COLUMNS, value_rows)
        counts["person_months"] += len(month_rows)

    in_post = staff_of_organisation.where(*in_post_on(today))
    team_of = dict(session.execute(sa.select(Staff.id, Staff.team_id).where(Staff.id.in_(in_post))).all())
    now_rows = []
    for result in assess_people(session, in_post, today):
        now_tally = figures.tally_now(result.status, result.assessment.actions_overdue)
        now_rows.append((result.person.id, *(getattr(now_tally, name) for name in NOW_COUNTS)))
        if (team_id := team_of.get(result.person.id)) is not None:
            team_totals[team_id][0] += now_tally
    insert_rows(session, OversightNow.__table__, ("staff_id", *NOW_COUNTS), now_rows)
    counts["in_post"] += len(now_rows)

    _store_unit_figures(session, organisation_id, default, team_totals, trend_count)
    if service_months:
        session.execute(
            sa.insert(OversightServiceMonth),
            [
                {"service_id": service_id, "month": month, "figures": found.json()}
                for (service_id, month), found in service_months.items()
            ],
        )
    return counts


def in_post_on(today: date) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        Staff.active.is_(True),
        Staff.start_date <= today,
        sa.or_(Staff.end_date.is_(None), Staff.end_date >= today),
    )


@dataclass
class ServiceMonth:
    """A service's month, pooled from its people's: counts add; the longest gaps are kept as the
    person-month rows keep them (closed in the month, and still open at its end)."""

    tally: Tally = field(default_factory=Tally)
    closed: int | None = None
    still_open: int | None = None

    def add(self, tally: Tally, gaps: figures.Gaps) -> None:
        self.tally += tally
        self.closed = figures.max_or_none(self.closed, gaps.closed)
        self.still_open = figures.max_or_none(self.still_open, gaps.still_open)

    def json(self) -> dict:
        self.tally.longest_gap = figures.max_or_none(self.closed, self.still_open)
        return {"tally": tally_json(self.tally), "closed": self.closed}


def _month_row(staff_id: int, month: Period, tally: Tally, month_gaps: figures.Gaps) -> tuple:
    """A row of MONTH_COLUMNS."""
    counts = tuple(getattr(tally, name) for name in MONTH_COUNTS)
    return (staff_id, month.starts_on, *counts, month_gaps.closed, month_gaps.still_open)


def _value_rows(staff_id: int, month: Period, tally: Tally) -> list[tuple]:
    """Rows of VALUE_COLUMNS: how often each value occurred in the month."""
    return [
        (staff_id, month.starts_on, kind, str(value), count)
        for kind, counter in (
            (GAP_DAYS, tally.days_between_sessions),
            (GAP_REASON, tally.gap_reasons),
            (AUDIT_GRADE, tally.audit_grades),
        )
        for value, count in counter.items()
    ]


def _store_unit_figures(
    session: AnySession,
    organisation_id: int,
    period: Period,
    team_totals: dict[int, list[Tally]],
    trend_count: int,
) -> None:
    """Every team's, service's and the organisation's figures for the default period."""
    teams = session.execute(
        sa.select(Team.id, Team.service_id)
        .join(Service, Service.id == Team.service_id)
        .where(Service.organisation_id == organisation_id)
    ).all()
    units: dict[tuple[str, int], list[Tally]] = {
        ("organisation", 0): [Tally() for _ in range(1 + trend_count)]
    }
    # Every service has a row, teams or none, so that a page never has to fall back for one.
    for service_id in session.scalars(
        sa.select(Service.id).where(Service.organisation_id == organisation_id)
    ):
        units["service", service_id] = [Tally() for _ in range(1 + trend_count)]
    for team_id, service_id in teams:
        tallies = team_totals.get(team_id) or [Tally() for _ in range(1 + trend_count)]
        units["team", team_id] = tallies
        for unit in (("service", service_id), ("organisation", 0)):
            pooled = units.setdefault(unit, [Tally() for _ in range(1 + trend_count)])
            for into, tally in zip(pooled, tallies, strict=True):
                into += tally
    for (level, unit_id), tallies in units.items():
        session.add(
            OversightUnitFigures(
                organisation_id=organisation_id,
                level=level,
                unit_id=unit_id,
                period_start=period.starts_on,
                period_end=period.ends_on,
                figures={"period": tally_json(tallies[0]), "months": [tally_json(t) for t in tallies[1:]]},
            )
        )


def tally_json(tally: Tally) -> dict:
    found = {name: getattr(tally, name) for name in figures.SUMMED_FIELDS}
    found["longest_gap"] = tally.longest_gap
    for name in ("days_between_sessions", "gap_reasons", "audit_grades"):
        found[name] = {str(value): count for value, count in getattr(tally, name).items()}
    return found


def tally_from_json(found: dict) -> Tally:
    tally = Tally(**{name: found[name] for name in figures.SUMMED_FIELDS}, longest_gap=found["longest_gap"])
    tally.days_between_sessions.update(
        {int(days): count for days, count in found["days_between_sessions"].items()}
    )
    tally.gap_reasons.update(found["gap_reasons"])
    tally.audit_grades.update(found["audit_grades"])
    return tally


# ---------------------------------------------------------------------------- the reports


@dataclass(frozen=True)
class TeamFigures:
    period: Tally
    months: list[Tally]


def usable_run(
    session: AnySession, organisation_id: int, period: Period, months: Sequence[Period], today: date
) -> StoredFiguresRun | None:
    """The run of the organisation's stored figures, when they may be shown today
    (supervision.stored_figures.freshness) and can answer for `period` and its trend."""
    run = current_run(session, organisation_id, today)
    if run is None:
        return None
    whole_months = period.starts_on.day == 1 and (
        period.ends_on == today or period.ends_on == figures.month_containing(period.ends_on).ends_on
    )
    if not whole_months or min(period.starts_on, months[0].starts_on) < stored_months(today)[0].starts_on:
        return None
    return run


def team_figures(
    session: AnySession, teams: Sequence[Team], period: Period, months: Sequence[Period]
) -> dict[int, TeamFigures]:
    """Each team's figures for `period` and each trend month, added up from the stored rows."""
    team_ids = [team.id for team in teams]
    return _added_up(session, Team.id, Team.id.in_(team_ids), team_ids, period, months)


def service_figures(
    session: AnySession, service_ids: Sequence[int], period: Period, months: Sequence[Period]
) -> dict[int, TeamFigures]:
    """Each service's figures: its months as the job added them up (OversightServiceMonth), and
    what does not add up across months (people in the period, the gap open at its end) from
    the people's rows. The organisation page needs no team rows."""
    first = min(period.starts_on, months[0].starts_on)
    by_month: dict[tuple[int, date], Tally] = {}
    closed_in: dict[tuple[int, date], int | None] = {}
    for service_id, month, found in session.execute(
        sa.select(
            OversightServiceMonth.service_id, OversightServiceMonth.month, OversightServiceMonth.figures
        ).where(
            OversightServiceMonth.service_id.in_(service_ids),
            OversightServiceMonth.month >= first,
            OversightServiceMonth.month <= period.ends_on,
        )
    ):
        by_month[service_id, month] = tally_from_json(found["tally"])
        closed_in[service_id, month] = found["closed"]
    return _added_up(
        session,
        Team.service_id,
        Team.service_id.in_(service_ids),
        service_ids,
        period,
        months,
        (by_month, closed_in),
    )


def _unit_months(
    session: AnySession,
    key: sa.orm.QueryableAttribute[int],
    of_units: Callable[[sa.Select, sa.orm.QueryableAttribute[int]], sa.Select],
    period: Period,
    first: date,
) -> tuple[dict[tuple[int, date], Tally], dict[tuple[int, date], int | None]]:
    """Each unit's tally for each month from `first` to the period's end, and the longest gap a
    session closed in it, added up from the people's rows."""
    by_month: dict[tuple[int, date], Tally] = defaultdict(Tally)
    stored = sa.and_(OversightMonth.month >= first, OversightMonth.month <= period.ends_on)
    month_query = of_units(
        sa.select(
            key,
            OversightMonth.month,
            sa.func.count(),
            *(sa.func.sum(getattr(OversightMonth, name)) for name in MONTH_COUNTS),
            sa.func.max(OversightMonth.longest_closed_gap),
            sa.func.max(OversightMonth.open_gap),
        ),
        OversightMonth.staff_id,
    )
    closed_in: dict[tuple[int, date], int | None] = {}
    for unit_id, month, people, *sums, closed, still_open in session.execute(
        month_query.where(stored).group_by(key, OversightMonth.month)
    ):
        tally = by_month[unit_id, month]
        tally.staff_in_scope = people
        for name, value in zip(MONTH_COUNTS, sums, strict=True):
            setattr(tally, name, int(value or 0))
        tally.longest_gap = figures.max_or_none(closed, still_open)
        closed_in[unit_id, month] = closed

    value_query = of_units(
        sa.select(
            key,
            OversightMonthValue.month,
            OversightMonthValue.kind,
            OversightMonthValue.value,
            sa.func.sum(OversightMonthValue.count),
        ),
        OversightMonthValue.staff_id,
    )
    for unit_id, month, kind, value, count in session.execute(
        value_query.where(
            OversightMonthValue.month >= first, OversightMonthValue.month <= period.ends_on
        ).group_by(key, OversightMonthValue.month, OversightMonthValue.kind, OversightMonthValue.value)
    ):
        tally = by_month[unit_id, month]
        if kind == GAP_DAYS:
            tally.days_between_sessions[int(value)] += int(count)
        elif kind == GAP_REASON:
            tally.gap_reasons[value] += int(count)
        else:
            tally.audit_grades[value] += int(count)

    return by_month, closed_in


def _added_up(
    session: AnySession,
    key: sa.orm.QueryableAttribute[int],
    units: sa.ColumnElement[bool],
    unit_ids: Sequence[int],
    period: Period,
    months: Sequence[Period],
    monthly: tuple[dict[tuple[int, date], Tally], dict[tuple[int, date], int | None]] | None = None,
) -> dict[int, TeamFigures]:
    """Figures per unit (the `key` of the person's team, `units` choosing which), added up from
    the stored rows. People count in the team they are in now, as in the live report. Six
    statements whatever the number of units or people; four when each unit's months (their
    tallies and longest closed gaps) come in `monthly`.
    """
    first = min(period.starts_on, months[0].starts_on)

    def of_units(query: sa.Select, staff_id: sa.orm.QueryableAttribute[int]) -> sa.Select:
        return query.join(Staff, Staff.id == staff_id).join(Team, Team.id == Staff.team_id).where(units)

    in_period = sa.and_(OversightMonth.month >= period.starts_on, OversightMonth.month <= period.ends_on)

    if monthly is None:
        monthly = _unit_months(session, key, of_units, period, first)
    by_month, closed_in = monthly

    # A person counts once in a period, and the gap open at its end is the one open at the
    # end of their last month in it.
    staff_in_period = dict(
        session.execute(
            of_units(
                sa.select(key, sa.func.count(sa.distinct(OversightMonth.staff_id))), OversightMonth.staff_id
            )
            .where(in_period)
            .group_by(key)
        ).all()
    )
    # Each person's last month, for the people of these units only: over everyone's rows, a head
    # of service's page read the whole organisation's months (150 ms at national scale).
    last_month = (
        of_units(
            sa.select(OversightMonth.staff_id, sa.func.max(OversightMonth.month).label("month")),
            OversightMonth.staff_id,
        )
        .where(in_period)
        .group_by(OversightMonth.staff_id)
        .subquery()
    )
    open_at_end = dict(
        session.execute(
            of_units(
                sa.select(key, sa.func.max(OversightMonth.open_gap)).join(
                    last_month,
                    sa.and_(
                        last_month.c.staff_id == OversightMonth.staff_id,
                        last_month.c.month == OversightMonth.month,
                    ),
                ),
                OversightMonth.staff_id,
            ).group_by(key)
        ).all()
    )
    now = {
        unit_id: sums
        for unit_id, *sums in session.execute(
            of_units(
                sa.select(
                    key, sa.func.count(), *(sa.func.sum(getattr(OversightNow, name)) for name in NOW_COUNTS)
                ),
                OversightNow.staff_id,
            )
            .where(
                Staff.start_date <= period.ends_on,
                sa.or_(Staff.end_date.is_(None), Staff.end_date >= first),
            )
            .group_by(key)
        )
    }

    period_months = [
        month.starts_on for month in stored_months(period.ends_on) if month.starts_on >= period.starts_on
    ]
    result: dict[int, TeamFigures] = {}
    for unit_id in unit_ids:
        trend = [by_month.get((unit_id, month.starts_on)) or Tally() for month in months]
        whole = figures.total(
            by_month[found] for found in ((unit_id, month) for month in period_months) if found in by_month
        )
        whole.staff_in_scope = staff_in_period.get(unit_id, 0)
        whole.longest_gap = figures.max_or_none(
            *(closed_in.get((unit_id, month)) for month in period_months), open_at_end.get(unit_id)
        )
        if unit_id in now:
            in_post, *sums = now[unit_id]
            whole.in_post_now = in_post
            for name, value in zip(NOW_COUNTS, sums, strict=True):
                setattr(whole, name, int(value or 0))
        result[unit_id] = TeamFigures(whole, trend)
    return result


def unit_figures(
    session: AnySession, organisation_id: int, period: Period, wanted: dict[str, Sequence[int]]
) -> dict[tuple[str, int], TeamFigures] | None:
    """The stored figures of the units wanted ({level: ids}) for `period`, or None when they
    were not stored for that period (only the default period is)."""
    found = {
        (level, unit_id): TeamFigures(
            tally_from_json(stored["period"]), [tally_from_json(month) for month in stored["months"]]
        )
        for level, unit_id, stored in session.execute(
            sa.select(
                OversightUnitFigures.level, OversightUnitFigures.unit_id, OversightUnitFigures.figures
            ).where(
                OversightUnitFigures.organisation_id == organisation_id,
                OversightUnitFigures.period_start == period.starts_on,
                OversightUnitFigures.period_end == period.ends_on,
                sa.or_(
                    *(
                        sa.and_(OversightUnitFigures.level == level, OversightUnitFigures.unit_id.in_(ids))
                        for level, ids in wanted.items()
                    )
                ),
            )
        )
    }
    expected = {(level, unit_id) for level, ids in wanted.items() for unit_id in ids}
    return found if expected <= set(found) else None
