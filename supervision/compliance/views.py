"""A person's compliance page, where gaps are explained."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from supervision.agreements import reviews
from supervision.agreements.asye import AsyeOutcome, AsyeStage
from supervision.agreements.forms import AsyeReviewForm
from supervision.agreements.services import current_supervisor_id
from supervision.clock import clock
from supervision.compliance import rules, services
from supervision.compliance.forms import OverdueExplanationForm
from supervision.compliance.models import GapReason
from supervision.extensions import db
from supervision.forms import show_problems
from supervision.org.models import Staff
from supervision.permissions import (
    found_or_404,
    may_manage_supervision_of,
    may_view_supervision_page,
    require,
    signed_in,
)
from supervision.service_errors import NotPermitted

bp = Blueprint("compliance", __name__)


def asye_progress(person_id: int) -> services.AsyeProgress | None:
    """For the supervision overview (records/, a floor below): where the person's ASYE reviews stand."""
    return services.asye_progress_for(db.session, [person_id], clock().today()).get(person_id)


bp.add_app_template_global(asye_progress, "asye_progress")

OVERDUE = (rules.Status.OVERDUE, rules.Status.ESCALATED)


@bp.route("/people/<int:person_id>/compliance", methods=["GET", "POST"])
@signed_in
def person(person_id: int):
    person = db.session.get(Staff, person_id)
    person = found_or_404(person, lambda person: person.organisation_id == current_user.organisation_id)
    result = services.compliance_for([person.id], clock().today())[person.id]
    require(may_view_supervision_page(current_user, person, result.supervisor_id))
    may_explain = may_manage_supervision_of(current_user, person, result.supervisor_id)
    form = OverdueExplanationForm()
    if request.method == "POST":
        require(may_explain)
        if form.validate_on_submit():
            try:
                services.explain_overdue(
                    current_user,
                    person,
                    GapReason(form.reason.data),
                    form.details.data or "",
                    form.cover_arranged.data or "",
                )
            except services.ExplanationRefused as refusal:
                field = getattr(form, refusal.field)
                field.errors = [*field.errors, str(refusal)]
            else:
                flash(f"The reason for the gap in {person.name}'s supervision has been saved.", "success")
                return redirect(url_for("compliance.person", person_id=person.id))
    return render_template(
        "compliance/person.html",
        person=person,
        result=result,
        supervisor=db.session.get(Staff, result.supervisor_id) if result.supervisor_id else None,
        explanations=services.explanations_of(person.id),
        may_explain=may_explain and result.status in OVERDUE,
        form=form,
        write_up_due=[
            (write_up, rules.write_up_due_on(write_up.held_on, result.thresholds))
            for write_up in result.pending_write_ups
        ],
        today=clock().today(),
    )


# --- ASYE progress reviews (docs/metrics.md, "ASYE progress reviews") ---------------------------


def asye_person_or_404(person_id: int) -> tuple[Staff, int | None]:
    """The person, if the user may see their supervision page, and their current supervisor."""
    person = found_or_404(
        db.session.get(Staff, person_id),
        lambda person: person.organisation_id == current_user.organisation_id,
    )
    supervisor_id = current_supervisor_id(person.id)
    require(may_view_supervision_page(current_user, person, supervisor_id))
    return person, supervisor_id


@bp.get("/people/<int:person_id>/asye-reviews")
@signed_in
def asye_reviews(person_id: int):
    person, supervisor_id = asye_person_or_404(person_id)
    progress = asye_progress(person.id)
    return render_template(
        "compliance/asye-reviews.html",
        person=person,
        progress=progress,
        reviews=reviews.reviews_of(person.id),
        may_record=progress is not None and may_manage_supervision_of(current_user, person, supervisor_id),
    )


@bp.route("/people/<int:person_id>/asye-reviews/new", methods=["GET", "POST"])
@signed_in
def record_asye_review(person_id: int):
    person, supervisor_id = asye_person_or_404(person_id)
    require(may_manage_supervision_of(current_user, person, supervisor_id))
    if reviews.asye_agreement(person.id) is None:
        flash(f"{person.name} has no current ASYE agreement, so there is no review to record.", "info")
        return redirect(url_for("compliance.asye_reviews", person_id=person.id))
    form = AsyeReviewForm()
    if request.method == "GET":
        progress = asye_progress(person.id)
        if progress is not None and progress.next_review is not None:
            form.stage.data = progress.next_review.stage.value
    valid = form.validate_on_submit()
    details = reviews.ReviewDetails(
        stage=AsyeStage(form.stage.data) if form.stage.data in set(AsyeStage) else None,
        held_on=form.reviewed_on.data,
        outcome=AsyeOutcome(form.outcome.data) if form.outcome.data in set(AsyeOutcome) else None,
        participants=form.participants.data or "",
        notes=form.notes.data or "",
    )
    if not show_problems(form, reviews.recording_problems(person, details)) and valid:
        try:
            review = reviews.record_review(current_user, person, details)
        except NotPermitted:
            abort(404)
        except reviews.ReviewRefused as refusal:
            show_problems(form, refusal.problems)
        else:
            flash(f"{review.stage.label.capitalize()} recorded for {person.name}.", "success")
            return redirect(url_for("compliance.asye_reviews", person_id=person.id))
    return render_template("compliance/asye-review-form.html", form=form, person=person)
