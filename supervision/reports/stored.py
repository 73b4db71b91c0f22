"""Stored oversight figures: each person's counts per calendar month, refreshed every hour.

The organisation and service oversight reports pool every person's history. Worked out live
at national scale that is a minute of replaying 45,000 histories per page (docs/performance.md),
so the `oversight-figures` job works each person's figures out once an hour, through the same
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

The stored figures are used only when they describe today (refreshed today) and the period is
whole stored months (it may end today); anything else is worked out live. Pages say when the
figures were refreshed. Team and worker pages are always live: they are small.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from supervision.agreements.models import SupervisionPolicy
from supervision.bulk import insert_rows
from supervision.clock import SystemClock
from supervision.compliance.rules import Thresholds
from supervision.compliance.services import assess_people, thresholds_for
from supervision.memory import collector_paused
from supervision.org.models import Organisation, Staff, Team
from supervision.reports import figures
from supervision.reports.figures import Period, PersonHistory, Tally
from supervision.reports.models import OversightMonth, OversightMonthValue, OversightNow, OversightRefresh

# This month and the twelve before it: the default period (this month and the two before),
# its 12-month trend, and any whole-month period of the last year with its trend.
STORED_MONTHS = 13
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
    return figures.months_ending(today, STORED_MONTHS)


# ------------------------------------------------------------------------------ the job


def refresh_oversight_figures(session: Session, clock: SystemClock) -> dict[str, int]:
    """Work out and store every person's monthly figures, one organisation at a time.

    Each organisation's figures are replaced in one transaction, so a report never reads a
    half-written set.
    """
    today = clock.today()
    counts: Counter = Counter()
    for organisation_id in session.scalars(sa.select(Organisation.id).order_by(Organisation.id)).all():
        counts += _refresh_organisation(session, organisation_id, today, clock.now())
        session.commit()
    return dict(counts)


def _refresh_organisation(session: Session, organisation_id: int, today: date, now: datetime) -> Counter:
    from supervision.reports.services import load_histories, policy_for  # services imports this module

    months = stored_months(today)
    window = Period(months[0].starts_on, today)
    policy: SupervisionPolicy | None = policy_for(organisation_id)
    thresholds = thresholds_for(policy)
    staff_of_organisation = sa.select(Staff.id).where(Staff.organisation_id == organisation_id)
    for table in (OversightMonthValue, OversightMonth, OversightNow):
        session.execute(sa.delete(table).where(table.staff_id.in_(staff_of_organisation)))
    in_window = list(
        session.scalars(
            staff_of_organisation.where(
                Staff.start_date <= window.ends_on,
                sa.or_(Staff.end_date.is_(None), Staff.end_date >= window.starts_on),
            ).order_by(Staff.id)
        )
    )
    counts: Counter = Counter()
    for start in range(0, len(in_window), BATCH_SIZE):
        batch = in_window[start : start + BATCH_SIZE]
        month_rows: list[tuple] = []
        value_rows: list[tuple] = []
        # The collector waits while a batch's histories are built (see supervision.memory), and
        # runs between batches, so that what one batch left behind is freed before the next.
        with collector_paused():
            _, histories = load_histories(batch, window, today, policy)
            for history in histories.values():
                for month_row, values in _person_months(history, months, today, thresholds):
                    month_rows.append(month_row)
                    value_rows.extend(values)
        insert_rows(session, OversightMonth.__table__, MONTH_COLUMNS, month_rows)
        insert_rows(session, OversightMonthValue.__table__, VALUE_COLUMNS, value_rows)
        counts["person_months"] += len(month_rows)
        counts["people"] += len(histories)
    now_rows = [
        _now_row(result)
        for result in assess_people(
            session,
            staff_of_organisation.where(
                Staff.active.is_(True),
                Staff.start_date <= today,
                sa.or_(Staff.end_date.is_(None), Staff.end_date >= today),
            ),
            today,
        )
    ]
    insert_rows(session, OversightNow.__table__, ("staff_id", *NOW_COUNTS), now_rows)
    counts["in_post"] += len(now_rows)
    refresh = session.get(OversightRefresh, organisation_id) or OversightRefresh(
        organisation_id=organisation_id
    )
    refresh.as_of, refresh.refreshed_at, refresh.first_month = today, now, months[0].starts_on
    session.add(refresh)
    return counts


def _person_months(
    history: PersonHistory, months: Sequence[Period], today: date, thresholds: Thresholds
) -> Iterator[tuple[tuple, list]]:
    """Rows of MONTH_COLUMNS and VALUE_COLUMNS for each month the person was employed in."""
    for month, (tally, month_gaps) in zip(
        months, figures.tally_person_with_gaps(history, months, today, thresholds), strict=True
    ):
        if not tally.staff_in_scope:
            continue
        key = (history.staff_id, month.starts_on)
        counts = tuple(getattr(tally, name) for name in MONTH_COUNTS)
        values = [
            (*key, kind, str(value), count)
            for kind, counter in (
                (GAP_DAYS, tally.days_between_sessions),
                (GAP_REASON, tally.gap_reasons),
                (AUDIT_GRADE, tally.audit_grades),
            )
            for value, count in counter.items()
        ]
        yield (*key, *counts, month_gaps.closed, month_gaps.still_open), values


def _now_row(result) -> tuple:
    now = figures.tally_now(result.status, result.assessment.actions_overdue)
    return (result.person.id, *(getattr(now, name) for name in NOW_COUNTS))


# ---------------------------------------------------------------------------- the reports


@dataclass(frozen=True)
class TeamFigures:
    period: Tally
    months: list[Tally]


def refreshed_at(organisation_id: int, session: Session) -> datetime | None:
    refresh = session.get(OversightRefresh, organisation_id)
    return refresh.refreshed_at if refresh else None


def usable_refresh(
    session: Session, organisation_id: int, period: Period, months: Sequence[Period], today: date
) -> OversightRefresh | None:
    """The organisation's stored figures, when they can answer for `period` and its trend."""
    refresh = session.get(OversightRefresh, organisation_id)
    if refresh is None or refresh.as_of != today:
        return None
    whole_months = period.starts_on.day == 1 and (
        period.ends_on == today or period.ends_on == figures.month_containing(period.ends_on).ends_on
    )
    if not whole_months or min(period.starts_on, months[0].starts_on) < refresh.first_month:
        return None
    return refresh


def team_figures(
    session: Session, teams: Sequence[Team], period: Period, months: Sequence[Period], today: date
) -> dict[int, TeamFigures]:
    """Each team's figures for `period` and each trend month, added up from the stored rows.

    People count in the team they are in now, as in the live report. Six statements whatever
    the number of teams or people.
    """
    team_ids = [team.id for team in teams]
    first = min(period.starts_on, months[0].starts_on)
    in_teams = sa.and_(Staff.id == OversightMonth.staff_id, Staff.team_id.in_(team_ids))
    stored = sa.and_(OversightMonth.month >= first, OversightMonth.month <= period.ends_on)
    in_period = sa.and_(OversightMonth.month >= period.starts_on, OversightMonth.month <= period.ends_on)

    by_month: dict[tuple[int, date], Tally] = defaultdict(Tally)
    month_query = (
        sa.select(
            Staff.team_id,
            OversightMonth.month,
            sa.func.count(),
            *(sa.func.sum(getattr(OversightMonth, name)) for name in MONTH_COUNTS),
            sa.func.max(OversightMonth.longest_closed_gap),
            sa.func.max(OversightMonth.open_gap),
        )
        .join(Staff, in_teams)
        .where(stored)
        .group_by(Staff.team_id, OversightMonth.month)
    )
    closed_in: dict[tuple[int, date], int | None] = {}
    for team_id, month, people, *sums, closed, still_open in session.execute(month_query):
        tally = by_month[team_id, month]
        tally.staff_in_scope = people
        for name, value in zip(MONTH_COUNTS, sums, strict=True):
            setattr(tally, name, int(value or 0))
        tally.longest_gap = figures.max_or_none(closed, still_open)
        closed_in[team_id, month] = closed

    value_query = (
        sa.select(
            Staff.team_id,
            OversightMonthValue.month,
            OversightMonthValue.kind,
            OversightMonthValue.value,
            sa.func.sum(OversightMonthValue.count),
        )
        .join(Staff, sa.and_(Staff.id == OversightMonthValue.staff_id, Staff.team_id.in_(team_ids)))
        .where(OversightMonthValue.month >= first, OversightMonthValue.month <= period.ends_on)
        .group_by(
            Staff.team_id, OversightMonthValue.month, OversightMonthValue.kind, OversightMonthValue.value
        )
    )
    for team_id, month, kind, value, count in session.execute(value_query):
        tally = by_month[team_id, month]
        if kind == GAP_DAYS:
            tally.days_between_sessions[int(value)] += int(count)
        elif kind == GAP_REASON:
            tally.gap_reasons[value] += int(count)
        else:
            tally.audit_grades[value] += int(count)

    # A person counts once in a period, and the gap open at its end is the one open at the
    # end of their last month in it.
    staff_in_period = dict(
        session.execute(
            sa.select(Staff.team_id, sa.func.count(sa.distinct(OversightMonth.staff_id)))
            .join(Staff, in_teams)
            .where(in_period)
            .group_by(Staff.team_id)
        ).all()
    )
    last_month = (
        sa.select(OversightMonth.staff_id, sa.func.max(OversightMonth.month).label("month"))
        .where(in_period)
        .group_by(OversightMonth.staff_id)
        .subquery()
    )
    open_at_end = dict(
        session.execute(
            sa.select(Staff.team_id, sa.func.max(OversightMonth.open_gap))
            .join(
                last_month,
                sa.and_(
                    last_month.c.staff_id == OversightMonth.staff_id,
                    last_month.c.month == OversightMonth.month,
                ),
            )
            .join(Staff, in_teams)
            .group_by(Staff.team_id)
        ).all()
    )
    now = {
        team_id: sums
        for team_id, *sums in session.execute(
            sa.select(
                Staff.team_id,
                sa.func.count(),
                *(sa.func.sum(getattr(OversightNow, name)) for name in NOW_COUNTS),
            )
            .join(Staff, sa.and_(Staff.id == OversightNow.staff_id, Staff.team_id.in_(team_ids)))
            .where(
                Staff.start_date <= period.ends_on,
                sa.or_(Staff.end_date.is_(None), Staff.end_date >= first),
            )
            .group_by(Staff.team_id)
        )
    }

    period_months = [
        month.starts_on for month in stored_months(period.ends_on) if month.starts_on >= period.starts_on
    ]
    result: dict[int, TeamFigures] = {}
    for team_id in team_ids:
        trend = [by_month.get((team_id, month.starts_on)) or Tally() for month in months]
        whole = figures.total(
            by_month[key] for key in ((team_id, month) for month in period_months) if key in by_month
        )
        whole.staff_in_scope = staff_in_period.get(team_id, 0)
        whole.longest_gap = figures.max_or_none(
            *(closed_in.get((team_id, month)) for month in period_months), open_at_end.get(team_id)
        )
        if team_id in now:
            in_post, *sums = now[team_id]
            whole.in_post_now = in_post
            for name, value in zip(NOW_COUNTS, sums, strict=True):
                setattr(whole, name, int(value or 0))
        result[team_id] = TeamFigures(whole, trend)
    return result
