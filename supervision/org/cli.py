"""What the command-line tools share: which organisation a command is for, and counting words."""

from __future__ import annotations

import click
import sqlalchemy as sa

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
