"""`flask --app wsgi import-cases FILE [--dry-run]`: the caseload import from the command line.

The same checks and the same all-or-nothing as the import page (docs/cases.md); a refused file
lists every problem by row and column and exits with status 1.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from supervision.cases import import_services
from supervision.cases.import_rules import CasePlan
from supervision.org.cli import import_refusals_as_errors, organisation_for, plural


def register(app: Flask) -> None:
    app.cli.add_command(import_cases_command)


def plan_summary(plan: CasePlan) -> str:
    counts = plan.counts()
    return (
        f"{plural(counts['cases_added'], 'case', 'cases')} to add, "
        f"{plural(counts['cases_changed'], 'case', 'cases')} to change "
        f"({counts['cases_reallocated']:,} moving worker, {counts['cases_closed']:,} closing), "
        f"{plural(counts['cases_unchanged'], 'case', 'cases')} already up to date"
    )


@click.command("import-cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what it would change; write nothing.")
@click.option("--organisation", "organisation_name", help="The organisation, when there is more than one.")
@with_appcontext
def import_cases_command(file: Path, dry_run: bool, organisation_name: str | None) -> None:
    """Import caseloads from a CSV file (columns in docs/cases.md): all of it, or none of it."""
    organisation = organisation_for(organisation_name)
    started = time.perf_counter()
    click.echo(f"Checking {file.name} for {organisation.name}…")
    with import_refusals_as_errors():
        plan = import_services.import_cases(organisation.id, file.read_bytes(), dry_run=dry_run)
    click.echo(f"Checked {plural(plan.rows, 'row', 'rows')}: {plan_summary(plan)}.")
    seconds = time.perf_counter() - started
    if dry_run:
        click.echo(f"Dry run: nothing was written ({seconds:.1f} s).")
    elif not plan.changed:
        click.echo("Every case in the file is already up to date: nothing was changed.")
    else:
        click.echo(f"Imported in {seconds:.1f} s.")
