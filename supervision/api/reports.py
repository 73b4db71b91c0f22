"""Report figures over the API: the team dashboard, the oversight report and HR retention.

The same services as the pages (supervision.reports.services, supervision.hr.services) with the
same roles: a role the report is not for is 403, a service or team the person does not oversee is
404. HR figures go through the same tables as the page and its exports, so the same small numbers
are withheld; nothing here carries supervision content.
"""

from __future__ import annotations

from datetime import date

from flask import request
from flask_login import current_user

from supervision.api import report_schemas as schemas
from supervision.api.spec import documented
from supervision.api.views import RequestRefused, bp, parse
from supervision.clock import clock
from supervision.compliance.models import GapReason
from supervision.compliance.rules import Status
from supervision.hr import services as hr_services
from supervision.hr.disclosure import SMALL_NUMBER_THRESHOLD, Shown
from supervision.hr.tables import retention_tables, trend_tables, withheld_cells
from supervision.org.models import Role
from supervision.permissions import api_token, found_or_404, require
from supervision.reports import changes, services
from supervision.reports.choices import ChoiceRefused, oversight_period, retention_snapshot
from supervision.reports.dashboard import Sorting, filtered, sorted_rows
from supervision.reports.figures import Period, Tally
from supervision.reports.services import Level, OversightReport, UnitFigures
from supervision.reports.tables import (
    GRADES,
    METRICS,
    TREND_METRICS,
    Kind,
    Metric,
    gap_reason_rows,
    grade_counts,
)

GAP_REASON_KEYS = (*(reason.value for reason in GapReason), "not_recorded")
GRADE_KEYS = tuple(grade.value for grade in GRADES)


def require_role(message: str, *roles: Role) -> None:
    """The pages' `roles_required`, answered in JSON."""
    if not current_user.has_role(*roles):
        raise RequestRefused(403, message)


def refused_choice(refusal: ChoiceRefused) -> RequestRefused:
    return RequestRefused(
        400, str(refusal), errors={name: [message] for name, message in refusal.errors.items()}
    )


# --- team dashboard ------------------------------------------------------------------------------


@bp.get("/team-dashboard")
@api_token("read")
@documented(
    "Your team dashboard: each person's status today and their last 12 months",
    schemas.TeamDashboardOut,
    query=schemas.DashboardArgs,
)
def team_dashboard():
    require_role(
        "The team dashboard is for supervisors and service managers", Role.SUPERVISOR, Role.SERVICE_MANAGER
    )
    args = parse(schemas.DashboardArgs, request.args.to_dict())
    today = clock().today()
    dashboard = services.team_dashboard(current_user, today)
    status = Status(args["status"]) if "status" in args else None
    rows = sorted_rows(
        filtered(dashboard.rows, args.get("team_id"), status),
        Sorting.parse(args.get("sort"), args.get("order")),
    )
    first = (args["page"] - 1) * args["per_page"]
    return schemas.TeamDashboardOut().dump(
        {
            "as_at": today,
            "months": [month.starts_on for month in dashboard.months],
            "items": [dashboard_row(row) for row in rows[first : first + args["per_page"]]],
            "page": args["page"],
            "per_page": args["per_page"],
            "total": len(rows),
        }
    )


def dashboard_row(row: services.DashboardRow) -> dict:
    shown = row.figures
    return {
        "staff_id": row.person.id,
        "given_name": row.person.given_name,
        "family_name": row.person.family_name,
        "team_id": row.person.team_id,
        "team_name": row.team_name,
        "status": shown.status.value,
        "last_held_on": shown.last_held_on,
        "next_due_on": shown.next_due_on,
        "days_overdue": shown.days_overdue,
        "write_ups_pending": shown.write_ups_pending,
        "write_ups_overdue": shown.write_ups_overdue,
        "actions_overdue": shown.actions_overdue,
        "months": [state.value for state in row.months],
    }


# --- oversight report ----------------------------------------------------------------------------


def requested_period(today: date) -> Period:
    args = parse(schemas.PeriodArgs, request.args.to_dict())
    try:
        return oversight_period(args.get("period_start"), args.get("period_end"), today)
    except ChoiceRefused as refusal:
        raise refused_choice(refusal) from None


def oversight(level: Level, unit_id: int | None):
    require_role("The oversight report is for service managers", Role.SERVICE_MANAGER)
    today = clock().today()
    try:
        period = requested_period(today)
    except RequestRefused:
        # As on the page: someone else's service or team is not found, whatever the period.
        require(services.oversees(current_user, level, unit_id))
        raise
    report = services.oversight_report(current_user, level, unit_id, period, today)
    report = found_or_404(report)
    marks = changes.marks_for(report)
    return schemas.OversightOut().dump(oversight_figures(report, marks))


def figures(tally: Tally, metrics: tuple[Metric, ...]) -> dict:
    def figure(metric: Metric):
        if metric.kind is Kind.SHARE:
            count, out_of = metric.counts(tally)
            return {"share": metric.value(tally), "count": count, "out_of": out_of}
        return metric.value(tally)

    return {metric.key: figure(metric) for metric in metrics}


def unit_figures(unit: UnitFigures, changed: bool) -> dict:
    return {
        "changed_after_close": changed,
        "level": unit.level.value,
        "id": unit.id,
        "name": unit.name,
        "part_of": unit.parent_name,
        "figures": figures(unit.period, METRICS),
        "audit_grades": dict(zip(GRADE_KEYS, grade_counts(unit.period), strict=True)),
    }


def oversight_figures(report: OversightReport, marks: changes.ChangeMarks) -> dict:
    return {
        "organisation_name": report.organisation_name,
        "level": report.level.value,
        "period": {"starts_on": report.period.starts_on, "ends_on": report.period.ends_on},
        "as_at": report.today,
        "figures_as_at": report.figures_as_at,
        "unit": unit_figures(report.unit, marks.period_changed),
        "children": [unit_figures(child, marks.child_changed(child.id)) for child in report.children],
        "trend": [
            {
                "month": month.starts_on,
                "figures": figures(tally, TREND_METRICS),
                "changed_after_close": marks.unit_month(month),
            }
            for month, tally in zip(report.months, report.unit.months, strict=True)
        ],
        "gap_reasons": [
            {"reason": key, "label": label, "gaps": gaps}
            for key, (label, gaps) in zip(GAP_REASON_KEYS, gap_reason_rows(report.unit.period), strict=True)
        ],
        "staff_by_month": [
            {
                "staff_id": row.person.id,
                "name": row.person.name,
                "months": [state.value for state in row.states],
                "changed_after_close": [marks.person_month(row.person.id, month) for month in report.months],
            }
            for row in report.grid
        ],
    }


@bp.get("/oversight")
@api_token("read")
@documented(
    "Oversight figures for the services you oversee, for a period",
    schemas.OversightOut,
    query=schemas.PeriodArgs,
)
def oversight_organisation():
    return oversight(Level.ORGANISATION, None)


@bp.get("/oversight/services/<int:service_id>")
@api_token("read")
@documented(
    "Oversight figures for one service you oversee, and its teams",
    schemas.OversightOut,
    query=schemas.PeriodArgs,
)
def oversight_service(service_id: int):
    return oversight(Level.SERVICE, service_id)


@bp.get("/oversight/teams/<int:team_id>")
@api_token("read")
@documented(
    "Oversight figures for one team you oversee, and its workers",
    schemas.OversightOut,
    query=schemas.PeriodArgs,
)
def oversight_team(team_id: int):
    return oversight(Level.TEAM, team_id)


# --- HR retention --------------------------------------------------------------------------------


def cell(shown: Shown) -> dict:
    return {
        "value": shown.number,
        "text": shown.text,
        "kind": shown.kind.value,
        "suppressed": shown.suppressed,
        "reason": shown.reason,
    }


@bp.get("/retention")
@api_token("read")
@documented(
    "HR retention figures (aggregates only; small team numbers withheld as on the page)",
    schemas.RetentionOut,
    query=schemas.SnapshotArgs,
)
def retention():
    require_role("Retention figures are for HR", Role.HR)
    args = parse(schemas.SnapshotArgs, request.args.to_dict())
    try:
        snapshot = retention_snapshot(args.get("snapshot_date"), clock().today())
    except ChoiceRefused as refusal:
        raise refused_choice(refusal) from None
    report = hr_services.retention_report(current_user.organisation_id, snapshot)
    withheld = withheld_cells(report, kept=hr_services.kept_withholding(current_user.organisation_id))
    return schemas.RetentionOut().dump(
        {
            "organisation_name": current_user.organisation.name,
            "period": {"starts_on": report.year.starts_on, "ends_on": report.year.snapshot},
            "snapshot_date": report.year.snapshot,
            "figures_as_at": report.figures_as_at,
            "small_number_threshold": SMALL_NUMBER_THRESHOLD,
            "tables": [
                {
                    "key": table.key,
                    "title": table.title,
                    "description": table.description,
                    "columns": list(table.columns),
                    "rows": [
                        {
                            "level": row.level.value,
                            "name": row.name,
                            "service": row.service,
                            "cells": [cell(shown) for shown in row.cells],
                        }
                        for row in table.rows
                    ],
                }
                for table in retention_tables(report, withheld=withheld)
            ],
            "trends": [
                {
                    "level": trend.unit.level.value,
                    "id": trend.unit.key,
                    "name": trend.unit.name,
                    "columns": list(trend.columns),
                    "months": [
                        {"month": first, "cells": [cell(shown) for shown in cells]}
                        for first, cells in trend.months
                    ],
                }
                for trend in trend_tables(report, withheld)
            ],
        }
    )
