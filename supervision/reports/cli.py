"""`flask --app wsgi export-report ...`: a report as CSV or XLSX from the command line.

The command acts as a named person (`--as EMAIL`), never as an organisation-wide "system" view:
the same roles and the same oversight line apply as on the pages, so running it on the server
exports nothing the person could not download from the page. The files are the pages' own
exports (supervision.reports.exports, supervision.hr.exports). Everything is checked and the
whole file made before anything is written; a refusal exits with status 1 and writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from supervision.clock import clock
from supervision.extensions import db
from supervision.hr import exports as hr_exports
from supervision.hr import services as hr_services
from supervision.hr.tables import period_text as census_period_text
from supervision.limits import ascii_whole_number
from supervision.org.models import Role, Service, Staff, Team
from supervision.reports import cases, changes, exports, services
from supervision.reports.choices import ChoiceRefused, oversight_period, retention_snapshot
from supervision.reports.dashboard import Sorting, sorted_rows
from supervision.reports.services import Level
from supervision.reports.tables import period_text

log = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx")
OPTION_NAMES = {
    "period_start": "--period-start",
    "period_end": "--period-end",
    "snapshot_date": "--snapshot-date",
}


def register(app: Flask) -> None:
    app.cli.add_command(export_report)


@click.group("export-report")
def export_report() -> None:
    """Export a report as CSV or XLSX, as a named person with the same permissions as the pages."""


def common_options(command: Callable) -> Callable:
    """--as, --format and --output, the same on every report."""
    for option in reversed(
        (
            click.option(
                "--as",
                "email",
                required=True,
                help="The email address of the person exporting: their roles and oversight apply.",
            ),
            click.option(
                "--format", "file_format", type=click.Choice(FORMATS), default="csv", show_default=True
            ),
            click.option(
                "--output",
                type=click.Path(dir_okay=False, writable=True, path_type=Path),
                help="The file to write; CSV goes to standard output when left out.",
            ),
        )
    ):
        command = option(command)
    return command


def iso_date(_context, _parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date: write it as YYYY-MM-DD, like 2026-09-30"
        ) from None


# --- who is asking -------------------------------------------------------------------------------


def exporter(email: str, *roles: Role, report: str) -> Staff:
    """The person named by --as, in post and holding a role the report is for."""
    person = db.session.scalar(sa.select(Staff).where(sa.func.lower(Staff.email) == email.strip().lower()))
    if person is None:
        raise click.ClickException(f"There is no member of staff with the email address {email}.")
    if not person.active:
        raise click.ClickException(f"{person.name} has been deactivated, so cannot export reports.")
    if not person.has_role(*roles):
        needed = " or ".join(role.label if role.label.isupper() else role.label.lower() for role in roles)
        raise click.ClickException(
            f"The {report} is only for {needed}: {person.name} does not have that role."
        )
    return person


def chosen(choice: Callable, *args):
    """A period or snapshot date checked with the pages' rules; a refusal names the option."""
    try:
        return choice(*args)
    except ChoiceRefused as refusal:
        raise click.ClickException(
            "\n".join(f"{OPTION_NAMES[name]}: {message}" for name, message in refusal.errors.items())
        ) from None


def unit_named(person: Staff, model: type[Service] | type[Team], text: str, kind: str) -> int:
    """The id of the service or team in the person's organisation given by its id or its name."""
    query = sa.select(model.id)
    if model is Team:
        query = query.join(Service, Team.service_id == Service.id)
    query = query.where(Service.organisation_id == person.organisation_id)
    if (unit_id := ascii_whole_number(text)) is not None:
        matches = list(db.session.scalars(query.where(model.id == unit_id)))
    else:
        matches = list(db.session.scalars(query.where(sa.func.lower(model.name) == text.strip().lower())))
    if not matches:
        raise click.ClickException(f"There is no {kind} called {text} in {person.organisation.name}.")
    if len(matches) > 1:
        ids = ", ".join(str(match) for match in matches)
        raise click.ClickException(f"More than one {kind} is called {text}: give its id instead ({ids}).")
    return matches[0]


# --- writing -------------------------------------------------------------------------------------


def check_destination(file_format: str, output: Path | None) -> None:
    if file_format == "xlsx" and output is None:
        raise click.ClickException("An XLSX file cannot go to the terminal: give --output FILE.")


def deliver(content: bytes, output: Path | None, description: str) -> None:
    if output is None:
        click.echo(content, nl=False)  # bytes go to the binary stream as they are
        return
    try:
        output.write_bytes(content)
    except OSError as error:
        raise click.ClickException(f"Could not write {output}: {error.strerror}.") from None
    click.echo(f"Wrote {description} to {output}.", err=True)


def report_file(about, sections, file_format: str) -> bytes:
    if file_format == "csv":
        return "".join(exports.csv_lines(about, sections)).encode("utf-8")
    return exports.xlsx_bytes(about, sections)


def now() -> datetime:
    return clock().now()


# --- the reports ---------------------------------------------------------------------------------


@export_report.command("oversight")
@common_options
@click.option("--service", help="A service's name or id; the whole organisation when neither is given.")
@click.option("--team", help="A team's name or id.")
@click.option(
    "--period-start", callback=iso_date, help="First day of a month in the last 24 months, YYYY-MM-DD."
)
@click.option(
    "--period-end", callback=iso_date, help="Last day of a month in the last 12 months, or today, YYYY-MM-DD."
)
@with_appcontext
def oversight_command(
    email: str,
    file_format: str,
    output: Path | None,
    service: str | None,
    team: str | None,
    period_start: date | None,
    period_end: date | None,
) -> None:
    """The oversight report for the organisation, a service or a team (default period: this month
    and the two before it, as on the page)."""
    check_destination(file_format, output)
    if service is not None and team is not None:
        raise click.ClickException("Give --service or --team, not both.")
    person = exporter(email, Role.SERVICE_MANAGER, report="oversight report")
    level, unit_id = Level.ORGANISATION, None
    if service is not None:
        level, unit_id = Level.SERVICE, unit_named(person, Service, service, "service")
    elif team is not None:
        level, unit_id = Level.TEAM, unit_named(person, Team, team, "team")
    today = clock().today()
    period = chosen(oversight_period, period_start, period_end, today)
    report = services.oversight_report(person, level, unit_id, period, today)
    if report is None:
        raise click.ClickException(
            f"{person.name} does not oversee the {level.label.lower()} {service or team}, "
            "so cannot export its report."
        )
    marks = changes.marks_for(report)
    content = report_file(*cases.report_file(person, report, marks, now()), file_format)
    log.info("report exported", extra={"staff_id": person.id, "report": f"oversight-{level.value}"})
    deliver(content, output, f"the oversight report for {report.unit.name}, {period_text(period)}")


@export_report.command("team-dashboard")
@common_options
@with_appcontext
def team_dashboard_command(email: str, file_format: str, output: Path | None) -> None:
    """The person's team dashboard, everyone on it, most worrying first (as the page's export)."""
    check_destination(file_format, output)
    person = exporter(email, Role.SUPERVISOR, Role.SERVICE_MANAGER, report="team dashboard")
    today = clock().today()
    dashboard = services.team_dashboard(person, today)
    rows = sorted_rows(dashboard.rows, Sorting())
    about = exports.dashboard_about(person.name, today, now(), "None: everyone")
    content = report_file(about, exports.dashboard_sections(dashboard, rows), file_format)
    log.info("report exported", extra={"staff_id": person.id, "report": "team-dashboard"})
    deliver(content, output, f"the team dashboard of {person.name}")


@export_report.command("retention")
@common_options
@click.option(
    "--snapshot-date",
    callback=iso_date,
    help="Figures for the 12 months up to this day, YYYY-MM-DD; the latest 30 September by default.",
)
@with_appcontext
def retention_command(email: str, file_format: str, output: Path | None, snapshot_date: date | None) -> None:
    """HR retention figures for the organisation, with the same small numbers withheld as the page."""
    check_destination(file_format, output)
    person = exporter(email, Role.HR, report="retention summary")
    snapshot = chosen(retention_snapshot, snapshot_date, clock().today())
    report = hr_services.retention_report(person.organisation_id, snapshot)
    write = hr_exports.retention_csv if file_format == "csv" else hr_exports.retention_xlsx
    content = write(report, person.organisation.name, now())
    log.info("report exported", extra={"staff_id": person.id, "report": "retention"})
    deliver(content, output, f"the retention summary, {census_period_text(report)}")
