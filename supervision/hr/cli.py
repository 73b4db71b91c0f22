"""`flask --app wsgi import-staff FILE [--dry-run]`: the staff import from the command line.

The same checks and the same all-or-nothing apply as the upload page, with progress printed as
it goes; a refused file lists every problem by row and column and exits with status 1.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from supervision.hr import import_services
from supervision.hr.import_rules import ImportPlan
from supervision.org.cli import import_refusals_as_errors, organisation_for, plural


def register(app: Flask) -> None:
    app.cli.add_command(import_staff_command)


def plan_summary(plan: ImportPlan) -> str:
    return (
        f"{plural(len(plan.creates), 'person', 'people')} to add, "
        f"{plural(len(plan.updates), 'person', 'people')} to update, "
        f"{plural(len(plan.leavers), 'leaver', 'leavers')} to record, "
        f"{plural(plan.unchanged, 'person', 'people')} already up to date"
    )


def print_progress(stage: str, done: int, total: int) -> None:
    click.echo(f"  {stage}: {done:,} of {total:,}")


@click.command("import-staff")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what it would change; write nothing.")
@click.option("--organisation", "organisation_name", help="The organisation, when there is more than one.")
@with_appcontext
def import_staff_command(file: Path, dry_run: bool, organisation_name: str | None) -> None:
    """Import staff from a CSV file (columns in docs/import.md): all of it, or none of it."""
    organisation = organisation_for(organisation_name)
    started = time.perf_counter()
    click.echo(f"Checking {file.name} for {organisation.name}…")
    with import_refusals_as_errors():
        plan = import_services.import_staff(
            organisation.id,
            file.read_bytes(),
            dry_run=dry_run,
            progress=print_progress,
            on_checked=lambda plan: click.echo(
                f"Checked {plural(plan.rows, 'row', 'rows')}: {plan_summary(plan)}."
            ),
        )
    seconds = time.perf_counter() - started
    if dry_run:
        click.echo(f"Dry run: nothing was written ({seconds:.1f} s).")
    elif not plan.changed:
        click.echo("Everyone in the file is already up to date: nothing was changed.")
    else:
        click.echo(f"Imported in {seconds:.1f} s.")
