"""Case oversight statuses over the API: the open cases the token's person may see (their own and
those of the people on their team dashboard: supervision.cases.services.visible_cases), with the same status
as every page (supervision.cases.lists). Nobody holding the HR role sees a case: their list is
empty. Case references are personal data: the answer is never stored by a cache (views.py)."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from marshmallow import Schema, fields

from supervision.api.report_schemas import one_of
from supervision.api.schemas import ID_RANGE, PageArgs, WholeNumber, page_schema
from supervision.api.spec import documented
from supervision.api.views import bp, parse
from supervision.cases import lists
from supervision.cases.rules import CaseCategory, CaseStatus
from supervision.clock import clock
from supervision.permissions import api_token


class CaseStatusArgs(PageArgs):
    team_id = WholeNumber(
        validate=ID_RANGE, metadata={"description": "Only cases held by people in this team"}
    )
    category = fields.String(
        validate=one_of(CaseCategory), metadata={"description": "Only cases of this category"}
    )
    status = fields.String(
        validate=one_of(CaseStatus), metadata={"description": "Only cases with this status today"}
    )


class CaseStatusOut(Schema):
    case_id = fields.Integer(required=True)
    reference = fields.String(required=True)
    category = fields.String(required=True)
    worker_id = fields.Integer(required=True)
    worker_name = fields.String(required=True)
    team_id = fields.Integer(required=True, allow_none=True)
    team_name = fields.String(required=True, allow_none=True)
    status = fields.String(
        required=True, metadata={"description": "on_track, due_soon, overdue or not_discussed"}
    )
    last_oversight_on = fields.Date(required=True, allow_none=True)
    due_on = fields.Date(required=True)
    days_overdue = fields.Integer(required=True)
    worker_absent = fields.Boolean(
        required=True,
        metadata={"description": "The worker is absent today: reallocate the case or arrange cover"},
    )


@bp.get("/cases")
@api_token("read")
@documented(
    "Open cases you may see, with their oversight status today (longest overdue first)",
    page_schema(CaseStatusOut),
    query=CaseStatusArgs,
)
def case_statuses():
    args = parse(CaseStatusArgs, request.args.to_dict())
    case_filter = lists.CaseFilter(
        team_id=args.get("team_id"),
        category=CaseCategory(args["category"]) if "category" in args else None,
        statuses=frozenset({CaseStatus(args["status"])}) if "status" in args else frozenset(CaseStatus),
    )
    found = lists.case_lines(current_user, clock().today(), lists.Whose.VISIBLE, case_filter)
    first = (args["page"] - 1) * args["per_page"]
    return jsonify(
        {
            "items": CaseStatusOut(many=True).dump(
                [case_status_item(line) for line in found[first : first + args["per_page"]]]
            ),
            "page": args["page"],
            "per_page": args["per_page"],
            "total": len(found),
        }
    )


def case_status_item(line: lists.CaseLine) -> dict:
    return {
        "case_id": line.id,
        "reference": line.reference,
        "category": line.category.value,
        "worker_id": line.worker_id,
        "worker_name": line.worker_name,
        "team_id": line.team_id,
        "team_name": line.team_name,
        "status": line.oversight.status.value,
        "last_oversight_on": line.oversight.last_oversight_on,
        "due_on": line.oversight.due_on,
        "days_overdue": line.oversight.days_overdue,
        "worker_absent": line.worker_absent,
    }
