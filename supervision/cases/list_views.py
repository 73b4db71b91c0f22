"""Cases needing oversight: the cases of everyone the viewer oversees, filtered, sorted and
paged (docs/cases.md, "Where case oversight shows"). Thin: the list is cases/lists.py's."""

from __future__ import annotations

from math import ceil

from flask import Blueprint, render_template, request
from flask_login import current_user

from supervision.cases import lists
from supervision.cases.list_forms import ANY_STATUS, NEEDS_OVERSIGHT, CaseFilterForm
from supervision.cases.rules import CaseCategory, CaseStatus
from supervision.clock import clock
from supervision.forms import number_arg
from supervision.limits import ascii_whole_number
from supervision.org.models import Role
from supervision.org.views import pagination
from supervision.permissions import roles_required

bp = Blueprint("case_oversight", __name__)

PER_PAGE = 50


def chosen_filter(form: CaseFilterForm) -> lists.CaseFilter:
    """What the query string asks for: a choice not in its list is shown as an error and ignored,
    the others still apply."""
    form.validate()

    def chosen(field) -> str | None:
        return None if field.errors else field.data

    team = chosen(form.team)
    category = chosen(form.category)
    status = chosen(form.status) or NEEDS_OVERSIGHT
    if status == NEEDS_OVERSIGHT:
        statuses = lists.NEEDING_OVERSIGHT
    elif status == ANY_STATUS:
        statuses = frozenset(CaseStatus)
    else:
        statuses = frozenset({CaseStatus(status)})
    return lists.CaseFilter(
        ascii_whole_number(team) if team else None, CaseCategory(category) if category else None, statuses
    )


@bp.get("/cases")
@roles_required(Role.SUPERVISOR, Role.SERVICE_MANAGER)
def cases():
    today = clock().today()
    form = CaseFilterForm(lists.case_teams(current_user, today), formdata=request.args)
    case_filter = chosen_filter(form)
    sorting = lists.sorting(request.args.get("sort"), request.args.get("order"))
    found = lists.sorted_lines(
        lists.case_lines(current_user, today, lists.Whose.OVERSEEN, case_filter), sorting
    )
    pages = max(1, ceil(len(found) / PER_PAGE))
    page = min(max(number_arg("page", 1) or 1, 1), pages)
    filters = {
        name: field.data
        for name, field in (("team", form.team), ("category", form.category), ("status", form.status))
        if field.data and not field.errors
    }
    return render_template(
        "cases/cases-needing-oversight.html",
        form=form,
        lines=found[(page - 1) * PER_PAGE : page * PER_PAGE],
        total=len(found),
        page=page,
        pages=pages,
        pagination=pagination(page, pages, "case_oversight.cases"),
        sorting=sorting,
        columns=lists.COLUMNS,
        filters=filters,
        default_sort=lists.DEFAULT_SORT,
        today=today,
    )
