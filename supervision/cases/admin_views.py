"""Administrators' case pages: the caseload import and the oversight limits (docs/cases.md).

Administrators import cases and set limits but see no oversight history; someone who also holds
the HR role gets 404 here, as HR never sees case references. Each view parses its form, calls one
use case and renders or redirects.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from config import BASE_DIR
from supervision.cases import import_services, limit_services
from supervision.cases.admin_forms import (
    CaseImportForm,
    ChangeOverrideForm,
    OrganisationLimitsForm,
    RemoveOverrideForm,
    TeamOverrideForm,
)
from supervision.cases.import_rules import CasePlan
from supervision.cases.import_services import ImportInterrupted
from supervision.cases.rules import CaseCategory
from supervision.csv_import import FileRefused, ImportRefused, group_errors
from supervision.forms import show_error, show_problems
from supervision.org.models import Role
from supervision.permissions import require, roles_required
from supervision.service_errors import NotPermitted, ServiceError

bp = Blueprint("case_admin", __name__)

EXAMPLE_FILE = BASE_DIR / "docs" / "examples" / "cases.csv"
ERRORS_LISTED_ONE_BY_ONE = 500


def require_manager() -> None:
    require(limit_services.may_manage_limits(current_user))


# Caseload import ------------------------------------------------------------------------------


def error_listing(plan: CasePlan | None) -> dict:
    """Every error: one by one when there are a few hundred, else grouped by column and problem."""
    if plan is None or not plan.errors:
        return {"one_by_one": None, "grouped": None}
    if len(plan.errors) <= ERRORS_LISTED_ONE_BY_ONE:
        return {"one_by_one": plan.errors, "grouped": None}
    return {"one_by_one": None, "grouped": group_errors(plan.errors)}


def summary_rows(plan: CasePlan) -> list[tuple[str, int]]:
    counts = plan.counts()
    return [
        ("Rows in the file", counts["rows"]),
        ("Cases to add", counts["cases_added"]),
        ("Cases that change", counts["cases_changed"]),
        ("Cases that move to another worker", counts["cases_reallocated"]),
        ("Cases to close", counts["cases_closed"]),
        ("Cases already up to date", counts["cases_unchanged"]),
    ]


@bp.route("/cases/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def case_import():
    require_manager()
    form = CaseImportForm()
    plan, checked_only = None, False
    if request.method == "POST" and (problem := import_services.too_big_problem(request.content_length or 0)):
        form.cases_file.errors = [problem]
    elif form.validate_on_submit():
        checked_only = not form.import_file.data
        try:
            plan = import_services.import_cases(
                current_user.organisation_id,
                form.cases_file.data.read(),
                actor_id=current_user.id,
                dry_run=checked_only,
            )
        except FileRefused as refusal:
            form.cases_file.errors = list(refusal.messages)
        except ImportInterrupted as interrupted:
            form.cases_file.errors = [interrupted.message]
        except ImportRefused as refusal:
            plan = refusal.plan
            rows = len({error.row for error in plan.errors})
            form.cases_file.errors = [
                f"The file has {len(plan.errors):,} {'problem' if len(plan.errors) == 1 else 'problems'} in "
                f"{rows:,} {'row' if rows == 1 else 'rows'}. Nothing was imported. Fix every problem listed "
                "below and upload the file again."
            ]
        else:
            if not checked_only:
                flash(import_summary(plan), "success")
                return redirect(url_for("case_admin.case_import"))
    return render_template(
        "cases/case-import.html",
        form=form,
        plan=plan if plan is not None and plan.ok else None,
        summary=summary_rows(plan) if plan is not None and plan.ok else None,
        **error_listing(plan),
    )


def import_summary(plan: CasePlan) -> str:
    counts = plan.counts()
    if not plan.changed:
        return f"Every case in the file ({counts['rows']:,}) is already up to date: nothing was changed."
    return (
        f"Cases imported: {counts['cases_added']:,} added, {counts['cases_changed']:,} changed "
        f"({counts['cases_reallocated']:,} moved to another worker), "
        f"{counts['cases_unchanged']:,} already up to date."
    )


@bp.get("/cases/import/example.csv")
@roles_required(Role.ADMIN)
def case_import_example():
    require_manager()
    return Response(
        EXAMPLE_FILE.read_bytes(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="cases.csv"'},
    )


# Oversight limits -----------------------------------------------------------------------------


def team_override_or_404(limit_id: int) -> limit_services.TeamOverride:
    """A team override of the administrator's own organisation; 404 for anything else."""
    require_manager()
    overrides = limit_services.team_overrides(current_user.organisation_id)
    found = next((override for override in overrides if override.id == limit_id), None)
    if found is None:
        abort(404)
    return found


@bp.route("/cases/oversight-limits", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def oversight_limits():
    require_manager()
    organisation_id = current_user.organisation_id
    current = limit_services.organisation_limits(organisation_id)
    if request.method == "GET":
        form = OrganisationLimitsForm(data={row.category.value: row.organisation_days for row in current})
    else:
        form = OrganisationLimitsForm()
    valid = form.validate_on_submit()
    wanted = {category: form[category.value].data for category in CaseCategory}
    problems = [
        (category.value, problem)
        for category, days in wanted.items()
        if form[category.value].data is not None
        and (problem := limit_services.days_problem(days, category.label, required=False))
    ]
    if not show_problems(form, problems) and valid:
        try:
            changed = limit_services.set_organisation_limits(current_user, wanted)
        except NotPermitted:
            require(False)
        except ServiceError as error:
            show_error(form, error, CaseCategory.CHILD_PROTECTION.value)
        else:
            flash("Oversight limits saved." if changed else "No limits changed.", "success")
            return redirect(url_for("case_admin.oversight_limits"))
    return render_template(
        "cases/oversight-limits.html",
        form=form,
        limits=current,
        overrides=limit_services.team_overrides(organisation_id),
    )


@bp.route("/cases/oversight-limits/team-overrides/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def add_team_override():
    require_manager()
    form = TeamOverrideForm()
    form.team_id.choices = [("", "Choose a team"), *limit_services.teams_of(current_user.organisation_id)]
    valid = form.validate_on_submit()
    # The base form strips text, which turns the category back into a plain string.
    category = CaseCategory(form.category.data) if form.category.data else None
    values = (form.team_id.data, category, form.days.data)
    problems = limit_services.override_problems(current_user, *values) if request.method == "POST" else []
    if not show_problems(form, problems) and valid:
        try:
            limit_services.add_team_override(current_user, *values)
        except ServiceError as error:
            show_error(form, error, "days")
        else:
            flash("Team override added.", "success")
            return redirect(url_for("case_admin.oversight_limits"))
    return render_template("cases/team-override.html", form=form, override=None)


@bp.route("/cases/oversight-limits/team-overrides/<int:limit_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def change_team_override(limit_id: int):
    override = team_override_or_404(limit_id)
    form = (
        ChangeOverrideForm(data={"days": override.days}) if request.method == "GET" else ChangeOverrideForm()
    )
    valid = form.validate_on_submit()
    problem = limit_services.days_problem(form.days.data, "Longest time without oversight")
    if not show_problems(form, [("days", problem)] if problem else []) and valid and form.days.data:
        limit_services.change_team_override(current_user, limit_id, form.days.data)
        flash("Team override changed.", "success")
        return redirect(url_for("case_admin.oversight_limits"))
    return render_template("cases/team-override.html", form=form, override=override)


@bp.route("/cases/oversight-limits/team-overrides/<int:limit_id>/remove", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def remove_team_override(limit_id: int):
    override = team_override_or_404(limit_id)
    form = RemoveOverrideForm()
    if form.validate_on_submit():
        limit_services.remove_team_override(current_user, limit_id)
        flash(f"Override removed: {override.team_name} uses the organisation’s limit again.", "success")
        return redirect(url_for("case_admin.oversight_limits"))
    return render_template("cases/remove-team-override.html", form=form, override=override)
