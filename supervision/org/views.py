"""Organisation admin pages: services and teams (administrators), staff (administrators and HR).

HR keep staff employment data but never roles: the roles field is not on their form, so
roles posted by HR are ignored, and they cannot give themselves (or anyone) more access.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from supervision.clock import clock
from supervision.forms import ConfirmForm, number_arg
from supervision.org import services
from supervision.org.forms import (
    DeactivateForm,
    LargeOrganisationStaffForm,
    ServiceForm,
    StaffFilterForm,
    StaffForm,
    TeamForm,
)
from supervision.org.models import Role, Staff
from supervision.org.services import OrgValidationError
from supervision.permissions import may_manage_organisation, roles_required

bp = Blueprint("org", __name__)


def show_errors(form, error: OrgValidationError) -> None:
    """Put a use case's refusals on the form fields they are about, for the GOV.UK error summary."""
    for field_name, message in error.errors.items():
        field = form._fields.get(field_name)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def found(thing):
    """A missing id, or one from another organisation, is a 404: it reveals nothing."""
    if thing is None:
        abort(404)
    return thing


def organisation_id() -> int:
    return current_user.organisation_id


@bp.app_template_filter("plain_decimal")
def format_number(value) -> str:
    """Decimals without trailing zeros: 5, 0.6, 12.25."""
    if value is None:
        return ""
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


# Services and teams ---------------------------------------------------------------------------


@bp.get("/services", endpoint="services")
@roles_required(Role.ADMIN)
def services_and_teams():
    return render_template("org/services.html", services=services.services_with_teams(organisation_id()))


@bp.route("/services/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_service():
    form = ServiceForm()
    form.set_choices(services.staff_options(organisation_id()))
    if form.validate_on_submit():
        try:
            service = services.create_service(
                organisation_id(), form.name.data, form.manager_id.data, current_user.id
            )
        except OrgValidationError as error:
            show_errors(form, error)
        else:
            flash(f"Service added: {service.name}", "success")
            return redirect(url_for("org.services"))
    return render_template("org/service-form.html", form=form, service=None)


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_service(service_id: int):
    service = found(services.get_service(organisation_id(), service_id))
    form = ServiceForm(obj=service)
    form.set_choices(services.staff_options(organisation_id(), keep_id=service.manager_id))
    if form.validate_on_submit():
        try:
            services.update_service(
                organisation_id(), service.id, form.name.data, form.manager_id.data, current_user.id
            )
        except OrgValidationError as error:
            show_errors(form, error)
        else:
            flash(f"Service updated: {service.name}", "success")
            return redirect(url_for("org.services"))
    return render_template("org/service-form.html", form=form, service=service)


def _team_form(team=None, service_id=None) -> TeamForm:
    form = TeamForm(obj=team, data=None if team else {"service_id": service_id})
    form.set_choices(
        services.service_options(organisation_id()),
        services.staff_options(organisation_id(), keep_id=team.manager_id if team else None),
    )
    return form


@bp.route("/services/<int:service_id>/teams/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_team(service_id: int):
    service = found(services.get_service(organisation_id(), service_id))
    form = _team_form(service_id=service.id)
    if form.validate_on_submit():
        try:
            team = services.create_team(organisation_id(), form.details(), current_user.id)
        except OrgValidationError as error:
            show_errors(form, error)
        else:
            flash(f"Team added: {team.name}", "success")
            return redirect(url_for("org.services"))
    return render_template("org/team-form.html", form=form, team=None, service=service)


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_team(team_id: int):
    team = found(services.get_team(organisation_id(), team_id))
    form = _team_form(team=team)
    if form.validate_on_submit():
        try:
            services.update_team(organisation_id(), team.id, form.details(), current_user.id)
        except OrgValidationError as error:
            show_errors(form, error)
        else:
            flash(f"Team updated: {team.name}", "success")
            return redirect(url_for("org.services"))
    return render_template("org/team-form.html", form=form, team=team, service=team.service)


# Staff ----------------------------------------------------------------------------------------


@bp.get("/staff")
@roles_required(Role.ADMIN, Role.HR)
def staff_list():
    filter_form = StaffFilterForm(formdata=request.args)
    filter_form.set_choices(
        services.service_options(organisation_id()), services.team_options(organisation_id())
    )
    filters = filter_form.filters()
    result = services.staff_page(organisation_id(), filters, number_arg("page", 1), clock().today())
    return render_template(
        "org/staff-list.html",
        filter_form=filter_form,
        filtered=filters != services.StaffFilters(),
        result=result,
        pagination=pagination(result.page, result.pages),
        today=clock().today(),
    )


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The pages to link to: first, last and either side of the current one; None is an ellipsis."""
    numbers: list[int | None] = []
    for number in range(1, pages + 1):
        if number in (1, pages) or abs(number - page) <= 1:
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
    return numbers


def pagination(page: int, pages: int, endpoint: str = "org.staff_list") -> dict | None:
    """GOV.UK pagination parameters for a list page; the links keep the search and filters."""
    if pages <= 1:
        return None
    args: dict[str, Any] = request.args.to_dict()

    def href(number: int) -> str:
        return url_for(endpoint, **{**args, "page": number})

    items = [
        {"ellipsis": True}
        if number is None
        else {"number": number, "href": href(number), "current": number == page}
        for number in page_numbers(page, pages)
    ]
    return {
        "items": items,
        "previous": {"href": href(page - 1)} if page > 1 else None,
        "next": {"href": href(page + 1)} if page < pages else None,
    }


def _staff_form(person: Staff | None = None) -> StaffForm:
    """The staff form; only administrators see (and can change) roles. In an organisation too
    large to list everyone, the line manager is typed as an email address or employee number."""
    keep_id = person.line_manager_id if person else None
    teams = services.team_options(organisation_id())
    form: StaffForm
    if services.too_many_to_list(organisation_id()):
        form = LargeOrganisationStaffForm(obj=person)
        form.set_line_manager_lookup(
            teams,
            lambda text: services.find_manager(organisation_id(), text, keep_id),
            person.line_manager if person else None,
        )
    else:
        form = StaffForm(obj=person)
        form.set_choices(teams, services.staff_options(organisation_id(), keep_id))
    if not may_manage_organisation(current_user):
        del form.roles
    return form


@bp.route("/staff/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HR)
def create_staff():
    form = _staff_form()
    if form.validate_on_submit():
        roles = form.chosen_roles() if "roles" in form else set()
        try:
            person = services.create_staff(organisation_id(), form.details(), roles, current_user.id)
        except OrgValidationError as error:
            show_errors(form, error)
        else:
            flash(
                f"Staff member added: {person.name}. They have been emailed an invitation to sign in.",
                "success",
            )
            return redirect(url_for("org.staff_detail", staff_id=person.id))
    return render_template("org/staff-form.html", form=form, person=None)


@bp.get("/staff/<int:staff_id>")
@roles_required(Role.ADMIN, Role.HR)
def staff_detail(staff_id: int):
    person = found(services.get_staff(organisation_id(), staff_id))
    return render_template("org/staff-detail.html", person=person, today=clock().today())


@bp.route("/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HR)
def edit_staff(staff_id: int):
    person = found(services.get_staff(organisation_id(), staff_id))
    form = _staff_form(person)
    if form.validate_on_submit():
        roles = form.chosen_roles() if "roles" in form else None
        try:
            services.update_staff(organisation_id(), person.id, form.details(), roles, current_user.id)
        except OrgValidationError as error:
            show_errors(form, error)
        else:
            flash(f"Staff details updated: {person.name}", "success")
            return redirect(url_for("org.staff_detail", staff_id=person.id))
    return render_template("org/staff-form.html", form=form, person=person)


@bp.route("/staff/<int:staff_id>/deactivate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def deactivate_staff(staff_id: int):
    person = found(services.get_staff(organisation_id(), staff_id))
    form = DeactivateForm()
    if form.validate_on_submit():
        try:
            services.set_staff_active(organisation_id(), person.id, False, current_user.id)
        except OrgValidationError as error:
            show_errors(form, error)
        else:
            flash(f"{person.name} has been deactivated and can no longer sign in", "success")
            return redirect(url_for("org.staff_detail", staff_id=person.id))
    return render_template("org/deactivate-staff.html", form=form, person=person)


@bp.post("/staff/<int:staff_id>/reactivate")
@roles_required(Role.ADMIN)
def reactivate_staff(staff_id: int):
    person = found(services.get_staff(organisation_id(), staff_id))
    if ConfirmForm().validate_on_submit():
        services.set_staff_active(organisation_id(), person.id, True, current_user.id)
        flash(f"{person.name} has been reactivated and can sign in again", "success")
    return redirect(url_for("org.staff_detail", staff_id=person.id))
