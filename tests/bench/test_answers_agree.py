"""The bench's hand-written SQL (bench/answers.py, bench/engine_sql.py) gives exactly the answers
the pages show, from the base tables, on the demo and on a small generated organisation
(issue 18; docs/performance.md). No timings: the bench times them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bench import answers, national
from supervision import synth
from supervision.clock import clock
from supervision.demo import seed_demo
from supervision.extensions import db
from supervision.jobs.runs import run_job
from supervision.org.models import Service, Team
from supervision.reports.forms import default_period
from supervision.reports.services import Level
from tests.shared import built_once


@pytest.fixture(scope="module", params=["demo", "synth"])
def shared_organisation(request, app):
    """Each organisation built once for the module's tests, which only read it (tests/shared.py).
    The generated one is 50 people in five teams, with leavers, agency staff and an ASYE."""

    def build() -> str:
        if request.param == "demo":
            seed_demo()
        else:
            synth.generate(staff=50, years=1, seed=9)
        return request.param

    with built_once(app, build) as shared:
        yield shared


@pytest.fixture
def organisation(shared_organisation, clock):
    kind, facts = shared_organisation
    yield kind
    facts.check()


def viewers() -> list[int]:
    """A director, heads of service, team managers and supervisors: the dashboard's scopes, from
    everyone to a handful."""
    director = national.senior_leader(national.synth_organisation())
    heads = sorted(db.session.scalars(sa.select(Service.manager_id).where(Service.manager_id.is_not(None))))
    managers = sorted(db.session.scalars(sa.select(Team.manager_id).where(Team.manager_id.is_not(None))))
    supervisors = sorted(
        db.session.scalars(
            sa.text("SELECT DISTINCT supervisor_id FROM supervision_agreement WHERE ended_on IS NULL")
        )
    )
    return list(dict.fromkeys([director, *heads[:2], *managers[:3], *supervisors[:3]]))


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


def heads_of_service() -> list[int]:
    return sorted(db.session.scalars(sa.select(Service.manager_id).where(Service.manager_id.is_not(None))))


def test_the_oversight_sql_gives_every_figure_of_the_live_report(organisation):
    today = clock().today()
    period = default_period(today)
    director = national.senior_leader(national.synth_organisation())
    cases = [(director, answers.Oversight(Level.ORGANISATION, None))]
    for head in heads_of_service()[:2]:
        service = db.session.scalar(
            sa.select(Service.id).where(Service.manager_id == head).order_by(Service.id)
        )
        cases.append((head, answers.Oversight(Level.SERVICE, service)))
    for viewer, unit in cases:
        project = answers.oversight_live_project(viewer, unit, period, today)
        raw = answers.oversight_sql_whole(viewer, unit, period, today)
        assert raw.keys() == project.keys(), unit
        for key, figures in project.items():
            assert raw[key] == figures, (unit, key)
    assert sum(project[key][0][0][0] for key in project) > 0


def test_the_hr_sql_gives_every_figure_of_the_summary_from_the_base_tables(organisation):
    snapshot = national.latest_census_date(clock().today())
    organisation_id = national.synth_organisation()
    project, raw = answers.hr_compare(
        answers.hr_project(organisation_id, snapshot), answers.hr_sql(organisation_id, snapshot)
    )
    assert raw == project
    required = answers.HR_FIELDS.index("stayers_required")
    assert project[("organisation", None)][required] > 0


# ---------------------------------------------------------------- from the stored figures
# Issue 18: the page reading the stored figures against SQL reading the same stored rows. The
# rows themselves are checked against the base tables by the live comparisons above.


def oversight_viewers() -> list[tuple[int, answers.Oversight]]:
    director = national.senior_leader(national.synth_organisation())
    found = [(director, answers.Oversight(Level.ORGANISATION, None))]
    for head in heads_of_service()[:2]:
        service = db.session.scalar(
            sa.select(Service.id).where(Service.manager_id == head).order_by(Service.id)
        )
        found.append((head, answers.Oversight(Level.SERVICE, service)))
    return found


def test_the_stored_rows_sql_gives_every_figure_of_the_report_from_the_stored_figures(organisation, clock):
    """The default period (each unit's stored figures) and the last 12 whole months (the
    services' stored months and the people's rows), for the organisation and two services."""
    run_job("stored-figures", db.session, clock)
    today = clock.today()
    compared = 0
    for period in (default_period(today), answers.last_whole_months(today)):
        for viewer, unit in oversight_viewers():
            project = answers.oversight_stored_project(viewer, unit, period, today)
            raw = answers.oversight_stored_sql(viewer, unit, period, today)
            assert raw.keys() == project.keys(), (period, unit)
            for key, figures in project.items():
                assert raw[key] == figures, (period, unit, key)
            compared += sum(figures[0][0][0] for figures in project.values())
    assert compared > 0


def test_the_stored_rows_sql_gives_every_figure_of_the_hr_summary_from_the_stored_report(organisation, clock):
    run_job("stored-figures", db.session, clock)
    snapshot = national.latest_census_date(clock.today())
    organisation_id = national.synth_organisation()
    served = answers.hr_project(organisation_id, snapshot, stored=True)
    project, raw = answers.hr_compare(served, answers.hr_stored_report_sql(organisation_id, snapshot))
    assert raw == project
    assert set(raw) == set(served)  # every unit and trend read from the stored report itself
    assert project[("organisation", None)][answers.HR_FIELDS.index("stayers_required")] > 0
    # The stored windows' SQL (the live statements reading them) gives the same figures.
    assert answers.hr_compare(served, answers.hr_sql(organisation_id, snapshot, stored=True))[1] == project
    # Stored by an earlier run, the report is read by neither the page nor its counterpart.
    clock.advance(days=1)
    assert answers.hr_stored_report_sql(organisation_id, snapshot) == {}


def test_the_hr_summary_worked_out_live_agrees_with_the_sql_from_the_base_tables(organisation, clock):
    """With the stored windows there but set aside: the bench's like-for-like live row."""
    run_job("stored-figures", db.session, clock)
    snapshot = national.latest_census_date(clock.today())
    organisation_id = national.synth_organisation()
    project, raw = answers.hr_compare(
        answers.hr_project(organisation_id, snapshot, live=True), answers.hr_sql(organisation_id, snapshot)
    )
    assert raw == project
