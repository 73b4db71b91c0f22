"""Set-based: each role's home page sends the same number of SQL statements for 5 people as for 40."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import url_for

from supervision.clock import FixedClock, SystemClock
from supervision.extensions import db
from supervision.hr import tables
from supervision.org.models import Role, Staff
from tests.conftest import FIXED_NOW, empty_database
from tests.factories import make_agreement, make_service, make_session, make_staff, make_team
from tests.reports.conftest import held
from tests.reports.test_query_counts import add_people, reads, signed_in, statements_for, statements_of


def add_people_with_sessions_this_week(count: int, teams, supervisor, head) -> None:
    """People with every kind of history (tests/reports), each with a session booked this week
    and a record waiting for Sam's sign-off."""
    before = set(db.session.scalars(sa.select(Staff.id)))
    add_people(count, teams, supervisor, head)
    for number, person in enumerate(db.session.scalars(sa.select(Staff).where(Staff.id.not_in(before)))):
        make_session(supervisor, person, starts_at=datetime(2026, 11, 24 + number % 4, 10, tzinfo=UTC))
        held(supervisor, person, date(2026, 11, 9))


ROLES = ["head", "supervisor", "supervisee", "hr", "admin"]


@pytest.fixture(scope="module")
def shared_counts(app):
    """One scene, each role's home page counted with 5 people and again once 35 more are added
    (each test compares one role's counts)."""
    app.extensions["clock"] = FixedClock(FIXED_NOW)
    with app.test_request_context():
        head = make_staff(Role.SERVICE_MANAGER, given_name="Hana", family_name="Head")
        service = make_service("Assessment", manager=head)
        supervisor = make_staff(
            Role.SUPERVISOR, given_name="Sam", family_name="Supervisor", line_manager=head
        )
        teams = [make_team(f"Team {letter}", service=service, manager=supervisor) for letter in "ABC"]
        supervisee = make_staff(Role.SOCIAL_WORKER, given_name="Sid", family_name="Supervisee", team=teams[0])
        make_agreement(supervisee, supervisor, agreed_on=date(2026, 3, 2))
        held(supervisor, supervisee, date(2026, 10, 12), signed_on=date(2026, 10, 13))
        make_session(supervisor, supervisee, starts_at=datetime(2026, 11, 25, 10, tzinfo=UTC))
        people = {
            "head": head,
            "supervisor": supervisor,
            "supervisee": supervisee,
            "hr": make_staff(Role.HR, given_name="Harriet", family_name="Hr"),
            "admin": make_staff(Role.ADMIN, given_name="Ade", family_name="Admin"),
        }
        add_people_with_sessions_this_week(5, teams, supervisor, head)
        clients = {who: signed_in(app, person) for who, person in people.items()}
        path = url_for("home.index")
        # Each count as the first request for its figures: HR's withholding not yet kept by this
        # process, so it looks for the stored-figures job's decision (one statement).
        tables._decided.clear()
        with_five = {who: statements_for(client, path) for who, client in clients.items()}
        add_people_with_sessions_this_week(35, teams, supervisor, head)
        tables._decided.clear()
        with_forty = {who: statements_for(client, path) for who, client in clients.items()}
    yield with_five, with_forty
    app.extensions["clock"] = SystemClock()
    empty_database()


@pytest.mark.parametrize("who", ROLES)
def test_each_roles_home_page_costs_the_same_for_5_and_40_people(shared_counts, who):
    with_five, with_forty = shared_counts
    assert with_forty[who] == with_five[who]
    assert with_five[who] < 55


def test_a_team_managers_home_page_reads_the_policy_the_scope_and_the_case_limits_once(app, clock):
    """The person's own status, their dashboard's counts, the ASYE reviews and both case counts
    share what the page has read."""
    with app.test_request_context():
        head = make_staff(Role.SERVICE_MANAGER, given_name="Hana", family_name="Head")
        service = make_service("Family support", manager=head)
        supervisor = make_staff(
            Role.SUPERVISOR, given_name="Sam", family_name="Supervisor", line_manager=head
        )
        make_agreement(supervisor, head, agreed_on=date(2026, 3, 2))
        teams = [make_team(f"Team {letter}", service=service, manager=supervisor) for letter in "AB"]
        add_people_with_sessions_this_week(3, teams, supervisor, head)

        statements = statements_of(signed_in(app, supervisor), url_for("home.index"))

    assert reads(statements) == {"policy": 1, "scope": 1, "case limits": 1}
