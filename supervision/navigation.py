"""Service navigation, by the roles the signed-in person holds."""

from flask import g, request, url_for
from flask_login import current_user

from supervision.org.models import Role

# (label, endpoint, roles that see it; None = everyone signed in)
NAVIGATION = [
    ("Home", "home.index", None),
    ("Staff", "org.staff_list", {Role.ADMIN, Role.HR}),
    ("Services and teams", "org.services", {Role.ADMIN}),
    ("Retention", "hr.retention", {Role.HR}),
    ("Import staff", "hr.staff_import", {Role.HR, Role.ADMIN}),
    ("Import cases", "case_admin.case_import", {Role.ADMIN}),
    ("My supervision", "sessions.my_supervision", {Role.SOCIAL_WORKER, Role.SUPERVISOR}),
    ("Supervisees", "sessions.supervisees", {Role.SUPERVISOR, Role.SERVICE_MANAGER}),
    ("Team dashboard", "reports.team_dashboard", {Role.SUPERVISOR, Role.SERVICE_MANAGER}),
    ("Cases", "case_oversight.cases", {Role.SUPERVISOR, Role.SERVICE_MANAGER}),
    ("Oversight", "reports.oversight", {Role.SERVICE_MANAGER}),
    ("Quality audits", "quality_audits.index", {Role.SERVICE_MANAGER}),
    ("Audit log", "audit.audit_log", {Role.ADMIN}),
    ("Policy", "agreements.policy", {Role.ADMIN}),
    ("Case oversight limits", "case_admin.oversight_limits", {Role.ADMIN}),
    ("Notifications", "notifications.index", None),
    ("Scheduled jobs", "jobs.scheduled_jobs", {Role.ADMIN}),
    ("Failed emails", "notifications.failed_emails", {Role.ADMIN}),
    # Sign out everywhere lives there (supervision/auth/sessions.py).
    ("Your account", "auth.account", None),
]


def navigation_items() -> list[dict]:
    """Worked out once a request: a page may ask several times (the home page lists them too),
    and the notifications item counts unread notifications in the database."""
    if "navigation_items" not in g:
        g.navigation_items = _navigation_items()
    return g.navigation_items


def _further_checks() -> dict:
    """Entries whose page asks more than a role: shown only to those the page's own check lets
    in (an administrator who also holds the HR role may not see cases: docs/cases.md)."""
    from supervision.cases.limit_services import may_manage_limits

    return {"case_admin.case_import": may_manage_limits, "case_admin.oversight_limits": may_manage_limits}


def _navigation_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    further = _further_checks()
    for label, endpoint, roles in NAVIGATION:
        if (roles is None or current_user.has_role(*roles)) and further.get(endpoint, bool)(current_user):
            href = url_for(endpoint)
            item = {"text": label, "href": href, "active": request.endpoint == endpoint}
            if endpoint == "notifications.index":
                from supervision.notifications.views import with_unread_count

                item = with_unread_count(item)
            items.append(item)
    return items
