"""Who may see whom: the line-management chain, heads of team and service, HR and admin."""

import pytest

from supervision.extensions import db
from supervision.org.models import Role
from supervision.permissions import (
    MAX_HIERARCHY_DEPTH,
    is_in_oversight_line,
    may_view_person,
    may_view_supervision_of,
    may_view_supervision_page,
    may_view_team,
    overseen_ids,
    overseer_ids,
    overseers_of,
    oversight_gained,
    supervisor_circle_query,
)
from tests.factories import make_service, make_staff, make_team
from tests.replay import replayed

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
@replayed
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


def test_a_worker_is_overseen_by_the_chain_above_and_the_heads_of_their_team(organisation):
    assert overseers_of(organisation["worker"]) == {organisation["team_manager"].id, organisation["head"].id}


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


def test_hr_sees_no_supervision_content_even_as_a_line_manager_or_head(organisation):
    """The HR role never grants content, whatever the organisation data says."""
    worker, hr = organisation["worker"], organisation["hr"]
    worker.line_manager = hr
    worker.team.manager = hr
    assert not may_view_supervision_of(hr, worker)
    assert not may_view_supervision_page(hr, worker, current_supervisor_id=hr.id)
    assert overseen_ids(hr) == set()
    assert db.session.scalars(supervisor_circle_query(hr)).all() == []
    assert may_view_supervision_of(hr, hr)  # their own, as a supervisee


def test_an_administrator_in_the_line_sees_it_like_any_manager(organisation):
    worker, admin = organisation["worker"], organisation["admin"]
    assert not may_view_supervision_of(admin, worker)
    worker.line_manager = admin
    assert may_view_supervision_of(admin, worker)
    assert worker.id in overseen_ids(admin)


def test_overseen_ids_is_the_set_form_of_the_object_check(organisation):
    everyone = [person for person in organisation.values() if hasattr(person, "line_manager_id")]
    for viewer in everyone:
        expected = {person.id for person in everyone if is_in_oversight_line(viewer, person)}
        assert overseen_ids(viewer) & {person.id for person in everyone} == expected, viewer


def test_overseer_ids_walks_the_chain_and_adds_the_heads():
    line_managers = {2: 3, 3: 4, 4: 2}  # a loop in the data still ends
    assert overseer_ids(1, 2, (7, None), line_managers) == {2, 3, 4, 7}
    assert overseer_ids(1, None, (), line_managers) == set()
    assert overseer_ids(3, 2, (3,), line_managers) == {2}  # never the person themselves


def test_oversight_is_gained_only_by_someone_not_above_before():
    assert oversight_gained(5, before={1, 2}, after={1, 2, 5})
    assert not oversight_gained(5, before={5}, after={5})
    assert not oversight_gained(5, before={1}, after={2})


def test_the_scope_query_ends_a_loop_and_stops_at_the_depth_the_walk_stops_at():
    """`overseen_staff_query` (via `overseen_ids`) and the pure walk agree on a loop in the line
    and on a chain longer than MAX_HIERARCHY_DEPTH."""
    top = make_staff(Role.SERVICE_MANAGER)
    chain = [top]
    for _ in range(MAX_HIERARCHY_DEPTH + 1):
        chain.append(make_staff(Role.SUPERVISOR, line_manager=chain[-1]))
    first, second = make_staff(Role.SUPERVISOR), make_staff(Role.SUPERVISOR)
    first.line_manager = second
    db.session.commit()
    second.line_manager = first
    db.session.commit()
    assert chain[MAX_HIERARCHY_DEPTH].id in overseen_ids(top)
    assert chain[MAX_HIERARCHY_DEPTH + 1].id not in overseen_ids(top)
    assert overseen_ids(first) == {second.id} and overseen_ids(second) == {first.id}
    everyone = [*chain, first, second]
    for viewer in (top, chain[1], chain[-2], first, second):
        expected = {person.id for person in everyone if is_in_oversight_line(viewer, person)}
        assert overseen_ids(viewer) == expected, viewer
