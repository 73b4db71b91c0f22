"""Stored case oversight (supervision.reports.stored_cases): the organisation's and services'
case sections from the stored-figures job's counts are exactly the live sections, for every
viewer, and are used only when the stored figures may be."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from supervision import synth
from supervision.cases.models import CaseAllocation, ChildCase
from supervision.cases.rules import CaseCategory
from supervision.demo import seed_demo
from supervision.extensions import db
from supervision.jobs.models import JobOutcome
from supervision.jobs.runs import run_job
from supervision.org.models import Role, Staff, StaffRole
from supervision.reports import changes, stored_cases
from supervision.reports.cases import CaseOversightSection, case_oversight, report_file
from supervision.reports.figures import Period
from supervision.reports.forms import default_period
from supervision.reports.models import CaseOversightDay, CaseOversightUnitDay
from supervision.reports.services import Level, overseen_units, oversight_report
from supervision.stored_figures.freshness import as_at_text
from tests.cases.oversight_factories import discuss, make_case
from tests.conftest import FIXED_NOW
from tests.reports.test_stored_figures import forget_refresh
from tests.shared import built_once
from tests.test_scope import add_awkward_cases


def section_figures(section: CaseOversightSection) -> tuple:
    """Everything the section shows that the stored counts give."""
    return (
        section.day,
        section.month_days,
        section.unit.shares,
        [(child.id, child.name, child.shares) for child in section.children],
        section.trend,
    )


def sections(viewer: Staff, period: Period, today: date) -> dict[tuple, CaseOversightSection]:
    """The viewer's organisation section and each of their services'."""
    units = [(Level.ORGANISATION, None)] + [
        (Level.SERVICE, service.id) for service in overseen_units(viewer).services
    ]
    found = {}
    for level, unit_id in units:
        report = oversight_report(viewer, level, unit_id, period, today)
        if report is not None:
            found[viewer.id, level, unit_id] = case_oversight(viewer, report)
    return found


def service_managers() -> list[Staff]:
    return list(
        db.session.scalars(
            sa.select(Staff)
            .join(StaffRole, StaffRole.staff_id == Staff.id)
            .where(StaffRole.role == Role.SERVICE_MANAGER)
            .order_by(Staff.id)
        )
    )


def build_organisation(kind: str, today: date) -> dict[str, int]:
    """The demo or a small generated organisation, with the awkward people of tests/test_scope.py
    (a director above a head of service, a worker with no line manager, a leaver, a mover, a
    worker outside the head's service) each holding cases, some overseen."""
    if kind == "demo":
        seed_demo()
    else:
        synth.generate(staff=30, years=1, seed=21)
    awkward = add_awkward_cases()
    for name in ("orphan", "direct", "leaver", "mover"):
        worker = db.session.get(Staff, awkward[name])
        supervisor = worker.team.manager if worker.team and worker.team.manager else worker.line_manager
        for number, category in enumerate((CaseCategory.CHILD_PROTECTION, CaseCategory.CHILD_IN_NEED)):
            reference = f"AWK-{name}-{number}"
            make_case(worker, reference, category, opened_on=today - timedelta(days=200))
            if number and supervisor is not None:
                discuss(reference, worker, supervisor, today - timedelta(days=10))
    return awkward


@pytest.fixture(params=["demo", "generated"])
def organisation(request, app, clock):
    """An organisation of the test's own (`build_organisation`), whose facts it may change."""
    return build_organisation(request.param, clock.today())


@pytest.fixture(scope="class", params=["demo", "generated"])
def shared_organisation(request, app):
    """An organisation (`build_organisation`) for a class of tests that change only what the
    stored-figures job writes, forgotten after each (tests/shared.py)."""
    with built_once(app, lambda: build_organisation(request.param, FIXED_NOW.date())) as shared:
        yield shared


class TestOnASharedOrganisation:
    """The tests that change nothing but the stored figures share each organisation."""

    @pytest.fixture
    def organisation(self, shared_organisation, clock):
        awkward, facts = shared_organisation
        yield awkward
        facts.check()

    def test_stored_sections_are_the_live_ones_for_every_service_manager(self, organisation, clock):
        today = clock.today()
        last_month_end = today.replace(day=1) - timedelta(days=1)
        periods = [default_period(today), Period(last_month_end.replace(day=1), last_month_end)]
        viewers = service_managers()
        assert {organisation["director"], organisation["head"]} <= {viewer.id for viewer in viewers}
        live = {}
        for viewer in viewers:
            for period in periods:
                for key, section in sections(viewer, period, today).items():
                    assert section.figures_as_at is None
                    live[*key, period] = section_figures(section)
        assert run_job("stored-figures", db.session, clock).outcome is JobOutcome.SUCCEEDED
        found = {}
        for viewer in viewers:
            for period in periods:
                for key, section in sections(viewer, period, today).items():
                    assert section.figures_as_at == clock.now(), key
                    found[*key, period] = section_figures(section)
        assert found.keys() == live.keys()
        for key, expected in live.items():
            assert found[key] == expected, key
        # Not trivially empty: the director's organisation counts open cases, in time and not.
        organisation_all = live[organisation["director"], Level.ORGANISATION, None, periods[0]][2][-1]
        assert organisation_all.open_cases > organisation_all.in_time > 0

    def test_a_viewer_who_does_not_oversee_everyone_is_read_from_the_workers_rows(self, organisation, clock):
        today = clock.today()
        director = db.session.get(Staff, organisation["director"])
        head = db.session.get(Staff, organisation["head"])
        period = default_period(today)
        assert run_job("stored-figures", db.session, clock).outcome is JobOutcome.SUCCEEDED
        report = oversight_report(director, Level.ORGANISATION, None, period, today)
        section = case_oversight(director, report)
        assert section.figures_as_at is not None
        # The orphan's cases are in the head's service, but not the director's to see.
        orphan_cases = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ChildCase)
            .where(ChildCase.worker_id == organisation["orphan"])
        )
        head_report = oversight_report(head, Level.ORGANISATION, None, period, today)
        head_section = case_oversight(head, head_report)
        service_id = db.session.get(Staff, organisation["orphan"]).team.service_id
        director_service = next(child for child in section.children if child.id == service_id)
        head_service = next(child for child in head_section.children if child.id == service_id)
        assert head_service.shares[-1].open_cases - director_service.shares[-1].open_cases >= orphan_cases
        # The director's report is worked out live, its case section stored: the file says when the
        # case figures were worked out, as the page does.
        about, _ = report_file(director, report, changes.marks_for(report), clock.now())
        assert report.figures_as_at is None
        assert ("Case oversight figures", as_at_text(section.figures_as_at)) in about

    def test_the_section_is_worked_out_live_when_the_stored_figures_cannot_answer(self, organisation, clock):
        today = clock.today()
        director = db.session.get(Staff, organisation["director"])

        def section(period: Period) -> CaseOversightSection:
            return case_oversight(
                director, oversight_report(director, Level.ORGANISATION, None, period, today)
            )

        period = default_period(today)
        assert run_job("stored-figures", db.session, clock).outcome is JobOutcome.SUCCEEDED
        assert section(period).figures_as_at is not None
        # A period ending later this month: its last day was not stored.
        month_end = Period(
            today.replace(day=1),
            (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1),
        )
        assert section(month_end).figures_as_at is None
        # Yesterday's figures are not shown today.
        clock.advance(days=1)
        assert section(default_period(clock.today())).figures_as_at is None
        clock.advance(days=-1)
        forget_refresh()
        assert section(period).figures_as_at is None


def test_an_oversight_signed_after_the_run_shows_after_the_next_run(organisation, clock):
    today = clock.today()
    head = db.session.get(Staff, organisation["head"])
    orphan = db.session.get(Staff, organisation["orphan"])
    period = default_period(today)

    def section() -> CaseOversightSection:
        return case_oversight(head, oversight_report(head, Level.ORGANISATION, None, period, today))

    assert run_job("stored-figures", db.session, clock).outcome is JobOutcome.SUCCEEDED
    before = section()
    assert before.figures_as_at == clock.now()
    clock.advance(minutes=20)
    discuss("AWK-orphan-0", orphan, orphan.team.manager, today)
    assert section_figures(section()) == section_figures(before)
    forget_refresh()
    live = section()
    assert live.unit.shares[-1].in_time == before.unit.shares[-1].in_time + 1
    clock.advance(minutes=40)
    assert run_job("stored-figures", db.session, clock).outcome is JobOutcome.SUCCEEDED
    after = section()
    assert after.figures_as_at == clock.now()
    assert section_figures(after) == section_figures(live)


def test_the_job_stores_each_days_counts_and_replaces_them_on_a_rerun(organisation, clock):
    today = clock.today()

    def stored_rows() -> tuple[set, set]:
        return (
            set(db.session.execute(sa.select(*CaseOversightDay.__table__.columns))),
            set(db.session.execute(sa.select(*CaseOversightUnitDay.__table__.columns))),
        )

    first = run_job("stored-figures", db.session, clock)
    workers, units = stored_rows()
    assert len(workers) == first.counts["case_worker_days"]
    # Rows for open cases only, on the stored days (no case may be open on the earliest).
    assert today in {row.day for row in workers} <= set(stored_cases.stored_days(today))
    # Each unit's totals are its workers' rows added up.
    team_totals = {
        (row.unit_id, row.day, row.category): (row.open_cases, row.in_time)
        for row in units
        if row.level == "team"
    }
    added: dict[tuple, list[int]] = {}
    for row in workers:
        total = added.setdefault((row.team_id, row.day, row.category), [0, 0])
        total[0] += row.open_cases
        total[1] += row.in_time
    assert {key: tuple(value) for key, value in added.items()} == team_totals

    clock.advance(minutes=30)
    run_job("stored-figures", db.session, clock)
    assert stored_rows() == (workers, units)
    # A case gone from the register leaves the stored counts at the next run.
    case_id = db.session.scalar(sa.select(ChildCase.id).where(ChildCase.reference == "AWK-orphan-0"))
    db.session.execute(sa.delete(CaseAllocation).where(CaseAllocation.case_id == case_id))
    db.session.execute(sa.delete(ChildCase).where(ChildCase.id == case_id))
    db.session.commit()
    clock.advance(minutes=30)
    run_job("stored-figures", db.session, clock)
    after, _ = stored_rows()
    orphan = organisation["orphan"]
    assert sum(row.open_cases for row in after if row.worker_id == orphan and row.day == today) == 1
