"""Administrators search the audit log: who saw or changed which record, and when.

The page lives with the organisation's other administration pages, above supervision.audit,
which stays the ground floor every feature writes to and imports nothing of theirs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from supervision.audit.services import AuditSearch, search_events
from supervision.forms import number_arg
from supervision.org.forms import AuditSearchForm
from supervision.org.models import Role
from supervision.org.services import find_by_email
from supervision.permissions import roles_required

bp = Blueprint("audit", __name__)

FIELD_LABELS = {
    "line_manager_id": "Line manager",
    "team_id": "Team",
    "roles": "Roles",
    "email": "Email address",
    "active": "Account",
    "manager_id": "Manager",
}


@bp.app_template_filter("audit_field")
def audit_field(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


@bp.app_template_filter("audit_value")
def audit_value(value) -> str:
    """An old or new value in an audit entry, as a person reads it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "active" if value else "deactivated"
    if isinstance(value, dict):
        return f"{value.get('name') or 'someone'} ({value.get('id')})"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    return str(value)


@bp.get("/audit-log")
@roles_required(Role.ADMIN)
def audit_log():
    form = AuditSearchForm(request.args)
    search = AuditSearch()
    if request.args:
        form.validate()
        actor = None
        if form.person.data and not form.person.errors:
            actor = find_by_email(form.person.data)
            if actor is None or actor.organisation_id != current_user.organisation_id:
                form.person.errors = [f"No one in your organisation has the email address {form.person.data}"]
        if form.from_date.data and form.to_date.data and form.to_date.data < form.from_date.data:
            form.to_date.errors = ["The ‘to’ date must be the same as or after the ‘from’ date"]
        if not form.errors:
            search = AuditSearch(
                actor_id=actor.id if actor else None,
                record_id=form.record_id.data,
                from_date=form.from_date.data,
                to_date=form.to_date.data,
            )
    if form.errors:
        return render_template("audit/audit-log.html", form=form, page=None, pagination=None)
    page = search_events(search, number_arg("page", 1))
    return render_template("audit/audit-log.html", form=form, page=page, pagination=pagination(page))


def pagination(page) -> dict | None:
    """GOV.UK pagination parameters, keeping the search in every link."""
    if page.page_count <= 1:
        return None
    args: dict[str, Any] = {
        key: values for key, values in request.args.to_dict(flat=False).items() if key != "page"
    }

    def link(number: int) -> str:
        return url_for("audit.audit_log", page=number, **args)

    items: list[dict] = []
    for number in range(1, page.page_count + 1):
        if number in (1, page.page_count) or abs(number - page.page) <= 2:
            items.append({"number": number, "href": link(number), "current": number == page.page})
        elif items and not items[-1].get("ellipsis"):
            items.append({"ellipsis": True})
    params: dict = {"items": items}
    if page.page > 1:
        params["previous"] = {"href": link(page.page - 1)}
    if page.page < page.page_count:
        params["next"] = {"href": link(page.page + 1)}
    return params
