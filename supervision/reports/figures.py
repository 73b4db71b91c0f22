"""Oversight figures as pure functions: no database, no request, no clock.

Each person's history (agreements, sessions, absences, records, cancellations, explained gaps
and audits) goes in; counts come out, for any date range. Counts add up, so a team's figures
are the sum of its workers', a service's the sum of its teams' and so on: a rate is always
worked out from the pooled counts, never averaged from rates. Whether a session was due and
when comes from the compliance engine (supervision.compliance.rules), so the report can never
disagree with the team dashboard about what "on time" means. Definitions: docs/metrics.md.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Generic, TypeVar

from supervision.compliance import rules
from supervision.dates import add_months

ONE_DAY = timedelta(days=1)
LATEST = date.max


# ---------------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A range of days, both ends included."""

    starts_on: date
    ends_on: date

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise ValueError("a period cannot end before it starts")

    def __contains__(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def overlaps(self, starts_on: date, ends_on: date | None) -> bool:
        return starts_on <= self.ends_on and (ends_on is None or ends_on >= self.starts_on)

    def clipped_to(self, last_day: date) -> Period | None:
        """The part of the period up to `last_day`, or None when it starts later."""
        if last_day < self.starts_on:
            return None
        return Period(self.starts_on, min(self.ends_on, last_day))


def month_containing(day: date) -> Period:
    first = day.replace(day=1)
    return Period(first, add_months(first, 1) - ONE_DAY)


# How many months a trend shows, ending with the month of the period's last day (every page,
# export and stored figure of a trend).
TREND_MONTHS = 12


def months_ending(day: date, count: int = TREND_MONTHS) -> list[Period]:
    """The `count` calendar months up to and including the month of `day`, oldest first."""
    last = day.replace(day=1)
    return [month_containing(add_months(last, -back)) for back in range(count - 1, -1, -1)]


# The calendar months whose figures are stored per person (supervision.reports.stored): this
# month and the 23 before it, so that any period ending in the last 12 months has its 12-month
# trend stored too. A report's period is whole months among them (docs/metrics.md, "Periods").
STORED_MONTHS = 2 * TREND_MONTHS


def reportable_months(today: date) -> tuple[list[Period], list[Period]]:
    """The months a report's period may start in and end in, oldest first: any stored month, and
    any month whose 12-month trend is stored (the month in progress ends today)."""
    stored = months_ending(today, STORED_MONTHS)
    return stored, stored[-TREND_MONTHS:]


# ----------------------------------------------------------------------------------- inputs


# One agreement (current or ended) with the frequency rule it set.
AgreementSpan = rules.AgreementPeriod


@dataclass(frozen=True)
class RecordFacts:
    """A held session's record: when the supervisor signed it, and whether it was complete."""

    held_on: date
    supervisor_signed_on: date | None
    complete: bool = True
    supervisee_disagrees: bool = False


@dataclass(frozen=True)
class PlannedSession:
    """A session booked for the person that has taken place, been cancelled or been missed."""

    scheduled_on: date
    cancelled: bool


@dataclass(frozen=True)
class Explanation:
    """A supervisor's reason for a gap, recorded against the due date that was missed."""

    due_on: date
    reason: str


@dataclass(frozen=True)
class AuditGrade:
    audited_on: date
    grade: str


@dataclass(frozen=True)
class PersonHistory:
    """Everything the report needs about one person's supervision.

    `held` holds every session from `history_from` on, plus the last of each kind before it:
    the compliance engine's intervals always restart at a session, so nothing earlier can
    change an answer about days on or after `history_from`.
    """

    staff_id: int
    employed_from: date
    employed_until: date | None = None
    agreements: tuple[AgreementSpan, ...] = ()
    held: tuple[rules.HeldSession, ...] = ()
    absences: tuple[rules.AbsenceSpan, ...] = ()
    records: tuple[RecordFacts, ...] = ()
    planned: tuple[PlannedSession, ...] = ()
    explanations: tuple[Explanation, ...] = ()
    audits: tuple[AuditGrade, ...] = ()
    history_from: date = date.min

    def employed_during(self, period: Period) -> bool:
        return period.overlaps(self.employed_from, self.employed_until)

    def agreement_on(self, day: date) -> AgreementSpan | None:
        return rules.in_force_on(self.agreements, day)

    # Worked out once per person, not once per period: a report asks for 13 periods each.
    @cached_property
    def counted_session_dates(self) -> tuple[date, ...]:
        return tuple(counted_sessions(self))

    @cached_property
    def merged_absences(self) -> tuple[rules.AbsenceSpan, ...]:
        return rules.merge_absences(self.absences)

    def requirement_during(self, period: Period) -> bool:
        return any(
            span.requires_supervision and period.overlaps(span.terms.agreed_on, span.ends_on)
            for span in self.agreements
        )


# --------------------------------------------------------------------------------- intervals


# One interval of a frequency rule, from the compliance engine: met or missed, late when met
# by a session that ended a gap, and the first miss of a gap flagged (one reason per gap).
Interval = rules.IntervalOutcome


def last_day_counted(history: PersonHistory, today: date) -> date:
    return min(today, history.employed_until or LATEST)


def intervals(history: PersonHistory, today: date) -> list[Interval]:
    """Every closed interval of the person's agreements, from `history_from` on, in date order:
    the compliance engine's, with nothing after the person's last day."""
    return rules.outcomes_over(
        history.agreements,
        history.held,
        history.absences,
        today,
        last_day=history.employed_until,
        from_day=history.history_from,
    )


def counted_sessions(history: PersonHistory) -> list[date]:
    """Dates of held sessions that count: a group session only where the agreement allows it."""
    return rules.counted_dates(history.agreements, history.held, LATEST)


# ------------------------------------------------------------------------------------ gaps


@dataclass(frozen=True)
class Gaps:
    """`closed`: the longest gap that a session ended in the period; `still_open`: the gap
    open at the period's end. They are kept apart so that stored monthly figures can give a
    longer period's longest gap: the longest closed gap of any of its months, or the gap open
    at the end of its last month (supervision.reports.stored)."""

    between_sessions: tuple[int, ...] = ()
    closed: int | None = None
    still_open: int | None = None

    @property
    def longest(self) -> int | None:
        return max_or_none(self.closed, self.still_open)


def gaps(history: PersonHistory, period: Period, today: date) -> Gaps:
    """Days without supervision (absence days not counted) for gaps ending in the period.

    Between sessions: from each session to the next, where the next is in the period.
    Longest gap: the same, plus the wait from the agreement to a first session and the gap
    still open at the end of the period (or today, or the person's last day).
    """
    in_range = period.clipped_to(last_day_counted(history, today))
    if in_range is None:
        return Gaps()
    absences = history.merged_absences
    starts = [span.terms.agreed_on for span in history.agreements if span.requires_supervision]
    first_agreed = min(starts) if starts else None
    between: list[int] = []
    closed: list[int] = []
    previous: date | None = None
    for day in history.counted_session_dates:
        if day > in_range.ends_on:
            break
        if day >= in_range.starts_on:
            if previous is not None:
                days = rules.counted_days_between(previous, day, absences)
                between.append(days)
                closed.append(days)
            elif first_agreed is not None and first_agreed < day:
                closed.append(rules.counted_days_between(first_agreed, day, absences))
        previous = day
    span = history.agreement_on(in_range.ends_on)
    open_from = previous if previous is not None else first_agreed
    still_open = None
    if span is not None and span.requires_supervision and open_from is not None:
        still_open = rules.counted_days_between(open_from, in_range.ends_on, absences)
    return Gaps(tuple(between), max(closed) if closed else None, still_open)


# ----------------------------------------------------------------------------------- tallies


@dataclass
class Tally:
    """Counts for one group of people over one date range; `+` pools two groups."""

    staff_in_scope: int = 0
    sessions_required: int = 0
    sessions_on_time: int = 0
    records_held: int = 0
    write_ups_judged: int = 0
    write_ups_on_time: int = 0
    records_signed: int = 0
    records_complete: int = 0
    disagreements: int = 0
    sessions_planned: int = 0
    sessions_cancelled: int = 0
    # How many times each number of days between sessions occurred (for the median).
    days_between_sessions: Counter[int] = field(default_factory=Counter)
    longest_gap: int | None = None
    gaps_started: int = 0
    gaps_unexplained: int = 0
    gap_reasons: Counter[str] = field(default_factory=Counter)
    audit_grades: Counter[str] = field(default_factory=Counter)
    # "Now" figures, from the compliance engine's status today.
    in_post_now: int = 0
    overdue_now: int = 0
    escalated_now: int = 0
    without_agreement_now: int = 0
    actions_overdue_now: int = 0

    def __iadd__(self, other: Tally) -> Tally:
        """Pool `other` into this tally in place: a roll-up adds thousands of people, and a new
        tally per person would copy the growing list of gaps each time (quadratic)."""
        for name in SUMMED_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.days_between_sessions:
            self.days_between_sessions.update(other.days_between_sessions)
        self.longest_gap = max_or_none(self.longest_gap, other.longest_gap)
        if other.gap_reasons:
            self.gap_reasons.update(other.gap_reasons)
        if other.audit_grades:
            self.audit_grades.update(other.audit_grades)
        return self

    def __add__(self, other: Tally) -> Tally:
        result = Tally()
        result += self
        result += other
        return result

    @property
    def on_time_share(self) -> float | None:
        return share(self.sessions_on_time, self.sessions_required)

    @property
    def write_up_share(self) -> float | None:
        return share(self.write_ups_on_time, self.write_ups_judged)

    @property
    def complete_share(self) -> float | None:
        return share(self.records_complete, self.records_signed)

    @property
    def cancellation_share(self) -> float | None:
        return share(self.sessions_cancelled, self.sessions_planned)

    @property
    def median_days_between_sessions(self) -> float | None:
        return counted_median(self.days_between_sessions)

    @property
    def audits(self) -> int:
        return sum(self.audit_grades.values())


def total(tallies: Iterable[Tally]) -> Tally:
    result = Tally()
    for tally in tallies:
        result += tally
    return result


# The plain counts of a Tally: pooled by adding (the rest are lists, maxima and Counters).
SUMMED_FIELDS = tuple(
    name
    for name in Tally.__dataclass_fields__
    if name not in ("days_between_sessions", "longest_gap", "gap_reasons", "audit_grades")
)


def share(part: int, whole: int) -> float | None:
    """part ÷ whole, or None when there is nothing to divide (shown as "no data", never 0%)."""
    return part / whole if whole else None


def counted_median(counts: Counter[int]) -> float | None:
    """The median of values given as {value: how many times}: as statistics.median of the
    values written out, the mean of the two middle ones when there is an even number."""
    total_count = sum(counts.values())
    if not total_count:
        return None
    middle = [(total_count - 1) // 2, total_count // 2]  # positions in the sorted values
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while middle and middle[0] < seen:
            found.append(value)
            middle.pop(0)
        if not middle:
            break
    return found[0] if total_count % 2 else (found[0] + found[1]) / 2


def max_or_none(*values: int | None) -> int | None:
    """The largest of the values given, or None when none is given."""
    present = [value for value in values if value is not None]
    return max(present) if present else None


def tally_person(
    history: PersonHistory,
    period: Period,
    today: date,
    thresholds: rules.Thresholds,
    found_intervals: Sequence[Interval] | None = None,
) -> Tally:
    """One person's counts for one period; someone not employed in it counts for nothing."""
    return tally_person_periods(history, [period], today, thresholds, found_intervals)[0]


def tally_person_periods(
    history: PersonHistory,
    periods: Sequence[Period],
    today: date,
    thresholds: rules.Thresholds,
    found_intervals: Sequence[Interval] | None = None,
) -> list[Tally]:
    """`tally_person` for several periods at once (a report's period and its trend months):
    the intervals and each record's write-up judgement are worked out once, and each list is
    sorted once so a period's share of it is found by bisection."""
    return [
        tally for tally, _ in tally_person_with_gaps(history, periods, today, thresholds, found_intervals)
    ]


def tally_person_with_gaps(
    history: PersonHistory,
    periods: Sequence[Period],
    today: date,
    thresholds: rules.Thresholds,
    found_intervals: Sequence[Interval] | None = None,
) -> list[tuple[Tally, Gaps]]:
    """`tally_person_periods`, with each period's gaps as worked out for its tally (the stored
    figures keep the longest closed gap and the open one apart)."""
    found = intervals(history, today) if found_intervals is None else found_intervals
    dated = _dated_history(history, found, today, thresholds)
    pairs = []
    for period in periods:
        if history.employed_during(period):
            period_gaps = gaps(history, period, today)
            pairs.append((_tally_one(history, period, today, dated, period_gaps), period_gaps))
        else:
            pairs.append((Tally(), Gaps()))
    return pairs


Item = TypeVar("Item")


class _Dated(Generic[Item]):
    """Items dated within `employed`, sorted by date, so the ones in a period are a slice."""

    def __init__(self, items: Iterable[Item], day_of: Callable[[Item], date], employed: Period) -> None:
        self.items = sorted((item for item in items if day_of(item) in employed), key=day_of)
        self.days = [day_of(item) for item in self.items]

    def during(self, period: Period) -> list[Item]:
        return self.items[bisect_left(self.days, period.starts_on) : bisect_right(self.days, period.ends_on)]


@dataclass(frozen=True)
class _DatedHistory:
    closed: _Dated[Interval]
    records: _Dated[tuple[RecordFacts, tuple[bool, bool]]]
    planned: _Dated[PlannedSession]
    explanations: _Dated[Explanation]
    audits: _Dated[AuditGrade]


def _dated_history(
    history: PersonHistory, found: Sequence[Interval], today: date, thresholds: rules.Thresholds
) -> _DatedHistory:
    # Everything counts on the day it is dated, and only if the person was employed that day
    # (an audit of a leaver's record after they left, say): so a period's counts are always
    # the sum of its months', whoever is in scope.
    employed = Period(history.employed_from, history.employed_until or LATEST)
    return _DatedHistory(
        closed=_Dated(found, lambda interval: interval.closed_on, employed),
        records=_Dated(
            [(record, _write_up_judgement(record, today, thresholds)) for record in history.records],
            lambda pair: pair[0].held_on,
            employed,
        ),
        planned=_Dated(history.planned, lambda session: session.scheduled_on, employed),
        explanations=_Dated(history.explanations, lambda explanation: explanation.due_on, employed),
        audits=_Dated(history.audits, lambda audit: audit.audited_on, employed),
    )


def _write_up_judgement(record: RecordFacts, today: date, thresholds: rules.Thresholds) -> tuple[bool, bool]:
    """(judged, on time): a write-up is judged once signed, or once overdue while unsigned."""
    write_up = rules.WriteUp(record.held_on, record.supervisor_signed_on)
    signed_on_time = rules.write_up_signed_on_time(write_up, thresholds)
    judged = signed_on_time is not None or rules.write_up_is_overdue(write_up, today, thresholds)
    return judged, bool(signed_on_time)


def _tally_one(
    history: PersonHistory, period: Period, today: date, dated: _DatedHistory, person_gaps: Gaps
) -> Tally:
    """One employed person's counts for one period."""
    closed = dated.closed.during(period)
    supervision = SupervisionInPeriod.of(closed)
    gap_starts = {interval.due_on for interval in closed if interval.starts_gap}
    explained = dated.explanations.during(period)
    judged_records = dated.records.during(period)
    records = [record for record, _ in judged_records]
    signed = [record for record in records if record.supervisor_signed_on is not None]
    planned = dated.planned.during(period)
    return Tally(
        staff_in_scope=1,
        sessions_required=supervision.required,
        sessions_on_time=supervision.on_time,
        records_held=len(records),
        write_ups_judged=sum(1 for _, (judged, _) in judged_records if judged),
        write_ups_on_time=sum(1 for _, (judged, on_time) in judged_records if judged and on_time),
        records_signed=len(signed),
        records_complete=sum(1 for record in signed if record.complete),
        disagreements=sum(1 for record in records if record.supervisee_disagrees),
        sessions_planned=len(planned),
        sessions_cancelled=sum(1 for session in planned if session.cancelled),
        days_between_sessions=Counter(person_gaps.between_sessions),
        longest_gap=person_gaps.longest,
        gaps_started=len(gap_starts),
        gaps_unexplained=len(gap_starts - {explanation.due_on for explanation in explained}),
        gap_reasons=Counter(explanation.reason for explanation in explained),
        audit_grades=Counter(audit.grade for audit in dated.audits.during(period)),
    )


def tally_now(status: rules.Status, actions_overdue: int) -> Tally:
    """The compliance engine's answer for one person in post today, as counts."""
    return Tally(
        in_post_now=1,
        overdue_now=int(status in (rules.Status.OVERDUE, rules.Status.ESCALATED)),
        escalated_now=int(status is rules.Status.ESCALATED),
        without_agreement_now=int(status is rules.Status.NO_AGREEMENT),
        actions_overdue_now=actions_overdue,
    )


# ------------------------------------------------------------------------- staff-by-month grid


class MonthState(enum.StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"
    PAUSED = "paused"
    NOTHING_DUE = "nothing_due"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return MONTH_STATE_LABELS[self]

    @property
    def symbol(self) -> str:
        """A short mark that reads without colour."""
        return MONTH_STATE_SYMBOLS[self]


MONTH_STATE_LABELS = {
    MonthState.ON_TIME: "Held on time",
    MonthState.LATE: "Held late",
    MonthState.MISSED: "Missed",
    MonthState.PAUSED: "Paused",
    MonthState.NOTHING_DUE: "Nothing due",
    MonthState.NOT_APPLICABLE: "No agreement or not in post",
}
MONTH_STATE_SYMBOLS = {
    MonthState.ON_TIME: "✓",
    MonthState.LATE: "L",
    MonthState.MISSED: "✗",
    MonthState.PAUSED: "P",
    MonthState.NOTHING_DUE: "·",
    MonthState.NOT_APPLICABLE: "–",
}


@dataclass(frozen=True)
class SupervisionInPeriod:
    """What the compliance engine's intervals say about one person in one period (a month of
    the grid, a month of the trend, a report's period): the one computation behind the grid's
    cell and the "sessions held on time" counts, live or stored, on pages, exports and the API.
    """

    required: int = 0  # intervals that closed in the period
    on_time: int = 0  # of those, met by a session on or before its due date, with no gap open
    late: int = 0  # met by a session that ended a gap
    missed: int = 0  # due dates missed
    overdue: bool = False  # overdue on at least one day of the period
    absent: bool = False  # absent on at least one day of the period

    @classmethod
    def of(
        cls, closed: Sequence[Interval], overdue: bool = False, absent: bool = False
    ) -> SupervisionInPeriod:
        return cls(
            required=len(closed),
            on_time=sum(1 for interval in closed if interval.on_time),
            late=sum(1 for interval in closed if interval.late),
            missed=sum(1 for interval in closed if not interval.met),
            overdue=overdue,
            absent=absent,
        )

    @property
    def state(self) -> MonthState:
        """The most telling first: a late session, then a due date missed or a day overdue, then
        a session on time, then a day of absence, else nothing was due."""
        if self.late:
            return MonthState.LATE
        if self.missed or self.overdue:
            return MonthState.MISSED
        if self.on_time:
            return MonthState.ON_TIME
        if self.absent:
            return MonthState.PAUSED
        return MonthState.NOTHING_DUE


def overdue_spans(history: PersonHistory, found: Sequence[Interval], last_day: date) -> list[Period]:
    """The days someone was overdue: from the day after a missed due date to the day before the
    session that ended the gap (or the end of the agreements, or `last_day` while it is open)."""
    return [Period(first, last) for first, last in rules.overdue_spans(history.agreements, found, last_day)]


def supervision_by_month(
    history: PersonHistory, months: Sequence[Period], today: date, found: Sequence[Interval] | None = None
) -> list[SupervisionInPeriod | None]:
    """Each month's SupervisionInPeriod, or None where the person was not in post or had no
    agreement requiring supervision in it (worked out only up to today and their last day)."""
    found = intervals(history, today) if found is None else found
    last_day = last_day_counted(history, today)
    overdue = overdue_spans(history, found, last_day)
    absences = history.merged_absences
    closed = _Dated(found, lambda interval: interval.closed_on, Period(history.employed_from, LATEST))
    result: list[SupervisionInPeriod | None] = []
    for month in months:
        in_range = month.clipped_to(last_day)
        if (
            in_range is None
            or not history.employed_during(in_range)
            or not history.requirement_during(in_range)
        ):
            result.append(None)
            continue
        result.append(
            SupervisionInPeriod.of(
                closed.during(in_range),
                overdue=any(in_range.overlaps(span.starts_on, span.ends_on) for span in overdue),
                absent=any(in_range.overlaps(span.starts_on, span.ends_on) for span in absences),
            )
        )
    return result


def month_states(
    history: PersonHistory, months: Sequence[Period], today: date, found: Sequence[Interval] | None = None
) -> list[MonthState]:
    """One state per month of the staff-by-month grid (SupervisionInPeriod.state)."""
    return [
        MonthState.NOT_APPLICABLE if month is None else month.state
        for month in supervision_by_month(history, months, today, found)
    ]
