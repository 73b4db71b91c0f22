"""`flask --app wsgi demo` and `create-admin`, through Flask's CLI runner against the real database."""

import pytest
import sqlalchemy as sa

from config import ProductionConfig
from supervision import create_app
from supervision.auth.passwords import verify_password
from supervision.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from supervision.extensions import db
from supervision.org.models import Organisation, Role, Staff
from tests.factories import make_organisation, make_staff

ADMIN_PASSWORD = "a long and private passphrase"


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def staff_with_email(email: str) -> Staff | None:
    return db.session.scalar(sa.select(Staff).where(Staff.email == email))


# demo -----------------------------------------------------------------------------------------


def test_demo_seeds_the_organisation_and_prints_the_sign_ins(cli):
    result = cli.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Seeded Demoshire County Council: 2 services, 4 teams, 40 staff in post" in result.output
    assert f"password {DEMO_PASSWORD}" in result.output
    for account in DEMO_ACCOUNTS:
        assert account.email in result.output
        assert staff_with_email(account.email).roles == {account.role}
    assert count(Organisation) == 1


def test_demo_twice_is_refused_without_writing(cli):
    assert cli.invoke(args=["demo"]).exit_code == 0
    staff_before = count(Staff)

    result = cli.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "already has an organisation" in result.output
    assert "--if-empty" in result.output
    assert count(Staff) == staff_before
    assert count(Organisation) == 1


def test_demo_if_empty_on_a_used_database_does_nothing_and_succeeds(cli):
    make_staff(Role.ADMIN, email="admin@northshire.example")

    result = cli.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Nothing to do" in result.output
    assert count(Staff) == 1
    assert staff_with_email(DEMO_ACCOUNTS[0].email) is None


def test_demo_if_empty_on_an_empty_database_seeds(cli):
    result = cli.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Seeded Demoshire County Council" in result.output
    assert count(Staff) == 45


@pytest.mark.parametrize("args", [["demo"], ["demo", "--if-empty"]])
def test_demo_is_refused_under_production_settings_and_nothing_is_written(monkeypatch, database_url, args):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-of-at-least-32-characters")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", database_url)
    production = create_app(ProductionConfig)
    assert production.config["DEMO_ALLOWED"] is False

    with production.app_context():
        result = production.test_cli_runner().invoke(args=args)
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 1
    assert "refused with production settings" in result.output
    assert count(Organisation) == 0
    assert count(Staff) == 0


# create-admin ---------------------------------------------------------------------------------


def answers(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


def test_create_admin_asks_for_everything_and_creates_the_organisation(cli, client):
    result = cli.invoke(
        args=["create-admin"],
        input=answers("Admin@Northshire.example", ADMIN_PASSWORD, ADMIN_PASSWORD, "Northshire Council"),
    )
    assert result.exit_code == 0, result.output
    assert ADMIN_PASSWORD not in result.output  # hidden as it is typed
    assert "Created administrator admin@northshire.example for Northshire Council" in result.output

    admin = staff_with_email("admin@northshire.example")
    assert admin.roles == {Role.ADMIN}
    assert admin.organisation.name == "Northshire Council"
    assert admin.password_hash.startswith("$argon2id$")
    assert verify_password(admin.password_hash, ADMIN_PASSWORD)

    response = client.post("/sign-in", data={"email": "admin@northshire.example", "password": ADMIN_PASSWORD})
    assert response.status_code == 302
    assert client.get("/staff").status_code == 200


def test_create_admin_with_email_joins_the_existing_organisation_and_asks_only_for_the_password(cli):
    organisation = make_organisation("Southshire Council")
    result = cli.invoke(
        args=["create-admin", "--email", "it@southshire.example"],
        input=answers(ADMIN_PASSWORD, ADMIN_PASSWORD),
    )
    assert result.exit_code == 0, result.output
    assert "Email address" not in result.output
    assert "Organisation name" not in result.output
    assert staff_with_email("it@southshire.example").organisation_id == organisation.id
    assert count(Organisation) == 1


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "Enter an email address in the correct format"),
        ("someone@", "Enter an email address in the correct format"),
        ("a" * 250 + "@northshire.example", "The email address must be 254 characters or fewer"),
    ],
)
def test_create_admin_refuses_a_badly_formed_email_before_asking_for_a_password(cli, email, message):
    result = cli.invoke(
        args=["create-admin", "--email", email], input=answers(ADMIN_PASSWORD, ADMIN_PASSWORD)
    )
    assert result.exit_code == 1
    assert message in result.output
    assert "Password" not in result.output
    assert count(Staff) == 0


def test_create_admin_refuses_an_email_already_in_use_whatever_its_case(cli):
    make_staff(Role.SOCIAL_WORKER, email="taken@northshire.example")
    result = cli.invoke(args=["create-admin", "--email", "Taken@Northshire.EXAMPLE"])
    assert result.exit_code == 1
    assert "There is already a member of staff with the email address" in result.output
    assert count(Staff) == 1


def test_create_admin_refuses_a_short_password_and_writes_nothing(cli):
    result = cli.invoke(
        args=["create-admin", "--email", "admin@northshire.example"],
        input=answers("too short", "too short", "Northshire Council"),
    )
    assert result.exit_code == 1
    assert "Password must be 12 characters or more" in result.output
    assert count(Staff) == 0
    assert count(Organisation) == 0


def test_create_admin_does_not_accept_a_password_that_is_not_confirmed(cli):
    result = cli.invoke(
        args=["create-admin", "--email", "admin@northshire.example"],
        input=answers(ADMIN_PASSWORD, ADMIN_PASSWORD + " typo"),
    )
    assert result.exit_code == 1
    assert "do not match" in result.output
    assert count(Staff) == 0


def test_create_admin_refuses_an_organisation_that_does_not_exist_when_there_is_one(cli):
    make_organisation("Southshire Council")
    result = cli.invoke(
        args=["create-admin", "--email", "admin@northshire.example", "--organisation", "Southshire Counsil"],
        input=answers(ADMIN_PASSWORD, ADMIN_PASSWORD),
    )
    assert result.exit_code == 1
    assert "There is no organisation called Southshire Counsil. Choose one of: Southshire Council" in (
        result.output
    )
    assert count(Organisation) == 1
    assert count(Staff) == 0


def test_create_admin_names_every_problem_at_once(cli):
    result = cli.invoke(
        args=["create-admin", "--email", "admin@northshire.example", "--given-name", " "],
        input=answers("short", "short", "Northshire Council"),
    )
    assert result.exit_code == 1
    assert "Enter a given name" in result.output
    assert "Password must be 12 characters or more" in result.output
    assert count(Organisation) == 0


def test_the_development_server_command_is_registered(cli):
    result = cli.invoke(args=["serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output
