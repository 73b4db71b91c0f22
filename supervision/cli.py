"""Flask commands: `flask --app wsgi <command>`.

Commands are thin: they ask, call one use case and print the outcome. A refusal prints a clear
message and exits with status 1, having written nothing.
"""

from __future__ import annotations

import logging

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from supervision import demo, limits, scheduler
from supervision.auth.passwords import hash_password, password_problem
from supervision.cases import cli as cases_cli
from supervision.clock import clock
from supervision.extensions import db
from supervision.hr import cli as hr_cli
from supervision.org.models import CareerStage, ContractType, Organisation, Role, Staff, StaffRole
from supervision.org.rules import EMAIL_PATTERN
from supervision.reports import cli as reports_cli
from supervision.serve import serve_command
from supervision.synth.command import synth_command

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    """The commands every deployment has (README.md, "Command line")."""
    for command in (create_admin_command, demo_command, serve_command):
        app.cli.add_command(command)
    scheduler.register_commands(app)  # `scheduler` and `run-job NAME` (issue 5)
    hr_cli.register(app)  # `import-staff FILE [--dry-run]` (issue 7)
    cases_cli.register(app)  # `import-cases FILE [--dry-run]` (docs/cases.md)
    reports_cli.register(app)  # `export-report oversight|team-dashboard|retention`
    app.cli.add_command(synth_command)  # `synth --staff N --years Y` (issue 9)


@click.command("demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Succeed without seeding when the database already has an organisation (used by `make run`).",
)
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Seed the demo organisation, Demoshire County Council, with one sign-in per role."""
    try:
        seeded = demo.seed_demo()
    except demo.DatabaseNotEmpty as refusal:
        if if_empty:
            click.echo(f"{refusal} Nothing to do.")
            return
        raise click.ClickException(
            f"{refusal} The demo only goes into an empty database; add --if-empty to skip it quietly."
        ) from None
    except demo.DemoRefused as refusal:
        raise click.ClickException(str(refusal)) from None

    in_post = sum(person.active for person in seeded.staff)
    click.echo(
        f"Seeded {seeded.organisation.name}: {len(seeded.services)} services, {len(seeded.teams)} teams, "
        f"{in_post} staff in post and {len(seeded.staff) - in_post} who left in the past year."
    )
    click.echo(f"Sign in at /sign-in with one of these accounts and the password {demo.DEMO_PASSWORD}:")
    width = max(len(account.email) for account in demo.DEMO_ACCOUNTS)
    for account in demo.DEMO_ACCOUNTS:
        click.echo(f"  {account.email:<{width}}  {account.role.label}")


@click.command("create-admin")
@click.option("--email", help="The administrator's email address; asked for when left out.")
@click.option(
    "--organisation",
    "organisation_name",
    help="The organisation's name: asked for when the database has none yet.",
)
@click.option("--given-name", default="Service", show_default=True)
@click.option("--family-name", default="Administrator", show_default=True)
@with_appcontext
def create_admin_command(
    email: str | None, organisation_name: str | None, given_name: str, family_name: str
) -> None:
    """Create an administrator who signs in with a password (asked for, hidden and confirmed)."""
    email = email if email is not None else click.prompt("Email address")
    # Refuse a bad email before asking for a password twice.
    if problems := email_problems(email):
        raise click.ClickException("\n".join(problems))
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if organisation_name is None and not demo.organisation_exists():
        organisation_name = click.prompt("Organisation name")
    try:
        admin = create_administrator(
            email,
            password,
            given_name=given_name,
            family_name=family_name,
            organisation_name=organisation_name,
        )
    except AdministratorRefused as refusal:
        raise click.ClickException("\n".join(refusal.problems)) from None
    click.echo(f"Created administrator {admin.email} for {admin.organisation.name}. Sign in at /sign-in.")


class AdministratorRefused(Exception):
    """The administrator was not created; `problems` says why, one message each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def email_problems(email: str) -> list[str]:
    email = email.strip()
    if not email:
        return ["Enter an email address"]
    if problem := limits.text_problem(email, "The email address", limits.EMAIL):
        return [problem]
    if not EMAIL_PATTERN.match(email):  # the shape the staff pages accept
        return ["Enter an email address in the correct format, like name@example.com"]
    taken = db.session.scalar(sa.select(Staff.id).where(sa.func.lower(Staff.email) == email.lower()))
    if taken is not None:
        return [f"There is already a member of staff with the email address {email}"]
    return []


def name_problems(given_name: str, family_name: str) -> list[str]:
    problems = []
    for label, name in (("given name", given_name), ("family name", family_name)):
        if not name.strip():
            problems.append(f"Enter a {label}")
        elif problem := limits.text_problem(name.strip(), f"The {label}", limits.NAME):
            problems.append(problem)
    return problems


def find_organisation(name: str | None) -> tuple[Organisation | None, list[str]]:
    """The organisation the administrator joins: the one named, or the only one there is.

    A name that matches no existing organisation creates one only in an empty database, so a
    typo never starts a second organisation.
    """
    organisations = list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))
    if name is None:
        if len(organisations) == 1:
            return organisations[0], []
        if not organisations:
            return None, ["Enter the organisation's name"]
        return None, [
            "Name the organisation with --organisation: " + ", ".join(o.name for o in organisations)
        ]
    name = name.strip()
    if not name:
        return None, ["Enter the organisation's name"]
    if problem := limits.text_problem(name, "The organisation's name", limits.SHORT_TEXT):
        return None, [problem]
    for organisation in organisations:
        if organisation.name.lower() == name.lower():
            return organisation, []
    if organisations:
        return None, [
            f"There is no organisation called {name}. Choose one of: "
            + ", ".join(o.name for o in organisations)
        ]
    return Organisation(name=name), []


def create_administrator(
    email: str, password: str, *, given_name: str, family_name: str, organisation_name: str | None
) -> Staff:
    """One transaction: the organisation if the database has none yet, and the administrator."""
    organisation, problems = find_organisation(organisation_name)
    problems = email_problems(email) + problems + name_problems(given_name, family_name)
    names = (given_name, family_name, f"{given_name} {family_name}")
    if password_issue := password_problem(password, email, names):
        problems.append(password_issue)
    if problems:
        raise AdministratorRefused(problems)

    now = clock().now()
    admin = Staff(
        organisation=organisation,
        email=email.strip().lower(),
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        job_title="Administrator",
        career_stage=CareerStage.OTHER,
        registered_social_worker=False,
        contract_type=ContractType.PERMANENT,
        start_date=clock().today(),
        password_hash=hash_password(password),
        created_at=now,
        updated_at=now,
        role_rows=[StaffRole(role=Role.ADMIN)],
    )
    db.session.add(admin)
    try:
        db.session.commit()
    except IntegrityError:
        # Someone else took the email (or created the organisation) between the checks and now.
        db.session.rollback()
        raise AdministratorRefused(
            email_problems(email) or ["Somebody else changed the organisation at the same time: try again"]
        ) from None
    log.info("administrator created", extra={"staff_id": admin.id})
    return admin
