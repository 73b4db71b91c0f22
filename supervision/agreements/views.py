"""Pages for supervision agreements, absence periods and the organisation's supervision policy."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from supervision.agreements import rules, services
from supervision.agreements.forms import AbsenceForm, AgreementForm, PolicyForm, RemoveAbsenceForm
from supervision.agreements.models import (
    AbsenceKind,
    AbsencePeriod,
    FrequencyKind,
    SupervisionAgreement,
    SupervisionType,
)
from supervision.audit.services import reaches_closed_month, record_view
from supervision.clock import clock
from supervision.extensions import db
from supervision.fields import choices, submitted_version
from supervision.forms import ConfirmForm, show_error, show_problems
from supervision.org.models import CareerStage, Role, Staff
from supervision.permissions import (
    acts_as_supervisor,
    found_or_404,
    may_manage_supervision_of,
    may_view_agreement,
    may_view_supervision_page,
    require,
    roles_required,
    signed_in,
)
from supervision.service_errors import NotPermitted, ServiceError, StaleVersion

bp = Blueprint("agreements", __name__)


def person_or_404(person_id: int) -> Staff:
    person = db.session.get(Staff, person_id)
    person = found_or_404(person, lambda person: person.organisation_id == current_user.organisation_id)
    return person


def agreement_or_404(agreement_id: int) -> SupervisionAgreement:
    agreement = db.session.get(SupervisionAgreement, agreement_id)
    agreement = found_or_404(agreement, lambda agreement: may_view_agreement(current_user, agreement))
    return agreement


def may_change(agreement: SupervisionAgreement) -> bool:
    return (
        agreement.is_current
        and not agreement.fully_signed
        and (
            acts_as_supervisor(current_user, agreement.supervisor_id)
            or may_manage_supervision_of(current_user, agreement.supervisee, None)
        )
    )


@bp.get("/people/<int:person_id>/agreements")
@signed_in
def history(person_id: int):
    person = person_or_404(person_id)
    supervisor_id = services.current_supervisor_id(person.id)
    require(may_view_supervision_page(current_user, person, supervisor_id))
    return render_template(
        "agreements/history.html",
        person=person,
        agreements=services.agreement_history(person.id),
        may_manage=may_manage_supervision_of(current_user, person, supervisor_id),
    )


def agreement_form(person: Staff, form: AgreementForm) -> AgreementForm:
    form.supervisor_id.choices = choices(
        (staff.id, f"{staff.name}, {staff.job_title}" if staff.job_title else staff.name)
        for staff in services.possible_supervisors(person.organisation_id, excluding_id=person.id)
    )
    return form


def terms_from(form: AgreementForm) -> services.AgreementTerms:
    """What a validated form says (Present refuses a form without the date agreed)."""
    if form.agreed_on.data is None:
        raise ValueError("the terms of a form that did not validate")
    return services.AgreementTerms(
        supervisor_id=form.supervisor_id.data,
        frequency_kind=FrequencyKind(form.frequency_kind.data),
        supervision_type=SupervisionType(form.supervision_type.data),
        agreed_on=form.agreed_on.data,
        interval_days=form.interval_days.data,
        asye_started_on=form.asye_started_on.data,
        minimum_duration_minutes=form.minimum_duration_minutes.data,
        review_due_on=form.review_due_on.data,
        notes=form.notes.data or "",
    )


@bp.route("/people/<int:person_id>/agreements/new", methods=["GET", "POST"])
@signed_in
def new_agreement(person_id: int):
    person = person_or_404(person_id)
    current = services.current_agreement(person.id)
    require(may_manage_supervision_of(current_user, person, current.supervisor_id if current else None))
    form = agreement_form(person, AgreementForm())
    if request.method == "GET":
        policy = services.get_policy(person.organisation_id)
        default_supervisor = current.supervisor_id if current else (person.line_manager_id or current_user.id)
        form.supervisor_id.data = default_supervisor
        form.frequency_kind.data = rules.default_frequency_kind(person.career_stage, policy).value
        form.supervision_type.data = SupervisionType.INDIVIDUAL.value
        form.agreed_on.data = clock().today()
        if person.career_stage is CareerStage.ASYE:
            form.asye_started_on.data = person.start_date
    if form.validate_on_submit():
        try:
            agreement = services.create_agreement(current_user, person, terms_from(form))
        except NotPermitted:
            abort(404)
        except ServiceError as error:
            show_error(form, error, "agreed_on")
        else:
            flash("Agreement saved. You and the supervisee can now sign it.", "success")
            return redirect(url_for("agreements.agreement", agreement_id=agreement.id))
    return render_template(
        "agreements/agreement-form.html", form=form, person=person, agreement=None, current=current
    )


@bp.get("/agreements/<int:agreement_id>")
@signed_in
def agreement(agreement_id: int):
    agreement = agreement_or_404(agreement_id)
    record_view(current_user, agreement)
    supervisee = agreement.supervisee
    policy = services.get_policy(supervisee.organisation_id)
    is_party = current_user.id in (agreement.supervisor_id, agreement.supervisee_id)
    own_signature = (
        agreement.supervisor_signed_at
        if current_user.id == agreement.supervisor_id
        else agreement.supervisee_signed_at
    )
    return render_template(
        "agreements/agreement.html",
        agreement=agreement,
        policy_interval=rules.effective_interval_days(
            None, agreement.frequency_kind, supervisee.career_stage, policy, supervisee.fte
        ),
        pro_rata=rules.pro_rata_fte(agreement.frequency_kind, policy, supervisee.fte) is not None,
        may_sign=is_party and agreement.is_current and own_signature is None,
        may_change=may_change(agreement),
        form=None,
        confirm=ConfirmForm(version=str(agreement.version)),
    )


@bp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_agreement(agreement_id: int):
    agreement = agreement_or_404(agreement_id)
    if not may_change(agreement):
        flash("This agreement can no longer be changed. Make a new agreement instead.", "info")
        return redirect(url_for("agreements.agreement", agreement_id=agreement.id))
    person = agreement.supervisee
    if request.method == "GET":
        form = agreement_form(person, AgreementForm(obj=agreement, version=str(agreement.version)))
        form.frequency_kind.data = agreement.frequency_kind.value
        form.supervision_type.data = agreement.supervision_type.value
    else:
        form = agreement_form(person, AgreementForm())
    if form.validate_on_submit():
        try:
            services.update_agreement(current_user, agreement, submitted_version(form), terms_from(form))
        except NotPermitted:
            abort(404)
        except StaleVersion as error:
            db.session.expire_all()
            form.supervisor_id.errors = [error.message]
            form.version.data = str(db.session.get_one(SupervisionAgreement, agreement_id).version)
        except ServiceError as error:
            show_error(form, error, "agreed_on")
        else:
            flash(
                "Agreement saved. Any signatures were withdrawn, so both of you need to sign it again.",
                "success",
            )
            return redirect(url_for("agreements.agreement", agreement_id=agreement.id))
    return render_template(
        "agreements/agreement-form.html", form=form, person=person, agreement=agreement, current=None
    )


@bp.post("/agreements/<int:agreement_id>/sign")
@signed_in
def sign_agreement(agreement_id: int):
    agreement = agreement_or_404(agreement_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.sign_agreement(current_user, agreement, submitted_version(form))
        except NotPermitted:
            abort(404)
        except ServiceError as error:
            flash(error.message, "info")
        else:
            flash("You have signed the agreement.", "success")
    return redirect(url_for("agreements.agreement", agreement_id=agreement_id))


# --- absences ---------------------------------------------------------------------------------


@bp.route("/people/<int:person_id>/absences/new", methods=["GET", "POST"])
@signed_in
def new_absence(person_id: int):
    person = person_or_404(person_id)
    require(may_manage_supervision_of(current_user, person, services.current_supervisor_id(person.id)))
    form = AbsenceForm()
    if form.validate_on_submit() and form.starts_on.data is not None and form.ends_on.data is not None:
        try:
            services.record_absence(
                current_user,
                person,
                AbsenceKind(form.kind.data),
                form.starts_on.data,
                form.ends_on.data,
                closed_month_reason=form.closed_month_reason.data or "",
            )
        except NotPermitted:
            abort(404)
        except ServiceError as error:
            show_error(form, error, "starts_on")
        else:
            flash("Absence recorded. Days inside it do not count toward supervision intervals.", "success")
            return redirect(url_for("sessions.person_supervision", person_id=person.id) + "#absences")
    return render_template("agreements/absence-form.html", form=form, person=person)


@bp.route("/absences/<int:absence_id>/remove", methods=["GET", "POST"])
@signed_in
def remove_absence(absence_id: int):
    absence = found_or_404(
        db.session.get(AbsencePeriod, absence_id),
        lambda absence: may_manage_supervision_of(
            current_user, absence.staff, services.current_supervisor_id(absence.staff_id)
        ),
    )
    form = RemoveAbsenceForm()
    person_id = absence.staff_id
    if form.validate_on_submit():
        try:
            services.remove_absence(
                current_user, absence, closed_month_reason=form.closed_month_reason.data or ""
            )
        except ServiceError as error:
            show_error(form, error, "closed_month_reason")
        else:
            flash("Absence removed.", "success")
            return redirect(url_for("sessions.person_supervision", person_id=person_id) + "#absences")
    return render_template(
        "agreements/confirm-remove-absence.html",
        form=form,
        absence=absence,
        closed_month=reaches_closed_month([absence.starts_on]),
    )


# --- policy -----------------------------------------------------------------------------------


@bp.route("/policy", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def policy():
    policy = services.get_policy(current_user.organisation_id)
    if request.method == "GET":
        form = PolicyForm(obj=policy, version=str(policy.version))
        form.optional_sections.data = sorted(rules.parse_optional_sections(policy.optional_sections))
    else:
        form = PolicyForm()
    valid = form.validate_on_submit()
    settings = {name: form[name].data for name in services.POLICY_SETTINGS}
    problems = services.policy_problems(set(form.optional_sections.data or []), settings)
    if not show_problems(form, problems) and valid:
        try:
            services.update_policy(
                current_user,
                current_user.organisation_id,
                submitted_version(form),
                set(form.optional_sections.data or []),
                **settings,
            )
        except NotPermitted:
            abort(404)
        except StaleVersion as error:
            form.asye_weekly_weeks.errors = [error.message]
            form.version.data = str(services.get_policy(current_user.organisation_id).version)
        except ServiceError as error:
            show_error(form, error, "asye_weekly_weeks")
        else:
            flash("Policy saved.", "success")
            return redirect(url_for("agreements.policy"))
    return render_template("agreements/policy.html", form=form)
