"""Administrators set up services and teams; bad input is refused with a message and writes nothing."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from supervision.extensions import db
from supervision.org.models import Role, Service, Team
from tests.factories import make_service, make_staff, make_team
from tests.org.conftest import error_links, error_messages, other_organisation_service, row_counts

pytestmark = pytest.mark.usefixtures("admin")


def test_the_services_page_lists_services_with_their_teams_establishment_and_heads(pages):
    head = make_staff(Role.SERVICE_MANAGER, given_name="Hana", family_name="Head")
    manager = make_staff(Role.SUPERVISOR, given_name="Tomas", family_name="Teamlead")
    service = make_service("Early Help", manager=head)
    make_team("Family Support", service=service, manager=manager, establishment_fte="6.5")
    make_team("Targeted Youth", service=service, establishment_fte="3")
    make_service("Children in Care")

    soup = pages.get("org.services")
    headings = [h.get_text(strip=True) for h in soup.select("main h2")]
    assert headings == ["Children in Care", "Early Help"]
    early_help = soup.find(id=f"service-{service.id}").parent
    text = early_help.get_text(" ", strip=True)
    assert "Hana Head" in text
    assert "9.5 FTE in 2 teams" in text
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in early_help.select("tbody tr")
    ]
    assert rows == [
        ["Family Support", "Tomas Teamlead", "6.5", "Edit Family Support"],
        ["Targeted Youth", "Not chosen yet", "3", "Edit Targeted Youth"],
    ]


def test_an_admin_adds_a_service_with_a_head_of_service(pages, admin):
    head = make_staff(Role.SERVICE_MANAGER)
    response = pages.post("org.create_service", data={"name": "  Assessment  ", "manager_id": str(head.id)})
    assert response.headers["Location"] == "/services"
    service = db.session.scalar(sa.select(Service))
    assert (service.name, service.manager_id, service.organisation_id) == (
        "Assessment",
        head.id,
        admin.organisation_id,
    )


def test_the_head_of_service_is_chosen_from_active_staff(pages):
    make_staff(given_name="Still", family_name="Here")
    make_staff(given_name="Long", family_name="Gone", active=False)
    options = [option.get_text() for option in pages.get("org.create_service").select("#manager_id option")]
    assert any("Still Here" in option for option in options)
    assert not any("Long Gone" in option for option in options)


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Enter the service name"), ("   ", "Enter the service name"), ("x" * 201, None)],
)
def test_a_service_needs_a_name(pages, name, message):
    before = row_counts()
    soup = pages.post("org.create_service", data={"name": name, "manager_id": ""}, _expected_status=200)
    assert error_messages(soup) == [message or "Service name must be 200 characters or fewer"]
    assert error_links(soup)[error_messages(soup)[0]] == "#name"
    assert soup.title.get_text().startswith("Error: ")
    assert row_counts() == before


def test_a_service_name_is_unique_in_the_organisation_whatever_the_case(pages):
    make_service("Early Help")
    before = row_counts()
    soup = pages.post("org.create_service", data={"name": "early help"}, _expected_status=200)
    assert error_messages(soup) == ["There is already a service called early help"]
    assert row_counts() == before


def test_a_head_of_service_from_another_organisation_is_refused(pages):
    stranger = make_staff()
    stranger.organisation = other_organisation_service().organisation
    db.session.commit()
    before = row_counts()
    soup = pages.post(
        "org.create_service",
        data={"name": "Assessment", "manager_id": str(stranger.id)},
        _expected_status=200,
    )
    assert error_messages(soup) == ["Choose a member of staff from the list"]
    assert row_counts() == before


def test_a_non_numeric_head_of_service_is_refused_not_a_crash(pages):
    soup = pages.post(
        "org.create_service", data={"name": "Assessment", "manager_id": "abc"}, _expected_status=200
    )
    assert error_messages(soup) == ["Choose an option from the list"]


def test_an_admin_renames_a_service_and_changes_its_head(pages):
    service = make_service("Early Help")
    head = make_staff(Role.SERVICE_MANAGER)
    form = pages.get("org.edit_service", service_id=service.id)
    assert form.select_one("#name")["value"] == "Early Help"
    pages.post(
        "org.edit_service",
        service_id=service.id,
        data={"name": "Early Help and Prevention", "manager_id": str(head.id)},
    )
    db.session.refresh(service)
    assert (service.name, service.manager_id) == ("Early Help and Prevention", head.id)


def test_renaming_a_service_to_its_own_name_in_another_case_is_allowed(pages):
    service = make_service("Early help")
    pages.post("org.edit_service", service_id=service.id, data={"name": "Early Help"})
    db.session.refresh(service)
    assert service.name == "Early Help"


def test_renaming_a_service_to_another_services_name_is_refused(pages):
    make_service("Assessment")
    service = make_service("Early Help")
    soup = pages.post(
        "org.edit_service", service_id=service.id, data={"name": "ASSESSMENT"}, _expected_status=200
    )
    assert error_messages(soup) == ["There is already a service called ASSESSMENT"]
    db.session.refresh(service)
    assert service.name == "Early Help"


def test_an_admin_adds_a_team_to_a_service(pages):
    service = make_service("Early Help")
    manager = make_staff(Role.SUPERVISOR)
    form = pages.get("org.create_team", service_id=service.id)
    assert form.select_one("#service_id option[selected]")["value"] == str(service.id)
    pages.post(
        "org.create_team",
        service_id=service.id,
        data={
            "name": "Family Support",
            "service_id": str(service.id),
            "establishment_fte": "6.25",
            "manager_id": str(manager.id),
        },
    )
    team = db.session.scalar(sa.select(Team))
    assert (team.name, team.service_id, team.establishment_fte, team.manager_id) == (
        "Family Support",
        service.id,
        Decimal("6.25"),
        manager.id,
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter the team name"),
        (
            {"establishment_fte": ""},
            "establishment_fte",
            "Enter the establishment in FTE, or 0 if there are no funded posts yet",
        ),
        ({"establishment_fte": "abc"}, "establishment_fte", "Establishment must be a number, like 6.5"),
        ({"establishment_fte": "-1"}, "establishment_fte", "Establishment must be 0 or more"),
        (
            {"establishment_fte": "2.125"},
            "establishment_fte",
            "Establishment must have no more than 2 decimal places, like 6.5",
        ),
        ({"service_id": ""}, "service_id", "Choose a service"),
        ({"manager_id": "999999"}, "manager_id", "Choose a member of staff from the list"),
    ],
)
def test_team_details_are_checked_and_nothing_is_written(pages, fields, field, message):
    service = make_service()
    data = {
        "name": "Family Support",
        "service_id": str(service.id),
        "establishment_fte": "5",
        "manager_id": "",
        **fields,
    }
    before = row_counts()
    soup = pages.post("org.create_team", service_id=service.id, data=data, _expected_status=200)
    assert error_links(soup) == {message: f"#{field}"}
    assert row_counts() == before


def test_a_team_with_no_funded_posts_yet_is_allowed(pages):
    service = make_service()
    pages.post(
        "org.create_team",
        service_id=service.id,
        data={"name": "New Team", "service_id": str(service.id), "establishment_fte": "0"},
    )
    assert db.session.scalar(sa.select(Team.establishment_fte)) == Decimal("0")


def test_team_names_are_unique_within_a_service_but_may_repeat_across_services(pages):
    early_help = make_service("Early Help")
    assessment = make_service("Assessment")
    make_team("Duty", service=early_help)
    before = row_counts()
    soup = pages.post(
        "org.create_team",
        service_id=early_help.id,
        data={"name": "DUTY", "service_id": str(early_help.id), "establishment_fte": "1"},
        _expected_status=200,
    )
    assert error_messages(soup) == ["Early Help already has a team called DUTY"]
    assert row_counts() == before
    pages.post(
        "org.create_team",
        service_id=assessment.id,
        data={"name": "Duty", "service_id": str(assessment.id), "establishment_fte": "1"},
    )
    assert row_counts()["team"] == before["team"] + 1


def test_an_admin_edits_a_team_and_moves_it_to_another_service(pages):
    team = make_team("Duty", establishment_fte="4")
    other = make_service("Assessment")
    form = pages.get("org.edit_team", team_id=team.id)
    assert form.select_one("#establishment_fte")["value"] == "4"
    pages.post(
        "org.edit_team",
        team_id=team.id,
        data={"name": "Duty and Assessment", "service_id": str(other.id), "establishment_fte": "7.5"},
    )
    db.session.refresh(team)
    assert (team.name, team.service_id, team.establishment_fte) == (
        "Duty and Assessment",
        other.id,
        Decimal("7.5"),
    )


def test_moving_a_team_into_a_service_with_a_team_of_that_name_is_refused(pages):
    other = make_service("Assessment")
    make_team("Duty", service=other)
    team = make_team("Duty")
    soup = pages.post(
        "org.edit_team",
        team_id=team.id,
        data={"name": "Duty", "service_id": str(other.id), "establishment_fte": "1"},
        _expected_status=200,
    )
    assert error_messages(soup) == ["Assessment already has a team called Duty"]
    db.session.refresh(team)
    assert team.service_id != other.id


def test_a_team_cannot_be_moved_into_another_organisations_service(pages):
    team = make_team("Duty")
    foreign = other_organisation_service()
    soup = pages.post(
        "org.edit_team",
        team_id=team.id,
        data={"name": "Duty", "service_id": str(foreign.id), "establishment_fte": "1"},
        _expected_status=200,
    )
    assert error_messages(soup) == ["Choose a service from the list"]
    db.session.refresh(team)
    assert team.service_id != foreign.id


def test_another_organisations_service_and_team_are_not_found(pages):
    foreign = other_organisation_service()
    foreign_team = make_team(service=foreign)
    pages.get("org.edit_service", service_id=foreign.id, _expected_status=404)
    pages.get("org.create_team", service_id=foreign.id, _expected_status=404)
    pages.get("org.edit_team", team_id=foreign_team.id, _expected_status=404)
    pages.post("org.edit_service", service_id=foreign.id, data={"name": "Mine now"}, _expected_status=404)
    db.session.refresh(foreign)
    assert foreign.name != "Mine now"


def test_ids_that_do_not_exist_are_not_found(pages):
    pages.get("org.edit_service", service_id=424242, _expected_status=404)
    pages.get("org.edit_team", team_id=424242, _expected_status=404)
