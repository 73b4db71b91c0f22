"""Set-based: a report page sends the same number of SQL statements for 5 people as for 40."""

from datetime import date

import pytest
from flask import url_for

from supervision.agreements.models import AbsenceKind
from supervision.clock import FixedClock, SystemClock
from supervision.extensions import db
from supervision.org.models import Role
from supervision.reports.models import Grade
from tests.conftest import FIXED_NOW, Pages, empty_database
from tests.factories import (
    make_absence,
    make_action,
    make_agreement,
    make_overdue_explanation,
    make_quality_audit,
    make_service,
    make_staff,
    make_team,
)
from tests.replay import replayed
from tests.reports.conftest import cancelled, held
from tests.reports.helpers import StatementCounter


def add_people(count: int, teams, supervisor, head) -> None:
    """People with every kind of history the report reads: sessions, records, cancellations,
    absences, actions, explained gaps and audits."""
    for number in range(count):
        team = teams[number % len(teams)]
        person = make_staff(given_name="Person", family_name=f"{team.name} {number:03d}", team=team)
        make_agreement(person, supervisor, agreed_on=date(2026, 3, 2))
        first = held(supervisor, person, date(2026, 5, 4), signed_on=date(2026, 5, 5))
        held(supervisor, person, date(2026, 9, 7), signed_on=date(2026, 9, 20), disagrees=True)
        cancelled(supervisor, person, date(2026, 10, 5))
        make_absence(person, date(2026, 7, 1), date(2026, 7, 14), AbsenceKind.ANNUAL_LEAVE)
        make_action(first, due_on=date(2026, 6, 1))
        make_overdue_explanation(person, supervisor, date(2026, 10, 5))
        make_quality_audit(first, head, Grade.GOOD)


def make_scene():
    head = make_staff(Role.SERVICE_MANAGER, given_name="Hana", family_name="Head")
    service = make_service("Assessment", manager=head)
    supervisor = make_staff(Role.SUPERVISOR, given_name="Sam", family_name="Supervisor", line_manager=head)
    teams = [make_team(f"Team {letter}", service=service, manager=supervisor) for letter in "ABC"]
    return head, service, supervisor, teams


@pytest.fixture
@replayed
def scene(app, clock):
    return make_scene()


def statements_for(client, path: str) -> int:
    return len(statements_of(client, path))


def statements_of(client, path: str) -> list[str]:
    db.session.expire_all()
    with StatementCounter() as counter:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return counter.statements


# What a page must read once a request however many parts of it use it (docs/performance.md,
# "Page floor"): the organisation's policy, the viewer's recursive line-management scope, the
# case oversight limits.
READ_ONCE = {
    "policy": "FROM supervision_policy",
    "scope": "WITH RECURSIVE line_below",
    "case limits": "FROM case_oversight_limit",
}


def reads(statements: list[str]) -> dict[str, int]:
    """How many of the statements read each thing of READ_ONCE."""
    flat = [" ".join(statement.split()) for statement in statements]
    return {thing: sum(marker in statement for statement in flat) for thing, marker in READ_ONCE.items()}


def signed_in(app, person):
    client = app.test_client()
    Pages(client).sign_in(person)
    return client


class TestFiveAndFortyPeople:
    """One scene, its pages counted with 5 people and again once 35 more are added: each test
    compares the counts of its pages."""

    @pytest.fixture(scope="class")
    def shared_counts(self, app):
        app.extensions["clock"] = FixedClock(FIXED_NOW)
        with app.test_request_context():
            head, service, supervisor, teams = make_scene()
            add_people(5, teams, supervisor, head)
            clients = {"head": signed_in(app, head), "supervisor": signed_in(app, supervisor)}
            paths = {
                "dashboard": url_for("reports.team_dashboard"),
                "oversight": [
                    url_for("reports.oversight"),
                    url_for("reports.oversight_service", service_id=service.id),
                    url_for("reports.oversight_team", team_id=teams[0].id),
                    url_for("reports.export_oversight_service", service_id=service.id, file_format="csv"),
                    url_for("reports.export_oversight_team", team_id=teams[0].id, file_format="xlsx"),
                    url_for("reports.evidence_pack_service", service_id=service.id),
                ],
            }

            def count() -> dict:
                return {
                    **{who: statements_for(client, paths["dashboard"]) for who, client in clients.items()},
                    "oversight": [statements_for(clients["head"], path) for path in paths["oversight"]],
                }

            with_five = count()
            add_people(35, teams, supervisor, head)
            with_forty = count()
        yield with_five, with_forty
        app.extensions["clock"] = SystemClock()
        empty_database()

    @pytest.mark.parametrize("who", ["head", "supervisor"])
    def test_the_team_dashboard_costs_the_same_for_5_and_40_people(self, shared_counts, who):
        with_five, with_forty = shared_counts
        assert with_forty[who] == with_five[who]
        assert with_five[who] < 30

    def test_every_oversight_page_and_export_costs_the_same_for_5_and_40_people(self, shared_counts):
        with_five, with_forty = shared_counts
        assert with_forty["oversight"] == with_five["oversight"]
        assert max(with_five["oversight"]) < 40


@pytest.mark.parametrize("who", ["head", "supervisor"])
def test_the_team_dashboard_reads_the_policy_the_scope_and_the_case_limits_once(pages, client, scene, who):
    """The rows, the ASYE reviews and the cases overdue oversight share what the page has read."""
    head, _, supervisor, teams = scene
    add_people(3, teams, supervisor, head)
    pages.sign_in({"head": head, "supervisor": supervisor}[who])

    statements = statements_of(client, url_for("reports.team_dashboard"))

    assert reads(statements) == {"policy": 1, "scope": 1, "case limits": 1}
    assert len(statements) <= 21


def test_more_services_and_teams_cost_no_more_statements(pages, client, scene):
    head, _, supervisor, teams = scene
    add_people(3, teams, supervisor, head)
    pages.sign_in(head)
    path = url_for("reports.oversight")

    before = statements_for(client, path)
    for number in range(4):
        service = make_service(f"Extra service {number}", manager=head)
        extra = [make_team(f"Extra {number}{letter}", service=service) for letter in "XY"]
        add_people(2, extra, supervisor, head)
    after = statements_for(client, path)

    assert after == before
