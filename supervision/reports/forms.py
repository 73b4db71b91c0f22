"""Forms for the reports: the period, the dashboard's filters, choosing records and the audit itself.

The period, filter and sampling forms only read the query string and change nothing, so they
carry no CSRF token; the audit form writes, so it does.
"""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms.fields import TextAreaField

from supervision import limits
from supervision.compliance.rules import STATUS_LABELS, Status
from supervision.dates import add_months
from supervision.fields import SelectChoice, choices, enum_choices
from supervision.forms import Form, Optional, Required, optional_text, radio_field, select_field, submit_field
from supervision.limits import ascii_whole_number
from supervision.reports import figures
from supervision.reports.checklist import CHECKLIST
from supervision.reports.figures import Period, month_containing, reportable_months
from supervision.reports.models import Answer, Grade
from supervision.reports.tables import month_text

EARLIEST_DAY = limits.REPORT_FIRST_DAY
SAMPLE_SIZES = (3, 5, 10, 20)


def whole_number_or_none(value) -> int | None:
    """A choice from the query string: blank is none; text that is not a number matches nothing."""
    if value in (None, ""):
        return None
    number = ascii_whole_number(str(value))
    return -1 if number is None else number


def default_period(today: date) -> Period:
    """The current month and the two before it, up to today."""
    return Period(add_months(today.replace(day=1), -2), today)


def month_value(month: Period) -> str:
    """A month as the period form sends it: YYYY-MM."""
    return f"{month.starts_on:%Y-%m}"


def period_args(period: Period) -> dict[str, str]:
    """The query string that asks for `period` (whole months), as the period form sends it."""
    return {
        "from_month": month_value(month_containing(period.starts_on)),
        "to_month": f"{period.ends_on:%Y-%m}",
    }


def period_of_months(first: Period, last: Period, today: date) -> Period:
    """From the first day of `first` to the last day of `last`, or today in the month in progress."""
    return Period(first.starts_on, min(last.ends_on, today))


def period_problems(starts_on: date, ends_on: date, today: date) -> dict[str, str]:
    """What is wrong with a period, by field; empty when it can be reported on. The page, the API
    and `flask export-report` all ask this (supervision.limits.REPORT_PERIOD).

    A period is whole calendar months whose figures are stored, so that every report answers
    at once at any scale (docs/metrics.md, "Periods"; figures.reportable_months)."""
    problems: dict[str, str] = {}
    starts, ends = reportable_months(today)
    if starts_on < EARLIEST_DAY:
        problems["period_start"] = "The start date must be on or after 1 January 2000"
    elif starts_on.day != 1:
        problems["period_start"] = "The start date must be the first day of a month"
    elif starts_on < starts[0].starts_on:
        problems["period_start"] = (
            f"The start date must be on or after {limits.long_date(starts[0].starts_on)}: "
            f"figures are kept for each month of the last {figures.STORED_MONTHS} months"
        )
    if ends_on > today:
        problems["period_end"] = "The end date must be today or in the past"
    elif ends_on < starts_on:
        problems["period_end"] = "The end date must be the same as or after the start date"
    elif ends_on != today and ends_on != month_containing(ends_on).ends_on:
        problems["period_end"] = "The end date must be the last day of a month, or today"
    elif ends_on < ends[0].starts_on:
        problems["period_end"] = (
            f"The end date must be on or after {limits.long_date(ends[0].starts_on)}: a period's "
            f"{figures.TREND_MONTHS}-month trend must be among the months whose figures are kept"
        )
    return problems


def month_choices(months: list[Period]) -> list[SelectChoice]:
    return [SelectChoice(month_value(month), month_text(month)) for month in reversed(months)]


class PeriodForm(Form):
    """The report's period: whole months, newest first, as far back as figures are kept."""

    class Meta:
        csrf = False

    from_month = select_field("From", invalid_choice_message="Choose the first month from the list")
    to_month = select_field("To", invalid_choice_message="Choose the last month from the list")
    show = submit_field("Show figures")

    def __init__(self, today: date, **kwargs):
        super().__init__(**kwargs)
        self.starts, self.ends = reportable_months(today)
        self.from_month.choices = month_choices(self.starts)
        self.to_month.choices = month_choices(self.ends)

    def chosen(self, today: date) -> Period | None:
        """The period asked for, or None with the reasons on the fields."""
        if not self.validate():
            return None
        first = next(month for month in self.starts if month_value(month) == self.from_month.data)
        last = next(month for month in self.ends if month_value(month) == self.to_month.data)
        if last.starts_on < first.starts_on:
            self.to_month.errors = [
                *self.to_month.errors,
                "The end month must be the same as or after the start month",
            ]
            return None
        return period_of_months(first, last, today)


STATUS_OPTIONS = [(status.value, STATUS_LABELS[status]) for status in Status]


class DashboardFilterForm(Form):
    class Meta:
        csrf = False

    team = select_field(
        "Team", Optional(), coerce=whole_number_or_none, invalid_choice_message="Choose a team from the list"
    )
    status = select_field(
        "Status", Optional(), coerce=optional_text, invalid_choice_message="Choose a status from the list"
    )
    apply = submit_field("Apply filters")

    def __init__(self, teams: list[tuple[int, str]], **kwargs):
        super().__init__(**kwargs)
        self.team.choices = choices(teams, "All teams")
        self.status.choices = choices(STATUS_OPTIONS, "Any status")


class ChooseRecordsForm(Form):
    class Meta:
        csrf = False

    team = select_field(
        "Team", Optional(), coerce=whole_number_or_none, invalid_choice_message="Choose a team from the list"
    )
    sample = select_field(
        "Offer me a random sample of",
        Optional(),
        coerce=whole_number_or_none,
        invalid_choice_message="Choose a sample size from the list",
    )
    show = submit_field("Show records")

    def __init__(self, teams: list[tuple[int, str]], **kwargs):
        super().__init__(**kwargs)
        self.team.choices = choices(teams, "All my teams")
        self.sample.choices = choices(
            ((size, f"{size} records") for size in SAMPLE_SIZES), "No sample: list the latest records"
        )


CHECKLIST_BY_KEY = {item.key: item for item in CHECKLIST}


def checklist_field(key: str):
    item = CHECKLIST_BY_KEY[key]
    answers = [Answer.YES, Answer.NO, *([Answer.NOT_APPLICABLE] if item.may_not_apply else [])]
    return radio_field(
        item.question,
        Required(f"Answer the question: {item.question}"),
        choices=enum_choices(answers),
        invalid_choice_message=f"Answer the question: {item.question}",
    )


class QualityAuditForm(Form):
    """One radio question per checklist item (supervision.reports.checklist), then the grade."""

    agreement_on_file = checklist_field("agreement_on_file")
    frequency_met = checklist_field("frequency_met")
    agenda_set = checklist_field("agenda_set")
    previous_actions_reviewed = checklist_field("previous_actions_reviewed")
    reflection_evident = checklist_field("reflection_evident")
    decisions_recorded = checklist_field("decisions_recorded")
    both_signed = checklist_field("both_signed")
    grade = radio_field(
        "Grade",
        Required("Choose a grade"),
        choices=enum_choices(Grade),
        invalid_choice_message="Choose a grade",
    )
    comments = TextAreaField(
        "Feedback for the supervisor (optional)",
        widget=GovTextArea(),
        description="What was done well and what would make the record better.",
    )
    save = submit_field("Save audit")

    def answers(self) -> dict[str, Answer]:
        return {item.key: Answer(getattr(self, item.key).data) for item in CHECKLIST}
