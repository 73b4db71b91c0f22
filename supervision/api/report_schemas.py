"""Schemas for report figures over the API: what may be asked (query strings) and what comes back.

The oversight figures' fields are generated from supervision.reports.tables.METRICS, each with
the definition shown on the page, so the API, the page and the exports name and define the same
figures.
"""

from __future__ import annotations

from collections.abc import Iterable

from marshmallow import Schema, fields, validate

from supervision.api.schemas import ID_RANGE, PageArgs, StrictSchema, WholeNumber
from supervision.compliance.rules import Status
from supervision.hr.disclosure import SMALL_NUMBER_THRESHOLD
from supervision.hr.disclosure import Kind as CellKind
from supervision.hr.metrics import Level as HrLevel
from supervision.reports.dashboard import COLUMN_BY_KEY
from supervision.reports.figures import MonthState
from supervision.reports.models import Grade
from supervision.reports.services import Level
from supervision.reports.tables import METRICS, TREND_METRICS, Kind, Metric


def one_of(values: Iterable[str]) -> validate.OneOf:
    return validate.OneOf([str(value) for value in values])


# --- what may be asked ---------------------------------------------------------------------------


class DashboardArgs(PageArgs):
    team_id = WholeNumber(validate=ID_RANGE, metadata={"description": "Only people in this team"})
    status = fields.String(validate=one_of(Status), metadata={"description": "Only people with this status"})
    sort = fields.String(
        validate=one_of(COLUMN_BY_KEY),
        metadata={"description": "The column to sort by, as on the page; the most worrying first by default"},
    )
    order = fields.String(validate=one_of(("ascending", "descending")))


class PeriodArgs(StrictSchema):
    period_start = fields.Date(
        metadata={
            "description": "First day of the period (YYYY-MM-DD): the first day of a month in the "
            "last 24 months. Give both days, or neither for the page's default: this month and the "
            "two before it, up to today. Periods are whole months whose figures are kept "
            '(docs/metrics.md, "Periods").'
        }
    )
    period_end = fields.Date(
        metadata={
            "description": "Last day of the period (YYYY-MM-DD): the last day of a month in the last "
            "12 months, or today"
        }
    )


class SnapshotArgs(StrictSchema):
    snapshot_date = fields.Date(
        metadata={
            "description": "Figures are for the 12 months up to this day (YYYY-MM-DD), which must be "
            "the last day of a month; the latest 30 September by default, as the census uses. Starters, "
            "leavers and supervision before leaving are given for 30 September only"
        }
    )


# --- team dashboard ------------------------------------------------------------------------------


class DashboardRowOut(Schema):
    staff_id = fields.Integer(required=True)
    given_name = fields.String(required=True)
    family_name = fields.String(required=True)
    team_id = fields.Integer(allow_none=True, required=True)
    team_name = fields.String(required=True)
    status = fields.String(required=True, validate=one_of(Status))
    last_held_on = fields.Date(allow_none=True, required=True)
    next_due_on = fields.Date(allow_none=True, required=True)
    days_overdue = fields.Integer(required=True)
    write_ups_pending = fields.Integer(required=True)
    write_ups_overdue = fields.Integer(required=True)
    actions_overdue = fields.Integer(required=True)
    months = fields.List(
        fields.String(validate=one_of(MonthState)),
        required=True,
        metadata={"description": "How supervision went in each of the dashboard's `months`, oldest first"},
    )


class TeamDashboardOut(Schema):
    as_at = fields.Date(required=True)
    months = fields.List(
        fields.Date(), required=True, metadata={"description": "First day of each of the last 12 months"}
    )
    items = fields.List(fields.Nested(DashboardRowOut), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


# --- oversight report ----------------------------------------------------------------------------


class PeriodOut(Schema):
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


class ShareOut(Schema):
    share = fields.Float(allow_none=True, required=True, metadata={"description": "0 to 1; null: none"})
    count = fields.Integer(required=True)
    out_of = fields.Integer(required=True)


def metric_field(metric: Metric) -> fields.Field:
    description = {"description": metric.label + ". " + metric.definition}
    if metric.kind is Kind.SHARE:
        return fields.Nested(ShareOut, required=True, metadata=description)
    if metric.kind is Kind.DAYS:
        return fields.Float(allow_none=True, required=True, metadata=description)
    return fields.Integer(required=True, metadata=description)


def figures_schema(metrics: Iterable[Metric], name: str) -> type[Schema]:
    return Schema.from_dict({metric.key: metric_field(metric) for metric in metrics}, name=name)


OversightFiguresOut = figures_schema(METRICS, "OversightFigures")
TrendFiguresOut = figures_schema(TREND_METRICS, "TrendFigures")
AuditGradesOut = Schema.from_dict(
    {grade.value: fields.Integer(required=True) for grade in Grade}, name="AuditGrades"
)


class UnitOut(Schema):
    level = fields.String(required=True, validate=one_of(Level))
    id = fields.Integer(allow_none=True, required=True)
    name = fields.String(required=True)
    part_of = fields.String(required=True)
    figures = fields.Nested(OversightFiguresOut, required=True)
    audit_grades = fields.Nested(AuditGradesOut, required=True)
    changed_after_close = fields.Boolean(
        required=True,
        metadata={"description": "A session or absence changed after a month of the period closed"},
    )


class TrendMonthOut(Schema):
    month = fields.Date(required=True, metadata={"description": "The month's first day"})
    figures = fields.Nested(TrendFiguresOut, required=True)
    changed_after_close = fields.Boolean(
        required=True,
        metadata={"description": "A session or absence was changed after this month closed"},
    )


class GapReasonOut(Schema):
    reason = fields.String(required=True)
    label = fields.String(required=True)
    gaps = fields.Integer(required=True)


class PersonMonthsOut(Schema):
    staff_id = fields.Integer(required=True)
    name = fields.String(required=True)
    months = fields.List(fields.String(validate=one_of(MonthState)), required=True)
    changed_after_close = fields.List(
        fields.Boolean(),
        required=True,
        metadata={"description": "For each month: changed after it closed"},
    )


class OversightOut(Schema):
    organisation_name = fields.String(required=True)
    level = fields.String(required=True, validate=one_of(Level))
    period = fields.Nested(PeriodOut, required=True)
    as_at = fields.Date(required=True, metadata={"description": "The day the figures marked 'now' are for"})
    figures_as_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={
            "description": "When the stored figures this answer reads were worked out (docs/metrics.md, "
            '"Stored figures"); null when worked out for this request'
        },
    )
    unit = fields.Nested(UnitOut, required=True)
    children = fields.List(
        fields.Nested(UnitOut),
        required=True,
        metadata={"description": "Services of the organisation, teams of a service, workers of a team"},
    )
    trend = fields.List(fields.Nested(TrendMonthOut), required=True)
    gap_reasons = fields.List(fields.Nested(GapReasonOut), required=True)
    staff_by_month = fields.List(
        fields.Nested(PersonMonthsOut),
        required=True,
        metadata={"description": "For a team: each worker's trend months; empty above team level"},
    )


# --- HR retention --------------------------------------------------------------------------------


class CellOut(Schema):
    value = fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "Null when withheld or not applicable; a rate is a percentage"},
    )
    text = fields.String(
        required=True,
        metadata={"description": "As on the page: 'fewer than 5' or 'withheld' when not shown"},
    )
    kind = fields.String(required=True, validate=one_of(CellKind))
    suppressed = fields.Boolean(required=True)
    reason = fields.String(
        allow_none=True,
        required=True,
        validate=one_of(("small", "secondary")),
        metadata={
            "description": "Why it is withheld: 'small' (rests on fewer than 5 people) or 'secondary' "
            "(withheld so that a small figure cannot be worked out from the others); null when shown"
        },
    )


class RetentionRowOut(Schema):
    level = fields.String(required=True, validate=one_of(HrLevel))
    name = fields.String(required=True)
    service = fields.String(allow_none=True, required=True, metadata={"description": "A team's service"})
    cells = fields.List(fields.Nested(CellOut), required=True)


class RetentionTableOut(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    columns = fields.List(fields.String(), required=True)
    rows = fields.List(fields.Nested(RetentionRowOut), required=True)


class RetentionMonthOut(Schema):
    month = fields.Date(required=True)
    cells = fields.List(fields.Nested(CellOut), required=True)


class RetentionTrendOut(Schema):
    level = fields.String(required=True, validate=one_of(HrLevel))
    id = fields.Integer(allow_none=True, required=True)
    name = fields.String(required=True)
    columns = fields.List(fields.String(), required=True)
    months = fields.List(fields.Nested(RetentionMonthOut), required=True)


class RetentionOut(Schema):
    organisation_name = fields.String(required=True)
    period = fields.Nested(PeriodOut, required=True)
    snapshot_date = fields.Date(required=True)
    figures_as_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={
            "description": "When the stored figures were worked out (docs/metrics.md, "
            '"Stored figures"): every figure at the latest census date once the hourly job has '
            "run today, otherwise supervision before leaving alone; null when worked out for this request"
        },
    )
    small_number_threshold = fields.Integer(
        required=True,
        metadata={
            "description": f"Team-level counts below this ({SMALL_NUMBER_THRESHOLD}), counts of leavers "
            "below it at any level, and figures worked out from them, are withheld; so are figures that "
            "would let one of them be worked out from the others"
        },
    )
    tables = fields.List(fields.Nested(RetentionTableOut), required=True)
    trends = fields.List(
        fields.Nested(RetentionTrendOut),
        required=True,
        metadata={"description": "Monthly turnover and vacancy for the organisation and each service"},
    )
