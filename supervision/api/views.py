"""The JSON API under /api/v1: thin views over the same services and permission rules as the pages.

Every route carries `api_token("read")` or `api_token("write")`; objects a person may not see
answer 404, exactly as the pages do.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException

from supervision.agreements.models import SupervisionAgreement
from supervision.agreements.reviews import reviews_of
from supervision.agreements.services import current_supervisor_id
from supervision.api import schemas, services
from supervision.api.auth import rate_limit_key
from supervision.api.errors import json_error
from supervision.api.spec import build_spec, documented
from supervision.audit.services import ReasonRequired
from supervision.clock import clock
from supervision.compliance.services import asye_progress_for, compliance_for
from supervision.extensions import csrf, db, limiter
from supervision.org.models import Staff, Team
from supervision.permissions import (
    api_token,
    found_or_404,
    may_view_agreement,
    may_view_person,
    may_view_record,
    may_view_session,
    may_view_supervision_of,
    may_view_supervision_page,
    may_view_team,
    require,
)
from supervision.records import services as records
from supervision.records.errors import SignOffRefused
from supervision.service_errors import NotPermitted, ServiceError, StaleVersion

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, never cookies, authenticate the API: a cross-site page cannot ride on a session.
csrf.exempt(bp)
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)


class RequestRefused(Exception):
    def __init__(self, status: int, message: str, **details):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details


@bp.after_request
def never_stored(response):
    """Every answer, refusals included: they carry people's details and supervision records, so no
    browser, proxy or shared cache may keep a copy (the pages do the same for signed-in people)."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(RequestRefused)
def refused(error: RequestRefused):
    return json_error(error.status, error.message, **error.details)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    if error.response is not None:
        return error.response
    return json_error(error.code or 500, error.description or error.name)


def parse(schema: type[Schema], data) -> dict:
    try:
        return schema().load(data if data is not None else {})
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_body": error.messages}
        raise RequestRefused(400, "The request is not valid", errors=messages) from None


def body(schema: type[Schema]) -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise RequestRefused(400, "Send a JSON object in the request body")
    return parse(schema, data)


def paged(query, item: type[Schema]):
    args = parse(schemas.PageArgs, request.args.to_dict())
    items, total = services.page_of(query, args["page"], args["per_page"])
    return jsonify(
        {
            "items": item(many=True).dump(items),
            "page": args["page"],
            "per_page": args["per_page"],
            "total": total,
        }
    )


def refusal(error: ServiceError) -> RequestRefused:
    """The records services' refusals, as API answers."""
    if isinstance(error, NotPermitted):
        return RequestRefused(404, "Not found")
    if isinstance(error, StaleVersion):
        return RequestRefused(409, error.message)
    if isinstance(error, ReasonRequired):
        # A field the request left out, as when a required field is missing: 400.
        return RequestRefused(400, error.message, errors={error.field: [error.message]})
    if isinstance(error, SignOffRefused):
        missing = [{"field": item.field_id, "message": item.message} for item in error.missing]
        return RequestRefused(422, error.message, missing=missing)
    details = {"errors": {error.field: [error.message]}} if error.field else {}
    return RequestRefused(422, error.message, **details)


def found(model, object_id: int):
    obj = db.session.get(model, object_id)
    obj = found_or_404(obj)
    return obj


# --- staff and teams ----------------------------------------------------------------------------


@bp.get("/staff")
@api_token("read")
@documented("Staff you may see", schemas.page_schema(schemas.StaffOut), paged=True)
def staff_list():
    return paged(services.staff_query(current_user), schemas.StaffOut)


@bp.get("/staff/<int:staff_id>")
@api_token("read")
@documented("One member of staff", schemas.StaffOut)
def staff_detail(staff_id: int):
    person = found(Staff, staff_id)
    require(person.organisation_id == current_user.organisation_id and may_view_person(current_user, person))
    return schemas.StaffOut().dump(person)


@bp.get("/teams")
@api_token("read")
@documented("Teams you may see", schemas.page_schema(schemas.TeamOut), paged=True)
def team_list():
    return paged(services.team_query(current_user), schemas.TeamOut)


@bp.get("/teams/<int:team_id>")
@api_token("read")
@documented("One team", schemas.TeamOut)
def team_detail(team_id: int):
    team = found(Team, team_id)
    require(
        team.service.organisation_id == current_user.organisation_id and may_view_team(current_user, team)
    )
    return schemas.TeamOut().dump(team)


# --- agreements, sessions, records ------------------------------------------------------------


@bp.get("/agreements")
@api_token("read")
@documented("Supervision agreements you may see", schemas.page_schema(schemas.AgreementOut), paged=True)
def agreement_list():
    return paged(services.agreement_query(current_user), schemas.AgreementOut)


@bp.get("/agreements/<int:agreement_id>")
@api_token("read")
@documented("One supervision agreement", schemas.AgreementOut)
def agreement_detail(agreement_id: int):
    agreement = found(SupervisionAgreement, agreement_id)
    require(may_view_agreement(current_user, agreement))
    return schemas.AgreementOut().dump(agreement)


@bp.get("/sessions")
@api_token("read")
@documented("Supervision sessions you may see", schemas.page_schema(schemas.SessionOut), paged=True)
def session_list():
    return paged(services.session_query(current_user), schemas.SessionOut)


@bp.post("/sessions")
@api_token("write")
@documented(
    "Schedule a session with people you supervise",
    schemas.SessionOut,
    body=schemas.SessionIn,
    statuses=(422,),
    success=201,
)
def session_create():
    data = body(schemas.SessionIn)
    try:
        session = records.schedule_session(
            current_user,
            data["supervisee_ids"],
            data["starts_at"],
            data["duration_minutes"],
            location=data["location"],
            online=data["online"],
            closed_month_reason=data["closed_month_reason"],
            absence_confirmed=data["absence_confirmed"],
        )
    except ServiceError as error:
        raise refusal(error) from None
    return schemas.SessionOut().dump(session), 201


@bp.get("/sessions/<int:session_id>")
@api_token("read")
@documented("One supervision session", schemas.SessionOut)
def session_detail(session_id: int):
    session = records.load_session(session_id)
    session = found_or_404(session, lambda session: may_view_session(current_user, session))
    return schemas.SessionOut().dump(session)


@bp.get("/records")
@api_token("read")
@documented(
    "Supervision records you may see, without their content",
    schemas.page_schema(schemas.RecordSummaryOut),
    paged=True,
)
def record_list():
    return paged(services.record_query(current_user), schemas.RecordSummaryOut)


def visible_record(record_id: int):
    record = records.load_record(record_id)
    record = found_or_404(record, lambda record: may_view_record(current_user, record))
    return record


@bp.get("/records/<int:record_id>")
@api_token("read")
@documented("One supervision record (the view is audited)", schemas.RecordOut)
def record_detail(record_id: int):
    record = visible_record(record_id)
    records.view_record(current_user, record)
    return schemas.RecordOut().dump(record)


@bp.patch("/records/<int:record_id>")
@api_token("write")
@documented(
    "Save sections of a draft record; `version` must be the one you read",
    schemas.RecordOut,
    body=schemas.RecordUpdate,
    statuses=(409, 422),
)
def record_update(record_id: int):
    record = visible_record(record_id)
    data = body(schemas.RecordUpdate)
    version = data.pop("version")
    try:
        records.save_record(current_user, record, version, data)
    except ServiceError as error:
        raise refusal(error) from None
    return schemas.RecordOut().dump(record)


@bp.post("/records/<int:record_id>/sign")
@api_token("write")
@documented(
    "Sign a record: the supervisor first, then the supervisee (with a comment, and any disagreement)",
    schemas.RecordOut,
    body=schemas.SignIn,
    statuses=(409, 422),
)
def record_sign(record_id: int):
    record = visible_record(record_id)
    data = body(schemas.SignIn)
    try:
        if current_user.id == record.session.supervisor_id:
            records.sign_as_supervisor(current_user, record, data["version"])
        else:
            records.sign_as_supervisee(
                current_user, record, data["version"], comment=data["comment"], disagrees=data["disagrees"]
            )
    except ServiceError as error:
        raise refusal(error) from None
    return schemas.RecordOut().dump(record)


# --- compliance -----------------------------------------------------------------------------------


@bp.get("/compliance/<int:staff_id>")
@api_token("read")
@documented("A person's supervision compliance today", schemas.ComplianceOut)
def compliance_status(staff_id: int):
    person = found(Staff, staff_id)
    require(
        person.organisation_id == current_user.organisation_id
        and may_view_supervision_of(current_user, person)
    )
    result = compliance_for([person.id], clock().today()).get(person.id)
    result = found_or_404(result)
    supervision, assessment = result.supervision, result.assessment
    return schemas.ComplianceOut().dump(
        {
            "staff_id": person.id,
            "status": supervision.status.value,
            "next_due_on": supervision.next_due_on,
            "last_held_on": supervision.last_held_on,
            "days_overdue": supervision.days_overdue,
            "write_ups_pending": assessment.write_ups_pending,
            "write_ups_overdue": assessment.write_ups_overdue,
            "actions_overdue": assessment.actions_overdue,
        }
    )


@bp.get("/staff/<int:staff_id>/asye-reviews")
@api_token("read")
@documented("A person's ASYE progress reviews: when each is due, and those held", schemas.AsyeReviewsOut)
def asye_reviews(staff_id: int):
    person = found(Staff, staff_id)
    require(
        person.organisation_id == current_user.organisation_id
        and may_view_supervision_page(current_user, person, current_supervisor_id(person.id))
    )
    progress = asye_progress_for(db.session, [person.id], clock().today()).get(person.id)
    return schemas.AsyeReviewsOut().dump(
        {
            "staff_id": person.id,
            "in_asye": progress is not None,
            "due": list(progress.reviews) if progress else [],
            "recorded": reviews_of(person.id),
        }
    )


# --- the document -------------------------------------------------------------------------------


@bp.get("/openapi.json")
@api_token("read")
def openapi():
    return jsonify(build_spec(current_app))


# Report figures, case oversight statuses and a case's oversight history live in their own
# modules; importing them adds their routes to `bp`.
from supervision.api import case_history, case_statuses, reports  # noqa: E402, F401
