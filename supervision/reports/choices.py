"""What a report is asked for from outside a web form (the JSON API and `flask export-report`).

The oversight period and the HR snapshot date, with the same defaults, rules and messages as the
pages' forms (supervision.reports.forms, supervision.hr.views), so a period the page refuses is
refused here too, for the same reason.
"""

from __future__ import annotations

from datetime import date

from supervision.hr.disclosure import snapshot_problem
from supervision.hr.metrics import latest_census_date
from supervision.hr.tables import format_date
from supervision.reports.figures import Period
from supervision.reports.forms import default_period, period_problems


class ChoiceRefused(Exception):
    """The report cannot be made for what was asked: field name -> message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def oversight_period(starts_on: date | None, ends_on: date | None, today: date) -> Period:
    """The period asked for; neither end given means the pages' default (this month and two before)."""
    if starts_on is None and ends_on is None:
        return default_period(today)
    missing = {}
    if starts_on is None:
        missing["period_start"] = "Enter a start date"
    if ends_on is None:
        missing["period_end"] = "Enter an end date"
    if starts_on is None or ends_on is None:
        raise ChoiceRefused(missing)
    if problems := period_problems(starts_on, ends_on, today):
        raise ChoiceRefused(problems)
    return Period(starts_on, ends_on)


def retention_snapshot(snapshot: date | None, today: date) -> date:
    """The snapshot date asked for (a month end); none given means the latest 30 September, as on the page."""
    if snapshot is None:
        return latest_census_date(today)
    if problem := snapshot_problem(snapshot, today, format_date):
        raise ChoiceRefused({"snapshot_date": problem})
    return snapshot
