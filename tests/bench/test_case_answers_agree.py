"""The bench's hand-written SQL for case oversight (bench/case_answers.py) gives exactly the
answers the cases page and the report's case oversight section show, from the base tables, on
the demo and a small generated organisation (issue 19, issue 18's rule; docs/performance.md).
No timings: the bench times them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bench import answers, case_answers, national
from supervision import synth
from supervision.cases.models import CaseOversightLimit, ChildCase
from supervision.cases.rules import CaseCategory
from supervision.clock import clock
from supervision.demo import seed_demo
from supervision.extensions import db
from supervision.jobs.runs import run_job
from supervision.org.models import Role, Service, Staff, StaffRole, Team
from supervision.reports.forms import default_period
from supervision.reports.services import Level
from tests.shared import built_once


@pytest.fixture(scope="module", params=["demo", "synth"])
def shared_organisation(request, app):
    """The demo, and a small generated organisation (its caseloads from supervision/cases/examples.py),
    each built once for the module: its tests read them, and the one that sets limits removes them
    again (tests/shared.py checks). The generated one is 50 people in five teams, with leavers,
    agency staff and an ASYE."""

    def build() -> None:
        if request.param == "demo":
            seed_demo()
        else:
            synth.generate(staff=50, years=1, seed=9)

    with built_once(app, build) as (_, facts):
        yield facts


@pytest.fixture
def demo(shared_organisation, clock):
    yield
    shared_organisation.check()


def team_manager() -> int:
    return db.session.scalars(
        sa.select(Team.manager_id).where(Team.manager_id.is_not(None)).order_by(Team.id)
    ).first()


def head_of_service() -> tuple[int, int]:
    head, service = db.session.execute(
        sa.select(Service.manager_id, Service.id).where(Service.manager_id.is_not(None)).order_by(Service.id)
    ).first()
    return head, service


def test_the_cases_page_sql_gives_every_row_the_page_lists(demo):
    """The cases needing oversight, and every status (due soon too), of a team manager, a head
    of service and the director."""
    today = clock().today()
    director = national.senior_leader(national.synth_organisation())
    listed = 0
    for viewer in (team_manager(), head_of_service()[0], director):
        for every_status in (False, True):
            project = case_answers.cases_list_project(viewer, today, every_status)
            assert case_answers.cases_list_sql(viewer, today, every_status) == project, (viewer, every_status)
            listed += len(project)
    assert listed > 0


def test_the_case_report_sql_gives_every_share_and_the_trend(demo):
    today = clock().today()
    period = default_period(today)
    director = national.senior_leader(national.synth_organisation())
    head, service = head_of_service()
    counted = 0
    team = db.session.scalar(sa.select(Team.id).where(Team.service_id == service).order_by(Team.id))
    # The demo's team managers are supervisors without the service manager role, so they have
    # no report: the team's page is asked of its head of service.
    units = ((director, Level.ORGANISATION, None), (head, Level.SERVICE, service), (head, Level.TEAM, team))
    for viewer, level, unit in units:
        project = case_answers.case_report_project(viewer, level, unit, period, today)
        assert case_answers.case_report_sql(viewer, level, unit, period, today) == project, (level, unit)
        counted += sum(len(days) for days in project.values())
    assert counted > 0


def test_the_sql_takes_the_limits_as_the_page_does(demo):
    """An organisation's setting and a team's override (docs/cases.md, "The limit") change the
    statuses, the shares and the trend alike on both sides."""
    organisation_id = national.synth_organisation()
    manager = team_manager()
    team = db.session.scalar(sa.select(Team.id).where(Team.manager_id == manager))
    now = clock().now()
    limits = [
        CaseOversightLimit(
            organisation_id=organisation_id, team_id=team_id, category=category, days=days, updated_at=now
        )
        for team_id, category, days in (
            (None, CaseCategory.CHILD_IN_NEED, 20),
            (team, CaseCategory.CHILD_IN_NEED, 120),
            (team, CaseCategory.OTHER, 7),
        )
    ]
    db.session.add_all(limits)
    db.session.commit()
    added = [limit.id for limit in limits]
    try:
        compare_with_limits(organisation_id, manager)
    finally:  # the organisation is shared: as it was for the next test
        db.session.rollback()
        db.session.execute(sa.delete(CaseOversightLimit).where(CaseOversightLimit.id.in_(added)))
        db.session.commit()


def compare_with_limits(organisation_id: int, manager: int) -> None:
    today = clock().today()
    for viewer in (manager, head_of_service()[0]):
        project = case_answers.cases_list_project(viewer, today, every_status=True)
        assert case_answers.cases_list_sql(viewer, today, every_status=True) == project
    director = national.senior_leader(organisation_id)
    period = default_period(today)
    project = case_answers.case_report_project(director, Level.ORGANISATION, None, period, today)
    assert case_answers.case_report_sql(director, Level.ORGANISATION, None, period, today) == project


def test_the_stored_rows_sql_gives_the_section_the_page_reads_from_the_stored_counts(demo, clock):
    """Issue 18: the section from the stored counts against SQL reading the same stored rows:
    for the director (service totals), a head of service (team totals), and a practitioner given
    the service manager role, whose report counts only themselves in their team (their own
    rows); and the section worked out live, the same counts stored but set aside, against the
    base tables (the bench's like-for-like live rows)."""
    run_job("stored-figures", db.session, clock)
    today = clock.today()
    director = national.senior_leader(national.synth_organisation())
    head, service = head_of_service()
    worker = db.session.scalar(
        sa.select(ChildCase.worker_id)
        .join(Staff, Staff.id == ChildCase.worker_id)
        .where(
            Staff.team_id.is_not(None),
            ChildCase.closed_on.is_(None),
            ChildCase.worker_id.not_in(
                sa.select(StaffRole.staff_id).where(StaffRole.role != Role.SOCIAL_WORKER)
            ),
            ChildCase.worker_id.not_in(
                sa.select(Staff.line_manager_id).where(Staff.line_manager_id.is_not(None))
            ),
        )
        .order_by(ChildCase.worker_id)
    )
    db.session.add(StaffRole(staff_id=worker, role=Role.SERVICE_MANAGER))
    db.session.commit()
    counted = 0
    try:
        for period in (default_period(today), answers.last_whole_months(today)):
            for viewer, level, unit in (
                (director, Level.ORGANISATION, None),
                (head, Level.SERVICE, service),
                (worker, Level.ORGANISATION, None),
            ):
                project = case_answers.section_stored_project(viewer, level, unit, period, today)
                raw = case_answers.case_stored_sql(viewer, level, unit, period, today)
                assert raw == project, (viewer, level, period)
                counted += sum(len(days) for days in project.values())
                if viewer == worker:  # their own rows only, from their team's workers' rows
                    assert project, "the practitioner's own cases are counted"
                live = case_answers.section_live_project(viewer, level, unit, period, today)
                assert case_answers.case_report_sql(viewer, level, unit, period, today) == live
    finally:  # the organisation is shared: as it was for the next test
        db.session.rollback()
        db.session.execute(
            sa.delete(StaffRole).where(StaffRole.staff_id == worker, StaffRole.role == Role.SERVICE_MANAGER)
        )
        db.session.commit()
    assert counted > 0
