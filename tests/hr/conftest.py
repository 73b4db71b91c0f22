"""HR test helpers: signed-in people, the hand-worked workforce in the database, counting queries."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.org.models import Role, Staff
from tests.factories import make_service, make_staff, make_team
from tests.hr.workforce import PEOPLE, TEAMS, staff_fields


@pytest.fixture
def hr(pages):
    person = make_staff(Role.HR, given_name="Harriet", family_name="Hr", email="hr@example.test")
    pages.sign_in(person)
    return person


def seed_workforce() -> dict[str, Staff]:
    """The workforce of tests/hr/workforce.py, in the database; returns each person by key."""
    services = {name: make_service(name) for name in {service for service, _, _ in TEAMS.values()}}
    teams = {
        key: make_team(name, service=services[service], establishment_fte=establishment)
        for key, (service, name, establishment) in TEAMS.items()
    }
    return {
        key: make_staff(
            Role.SOCIAL_WORKER,
            team=teams[spec[0]] if spec[0] else None,
            employee_number=key,
            family_name=key,
            password=None,
            **staff_fields(key),
        )
        for key, spec in PEOPLE.items()
    }


@contextmanager
def counting_statements():
    """Every SQL statement sent while the block runs (indico's count_queries)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def table_figures(soup, table_id: str) -> dict[str, dict[str, str]]:
    """A retention table on the page as {row heading: {column heading: text}}."""
    heading = soup.find(id=table_id)
    table = heading.find_next("table")
    columns = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    figures = {}
    for row in table.select("tbody tr"):
        header = row.find("th")
        hidden = header.find(class_="govuk-visually-hidden")
        if hidden:
            hidden.extract()
        figures[header.get_text(strip=True)] = dict(
            zip(columns, (td.get_text(strip=True) for td in row.find_all("td")), strict=True)
        )
    return figures
