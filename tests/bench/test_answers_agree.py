"""The bench's hand-written SQL (bench/answers.py, bench/engine_sql.py) gives exactly the answers
the pages show, from the base tables, on the demo and on a small generated organisation
(issue 18; docs/performance.md). No timings: the bench times them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bench import answers
from supervision import synth
from supervision.clock import clock
from supervision.demo import seed_demo
from supervision.extensions import db
from supervision.org.models import Role, Staff, StaffRole, Team


@pytest.fixture(params=["demo", "synth"])
def organisation(request, app, clock):
    if request.param == "demo":
        seed_demo()
    else:
        synth.generate(staff=100, years=1, seed=7)
    return request.param


def viewers() -> list[int]:
    """Everyone who has a dashboard of more than themselves: supervisors, team managers, heads
    of service and the director."""
    supervisors = sa.select(sa.text("supervisor_id")).select_from(sa.text("supervision_agreement"))
    managers = sa.select(Team.manager_id)
    service_managers = sa.select(StaffRole.staff_id).where(StaffRole.role == Role.SERVICE_MANAGER)
    return sorted(
        db.session.scalars(
            sa.select(Staff.id).where(
                sa.or_(Staff.id.in_(supervisors), Staff.id.in_(managers), Staff.id.in_(service_managers))
            )
        )
    )


def test_the_dashboard_sql_gives_every_figure_and_the_grid_of_the_page(organisation):
    today = clock().today()
    compared = 0
    for viewer in viewers():
        project = answers.dashboard_project(viewer, today)
        raw = answers.dashboard_sql(viewer, today)
        assert raw.keys() == project.keys(), viewer
        for person_id, figures in project.items():
            assert raw[person_id] == figures, (viewer, person_id)
        compared += len(project)
    assert compared > 20
