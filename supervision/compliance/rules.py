"""The compliance engine: due dates and statuses as pure functions.

Nothing here reads the database, the request or the clock: callers pass today's date, the
agreements, the sessions held, the absences and the policy thresholds, so the same
answer appears on every page, in every job and in every test. The rules are written out for
readers in docs/metrics.md ("Intervals, due dates and gaps").

How the clock runs:
- The clock starts at the later of the first agreement of an unbroken run of agreements that
  require supervision and the last counted session held. Renewing or replacing an agreement
  never restarts it: a later agreement changes the frequency from the next session held, and
  the interval running when it starts stays open, judged against the due date that was
  running. A day with no agreement requiring supervision ends the run: a due date after its
  end is neither met nor missed, and the next run starts the clock afresh.
- Days inside an absence (leave, sickness, parental leave, secondment, ASYE pause) do not
  count toward the interval, so an absence moves the due date later by the days it covers.
- ASYE: weekly for the first weeks, fortnightly until some months in, then the monthly
  interval; the interval is the one in force on the day the clock starts. The monthly stage is
  never stricter than the fortnightly one, so a later session can never bring a due date
  earlier.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from supervision.agreements.asye import AsyeStage
from supervision.agreements.defaults import DEFAULT_POLICY
from supervision.compliance.working_days import add_working_days, working_days_between
from supervision.dates import add_months

ONE_DAY = timedelta(days=1)
WEEKLY_DAYS = 7
FORTNIGHTLY_DAYS = 14


class Status(enum.StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    PAUSED = "paused"
    NO_AGREEMENT = "no_agreement"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def severity(self) -> int:
        """Order of concern for sorting: escalated first, on track last."""
        return STATUS_SEVERITY[self]


STATUS_LABELS = {
    Status.ON_TRACK: "On track",
    Status.DUE_SOON: "Due soon",
    Status.OVERDUE: "Overdue",
    Status.ESCALATED: "Escalated",
    Status.PAUSED: "Paused",
    Status.NO_AGREEMENT: "No agreement",
}
STATUS_SEVERITY = {
    Status.ON_TRACK: 0,
    Status.PAUSED: 1,
    Status.DUE_SOON: 2,
    Status.NO_AGREEMENT: 3,
    Status.OVERDUE: 4,
    Status.ESCALATED: 5,
}


class DateState(enum.StrEnum):
    """Where a single due date (review, registration, DBS) stands today."""

    NOT_YET = "not_yet"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class ReviewState(enum.StrEnum):
    """Where one ASYE progress review stands today (docs/metrics.md, "ASYE progress reviews")."""

    UPCOMING = "upcoming"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"

    @property
    def label(self) -> str:
        return {
            "upcoming": "Upcoming",
            "due_soon": "Due soon",
            "overdue": "Overdue",
            "done_on_time": "Done on time",
            "done_late": "Done late",
        }[self.value]

    @property
    def needs_attention(self) -> bool:
        return self in (ReviewState.DUE_SOON, ReviewState.OVERDUE)


# ---------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Thresholds:
    """Policy settings, all in one place (the organisation's SupervisionPolicy and config)."""

    due_soon_working_days: int = DEFAULT_POLICY.due_soon_working_days
    escalation_working_days: int = DEFAULT_POLICY.escalation_working_days
    write_up_working_days: int = DEFAULT_POLICY.write_up_working_days
    renewal_notice_days: int = 28
    dbs_renewal_months: int = 36


@dataclass(frozen=True)
class IntervalRule:
    """At least one session every `interval_days` counted days."""

    interval_days: int

    def __post_init__(self) -> None:
        if self.interval_days < 1:
            raise ValueError("interval_days must be at least 1")


@dataclass(frozen=True)
class AsyeStagedRule:
    """LGA Employer Standards: weekly, then fortnightly, then monthly from the ASYE start."""

    started_on: date
    weekly_weeks: int = DEFAULT_POLICY.asye_weekly_weeks
    fortnightly_until_months: int = DEFAULT_POLICY.asye_fortnightly_until_months
    monthly_interval_days: int = DEFAULT_POLICY.interval_days_social_worker

    def interval_on(self, day: date) -> int:
        """The interval in force for a clock starting on `day`."""
        if day < self.started_on + timedelta(weeks=self.weekly_weeks):
            return WEEKLY_DAYS
        if day < add_months(self.started_on, self.fortnightly_until_months):
            return FORTNIGHTLY_DAYS
        return max(self.monthly_interval_days, FORTNIGHTLY_DAYS)


FrequencyRule = IntervalRule | AsyeStagedRule | None


@dataclass(frozen=True)
class Agreement:
    """The current agreement, reduced to what the engine needs; rule None means no requirement."""

    agreed_on: date
    rule: FrequencyRule
    review_due_on: date | None = None
    counts_group_sessions: bool = True


@dataclass(frozen=True)
class AgreementPeriod:
    """One agreement of a person's history (current or ended) with its last day in force."""

    terms: Agreement
    ends_on: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.terms.agreed_on <= day and (self.ends_on is None or day <= self.ends_on)

    @property
    def requires_supervision(self) -> bool:
        return self.terms.rule is not None


@dataclass(frozen=True)
class AbsenceSpan:
    starts_on: date
    ends_on: date  # inclusive

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise ValueError("an absence cannot end before it starts")

    def __contains__(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class HeldSession:
    held_on: date
    group: bool = False


@dataclass(frozen=True)
class WriteUp:
    """A held session's record: when it was held and when the supervisor signed it."""

    held_on: date
    supervisor_signed_on: date | None


@dataclass(frozen=True)
class SupervisionFacts:
    """Everything about one supervisee's supervision the frequency rules look at.

    `agreement` is the current one; `earlier` the ones before it (ended or replaced), which
    say when the clock started and which frequency the running interval has."""

    agreement: Agreement | None
    held: tuple[HeldSession, ...] = ()
    absences: tuple[AbsenceSpan, ...] = ()
    earlier: tuple[AgreementPeriod, ...] = ()

    @property
    def timeline(self) -> tuple[AgreementPeriod, ...]:
        current = (AgreementPeriod(self.agreement),) if self.agreement is not None else ()
        return self.earlier + current


@dataclass(frozen=True)
class AsyeFacts:
    """An ASYE in progress: when it started and the reviews held since (stage, day held)."""

    started_on: date
    held: tuple[tuple[AsyeStage, date], ...] = ()


@dataclass(frozen=True)
class PersonFacts:
    """All of one person's due dates: supervision, write-ups, actions and professional renewals."""

    supervision: SupervisionFacts
    write_ups: tuple[WriteUp, ...] = ()
    open_action_due_dates: tuple[date, ...] = ()
    registration_renewal_on: date | None = None
    dbs_checked_on: date | None = None
    asye: AsyeFacts | None = None  # only while the current agreement is the ASYE's staged one


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class SupervisionStatus:
    status: Status
    next_due_on: date | None = None
    last_held_on: date | None = None
    days_overdue: int = 0  # calendar days past the due date, absence days not counted
    working_days_overdue: int = 0
    working_days_until_due: int | None = None


@dataclass(frozen=True)
class DueDate:
    due_on: date
    state: DateState

    @property
    def needs_attention(self) -> bool:
        return self.state is not DateState.NOT_YET


@dataclass(frozen=True)
class AsyeReviewDue:
    """One ASYE review: when it is due (absences included), when it was held, where it stands."""

    stage: AsyeStage
    due_on: date
    state: ReviewState
    held_on: date | None = None


@dataclass(frozen=True)
class IntervalOutcome:
    """One interval of the rule: met by a session on or before its due date, or missed.

    `late`: met by a session held after an earlier due date was missed (it ends a gap), so
    the session was not held on time. `starts_gap`: the first missed due date after a session
    or the start of the clock; a gap counts once however many due dates it spans.
    """

    opened_on: date
    due_on: date
    closed_on: date
    met: bool
    late: bool = False
    starts_gap: bool = False

    @property
    def on_time(self) -> bool:
        return self.met and not self.late


@dataclass(frozen=True)
class PeriodCompliance:
    """`met`: intervals met on time; `missed`: the others (missed, or met late)."""

    met: int
    missed: int

    @property
    def required(self) -> int:
        return self.met + self.missed

    @property
    def share(self) -> float | None:
        """Share of intervals met, or None when no interval closed in the period."""
        return self.met / self.required if self.required else None


@dataclass(frozen=True)
class Assessment:
    supervision: SupervisionStatus
    write_ups_pending: int = 0
    write_ups_overdue: int = 0
    actions_overdue: int = 0
    agreement_review: DueDate | None = None
    registration_renewal: DueDate | None = None
    dbs_renewal: DueDate | None = None
    asye_reviews: tuple[AsyeReviewDue, ...] = ()
    prompts: tuple[str, ...] = field(default=())

    @property
    def asye_review_due(self) -> AsyeReviewDue | None:
        """The first ASYE review not yet held, if any: the one to prompt and show as next."""
        return next((review for review in self.asye_reviews if review.held_on is None), None)


# ------------------------------------------------------------------------ date tools


def merge_absences(absences: Iterable[AbsenceSpan]) -> tuple[AbsenceSpan, ...]:
    """Absences sorted, with overlapping and touching spans joined."""
    merged: list[AbsenceSpan] = []
    for span in sorted(absences, key=lambda a: a.starts_on):
        if merged and span.starts_on <= merged[-1].ends_on + ONE_DAY:
            if span.ends_on > merged[-1].ends_on:
                merged[-1] = AbsenceSpan(merged[-1].starts_on, span.ends_on)
        else:
            merged.append(span)
    return tuple(merged)


def is_absent(day: date, absences: Sequence[AbsenceSpan]) -> bool:
    return any(day in span for span in absences)


def counted_date_after(start: date, days: int, absences: Sequence[AbsenceSpan]) -> date:
    """The date `days` counted days after `start`, skipping days inside (merged) absences."""
    remaining, cursor = days, start
    for span in absences:
        if span.ends_on <= cursor:
            continue
        first_absent = max(span.starts_on, cursor + ONE_DAY)
        available = (first_absent - cursor).days - 1
        if remaining <= available:
            break
        remaining -= available
        cursor = span.ends_on
    return cursor + timedelta(days=remaining)


def _absent_days_between(start: date, end: date, absences: Sequence[AbsenceSpan]) -> int:
    """Days after `start` up to and including `end` that fall inside an absence."""
    total = 0
    for span in absences:
        first, last = max(span.starts_on, start + ONE_DAY), min(span.ends_on, end)
        if first <= last:
            total += (last - first).days + 1
    return total


def counted_days_between(start: date, end: date, absences: Sequence[AbsenceSpan]) -> int:
    """Calendar days after `start` up to `end`, not counting absence days."""
    if end <= start:
        return 0
    return (end - start).days - _absent_days_between(start, end, absences)


def counted_working_days_between(start: date, end: date, absences: Sequence[AbsenceSpan]) -> int:
    """Working days after `start` up to `end`, not counting working days inside absences."""
    if end <= start:
        return 0
    total = working_days_between(start, end)
    for span in absences:
        first, last = max(span.starts_on, start + ONE_DAY), min(span.ends_on, end)
        if first <= last:
            total -= working_days_between(first - ONE_DAY, last)
    return total


# ------------------------------------------------------------------- supervision rule


def _interval_for(agreement: Agreement, clock_start: date) -> int:
    """The interval of an agreement that requires supervision, for a clock started on `clock_start`."""
    rule = agreement.rule
    if rule is None:
        raise ValueError("an agreement with no frequency has no interval")
    if isinstance(rule, AsyeStagedRule):
        return rule.interval_on(clock_start)
    return rule.interval_days


def in_force_on(timeline: Sequence[AgreementPeriod], day: date) -> AgreementPeriod | None:
    """The agreement in force on `day`: the latest made by then that had not ended before it."""
    found = None
    for period in timeline:
        if period.in_force_on(day) and (found is None or period.terms.agreed_on >= found.terms.agreed_on):
            found = period
    return found


def _terms_in_run(timeline: Sequence[AgreementPeriod], day: date) -> Agreement:
    """The agreement in force on a day inside a run of agreements, where one always is."""
    period = in_force_on(timeline, day)
    if period is None:
        raise ValueError(f"no agreement in force on {day}, a day inside a run of agreements")
    return period.terms


@dataclass(frozen=True)
class Run:
    """Days on which an agreement requiring supervision was in force without a break."""

    starts_on: date
    ends_on: date | None  # None: still running

    def __contains__(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


def requirement_runs(timeline: Sequence[AgreementPeriod]) -> list[Run]:
    """The unbroken runs of days with an agreement requiring supervision in force, in order.

    Renewals and replacements that follow on without a day's break belong to one run."""
    boundaries = sorted(
        {period.terms.agreed_on for period in timeline}
        | {period.ends_on + ONE_DAY for period in timeline if period.ends_on is not None}
    )
    runs: list[Run] = []
    for index, day in enumerate(boundaries):
        period = in_force_on(timeline, day)
        if period is None or not period.requires_supervision:
            continue
        last = boundaries[index + 1] - ONE_DAY if index + 1 < len(boundaries) else None
        if runs and runs[-1].ends_on is not None and runs[-1].ends_on + ONE_DAY == day:
            runs[-1] = Run(runs[-1].starts_on, last)
        else:
            runs.append(Run(day, last))
    return runs


def counted_dates(
    timeline: Sequence[AgreementPeriod], held: Iterable[HeldSession], until: date
) -> list[date]:
    """Days of sessions that count, held on or before `until`, in order: a group session
    counts where the agreement in force on its day allows it (or where none was in force)."""
    days = set()
    for session in held:
        if session.held_on > until or session.held_on in days:
            continue
        if session.group:
            period = in_force_on(timeline, session.held_on)
            if period is not None and not period.terms.counts_group_sessions:
                continue
        days.add(session.held_on)
    return sorted(days)


def counted_held_dates(facts: SupervisionFacts, today: date) -> list[date]:
    """Dates of sessions that count toward the agreements, held on or before today, in order."""
    return counted_dates(facts.timeline, facts.held, today)


def clock_start(
    timeline: Sequence[AgreementPeriod], held: Sequence[date], day: date
) -> tuple[date, Agreement] | None:
    """Where the interval running on `day` started, and the agreement whose frequency it has:
    the later of the start of the run of agreements in force on `day` and the last counted
    session held in it by then. None when nothing is required on `day`."""
    run = next((run for run in requirement_runs(timeline) if day in run), None)
    if run is None:
        return None
    index = bisect_right(held, day)
    start = held[index - 1] if index and held[index - 1] >= run.starts_on else run.starts_on
    return start, _terms_in_run(timeline, start)


def next_due_date(facts: SupervisionFacts, today: date, held: Sequence[date] | None = None) -> date | None:
    """When the next session is due (or was, for someone overdue: the first due date missed),
    or None where there is no agreement or no requirement.

    `held` may pass in counted_held_dates(facts, today) when the caller has it already."""
    if facts.agreement is None or facts.agreement.rule is None:
        return None
    held = counted_held_dates(facts, today) if held is None else held
    started = clock_start(facts.timeline, held, today)
    if started is None:  # an agreement that starts after today: its clock starts on its first day
        started = (max(facts.agreement.agreed_on, held[-1] if held else date.min), facts.agreement)
    start, terms = started
    return counted_date_after(start, _interval_for(terms, start), merge_absences(facts.absences))


def supervision_status(facts: SupervisionFacts, today: date, thresholds: Thresholds) -> SupervisionStatus:
    """Status, next due date and lateness of one supervisee's supervision on `today`.

    Due soon: due within `due_soon_working_days` working days (or today). Overdue: the due
    date has passed. Escalated: overdue by more than `escalation_working_days` working days,
    counted from the first due date missed. Paused: today falls inside an absence (lateness so
    far is still reported).
    """
    if facts.agreement is None:
        return SupervisionStatus(Status.NO_AGREEMENT)
    held = counted_held_dates(facts, today)
    last_held = held[-1] if held else None
    due = next_due_date(facts, today, held)
    if due is None:
        return SupervisionStatus(Status.ON_TRACK, last_held_on=last_held)

    absences = merge_absences(facts.absences)
    days_overdue = counted_days_between(due, today, absences)
    working_days_overdue = counted_working_days_between(due, today, absences)
    until_due = counted_working_days_between(today, due, absences) if today <= due else None
    if is_absent(today, absences):
        status = Status.PAUSED
    elif today <= due:
        due_soon = until_due is not None and until_due <= thresholds.due_soon_working_days
        status = Status.DUE_SOON if due_soon else Status.ON_TRACK
    elif working_days_overdue > thresholds.escalation_working_days:
        status = Status.ESCALATED
    else:
        status = Status.OVERDUE
    return SupervisionStatus(
        status=status,
        next_due_on=due,
        last_held_on=last_held,
        days_overdue=days_overdue,
        working_days_overdue=working_days_overdue,
        working_days_until_due=until_due,
    )


def outcomes_over(
    timeline: Sequence[AgreementPeriod],
    held: Iterable[HeldSession],
    absences: Iterable[AbsenceSpan],
    today: date,
    last_day: date | None = None,
    from_day: date | None = None,
) -> list[IntervalOutcome]:
    """Every closed interval of a person's agreements, in order: the one source of met and
    missed for the status, the grid, the trend, the oversight figures and HR's figures.

    An interval opens at the start of a run of agreements, at a session or at a missed due
    date, and closes at the next session held on or before its due date (met) or at the due
    date itself once that day is over (missed); after a miss the next interval opens at the
    missed due date, so a long gap counts one miss per interval. Its length is that of the
    agreement in force when the clock last started (the run's start or the last session), so
    a new agreement changes the frequency from the next session held. Nothing counts after
    `last_day` (a leaver's last day, a window's end) and a due date is missed only once its
    day is over (before `today`).

    `from_day`: the caller has only the last sessions of each kind before it; each run's walk
    starts at the last counted session before it, which gives the same intervals closing on
    or after it, since the clock restarts at every session.
    """
    until = min(today, last_day) if last_day is not None else today
    judged_until = min(today - ONE_DAY, until)
    days = counted_dates(timeline, held, until)
    merged = merge_absences(absences)
    outcomes: list[IntervalOutcome] = []
    for run in requirement_runs(timeline):
        if run.starts_on > until:
            break
        run_last = until if run.ends_on is None else min(run.ends_on, until)
        run_judged = judged_until if run.ends_on is None else min(run.ends_on, judged_until)
        cursor = run.starts_on
        if from_day is not None and from_day > date.min:
            earlier = bisect_right(days, min(from_day - ONE_DAY, run_last)) - 1
            if earlier >= 0 and days[earlier] > cursor:
                cursor = days[earlier]
        terms = _terms_in_run(timeline, cursor)
        gap_open = False
        while True:
            interval = _interval_for(terms, cursor)
            due = counted_date_after(cursor, interval, merged)
            index = bisect_right(days, cursor)
            next_session = days[index] if index < len(days) and days[index] <= run_last else None
            if next_session is not None and next_session <= due:
                outcomes.append(IntervalOutcome(cursor, due, next_session, met=True, late=gap_open))
                cursor, gap_open = next_session, False
                terms = _terms_in_run(timeline, cursor)
            elif due <= run_judged:
                outcomes.append(IntervalOutcome(cursor, due, due, met=False, starts_gap=not gap_open))
                cursor, gap_open = due, True
            else:
                break
    return outcomes


def interval_outcomes(
    facts: SupervisionFacts, today: date, last_day: date | None = None
) -> list[IntervalOutcome]:
    """Every closed interval of the facts' agreements up to today (and `last_day`), in order."""
    return outcomes_over(facts.timeline, facts.held, facts.absences, today, last_day)


def overdue_spans(
    timeline: Sequence[AgreementPeriod], outcomes: Sequence[IntervalOutcome], last_day: date
) -> list[tuple[date, date]]:
    """The days someone was overdue (first and last, inclusive): from the day after the first
    due date missed in a gap to the day before the session that ended it, the end of its run of
    agreements, or `last_day` while it is still open."""
    runs = requirement_runs(timeline)
    spans: list[tuple[date, date]] = []
    opened: date | None = None
    until = last_day

    def close(end: date) -> None:
        if opened is not None and opened <= end:
            spans.append((opened, end))

    for outcome in outcomes:
        if opened is not None:
            if outcome.late:
                close(min(outcome.closed_on - ONE_DAY, until))
                opened = None
                continue
            if not outcome.met and not outcome.starts_gap:
                continue  # the same gap, one more due date missed
            close(until)  # the run ended with the gap open
            opened = None
        if outcome.starts_gap:
            opened = outcome.due_on + ONE_DAY
            run = next((run for run in runs if outcome.due_on in run), None)
            until = last_day if run is None or run.ends_on is None else min(run.ends_on, last_day)
    close(until)
    return spans


def period_compliance(
    facts: SupervisionFacts, starts_on: date, ends_on: date, today: date
) -> PeriodCompliance:
    """Intervals that closed between `starts_on` and `ends_on` (inclusive): how many were met
    on time. A due date on `ends_on` counts once that day is over."""
    closed = [
        outcome
        for outcome in outcomes_over(facts.timeline, facts.held, facts.absences, today, ends_on, starts_on)
        if starts_on <= outcome.closed_on <= ends_on
    ]
    on_time = sum(1 for outcome in closed if outcome.on_time)
    return PeriodCompliance(met=on_time, missed=len(closed) - on_time)


# ------------------------------------------------------------- other due dates


def write_up_due_on(held_on: date, thresholds: Thresholds) -> date:
    """The last day the supervisor may sign the record and still be on time."""
    return add_working_days(held_on, thresholds.write_up_working_days)


def write_up_signed_on_time(write_up: WriteUp, thresholds: Thresholds) -> bool | None:
    """True when signed within the limit, False when signed late, None while unsigned."""
    if write_up.supervisor_signed_on is None:
        return None
    return write_up.supervisor_signed_on <= write_up_due_on(write_up.held_on, thresholds)


def write_up_is_overdue(write_up: WriteUp, today: date, thresholds: Thresholds) -> bool:
    """Unsigned by the supervisor more than `write_up_working_days` working days after the session."""
    return write_up.supervisor_signed_on is None and today > write_up_due_on(write_up.held_on, thresholds)


def actions_overdue(open_action_due_dates: Iterable[date], today: date) -> int:
    """Open (or carried-forward) actions whose due date has passed."""
    return sum(1 for due_on in open_action_due_dates if due_on < today)


def date_state(due_on: date, today: date, notice_days: int) -> DueDate:
    """A single due date: overdue once passed, due soon within `notice_days` calendar days."""
    if today > due_on:
        return DueDate(due_on, DateState.OVERDUE)
    if (due_on - today).days <= notice_days:
        return DueDate(due_on, DateState.DUE_SOON)
    return DueDate(due_on, DateState.NOT_YET)


def dbs_renewal_due_on(checked_on: date, thresholds: Thresholds) -> date:
    return add_months(checked_on, thresholds.dbs_renewal_months)


def asye_review_due_on(started_on: date, stage: AsyeStage, absences: Iterable[AbsenceSpan]) -> date:
    """The day a review is due: its months after the ASYE started, later by every absence day
    on the way, as the supervision clock is paused (counted_date_after)."""
    days = (add_months(started_on, stage.months) - started_on).days
    return counted_date_after(started_on, days, merge_absences(absences))


def asye_reviews(
    asye: AsyeFacts, absences: Iterable[AbsenceSpan], today: date, thresholds: Thresholds
) -> tuple[AsyeReviewDue, ...]:
    """Each ASYE review in order, with its due date and state on `today`.

    A review counts as held by the first one of its stage recorded on or after the ASYE
    started: on time when held on or before its due date, late after it. One not held is
    overdue once its due date has passed, due soon within `renewal_notice_days` calendar days
    of it (like any other single due date, `date_state`), otherwise upcoming.
    """
    absences = tuple(absences)
    held: dict[AsyeStage, date] = {}
    for stage, day in sorted(asye.held, key=lambda pair: pair[1]):
        if day >= asye.started_on:
            held.setdefault(stage, day)
    reviews = []
    for stage in AsyeStage:
        due_on = asye_review_due_on(asye.started_on, stage, absences)
        held_on = held.get(stage)
        if held_on is not None:
            state = ReviewState.DONE_ON_TIME if held_on <= due_on else ReviewState.DONE_LATE
        else:
            state = {
                DateState.OVERDUE: ReviewState.OVERDUE,
                DateState.DUE_SOON: ReviewState.DUE_SOON,
                DateState.NOT_YET: ReviewState.UPCOMING,
            }[date_state(due_on, today, thresholds.renewal_notice_days).state]
        reviews.append(AsyeReviewDue(stage, due_on, state, held_on))
    return tuple(reviews)


def assess(person: PersonFacts, today: date, thresholds: Thresholds) -> Assessment:
    """Every due date for one person on `today`, with a short plain-English list of prompts."""
    supervision = supervision_status(person.supervision, today, thresholds)
    pending = [write_up for write_up in person.write_ups if write_up.supervisor_signed_on is None]
    overdue_write_ups = sum(1 for write_up in pending if write_up_is_overdue(write_up, today, thresholds))
    agreement = person.supervision.agreement
    review = (
        date_state(agreement.review_due_on, today, thresholds.renewal_notice_days)
        if agreement is not None and agreement.review_due_on is not None
        else None
    )
    registration = (
        date_state(person.registration_renewal_on, today, thresholds.renewal_notice_days)
        if person.registration_renewal_on is not None
        else None
    )
    dbs = (
        date_state(
            dbs_renewal_due_on(person.dbs_checked_on, thresholds), today, thresholds.renewal_notice_days
        )
        if person.dbs_checked_on is not None
        else None
    )
    assessment = Assessment(
        supervision=supervision,
        write_ups_pending=len(pending),
        write_ups_overdue=overdue_write_ups,
        actions_overdue=actions_overdue(person.open_action_due_dates, today),
        agreement_review=review,
        registration_renewal=registration,
        dbs_renewal=dbs,
        asye_reviews=(
            asye_reviews(person.asye, person.supervision.absences, today, thresholds)
            if person.asye is not None
            else ()
        ),
    )
    return replace(assessment, prompts=prompts_for(assessment))


def prompts_for(assessment: Assessment) -> tuple[str, ...]:
    """What needs doing, in words a page or an email can show (never supervision content)."""
    prompts: list[str] = []
    if assessment.write_ups_overdue:
        prompts.append(f"{_count(assessment.write_ups_overdue, 'record')} not signed within the time limit")
    if assessment.actions_overdue:
        its = "its" if assessment.actions_overdue == 1 else "their"
        prompts.append(f"{_count(assessment.actions_overdue, 'action')} past {its} due date")
    for label, due in (
        ("Supervision agreement review", assessment.agreement_review),
        ("Social Work England registration renewal", assessment.registration_renewal),
        ("DBS check renewal", assessment.dbs_renewal),
    ):
        if due is not None and due.needs_attention:
            when = "was due" if due.state is DateState.OVERDUE else "is due"
            prompts.append(f"{label} {when} on {format_date(due.due_on)}")
    for review in assessment.asye_reviews:
        if review.state.needs_attention:
            when = "was due" if review.state is ReviewState.OVERDUE else "is due"
            prompts.append(f"ASYE {review.stage.label} {when} on {format_date(review.due_on)}")
    return tuple(prompts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def format_date(day: date) -> str:
    """GOV.UK style: 1 December 2026."""
    return f"{day.day} {day:%B %Y}"
