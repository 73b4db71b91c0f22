"""A small organisation for record tests: a line from head of service down to a worker,
a colleague, another team, HR and an administrator."""

from types import SimpleNamespace

import pytest

from supervision.org.models import Role
from tests.factories import make_agreement, make_service, make_staff, make_team
from tests.replay import replayed


@pytest.fixture
@replayed
def people(app):
    head = make_staff(Role.SERVICE_MANAGER, Role.SUPERVISOR, given_name="Hana", family_name="Head")
    service = make_service(manager=head)
    supervisor = make_staff(Role.SUPERVISOR, given_name="Sam", family_name="Supervisor", line_manager=head)
    team = make_team(service=service, manager=supervisor)
    worker = make_staff(
        Role.SOCIAL_WORKER, given_name="Wren", family_name="Worker", team=team, line_manager=supervisor
    )
    colleague = make_staff(
        Role.SOCIAL_WORKER, given_name="Cal", family_name="Colleague", team=team, line_manager=supervisor
    )
    other_supervisor = make_staff(Role.SUPERVISOR, given_name="Olu", family_name="Other")
    other_team = make_team(manager=other_supervisor)
    stranger = make_staff(
        Role.SOCIAL_WORKER,
        given_name="Sol",
        family_name="Stranger",
        team=other_team,
        line_manager=other_supervisor,
    )
    hr = make_staff(Role.HR, given_name="Harriet", family_name="Hr")
    admin = make_staff(Role.ADMIN, given_name="Ade", family_name="Admin")
    make_agreement(worker, supervisor)
    make_agreement(colleague, supervisor)
    make_agreement(stranger, other_supervisor)
    return SimpleNamespace(
        **{name: value for name, value in locals().items() if name not in {"service", "app"}}
    )


@pytest.fixture
def act_as(app, client):
    """Be signed in as someone without the password check.

    Argon2 is slow on purpose and the permission matrix changes person hundreds of times;
    tests/auth prove signing in itself. The session carries what Flask-Login's strong
    session protection expects, so every request still goes through the real user loader.
    A request context stays open, as with `pages`, so tests can build URLs.
    """
    from flask_login.utils import _create_identifier

    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()

    def sign_in_as(staff):
        with client.session_transaction() as session:
            session.clear()
            session.update({"_user_id": str(staff.id), "_fresh": True, "_id": identifier})

    with app.test_request_context():
        yield sign_in_as
