"""A person's compliance page, where gaps are explained."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from supervision.clock import clock
from supervision.compliance import rules, services
from supervision.compliance.forms import OverdueExplanationForm
from supervision.compliance.models import GapReason
from supervision.extensions import db
from supervision.org.models import Staff
from supervision.permissions import (
    found_or_404,
    may_manage_supervision_of,
    may_view_supervision_page,
    require,
    signed_in,
)

bp = Blueprint("compliance", __name__)

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
