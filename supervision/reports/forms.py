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
from supervision.fields import DayMonthYearField, Present, choices, enum_choices
from supervision.forms import Form, Optional, Required, optional_text, radio_field, select_field, submit_field
from supervision.limits import ascii_whole_number
from supervision.reports.checklist import CHECKLIST
from supervision.reports.figures import ONE_DAY, Period
from supervision.reports.models import Answer, Grade

EARLIEST_DAY = limits.REPORT_FIRST_DAY
LONGEST_PERIOD_YEARS = limits.LONGEST_REPORT_YEARS
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


def period_args(period: Period) -> dict[str, list[str]]:
    """The query string that asks for `period`, as the date boxes send it."""
    return {
        "period_start": [str(period.starts_on.day), str(period.starts_on.month), str(period.starts_on.year)],
        "period_end": [str(period.ends_on.day), str(period.ends_on.month), str(period.ends_on.year)],
    }


def period_problems(starts_on: date, ends_on: date, today: date) -> dict[str, str]:
    """What is wrong with a period, by field; empty when it can be reported on. The page, the API
    and `flask export-report` all ask this (supervision.limits.REPORT_PERIOD)."""
    problems: dict[str, str] = {}
    if starts_on < EARLIEST_DAY:
        problems["period_start"] = "The start date must be on or after 1 January 2000"
    if ends_on > today:
        problems["period_end"] = "The end date must be today or in the past"
    elif ends_on < starts_on:
        problems["period_end"] = "The end date must be the same as or after the start date"
    elif add_months(starts_on, 12 * LONGEST_PERIOD_YEARS) - ONE_DAY < ends_on:
        problems["period_end"] = f"The period must be {LONGEST_PERIOD_YEARS} years or shorter"
    return problems


class PeriodForm(Form):
    class Meta:
        csrf = False

    period_start = DayMonthYearField(
        "Start date", Present("Enter a start date"), description="For example, 1 9 2026"
    )
    period_end = DayMonthYearField(
        "End date", Present("Enter an end date"), description="For example, 30 11 2026"
    )
    show = submit_field("Show figures")

    def chosen(self, today: date) -> Period | None:
        """The period asked for, or None with the reasons on the fields."""
        if not self.validate():
            return None
        start, end = self.period_start.data, self.period_end.data
        if start is None or end is None:  # validate() has refused them already
            return None
        problems = period_problems(start, end, today)
        for name, message in problems.items():
            getattr(self, name).errors = [*getattr(self, name).errors, message]
        if problems:
            return None
        return Period(start, end)


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
