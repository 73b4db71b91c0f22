"""Who may see whom: the line-management chain, heads of team and service, HR and admin."""

import pytest

from supervision.org.models import Role
from supervision.permissions import (
    managers_above,
    may_view_person,
    may_view_supervision_of,
    may_view_team,
)
from tests.factories import make_service, make_staff, make_team

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def organisation():
    head = make_staff(Role.SERVICE_MANAGER, job_title="Head of service")
    service = make_service(manager=head)
    team_manager = make_staff(Role.SUPERVISOR, line_manager=head)
    team = make_team(service=service, manager=team_manager)
    worker = make_staff(Role.SOCIAL_WORKER, team=team, line_manager=team_manager)
    colleague = make_staff(Role.SOCIAL_WORKER, team=team, line_manager=team_manager)
    other_manager = make_staff(Role.SUPERVISOR)
    other_team = make_team(manager=other_manager)
    stranger = make_staff(Role.SOCIAL_WORKER, team=other_team, line_manager=other_manager)
    hr = make_staff(Role.HR)
    admin = make_staff(Role.ADMIN)
    return locals()


def test_the_chain_above_a_worker_is_nearest_first(organisation):
    chain = managers_above(organisation["worker"])
    assert chain == [organisation["team_manager"], organisation["head"]]


@pytest.mark.parametrize(
    ("viewer", "allowed"),
    [
        ("worker", True),
        ("team_manager", True),
        ("head", True),
        ("colleague", False),
        ("other_manager", False),
        ("stranger", False),
        ("hr", False),
        ("admin", False),
    ],
)
def test_supervision_content_is_for_the_person_and_the_managers_above(organisation, viewer, allowed):
    assert may_view_supervision_of(organisation[viewer], organisation["worker"]) is allowed


@pytest.mark.parametrize(
    ("viewer", "allowed"),
    [
        ("worker", True),
        ("team_manager", True),
        ("head", True),
        ("hr", True),
        ("admin", True),
        ("stranger", False),
    ],
)
def test_employment_details_are_also_open_to_hr_and_admin(organisation, viewer, allowed):
    assert may_view_person(organisation[viewer], organisation["worker"]) is allowed


@pytest.mark.parametrize(
    ("viewer", "allowed"),
    [("worker", True), ("team_manager", True), ("head", True), ("other_manager", False), ("stranger", False)],
)
def test_a_team_is_visible_to_its_members_and_managers(organisation, viewer, allowed):
    assert may_view_team(organisation[viewer], organisation["worker"].team) is allowed


def test_a_manager_heading_a_team_without_line_managing_sees_its_members(organisation):
    unmanaged = make_staff(team=organisation["worker"].team)
    assert may_view_supervision_of(organisation["team_manager"], unmanaged)
    assert may_view_supervision_of(organisation["head"], unmanaged)
