"""Team dashboard, oversight report (organisation → service → team → worker), exports and the
evidence pack. Views parse the query string, call a service and render; figures are worked
out in supervision.reports.figures and loaded in supervision.reports.services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from supervision.cases import lists as case_lists
from supervision.cases.list_forms import CategoryFilterForm
from supervision.cases.rules import CaseCategory
from supervision.clock import clock
from supervision.compliance.rules import Status
from supervision.limits import ascii_whole_number
from supervision.org.models import Role
from supervision.permissions import found_or_404, require, roles_required
from supervision.reports import asye, audits, cases, changes, charts, exports, services, tables
from supervision.reports.dashboard import COLUMNS, Sorting, filtered, sorted_rows
from supervision.reports.figures import MonthState, Period, month_containing
from supervision.reports.forms import DashboardFilterForm, PeriodForm, default_period, period_args
from supervision.reports.services import Level

bp = Blueprint("reports", __name__)
# Every staff-by-month grid (dashboard, oversight report, evidence pack) writes its rows with it.
bp.add_app_template_global(tables.month_cells, "month_cells")

PAGE_ENDPOINTS = {
    Level.ORGANISATION: "reports.oversight",
    Level.SERVICE: "reports.oversight_service",
    Level.TEAM: "reports.oversight_team",
    Level.PERSON: "reports.oversight_person",
}
EXPORT_ENDPOINTS = {
    Level.ORGANISATION: "reports.export_oversight",
    Level.SERVICE: "reports.export_oversight_service",
    Level.TEAM: "reports.export_oversight_team",
    Level.PERSON: "reports.export_oversight_person",
}
CHANGES_ENDPOINTS = {
    Level.ORGANISATION: "reports.changes_after_close",
    Level.SERVICE: "reports.changes_after_close_service",
    Level.TEAM: "reports.changes_after_close_team",
    Level.PERSON: "reports.changes_after_close_person",
}
ID_ARGUMENTS = {Level.SERVICE: "service_id", Level.TEAM: "team_id", Level.PERSON: "person_id"}


def unit_url(endpoints: dict, level: Level, unit_id: int | None, period: Period | None, **extra) -> str:
    values: dict[str, Any] = {ID_ARGUMENTS[level]: unit_id} if level in ID_ARGUMENTS else {}
    if period is not None:
        values.update(period_args(period))
    return url_for(endpoints[level], **values, **extra)


def file_response(about, sections, file_format: str, filename: str) -> Response:
    if file_format == "csv":
        # Everything is loaded before the first line, so the generator needs no request context.
        # Flask adds "; charset=utf-8" to a text/ mimetype itself.
        response = Response(exports.csv_lines(about, sections), mimetype="text/csv")
    else:
        response = Response(exports.xlsx_bytes(about, sections), mimetype=exports.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


# ---------------------------------------------------------------------------- team dashboard

# The dashboard lists this many cases overdue oversight; the cases page has them all.
DASHBOARD_CASES = 25


def dashboard_view() -> dict:
    today = clock().today()
    dashboard = services.team_dashboard(current_user, today)
    teams = sorted(
        {(row.person.team.id, row.person.team.name) for row in dashboard.rows if row.person.team is not None},
        key=lambda team: team[1].lower(),
    )
    form = DashboardFilterForm(teams, formdata=request.args)
    team_id, status = None, None
    if form.validate():
        team_id = form.team.data
        status = Status(form.status.data) if form.status.data else None
    sorting = Sorting.parse(request.args.get("sort"), request.args.get("order"))
    rows = sorted_rows(filtered(dashboard.rows, team_id, status), sorting)
    filters = {"team": team_id or "", "status": status.value if status else ""}
    return {
        "dashboard": dashboard,
        "rows": rows,
        "form": form,
        "sorting": sorting,
        "columns": COLUMNS,
        "filters": {key: value for key, value in filters.items() if value},
        "filter_text": _filter_text(teams, team_id, status),
        "today": today,
        "asye_reviews": asye.dashboard_asye_reviews(current_user, dashboard, today),
    }


def _filter_text(teams, team_id: int | None, status: Status | None) -> str:
    parts = [f"Team: {name}" for tid, name in teams if tid == team_id]
    if status is not None:
        parts.append(f"Status: {status.label}")
    return "; ".join(parts) or "None: everyone"


def cases_overdue_view(dashboard: services.Dashboard, today: date) -> dict:
    """The dashboard's "Cases overdue oversight": the cases page's default list, by category only
    (supervision.cases.lists.needing_oversight), the first DASHBOARD_CASES of it, for the people
    and policy the dashboard has read."""
    form = CategoryFilterForm(formdata=request.args)
    category = CaseCategory(form.case_category.data) if form.validate() and form.case_category.data else None
    found = case_lists.needing_oversight(
        current_user,
        today,
        case_lists.CaseFilter(category=category),
        page_people=dashboard.people.pages,
        policy=dashboard.policy,
    )
    return {
        "case_form": form,
        "case_lines": found[:DASHBOARD_CASES],
        "case_total": len(found),
        "case_category": category,
        "case_columns": case_lists.COLUMNS,
    }


@bp.get("/team-dashboard")
@roles_required(Role.SUPERVISOR, Role.SERVICE_MANAGER)
def team_dashboard():
    view = dashboard_view()
    return render_template(
        "reports/team-dashboard.html",
        **view,
        **cases_overdue_view(view["dashboard"], view["today"]),
        month_states=list(MonthState),
        grid_definition=tables.MONTH_GRID_DEFINITION,
        month_text=tables.month_text,
        short_month_text=tables.short_month_text,
    )


@bp.get("/team-dashboard/export.csv", defaults={"file_format": "csv"})
@bp.get("/team-dashboard/export.xlsx", defaults={"file_format": "xlsx"})
@roles_required(Role.SUPERVISOR, Role.SERVICE_MANAGER)
def export_team_dashboard(file_format: str):
    view = dashboard_view()
    about = exports.dashboard_about(current_user.name, view["today"], clock().now(), view["filter_text"])
    sections = exports.dashboard_sections(view["dashboard"], view["rows"])
    return file_response(about, sections, file_format, f"team-dashboard-{view['today'].isoformat()}")


# -------------------------------------------------------------------------- oversight report


def chosen_period() -> tuple[PeriodForm, Period | None]:
    """The period in the query string, or the default (this month and the two before it)."""
    today = clock().today()
    if "from_month" not in request.args and "to_month" not in request.args:
        period = default_period(today)
        return PeriodForm(today, formdata=None, data=period_args(period)), period
    form = PeriodForm(today, formdata=request.args)
    return form, form.chosen(today)


def _old_link_day(name: str) -> date | None:
    texts = request.args.getlist(name)
    parts = [number for text in texts if (number := ascii_whole_number(text)) is not None]
    if len(parts) != 3 or len(texts) != 3:
        return None
    day, month, year = parts
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):  # no such day, or a year beyond any calendar
        return None


def old_period_link() -> str | None:
    """Where a link from before periods were whole months (?period_start=D&period_start=M&...)
    now goes: the same page for the months its days fall in (the form says if they are not
    offered), or for its default period when its days cannot be read. None for any other link."""
    endpoint = request.endpoint  # None only where no view answers
    if endpoint is None or ("period_start" not in request.args and "period_end" not in request.args):
        return None
    values = {**(request.view_args or {})}
    starts_on, ends_on = _old_link_day("period_start"), _old_link_day("period_end")
    if starts_on is not None and ends_on is not None:
        values.update(period_args(Period(starts_on, ends_on)))
    return url_for(endpoint, **values)


def trend_measure(label: str, level: services.Level, name: str) -> str:
    """ "Hannah Green's sessions held on time" for a person; "Sessions held on time in Assessment"."""
    if level is services.Level.PERSON:
        return f"{name}'s {label[0].lower()}{label[1:]}"
    return f"{label} in {name}"


def charts_for(report: services.OversightReport) -> dict:
    metric = tables.CHARTED_METRIC
    trend = charts.line_chart(
        [
            charts.Point(tables.month_text(month), tables.short_month_text(month), metric.value(tally))
            for month, tally in zip(report.months, report.unit.months, strict=True)
        ],
        trend_measure(metric.label, report.level, report.unit.name),
    )
    comparison = None
    child_level = report.level.child
    if report.children and child_level is not None:
        comparison = charts.bar_chart(
            [charts.Point(child.name, child.name, metric.value(child.period)) for child in report.children],
            f"{metric.label} by {child_level.label.lower()}",
        )
    return {"trend_chart": trend, "comparison_chart": comparison}


def render_report(level: Level, unit_id: int | None, template: str = "reports/oversight.html"):
    if (moved := old_period_link()) is not None:
        return redirect(moved)
    form, period = chosen_period()
    today = clock().today()
    if period is None:
        require(services.oversees(current_user, level, unit_id))
        return render_template(template, form=form, report=None, level=level, unit_id=unit_id, **_helpers())
    report = services.oversight_report(current_user, level, unit_id, period, today)
    report = found_or_404(report)
    extra: dict[str, Any] = {"marks": changes.marks_for(report), **case_oversight_for(report)}
    extra["asye_teams"] = asye.report_asye_reviews(current_user, report)
    if template.endswith("evidence-pack.html"):
        team_ids = report.team_ids
        extra["checklist_rates"] = audits.checklist_rates(
            audits.audits_in(current_user, team_ids, period.starts_on, period.ends_on)
        )
    return render_template(
        template,
        form=form,
        report=report,
        level=level,
        unit_id=unit_id,
        generated_at=clock().now(),
        **charts_for(report),
        **extra,
        **_helpers(),
    )


def case_oversight_for(report: services.OversightReport) -> dict:
    """The case oversight section (supervision.reports.cases) and its trend chart."""
    section = cases.case_oversight(current_user, report)
    chart = charts.line_chart(section.trend_points, f"Cases with oversight in time in {report.unit.name}")
    return {
        "case_oversight": section,
        "case_trend_chart": chart,
        "case_categories": cases.CATEGORIES,
        "case_category_label": cases.category_label,
        "case_share_text": cases.share_text,
        "case_definition": cases.DEFINITION,
    }


def _helpers() -> dict:
    return {
        "metrics": tables.METRICS,
        "trend_metrics": tables.TREND_METRICS,
        "metric_text": tables.metric_text,
        "metric_detail": tables.metric_detail,
        "period_text": tables.period_text,
        "month_text": tables.month_text,
        "short_month_text": tables.short_month_text,
        "generated_text": tables.generated_text,
        "gap_reason_rows": tables.gap_reason_rows,
        "grade_counts": tables.grade_counts,
        "grades": tables.GRADES,
        "gap_reasons_definition": tables.GAP_REASONS_DEFINITION,
        "audit_grades_definition": tables.AUDIT_GRADES_DEFINITION,
        "grid_definition": tables.MONTH_GRID_DEFINITION,
        "month_states": list(MonthState),
        "page_url": lambda lvl, uid, period: unit_url(PAGE_ENDPOINTS, lvl, uid, period),
        "export_url": lambda lvl, uid, period, fmt: unit_url(
            EXPORT_ENDPOINTS, lvl, uid, period, file_format=fmt
        ),
        "Level": Level,
        "period_args": period_args,
        "changes_url": changes_url,
    }


def changes_url(level: Level, unit_id: int | None, first: Period, last: Period | None = None) -> str:
    """The list of changes after close of a unit's people that reach months `first` to `last`."""
    values: dict[str, Any] = {ID_ARGUMENTS[level]: unit_id} if level in ID_ARGUMENTS else {}
    values["from"] = f"{first.starts_on:%Y-%m}"
    values["to"] = f"{(last or first).starts_on:%Y-%m}"
    return url_for(CHANGES_ENDPOINTS[level], **values)


def export_report(level: Level, unit_id: int | None, file_format: str):
    if (moved := old_period_link()) is not None:
        return redirect(moved)
    _, period = chosen_period()
    if period is None:
        return redirect(unit_url(PAGE_ENDPOINTS, level, unit_id, None) + "?" + request.query_string.decode())
    report = services.oversight_report(current_user, level, unit_id, period, clock().today())
    report = found_or_404(report)
    suffix = f"-{unit_id}" if unit_id is not None else ""
    name = f"oversight-{level.value}{suffix}-{period.starts_on.isoformat()}-to-{period.ends_on.isoformat()}"
    about, sections = cases.report_file(current_user, report, changes.marks_for(report), clock().now())
    return file_response(about, sections, file_format, name)


@bp.get("/oversight")
@roles_required(Role.SERVICE_MANAGER)
def oversight():
    return render_report(Level.ORGANISATION, None)


@bp.get("/oversight/services/<int:service_id>")
@roles_required(Role.SERVICE_MANAGER)
def oversight_service(service_id: int):
    return render_report(Level.SERVICE, service_id)


@bp.get("/oversight/teams/<int:team_id>")
@roles_required(Role.SERVICE_MANAGER)
def oversight_team(team_id: int):
    return render_report(Level.TEAM, team_id)


@bp.get("/oversight/people/<int:person_id>")
@roles_required(Role.SERVICE_MANAGER)
def oversight_person(person_id: int):
    return render_report(Level.PERSON, person_id)


@bp.get("/oversight/export.csv", defaults={"file_format": "csv"})
@bp.get("/oversight/export.xlsx", defaults={"file_format": "xlsx"})
@roles_required(Role.SERVICE_MANAGER)
def export_oversight(file_format: str):
    return export_report(Level.ORGANISATION, None, file_format)


@bp.get("/oversight/services/<int:service_id>/export.csv", defaults={"file_format": "csv"})
@bp.get("/oversight/services/<int:service_id>/export.xlsx", defaults={"file_format": "xlsx"})
@roles_required(Role.SERVICE_MANAGER)
def export_oversight_service(service_id: int, file_format: str):
    return export_report(Level.SERVICE, service_id, file_format)


@bp.get("/oversight/teams/<int:team_id>/export.csv", defaults={"file_format": "csv"})
@bp.get("/oversight/teams/<int:team_id>/export.xlsx", defaults={"file_format": "xlsx"})
@roles_required(Role.SERVICE_MANAGER)
def export_oversight_team(team_id: int, file_format: str):
    return export_report(Level.TEAM, team_id, file_format)


@bp.get("/oversight/people/<int:person_id>/export.csv", defaults={"file_format": "csv"})
@bp.get("/oversight/people/<int:person_id>/export.xlsx", defaults={"file_format": "xlsx"})
@roles_required(Role.SERVICE_MANAGER)
def export_oversight_person(person_id: int, file_format: str):
    return export_report(Level.PERSON, person_id, file_format)


# ----------------------------------------------------------------------------- evidence pack


@bp.get("/oversight/services/<int:service_id>/evidence-pack")
@roles_required(Role.SERVICE_MANAGER)
def evidence_pack_service(service_id: int):
    return render_report(Level.SERVICE, service_id, "reports/evidence-pack.html")


@bp.get("/oversight/teams/<int:team_id>/evidence-pack")
@roles_required(Role.SERVICE_MANAGER)
def evidence_pack_team(team_id: int):
    return render_report(Level.TEAM, team_id, "reports/evidence-pack.html")


# ------------------------------------------------------------------ changes after months closed


def month_argument(name: str) -> Period | None:
    """A month in the query string as YYYY-MM; absent is None, anything else a 400."""
    text = request.args.get(name)
    if text is None:
        return None
    year, _, month = text.partition("-")
    digits = year + month
    if not (len(year) == 4 and len(month) == 2 and digits.isascii() and digits.isdigit()):
        abort(400)
    if not (1 <= int(month) <= 12 and int(year) >= 1):
        abort(400)
    return month_containing(date(int(year), int(month), 1))


def render_changes(level: Level, unit_id: int | None):
    first, last = month_argument("from"), month_argument("to")
    first, last = first or last, last or first
    window = None
    if first is not None and last is not None:
        if last.starts_on < first.starts_on:
            abort(400)
        window = Period(first.starts_on, last.ends_on)
    found = changes.changes_in(current_user, level, unit_id, window)
    found = found_or_404(found)
    listed, more = found
    return render_template(
        "reports/changes-after-close.html",
        changes=listed,
        more=more,
        limit=changes.CHANGES_PAGE_LIMIT,
        level=level,
        unit_id=unit_id,
        window=window,
        window_first=first,
        window_last=last,
        report_url=unit_url(PAGE_ENDPOINTS, level, unit_id, None),
        month_text=tables.month_text,
        generated_at=clock().now(),
        generated_text=tables.generated_text,
    )


@bp.get("/oversight/changes-after-close")
@roles_required(Role.SERVICE_MANAGER)
def changes_after_close():
    return render_changes(Level.ORGANISATION, None)


@bp.get("/oversight/services/<int:service_id>/changes-after-close")
@roles_required(Role.SERVICE_MANAGER)
def changes_after_close_service(service_id: int):
    return render_changes(Level.SERVICE, service_id)


@bp.get("/oversight/teams/<int:team_id>/changes-after-close")
@roles_required(Role.SERVICE_MANAGER)
def changes_after_close_team(team_id: int):
    return render_changes(Level.TEAM, team_id)


@bp.get("/oversight/people/<int:person_id>/changes-after-close")
@roles_required(Role.SERVICE_MANAGER)
def changes_after_close_person(person_id: int):
    return render_changes(Level.PERSON, person_id)
