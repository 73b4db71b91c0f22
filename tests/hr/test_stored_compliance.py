"""Stored "supervision before leaving" figures (supervision.hr.stored): the hourly job's answers
give the HR summary exactly the live figures, only for windows that have ended, only on the day
they were worked out, and a back-dated change shows at the next run (docs/metrics.md, "Stored
figures")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from supervision import synth
from supervision.agreements.models import AbsenceKind
from supervision.compliance.services import period_compliance_for
from supervision.extensions import db
from supervision.hr import metrics, stored
from supervision.hr.exports import retention_csv
from supervision.hr.models import StoredWindowCompliance
from supervision.hr.services import registered_social_workers, retention_report
from supervision.hr.views import snapshot_args
from supervision.jobs.runs import run_job
from supervision.org.models import Organisation, Role, Staff
from supervision.scheduler import SCHEDULE
from supervision.stored_figures.freshness import as_at_text
from tests.factories import make_absence, make_staff
from tests.shared import built_once


def compliance_figures(retention) -> list[tuple]:
    return [
        (tally.unit.name, tally.leavers_compliance, tally.leavers_with_compliance,
         tally.stayers_compliance, tally.stayers_with_compliance)
        for tally in [retention.organisation, *retention.services, *retention.teams]
    ]  # fmt: skip


def generate_organisation() -> int:
    """80 people with two years of history: 91 windows, leavers among them who missed supervision."""
    synth.generate(staff=80, years=2, seed=5)
    return db.session.scalar(sa.select(Organisation.id))


@pytest.fixture
def organisation_id(app, clock):
    """An organisation of the test's own, whose facts it may change."""
    return generate_organisation()


@pytest.fixture(scope="class")
def shared_organisation(app):
    """One organisation for a class of tests that change only what the stored-figures job
    writes, forgotten after each (tests/shared.py)."""
    with built_once(app, generate_organisation) as shared:
        yield shared


def windows_of(organisation_id, today):
    year = metrics.CensusYear(metrics.latest_census_date(today))
    return metrics.compliance_windows(registered_social_workers(organisation_id, year), year)


def tamper_with_a_stored_window(windows):
    """Give the first person's stored window an answer no rule would: 99 met, 1 missed."""
    staff_id, window = next(iter(windows.items()))
    row = db.session.get(StoredWindowCompliance, (staff_id, *window))
    row.met, row.missed = 99, 1
    db.session.commit()
    return staff_id, window


class TestOnASharedOrganisation:
    """The tests that change nothing but the stored figures share one organisation."""

    @pytest.fixture
    def organisation_id(self, shared_organisation, clock):
        organisation_id, facts = shared_organisation
        yield organisation_id
        facts.check()

    def test_stored_answers_give_the_live_hr_summary(self, organisation_id, clock):
        snapshot = metrics.latest_census_date(clock.today())
        live = compliance_figures(retention_report(organisation_id, snapshot))

        run = run_job("stored-figures", db.session, clock)

        assert run.counts["windows"] > 50
        assert compliance_figures(retention_report(organisation_id, snapshot)) == live
        organisation = retention_report(organisation_id, snapshot).organisation
        assert organisation.leavers_with_compliance > 0
        assert organisation.stayers_compliance.required > 0

    def test_the_summary_reads_the_stored_answers_for_exactly_the_same_window(self, organisation_id, clock):
        today = clock.today()
        run_job("stored-figures", db.session, clock)
        windows = windows_of(organisation_id, today)
        staff_id, window = tamper_with_a_stored_window(windows)

        answer = stored.window_compliance(db.session, organisation_id, windows, today)
        assert (answer.found[staff_id].met, answer.found[staff_id].missed) == (99, 1)
        assert answer.figures_as_at == clock.now()

        # Another window for the same person is worked out live.
        other = {staff_id: (window[0], window[1] - timedelta(days=1))}
        live = period_compliance_for(other, today)[staff_id]
        answer = stored.window_compliance(db.session, organisation_id, other, today)
        assert answer.found[staff_id] == live
        assert answer.figures_as_at is None

    def test_windows_that_have_not_ended_are_not_stored(self, organisation_id, clock):
        today = clock.today()
        run_job("stored-figures", db.session, clock)
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(StoredWindowCompliance.last_day >= today)) == 0
        )
        stored_count = db.session.scalar(sa.select(sa.func.count()).select_from(StoredWindowCompliance))
        ended = {
            staff_id for staff_id, window in windows_of(organisation_id, today).items() if window[1] < today
        }
        assert stored_count == len(ended)

        clock.advance(hours=1)
        run_job("stored-figures", db.session, clock)
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(StoredWindowCompliance)) == stored_count
        )

    def test_answers_stored_on_another_day_are_not_used(self, organisation_id, clock):
        run_job("stored-figures", db.session, clock)
        clock.advance(days=1)
        today = clock.today()
        windows = windows_of(organisation_id, today)
        staff_id, window = tamper_with_a_stored_window(windows)

        answer = stored.window_compliance(db.session, organisation_id, windows, today)
        assert answer.figures_as_at is None
        assert answer.found[staff_id] == period_compliance_for({staff_id: window}, today)[staff_id]

    def test_the_downloads_say_when_the_stored_figures_were_worked_out(self, organisation_id, clock):
        snapshot = metrics.latest_census_date(clock.today())
        run_job("stored-figures", db.session, clock)
        report = retention_report(organisation_id, snapshot)
        text = retention_csv(report, "Council", clock.now()).decode()
        # Every figure is the job's (supervision.hr.stored.store_reports), so the line says "Figures".
        assert f"Figures,{as_at_text(clock.now())}" in text


def a_leaver_who_missed_supervision(organisation_id, today) -> tuple[Staff, tuple[date, date]]:
    windows = windows_of(organisation_id, today)
    for staff_id, window in windows.items():
        person = db.session.get(Staff, staff_id)
        if person.end_date == window[1] and period_compliance_for({staff_id: window}, today)[staff_id].missed:
            return person, window
    raise AssertionError("the generated organisation has no leaver who missed supervision")


def test_a_back_dated_absence_shows_on_the_hr_summary_after_the_next_run(organisation_id, clock, pages):
    """A window that has ended can still change: an absence recorded late, back-dated into it,
    pauses the clock there. The summary keeps the stored answer, as at its stated time, until
    the next run, which works it out again."""
    today = clock.today()
    snapshot = metrics.latest_census_date(today)
    run_job("stored-figures", db.session, clock)
    first_run = clock.now()
    leaver, window = a_leaver_who_missed_supervision(organisation_id, today)
    before = stored.window_compliance(db.session, organisation_id, {leaver.id: window}, today).found
    summary_before = compliance_figures(retention_report(organisation_id, snapshot))

    clock.advance(minutes=20)
    make_absence(leaver, window[0], window[1], AbsenceKind.SICKNESS)  # the whole window, recorded late

    # Until the next run: the figures as at the first run, saying so.
    report = retention_report(organisation_id, snapshot)
    assert report.figures_as_at == first_run
    assert compliance_figures(report) == summary_before
    hr = make_staff(Role.HR)
    pages.sign_in(hr)
    page = pages.get("hr.retention", **snapshot_args(snapshot))
    assert as_at_text(first_run) in page.select_one("#figures-as-at").get_text()

    clock.advance(minutes=41)  # the next hour's run
    run_job("stored-figures", db.session, clock)
    after = stored.window_compliance(db.session, organisation_id, {leaver.id: window}, today).found
    assert after[leaver.id].missed < before[leaver.id].missed
    report = retention_report(organisation_id, snapshot)
    assert report.figures_as_at == clock.now()
    assert compliance_figures(report) != summary_before
    page = pages.get("hr.retention", **snapshot_args(snapshot))
    assert as_at_text(clock.now()) in page.select_one("#figures-as-at").get_text()
    assert as_at_text(clock.now()) == "Figures as at 10:01 on 23 November 2026"


def test_the_job_runs_every_hour():
    job = next(job for job in SCHEDULE if job.name == "stored-figures")
    assert job.when == "Every hour at 1 past"
