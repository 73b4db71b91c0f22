"""Marshmallow schemas: they validate what comes in, shape what goes out, and generate the spec."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from supervision import limits
from supervision.clock import LONDON
from supervision.records.services import EDITABLE_TEXT

MAX_PER_PAGE = limits.PER_PAGE.high
ID_RANGE = validate.Range(min=limits.ID.low, max=limits.ID.high)


class WholeNumber(fields.Integer):
    """An integer; in a query string, ASCII digits only ("١٢" is not 12, as on the pages)."""

    def _validated(self, value):
        if isinstance(value, str) and limits.ascii_whole_number(value, maximum=10**18) is None:
            raise self.make_error("invalid")
        return super()._validated(value)


def text_limit(name: str) -> list:
    """The field's length and characters from supervision.limits, as the page checks them; the
    length as a Length validator, so the OpenAPI spec shows it as maxLength."""
    limit = limits.TEXT[name]

    def characters(value: str) -> None:
        problem = limits.character_problem(value, name, limit)
        if problem:
            raise ValidationError(problem)

    return [validate.Length(max=limit.max_length, error=limits.length_message(name, limit)), characters]


def date_limit(name: str):
    """The field's date range from supervision.limits, counted from the app clock's today."""
    allowed = limits.DATES[name]

    def check(value) -> None:
        when = value.astimezone(LONDON) if isinstance(value, datetime) else value
        problem = limits.date_problem(when, name, allowed, current_app.extensions["clock"].today())
        if problem:
            raise ValidationError(problem)

    return check


class StrictSchema(Schema):
    """Unknown fields are refused rather than ignored (marshmallow's default, made explicit)."""

    class Meta:
        unknown = RAISE


class Error(Schema):
    status = fields.Integer(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())
    missing = fields.List(fields.Dict(keys=fields.String(), values=fields.String()))


class PageArgs(StrictSchema):
    page = WholeNumber(load_default=1, validate=validate.Range(min=limits.PAGE.low, max=limits.PAGE.high))
    per_page = WholeNumber(
        load_default=25, validate=validate.Range(min=limits.PER_PAGE.low, max=MAX_PER_PAGE)
    )


class StaffOut(Schema):
    id = fields.Integer(required=True)
    given_name = fields.String(required=True)
    family_name = fields.String(required=True)
    email = fields.String(required=True)
    job_title = fields.String(required=True)
    career_stage = fields.String(required=True)
    contract_type = fields.String(required=True)
    fte = fields.Float(required=True)
    roles = fields.Function(lambda staff: sorted(staff.roles), required=True)
    team_id = fields.Integer(allow_none=True, required=True)
    line_manager_id = fields.Integer(allow_none=True, required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(allow_none=True, required=True)
    active = fields.Boolean(required=True)


class TeamOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    service_id = fields.Integer(required=True)
    service_name = fields.Function(lambda team: team.service.name, required=True)
    manager_id = fields.Integer(allow_none=True, required=True)
    establishment_fte = fields.Float(required=True)


class AgreementOut(Schema):
    id = fields.Integer(required=True)
    supervisee_id = fields.Integer(required=True)
    supervisor_id = fields.Integer(required=True)
    frequency_kind = fields.String(required=True)
    interval_days = fields.Integer(allow_none=True, required=True)
    minimum_duration_minutes = fields.Integer(required=True)
    supervision_type = fields.String(required=True)
    agreed_on = fields.Date(required=True)
    review_due_on = fields.Date(required=True)
    ended_on = fields.Date(allow_none=True, required=True)
    supervisor_signed_at = fields.DateTime(allow_none=True, required=True)
    supervisee_signed_at = fields.DateTime(allow_none=True, required=True)


class SessionOut(Schema):
    id = fields.Integer(required=True)
    supervisor_id = fields.Integer(required=True)
    supervisee_ids = fields.Function(
        lambda session: [attendee.supervisee_id for attendee in session.attendees], required=True
    )
    kind = fields.String(required=True)
    status = fields.String(required=True)
    scheduled_start = fields.DateTime(required=True)
    duration_minutes = fields.Integer(required=True)
    location = fields.String(required=True)
    online = fields.Boolean(required=True)
    held_on = fields.Date(allow_none=True, required=True)
    version = fields.Integer(required=True)


class SessionIn(StrictSchema):
    supervisee_ids = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE),
        required=True,
        validate=validate.Length(min=int(limits.GROUP_SIZE.low), max=int(limits.GROUP_SIZE.high)),
    )
    starts_at = fields.AwareDateTime(
        required=True,
        validate=date_limit("starts_at"),
        metadata={"description": f"With its offset; its day (in London) {limits.SESSION_DATE.described()}"},
    )
    duration_minutes = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(min=limits.SESSION_MINUTES.low, max=limits.SESSION_MINUTES.high),
    )
    location = fields.String(load_default="", validate=text_limit("location"))
    online = fields.Boolean(load_default=False)
    # Needed when the session is dated in a month whose figures have closed (docs/metrics.md).
    closed_month_reason = fields.String(load_default="", validate=text_limit("closed_month_reason"))
    # A session on a day either person is recorded as absent is refused (422) unless this is true.
    absence_confirmed = fields.Boolean(load_default=False)


class RecordSummaryOut(Schema):
    """A record in a list: who, when and its state, never its content (reading that is audited)."""

    id = fields.Integer(required=True)
    session_id = fields.Integer(required=True)
    supervisee_id = fields.Integer(required=True)
    supervisor_id = fields.Function(lambda record: record.session.supervisor_id, required=True)
    held_on = fields.Function(lambda record: record.session.held_on, required=True, allow_none=True)
    supervisor_signed_at = fields.DateTime(allow_none=True, required=True)
    supervisee_signed_at = fields.DateTime(allow_none=True, required=True)
    locked = fields.Function(lambda record: record.is_locked, required=True)
    version = fields.Integer(required=True)


class RecordOut(RecordSummaryOut):
    agenda = fields.String(required=True)
    wellbeing = fields.String(required=True)
    workload = fields.String(required=True)
    learning = fields.String(required=True)
    reflection = fields.String(required=True)
    health_and_leave = fields.String(required=True)
    supervisee_comment = fields.String(required=True)
    supervisee_disagrees = fields.Boolean(required=True)


RecordUpdate = Schema.from_dict(
    {
        "version": fields.Integer(strict=True, required=True, validate=ID_RANGE),
        **{key: fields.String(validate=text_limit(key)) for key in EDITABLE_TEXT},
    },
    name="RecordUpdate",
)


class SignIn(StrictSchema):
    version = fields.Integer(strict=True, required=True, validate=ID_RANGE)
    comment = fields.String(load_default="", validate=text_limit("supervisee_comment"))
    disagrees = fields.Boolean(load_default=False)


class ComplianceOut(Schema):
    staff_id = fields.Integer(required=True)
    status = fields.String(required=True)
    next_due_on = fields.Date(allow_none=True, required=True)
    last_held_on = fields.Date(allow_none=True, required=True)
    days_overdue = fields.Integer(required=True)
    write_ups_pending = fields.Integer(required=True)
    write_ups_overdue = fields.Integer(required=True)
    actions_overdue = fields.Integer(required=True)


class AsyeReviewDueOut(Schema):
    stage = fields.String(required=True, metadata={"description": "three_month, six_month or final"})
    due_on = fields.Date(
        required=True, metadata={"description": "Months after the ASYE started, plus absence days"}
    )
    held_on = fields.Date(allow_none=True, required=True)
    state = fields.String(
        required=True, metadata={"description": "upcoming, due_soon, overdue, done_on_time or done_late"}
    )


class AsyeReviewOut(Schema):
    id = fields.Integer(required=True)
    stage = fields.String(required=True)
    held_on = fields.Date(required=True)
    outcome = fields.String(required=True)
    participants = fields.List(fields.String(), required=True, attribute="participant_names")
    notes = fields.String(required=True)
    recorded_by_id = fields.Integer(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)


class AsyeReviewsOut(Schema):
    staff_id = fields.Integer(required=True)
    in_asye = fields.Boolean(required=True, metadata={"description": "Their current agreement is the ASYE's"})
    due = fields.List(fields.Nested(AsyeReviewDueOut), required=True)
    recorded = fields.List(fields.Nested(AsyeReviewOut), required=True)


def page_schema(item: type[Schema]) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
        name=item.__name__.removesuffix("Out").removesuffix("Summary") + "Page",
    )
