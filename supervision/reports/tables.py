"""How each figure is named, defined and written, shared by the pages, the charts and the exports.

The definitions here are the ones shown on the page; docs/metrics.md holds the same sentences
(a test keeps the two identical).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from markupsafe import Markup

from supervision.clock import LONDON
from supervision.compliance.models import GapReason
from supervision.reports.figures import MonthState, Period, Tally
from supervision.reports.models import Grade

NO_DATA = "No data"


class Kind(enum.StrEnum):
    COUNT = "count"
    SHARE = "share"
    DAYS = "days"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    definition: str
    kind: Kind
    value: Callable[[Tally], float | int | None]
    # For a share: the counts it is worked out from.
    part: Callable[[Tally], int] | None = None
    whole: Callable[[Tally], int] | None = None
    # As at today (from the compliance engine), not over the chosen period.
    now: bool = False
    # Shown in the monthly trend as well as for the period.
    in_trend: bool = False

    def counts(self, tally: Tally) -> tuple[int, int]:
        """A share's count and what it is out of."""
        if self.part is None or self.whole is None:
            raise ValueError(f"{self.key} is not a share")
        return self.part(tally), self.whole(tally)


METRICS: tuple[Metric, ...] = (
    Metric(
        "staff_in_scope",
        "Staff in scope",
        "People who were members of the team and employed on at least one day of the period, "
        "including new starters and leavers.",
        Kind.COUNT,
        lambda t: t.staff_in_scope,
        in_trend=True,
    ),
    Metric(
        "on_time",
        "Sessions held on time",
        "Of the supervision intervals that ended in the period, the share met by a session held on or "
        "before its due date. A session that ends a gap (held after a due date was missed) is held late, "
        "not on time. Due dates come from each person's agreements and the organisation's policy; "
        "renewing an agreement does not restart the clock, days of absence do not count, and a "
        "cancelled session does not meet an interval.",
        Kind.SHARE,
        lambda t: t.on_time_share,
        part=lambda t: t.sessions_on_time,
        whole=lambda t: t.sessions_required,
        in_trend=True,
    ),
    Metric(
        "overdue_now",
        "Overdue now",
        "People in post today whose supervision is past its due date (including those escalated), "
        "as on the team dashboard.",
        Kind.COUNT,
        lambda t: t.overdue_now,
        now=True,
    ),
    Metric(
        "escalated_now",
        "Escalated now",
        "People in post today whose supervision is overdue by more than the policy's escalation "
        "threshold in working days.",
        Kind.COUNT,
        lambda t: t.escalated_now,
        now=True,
    ),
    Metric(
        "without_agreement_now",
        "Without an agreement now",
        "People in post today with no current supervision agreement.",
        Kind.COUNT,
        lambda t: t.without_agreement_now,
        now=True,
    ),
    Metric(
        "longest_gap",
        "Longest gap (days)",
        "The longest time anyone went without supervision, in days not counting absence, for gaps "
        "ending in the period: from one session to the next, from the start of an agreement to a "
        "first session, or from the last session to the end of the period if none followed.",
        Kind.DAYS,
        lambda t: t.longest_gap,
    ),
    Metric(
        "median_between",
        "Median days between sessions",
        "The middle value of the days from each session to the next, for sessions held in the period, "
        "not counting days of absence; everyone's sessions are pooled.",
        Kind.DAYS,
        lambda t: t.median_days_between_sessions,
    ),
    Metric(
        "write_up",
        "Records signed on time",
        "Of the records of sessions held in the period, the share the supervisor signed within the "
        "policy's limit in working days (bank holidays in England and Wales excluded). A record still "
        "unsigned within the limit is not counted yet; one unsigned after it counts as late.",
        Kind.SHARE,
        lambda t: t.write_up_share,
        part=lambda t: t.write_ups_on_time,
        whole=lambda t: t.write_ups_judged,
        in_trend=True,
    ),
    Metric(
        "complete",
        "Records complete at sign-off",
        "Of the records of sessions held in the period that the supervisor has signed, the share with "
        "every section written (including sections the policy makes optional) and at least one case "
        "discussion, each with a decision.",
        Kind.SHARE,
        lambda t: t.complete_share,
        part=lambda t: t.records_complete,
        whole=lambda t: t.records_signed,
    ),
    Metric(
        "actions_overdue_now",
        "Overdue actions now",
        "Open actions from supervision records of people in post today that are past their due date.",
        Kind.COUNT,
        lambda t: t.actions_overdue_now,
        now=True,
    ),
    Metric(
        "cancellation",
        "Cancellation rate",
        "Of the sessions booked for a date in the period that were held, cancelled or not attended, "
        "the share cancelled. A group session counts once for each person booked on it.",
        Kind.SHARE,
        lambda t: t.cancellation_share,
        part=lambda t: t.sessions_cancelled,
        whole=lambda t: t.sessions_planned,
        in_trend=True,
    ),
    Metric(
        "disagreements",
        "Disagreements recorded",
        "Records of sessions held in the period on which the supervisee recorded disagreement with "
        "what was written or decided.",
        Kind.COUNT,
        lambda t: t.disagreements,
        in_trend=True,
    ),
    Metric(
        "gaps_unexplained",
        "Gaps without a reason",
        "Gaps that began in the period (a due date missed after a session held on time) for which the "
        "supervisor has not recorded a reason.",
        Kind.COUNT,
        lambda t: t.gaps_unexplained,
    ),
    Metric(
        "audited_good",
        "Audited records good or better",
        "Of the quality audits completed in the period, the share graded outstanding or good.",
        Kind.SHARE,
        lambda t: _good_or_better(t)[0] / t.audits if t.audits else None,
        part=lambda t: _good_or_better(t)[0],
        whole=lambda t: t.audits,
        in_trend=True,
    ),
)
METRIC_BY_KEY = {metric.key: metric for metric in METRICS}
TREND_METRICS = tuple(metric for metric in METRICS if metric.in_trend)
CHARTED_METRIC = METRIC_BY_KEY["on_time"]

GAP_REASONS_DEFINITION = (
    "Reasons supervisors recorded for gaps whose missed due date fell in the period, and the gaps "
    "that began in the period with no reason recorded."
)
AUDIT_GRADES_DEFINITION = (
    "Quality audits completed in the period, by grade, counted against the supervisee's team."
)
MONTH_GRID_DEFINITION = (
    "For each month: held late if a session that ended a gap was held; missed if a due date was "
    "missed or the person was overdue on any day; held on time if a session met its due date; paused "
    "if none of these and the person was absent on any day; otherwise nothing was due. The month's "
    "cell and its sessions held on time come from the same intervals."
)


def _good_or_better(tally: Tally) -> tuple[int, int]:
    good = sum(count for grade, count in tally.audit_grades.items() if Grade(grade).good_or_better)
    return good, tally.audits


# ------------------------------------------------------------------------------ formatting


def percent_text(value: float | None) -> str:
    """Whole percentages, halves rounded up as people expect (62.5% reads 63%)."""
    if value is None:
        return NO_DATA
    rounded = (Decimal(str(value)) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{rounded}%"


def number_text(value: float | int | None) -> str:
    if value is None:
        return NO_DATA
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def metric_text(metric: Metric, tally: Tally) -> str:
    value = metric.value(tally)
    if metric.kind is Kind.SHARE:
        return percent_text(value)
    return number_text(value)


def metric_detail(metric: Metric, tally: Tally) -> str:
    """ "3 of 4" under a share, so a rate from few cases reads as such."""
    if metric.kind is not Kind.SHARE or metric.whole is None:
        return ""
    part, whole = metric.counts(tally)
    return f"{part:,} of {whole:,}" if whole else ""


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def period_text(period: Period) -> str:
    return f"{long_date(period.starts_on)} to {long_date(period.ends_on)}"


def month_text(month: Period) -> str:
    return f"{month.starts_on:%B %Y}"


def short_month_text(month: Period) -> str:
    return f"{month.starts_on:%b %y}"


def month_cells(
    states: Sequence[MonthState], month_names: Sequence[str], changed: Sequence[str | None] | None = None
) -> Markup:
    """One row of a staff-by-month grid: a cell per month, in the order of `month_names`.

    A grid has a cell for every person and month (144 on a supervisor's dashboard, thousands on a
    service's report); written out by the template, each took four escaped values and a filter,
    5,000 of the dashboard request's 35,000 Python calls. A cell depends only on its state and
    its month, so each is built once. `changed` holds, for a month that changed after it closed,
    the address of what changed (supervision.reports.changes); those few cells link to it.
    """
    if changed is None or not any(changed):
        return Markup("").join(
            _month_cell(state, name) for state, name in zip(states, month_names, strict=True)
        )
    return Markup("").join(
        _changed_month_cell(state, name, href) if href else _month_cell(state, name)
        for state, name, href in zip(states, month_names, changed, strict=True)
    )


@lru_cache(maxsize=4096)
def _month_cell(state: MonthState, month_name: str) -> Markup:
    return Markup(
        '<td class="govuk-table__cell app-month-grid__cell">'
        '<span class="app-month app-month--{}" aria-hidden="true">{}</span>'
        '<span class="govuk-visually-hidden">{}: {}</span></td>'
    ).format(state.value.replace("_", "-"), state.symbol, month_name, state.label)


def _changed_month_cell(state: MonthState, month_name: str, href: str) -> Markup:
    return Markup(
        '<td class="govuk-table__cell app-month-grid__cell app-month-grid__cell--changed">'
        '<span class="app-month app-month--{}" aria-hidden="true">{}</span>'
        '<span class="govuk-visually-hidden">{}: {}</span>'
        '<a class="govuk-link app-month-grid__changed" href="{}">changed'
        '<span class="govuk-visually-hidden"> after {} closed: see what changed</span></a></td>'
    ).format(state.value.replace("_", "-"), state.symbol, month_name, state.label, href, month_name)


def generated_text(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{long_date(local.date())} at {local:%H:%M} (UK time)"


# ---------------------------------------------------------------------- reasons and grades


def gap_reason_rows(tally: Tally) -> list[tuple[str, int]]:
    rows = [(reason.label, tally.gap_reasons.get(reason.value, 0)) for reason in GapReason]
    rows.append(("No reason recorded", tally.gaps_unexplained))
    return rows


GRADES = tuple(Grade)


def grade_counts(tally: Tally) -> list[int]:
    return [tally.audit_grades.get(grade.value, 0) for grade in GRADES]
