"""A case's oversight history over the API (docs/cases.md): the same reading and the same
permission as the page (supervision.cases.history): the worker and those overseeing them; any
other case, and every case for a person holding the HR role, is 404. Each answer is audited."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from supervision.api.spec import documented
from supervision.api.views import bp
from supervision.cases import history
from supervision.clock import clock
from supervision.permissions import api_token, found_or_404


class CaseActionOut(Schema):
    description = fields.String()
    owner = fields.String(attribute="owner_name")
    due_on = fields.Date()
    status = fields.Function(lambda action: action.status.value)


class CaseOversightOut(Schema):
    held_on = fields.Date(metadata={"description": "The session's date: the day of the oversight"})
    supervisor = fields.String(attribute="supervisor_name")
    worker = fields.String(attribute="worker_name")
    summary = fields.String()
    analysis = fields.String()
    decision = fields.String()
    actions = fields.List(fields.Nested(CaseActionOut))


class CaseAllocationOut(Schema):
    worker = fields.String(attribute="worker_name")
    allocated_on = fields.Date()
    ended_on = fields.Date(allow_none=True)


class CaseStatusNowOut(Schema):
    status = fields.Function(lambda oversight: oversight.status.value)
    label = fields.Function(lambda oversight: oversight.status.label)
    due_on = fields.Date()
    last_oversight_on = fields.Date(allow_none=True)
    days_overdue = fields.Integer()


class CaseHistoryOut(Schema):
    id = fields.Integer(attribute="case_id")
    reference = fields.String()
    category = fields.Function(lambda case: case.category.value)
    worker = fields.String(attribute="worker_name")
    opened_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    limit_days = fields.Integer(metadata={"description": "The longest the case may go without oversight"})
    status = fields.Nested(CaseStatusNowOut, allow_none=True, metadata={"description": "None once closed"})
    as_at = fields.Date()
    oversights = fields.List(fields.Nested(CaseOversightOut), metadata={"description": "Earliest first"})
    allocations = fields.List(fields.Nested(CaseAllocationOut))


@bp.get("/cases/<int:case_id>/history")
@api_token("read")
@documented("A case's oversight history (the view is audited)", CaseHistoryOut)
def case_history(case_id: int):
    case = found_or_404(history.case_for(current_user, case_id))
    today = clock().today()
    [found] = history.histories([case], today)
    history.audit_history_views(current_user, [case])
    answer = CaseHistoryOut().dump(found)
    answer["as_at"] = today.isoformat()
    return answer
