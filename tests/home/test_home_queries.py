"""Set-based: each role's home page sends the same number of SQL statements for 5 people as for 40."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import url_for

from supervision.extensions import db
from supervision.org.models import Role, Staff
from tests.factories import make_agreement, make_service, make_session, make_staff, make_team
from tests.reports.conftest import held
from tests.reports.test_query_counts import add_people, statements_for


@pytest.fixture
def scene(app, clock):
    head = make_staff(Role.SERVICE_MANAGER, given_name="Hana", family_name="Head")
    service = make_service("Assessment", manager=head)
    supervisor = make_staff(Role.SUPERVISOR, given_name="Sam", family_name="Supervisor", line_manager=head)
    teams = [make_team(f"Team {letter}", service=service, manager=supervisor) for letter in "ABC"]
    return head, supervisor, teams


def add_people_with_sessions_this_week(count: int, teams, supervisor, head) -> None:
    """People with every kind of history (tests/reports), each with a session booked this week
    and a record waiting for Sam's sign-off."""
    before = set(db.session.scalars(sa.select(Staff.id)))
    add_people(count, teams, supervisor, head)
    for number, person in enumerate(db.session.scalars(sa.select(Staff).where(Staff.id.not_in(before)))):
        make_session(supervisor, person, starts_at=datetime(2026, 11, 24 + number % 4, 10, tzinfo=UTC))
        held(supervisor, person, date(2026, 11, 9))


@pytest.mark.parametrize("who", ["head", "supervisor", "supervisee", "hr", "admin"])
def test_each_roles_home_page_costs_the_same_for_5_and_40_people(pages, client, scene, who):
    head, supervisor, teams = scene
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
    pages.sign_in(people[who])
    path = url_for("home.index")

    with_five = statements_for(client, path)
    add_people_with_sessions_this_week(35, teams, supervisor, head)
    with_forty = statements_for(client, path)

    assert with_forty == with_five
    assert with_five < 60
