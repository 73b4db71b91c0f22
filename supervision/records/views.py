"""Pages for writing, signing, correcting and exporting supervision records. Thin: the rules
live in signoff.py and the use cases in services.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from supervision.clock import clock
from supervision.extensions import db
from supervision.fields import choices, submitted_version
from supervision.forms import ConfirmForm, error_href, number_arg, show_error, show_problems
from supervision.limits import ascii_whole_number
from supervision.permissions import (
    found_or_404,
    may_see_rating,
    may_sign_as_supervisee,
    may_sign_as_supervisor,
    may_view_record,
    may_write_record,
    require,
    signed_in,
)
from supervision.record_sections import SECTIONS, TEXT_SECTIONS
from supervision.records import services
from supervision.records.case_register import case_register
from supervision.records.errors import SignOffRefused
from supervision.records.forms import (
    ActionForm,
    ActionReviewForm,
    AddendumForm,
    CaseDiscussionForm,
    RatingForm,
    RecordForm,
    ReturnForm,
    SuperviseeSignForm,
)
from supervision.records.models import Action, ActionReview, CaseDiscussion, SupervisionRecord
from supervision.records.signoff import (
    CASE_DISCUSSIONS_FIELD_ID,
    MissingItem,
    action_review_field_id,
    case_decision_field_id,
)
from supervision.service_errors import NotPermitted, ServiceError, StaleVersion

bp = Blueprint("records", __name__)


EXPORTS = {"records.print_record", "records.case_note"}


@bp.after_request
def audit_record_views(response):
    """Every record page shown is audited, from this one place; print views and case notes are exports.

    Only pages actually shown (200) count: a refused id has already answered 404.
    """
    record_id = (request.view_args or {}).get("record_id")
    if request.method == "GET" and response.status_code == 200 and record_id is not None:
        record = db.session.get(SupervisionRecord, record_id)
        services.view_record(current_user, record, export=request.endpoint in EXPORTS)
    return response


def record_or_404(record_id: int) -> SupervisionRecord:
    record = services.load_record(record_id)
    record = found_or_404(record, lambda record: may_view_record(current_user, record))
    return record


def writable_record_or_404(record_id: int) -> SupervisionRecord:
    record = record_or_404(record_id)
    require(may_write_record(current_user, record))
    return record


def draft_is_open_to(record: SupervisionRecord) -> bool:
    return (
        may_write_record(current_user, record)
        and not record.is_locked
        and record.supervisor_signed_at is None
    )


def draft_or_redirect(record_id: int):
    """A sub-page of the draft: the parties only, and only while the draft is open."""
    record = writable_record_or_404(record_id)
    if not draft_is_open_to(record):
        flash("This record can no longer be changed.", "info")
        return record, redirect(url_for("records.record", record_id=record.id))
    return record, None


def stale(form, record: SupervisionRecord, first_field: str) -> None:
    """Keep what the person typed, say why it was not saved, and base a deliberate re-save on now."""
    db.session.expire_all()
    fresh = found_or_404(services.load_record(record.id))
    getattr(form, first_field).errors = [StaleVersion().message]
    form.version.data = str(fresh.version)


# --- the record page --------------------------------------------------------------------------


def error_hrefs(record: SupervisionRecord) -> dict[str, str]:
    """Where each missing item is fixed: text sections on this page, the rest on their own pages."""
    hrefs = {section.key: f"#{section.key}" for section in TEXT_SECTIONS}
    hrefs[CASE_DISCUSSIONS_FIELD_ID] = (
        url_for("records.add_case_discussion", record_id=record.id) + "#case_reference"
    )
    for case in record.case_discussions:
        hrefs[case_decision_field_id(case.id)] = (
            url_for("records.edit_case_discussion", record_id=record.id, case_id=case.id) + "#decision"
        )
    for review in record.action_reviews:
        hrefs[action_review_field_id(review.id)] = (
            url_for("records.review_action", record_id=record.id, review_id=review.id) + "#outcome"
        )
    return hrefs


def render_record(
    record, form=None, missing: Sequence[MissingItem] = (), error_list=None, saved_now=None, status=200
):
    hrefs = error_hrefs(record)
    if missing:
        error_list = [{"text": item.message, "href": hrefs.get(item.field_id, "#")} for item in missing]
        if form is not None:
            for item in missing:
                field = getattr(form, item.field_id, None)
                if field is not None:
                    field.errors = [*field.errors, item.message]
    return (
        render_template(
            "records/record.html",
            record=record,
            session=record.session,
            record_form=form,
            sections=SECTIONS,
            error_list=error_list or [],
            missing={item.field_id: item.message for item in missing},
            saved_now=saved_now or {},
            may_edit=draft_is_open_to(record),
            is_supervisor=may_sign_as_supervisor(current_user, record),
            is_supervisee=may_sign_as_supervisee(current_user, record),
            may_write=may_write_record(current_user, record),
            may_rate=may_see_rating(current_user, record),
            may_return=may_write_record(current_user, record)
            and services.return_refusal(current_user, record) is None,
            case_decision_field_id=case_decision_field_id,
            action_review_field_id=action_review_field_id,
            # The supervisee preparing the agenda sees their own cases due discussion.
            cases_due=case_register().due_discussion(current_user, clock().today())
            if draft_is_open_to(record) and may_sign_as_supervisee(current_user, record)
            else [],
            unknown_references=case_register().unknown_references(
                record.supervisee.organisation_id, [case.case_reference for case in record.case_discussions]
            ),
        ),
        status,
    )


@bp.route("/records/<int:record_id>", methods=["GET", "POST"])
@signed_in
def record(record_id: int):
    record = record_or_404(record_id)
    if request.method == "GET":
        form = RecordForm(obj=record, version=str(record.version)) if draft_is_open_to(record) else None
        return render_record(record, form)

    require(may_write_record(current_user, record))
    if not draft_is_open_to(record):
        flash("This record can no longer be changed.", "info")
        return redirect(url_for("records.record", record_id=record.id))
    form = RecordForm()
    if not form.validate_on_submit():
        return render_record(record, form, error_list=form_error_list(form))
    intent = request.form.get("intent", "save")
    signing = intent == "sign"
    sections = {key: form[key].data or "" for key in services.EDITABLE_TEXT}
    try:
        services.save_record(current_user, record, submitted_version(form), sections)
    except StaleVersion:
        db.session.expire_all()
        record = found_or_404(services.load_record(record_id))
        saved_now = {
            key: getattr(record, key)
            for key in sections
            if getattr(record, key) and getattr(record, key) != sections[key].strip()
        }
        form.version.data = str(record.version)
        first = next(iter(saved_now), "agenda")
        form[first].errors = [StaleVersion().message]
        return render_record(record, form, error_list=form_error_list(form), saved_now=saved_now)
    except ServiceError as error:
        flash(error.message, "info")
        return redirect(url_for("records.record", record_id=record.id))
    if not signing:
        flash("Draft saved.", "success")
        return redirect(next_page_after_save(record, intent))
    try:
        services.sign_as_supervisor(current_user, record, record.version)
    except NotPermitted:
        abort(404)
    except SignOffRefused as refused:
        record = found_or_404(services.load_record(record_id))
        form = RecordForm(formdata=None, obj=record, version=str(record.version))
        return render_record(record, form, missing=refused.missing)
    except ServiceError as error:
        flash(error.message, "info")
        return redirect(url_for("records.record", record_id=record.id))
    flash(
        f"You have signed this record. It is now with {record.supervisee.name} to comment and sign.",
        "success",
    )
    return redirect(url_for("records.record", record_id=record.id))


# Buttons inside the draft save it, then go where the person was heading (intent "kind:id").
INTENT_PAGES = {
    "add-case": ("records.add_case_discussion", None),
    "edit-case": ("records.edit_case_discussion", "case_id"),
    "remove-case": ("records.remove_case_discussion", "case_id"),
    "add-action": ("records.add_action", None),
    "edit-action": ("records.edit_action", "action_id"),
    "remove-action": ("records.remove_action", "action_id"),
    "review": ("records.review_action", "review_id"),
    "return": ("records.return_for_revision", None),
}


def next_page_after_save(record: SupervisionRecord, intent: str) -> str:
    kind, _, ident = intent.partition(":")
    endpoint, id_name = INTENT_PAGES.get(kind, (None, None))
    number = ascii_whole_number(ident)
    if endpoint is None or (id_name is not None and number is None):
        return url_for("records.record", record_id=record.id)
    values: dict[str, Any] = {id_name: number} if id_name else {}
    return url_for(endpoint, record_id=record.id, **values)


def form_error_list(form) -> list[dict]:
    return [
        {"text": field.errors[0], "href": error_href(field)}
        for field in form
        if field.errors and field.type != "HiddenField"
    ]


# --- case discussions -------------------------------------------------------------------------


def case_or_404(record: SupervisionRecord, case_id: int) -> CaseDiscussion:
    case = db.session.get(CaseDiscussion, case_id)
    case = found_or_404(case, lambda case: case.record_id == record.id)
    return case


def case_fields(form: CaseDiscussionForm) -> services.CaseDiscussionFields:
    return services.CaseDiscussionFields(
        form.chosen_reference(),
        form.summary.data or "",
        form.analysis.data or "",
        form.decision.data or "",
    )


def offer_open_cases(form: CaseDiscussionForm, record: SupervisionRecord, current: str | None = None) -> None:
    """The supervisee's open cases in the register (each attendee's own, in a group session)."""
    form.offer(case_register().open_cases_of(record.supervisee_id, clock().today()), current)


@bp.route("/records/<int:record_id>/case-discussions/new", methods=["GET", "POST"])
@signed_in
def add_case_discussion(record_id: int):
    record, done = draft_or_redirect(record_id)
    if done:
        return done
    form = (
        CaseDiscussionForm(version=str(record.version)) if request.method == "GET" else CaseDiscussionForm()
    )
    offer_open_cases(form, record)
    if form.validate_on_submit():
        try:
            services.add_case_discussion(current_user, record, submitted_version(form), case_fields(form))
        except StaleVersion:
            stale(form, record, "case_reference")
        except ServiceError as error:
            show_error(form, error, "case_reference")
        else:
            flash("Case discussion added.", "success")
            return redirect(url_for("records.record", record_id=record.id) + "#case-discussions")
    return render_template("records/case-discussion-form.html", form=form, record=record, case=None)


@bp.route("/records/<int:record_id>/case-discussions/<int:case_id>", methods=["GET", "POST"])
@signed_in
def edit_case_discussion(record_id: int, case_id: int):
    record, done = draft_or_redirect(record_id)
    case = case_or_404(record, case_id)
    if done:
        return done
    if request.method == "GET":
        form = CaseDiscussionForm(obj=case, version=str(record.version))
    else:
        form = CaseDiscussionForm()
    offer_open_cases(form, record, case.case_reference)
    if form.validate_on_submit():
        try:
            services.update_case_discussion(current_user, case, submitted_version(form), case_fields(form))
        except StaleVersion:
            stale(form, record, "case_reference")
        except ServiceError as error:
            show_error(form, error, "case_reference")
        else:
            flash("Case discussion saved.", "success")
            return redirect(url_for("records.record", record_id=record.id) + "#case-discussions")
    return render_template("records/case-discussion-form.html", form=form, record=record, case=case)


@bp.route("/records/<int:record_id>/case-discussions/<int:case_id>/remove", methods=["GET", "POST"])
@signed_in
def remove_case_discussion(record_id: int, case_id: int):
    record, done = draft_or_redirect(record_id)
    case = case_or_404(record, case_id)
    if done:
        return done
    form = ConfirmForm(version=str(record.version)) if request.method == "GET" else ConfirmForm()
    if form.validate_on_submit():
        try:
            services.remove_case_discussion(current_user, case, submitted_version(form))
        except ServiceError as error:
            flash(error.message, "info")
        else:
            flash(f"Case discussion {case.case_reference} removed.", "success")
        return redirect(url_for("records.record", record_id=record.id) + "#case-discussions")
    return render_template(
        "records/confirm-remove.html",
        form=form,
        record=record,
        title=f"Remove the discussion of case {case.case_reference}?",
        hint="Its summary, analysis and decision will be deleted from this draft.",
    )


@bp.get("/records/<int:record_id>/case-discussions/<int:case_id>/case-note")
@signed_in
def case_note(record_id: int, case_id: int):
    """A plain note for the child's file: only the case discussion, never personal sections."""
    record = record_or_404(record_id)
    case = case_or_404(record, case_id)
    return render_template("records/case-note.html", record=record, session=record.session, case=case)


# --- actions ----------------------------------------------------------------------------------


def action_form(record: SupervisionRecord, form: ActionForm) -> ActionForm:
    form.owner_id.choices = choices(
        [
            (record.supervisee_id, f"{record.supervisee.name} (supervisee)"),
            (record.session.supervisor_id, f"{record.session.supervisor.name} (supervisor)"),
        ]
    )
    form.case_discussion_id.choices = choices(
        [(None, "Not about one case")] + [(case.id, case.case_reference) for case in record.case_discussions]
    )
    return form


def action_fields(form: ActionForm) -> services.ActionFields:
    return services.ActionFields(
        form.owner_id.data, form.description.data or "", form.due_on.data, form.case_discussion_id.data
    )


def action_or_404(record: SupervisionRecord, action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    action = found_or_404(action, lambda action: action.record_id == record.id)
    return action


@bp.route("/records/<int:record_id>/actions/new", methods=["GET", "POST"])
@signed_in
def add_action(record_id: int):
    record, done = draft_or_redirect(record_id)
    if done:
        return done
    if request.method == "GET":
        form = action_form(record, ActionForm(version=str(record.version), owner_id=record.supervisee_id))
        form.case_discussion_id.data = number_arg("case_id")
    else:
        form = action_form(record, ActionForm())
    if form.validate_on_submit():
        try:
            services.add_action(current_user, record, submitted_version(form), action_fields(form))
        except StaleVersion:
            stale(form, record, "description")
        except ServiceError as error:
            show_error(form, error, "description")
        else:
            flash("Action added.", "success")
            return redirect(url_for("records.record", record_id=record.id) + "#actions")
    return render_template("records/action-form.html", form=form, record=record, action=None)


@bp.route("/records/<int:record_id>/actions/<int:action_id>", methods=["GET", "POST"])
@signed_in
def edit_action(record_id: int, action_id: int):
    record, done = draft_or_redirect(record_id)
    action = action_or_404(record, action_id)
    if done:
        return done
    form = action_form(
        record,
        ActionForm(obj=action, version=str(record.version)) if request.method == "GET" else ActionForm(),
    )
    if form.validate_on_submit():
        try:
            services.update_action(current_user, action, submitted_version(form), action_fields(form))
        except StaleVersion:
            stale(form, record, "description")
        except ServiceError as error:
            show_error(form, error, "description")
        else:
            flash("Action saved.", "success")
            return redirect(url_for("records.record", record_id=record.id) + "#actions")
    return render_template("records/action-form.html", form=form, record=record, action=action)


@bp.route("/records/<int:record_id>/actions/<int:action_id>/remove", methods=["GET", "POST"])
@signed_in
def remove_action(record_id: int, action_id: int):
    record, done = draft_or_redirect(record_id)
    action = action_or_404(record, action_id)
    if done:
        return done
    form = ConfirmForm(version=str(record.version)) if request.method == "GET" else ConfirmForm()
    if form.validate_on_submit():
        try:
            services.remove_action(current_user, action, submitted_version(form))
        except ServiceError as error:
            flash(error.message, "info")
        else:
            flash("Action removed.", "success")
        return redirect(url_for("records.record", record_id=record.id) + "#actions")
    return render_template(
        "records/confirm-remove.html",
        form=form,
        record=record,
        title="Remove this action?",
        hint=action.description,
    )


@bp.route("/records/<int:record_id>/action-reviews/<int:review_id>", methods=["GET", "POST"])
@signed_in
def review_action(record_id: int, review_id: int):
    record, done = draft_or_redirect(record_id)
    review = db.session.get(ActionReview, review_id)
    review = found_or_404(review, lambda review: review.record_id == record.id)
    if done:
        return done
    if request.method == "GET":
        form = ActionReviewForm(
            version=str(record.version),
            outcome=review.outcome.value if review.outcome else None,
            comment=review.comment,
            new_due_on=review.new_due_on,
        )
    else:
        form = ActionReviewForm()
    valid = form.validate_on_submit()
    problems = services.review_problems(
        form.outcome.data, form.comment.data, form.new_due_on.data, record.session.held_on
    )
    if not show_problems(form, problems) and valid:
        try:
            services.review_action(
                current_user,
                review,
                submitted_version(form),
                form.outcome.data,
                form.comment.data or "",
                form.new_due_on.data,
            )
        except StaleVersion:
            stale(form, record, "outcome")
        except ServiceError as error:
            show_error(form, error, "outcome")
        else:
            flash("Action reviewed.", "success")
            return redirect(url_for("records.record", record_id=record.id) + "#action-reviews")
    return render_template("records/action-review-form.html", form=form, record=record, review=review)


# --- signing, returning, addenda, rating -----------------------------------------------------


@bp.route("/records/<int:record_id>/sign", methods=["GET", "POST"])
@signed_in
def sign_as_supervisee(record_id: int):
    record = record_or_404(record_id)
    require(may_sign_as_supervisee(current_user, record))
    if record.is_locked or record.supervisor_signed_at is None:
        flash("This record is not waiting for your signature.", "info")
        return redirect(url_for("records.record", record_id=record.id))
    form = (
        SuperviseeSignForm(version=str(record.version)) if request.method == "GET" else SuperviseeSignForm()
    )
    if form.validate_on_submit():
        try:
            services.sign_as_supervisee(
                current_user,
                record,
                submitted_version(form),
                form.supervisee_comment.data or "",
                bool(form.supervisee_disagrees.data),
            )
        except StaleVersion:
            stale(form, record, "supervisee_comment")
        except SignOffRefused:
            flash("This record is incomplete. Return it to your supervisor for revision.", "info")
            return redirect(url_for("records.record", record_id=record.id))
        except ServiceError as error:
            show_error(form, error, "supervisee_comment")
        else:
            flash("You have signed this record. It is now locked.", "success")
            return redirect(url_for("records.record", record_id=record.id))
    return render_template("records/supervisee-sign.html", form=form, record=record, session=record.session)


@bp.route("/records/<int:record_id>/return", methods=["GET", "POST"])
@signed_in
def return_for_revision(record_id: int):
    record = writable_record_or_404(record_id)
    refusal = services.return_refusal(current_user, record)
    if refusal:
        flash(refusal, "info")
        return redirect(url_for("records.record", record_id=record.id))
    form = ReturnForm(version=str(record.version)) if request.method == "GET" else ReturnForm()
    if form.validate_on_submit():
        try:
            returned = services.return_for_revision(
                current_user, record, submitted_version(form), form.note.data or ""
            )
        except StaleVersion:
            stale(form, record, "note")
        except ServiceError as error:
            if error.field is None:
                flash(error.message, "info")
                return redirect(url_for("records.record", record_id=record.id))
            show_error(form, error, "note")
        else:
            flash(f"Returned to {returned.returned_to.name} for revision.", "success")
            return redirect(url_for("records.record", record_id=record.id))
    other = record.session.supervisor if current_user.id == record.supervisee_id else record.supervisee
    return render_template("records/return.html", form=form, record=record, other=other)


@bp.route("/records/<int:record_id>/addenda/new", methods=["GET", "POST"])
@signed_in
def add_addendum(record_id: int):
    record = writable_record_or_404(record_id)
    refusal = services.addendum_refusal(record)
    if refusal:
        flash(refusal, "info")
        return redirect(url_for("records.record", record_id=record.id))
    form = AddendumForm()
    if form.validate_on_submit():
        try:
            services.add_addendum(current_user, record, form.reason.data or "", form.body.data or "")
        except ServiceError as error:
            show_error(form, error, "body")
        else:
            flash("Addendum added.", "success")
            return redirect(url_for("records.record", record_id=record.id) + "#addenda")
    return render_template("records/addendum-form.html", form=form, record=record)


@bp.route("/records/<int:record_id>/rating", methods=["GET", "POST"])
@signed_in
def rate_session(record_id: int):
    record = record_or_404(record_id)
    require(may_see_rating(current_user, record))
    form = RatingForm(obj=record) if request.method == "GET" else RatingForm()
    if form.validate_on_submit():
        try:
            services.rate_session(current_user, record, {name: form[name].data for name in services.RATINGS})
        except ServiceError as error:
            show_error(form, error, "rating_helpful")
        else:
            flash(
                "Thank you. Your rating is only ever reported as part of a team of five or more.", "success"
            )
            return redirect(url_for("records.record", record_id=record.id))
    return render_template("records/rating.html", form=form, record=record)


@bp.get("/records/<int:record_id>/print")
@signed_in
def print_record(record_id: int):
    record = record_or_404(record_id)
    return render_template(
        "records/print.html",
        record=record,
        session=record.session,
        sections=SECTIONS,
        case_decision_field_id=case_decision_field_id,
        action_review_field_id=action_review_field_id,
    )
