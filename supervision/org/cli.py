"""What the command-line tools share: which organisation a command is for, counting words, and
how an import's refusal is reported."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
import sqlalchemy as sa

from supervision.csv_import import FileRefused, ImportInterrupted, ImportRefused
from supervision.extensions import db
from supervision.org.models import Organisation


def organisation_for(name: str | None) -> Organisation:
    organisations = list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))
    if name is not None:
        for organisation in organisations:
            if organisation.name.lower() == name.strip().lower():
                return organisation
        raise click.ClickException(f"There is no organisation called {name}.")
    if len(organisations) == 1:
        return organisations[0]
    if not organisations:
        raise click.ClickException("There is no organisation yet: run `flask --app wsgi create-admin` first.")
    raise click.ClickException(
        "Name the organisation with --organisation: " + ", ".join(o.name for o in organisations)
    )


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


@contextmanager
def import_refusals_as_errors() -> Iterator[None]:
    """An import's refusal as the command's error (exit status 1): a file that cannot be read with
    the reason, every problem by row and column, and that nothing was imported."""
    try:
        yield
    except FileRefused as refusal:
        raise click.ClickException("\n".join(refusal.messages) + "\nNothing was imported.") from None
    except ImportRefused as refusal:
        for error in refusal.plan.errors:
            click.echo(f"Row {error.row}, column {error.column}: {error.message}", err=True)
        rows = len({error.row for error in refusal.plan.errors})
        raise click.ClickException(
            f"The file has {plural(len(refusal.plan.errors), 'problem', 'problems')} in "
            f"{plural(rows, 'row', 'rows')}. Nothing was imported."
        ) from None
    except ImportInterrupted as interrupted:
        raise click.ClickException(str(interrupted)) from None
