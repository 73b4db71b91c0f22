"""Stored "supervision before leaving" figures (supervision.hr.stored): the hourly job's answers
give the HR summary exactly the live figures, and only for windows that have ended."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from supervision import synth
from supervision.compliance.services import period_compliance_for
from supervision.extensions import db
from supervision.hr import metrics, stored
from supervision.hr.models import StoredWindowCompliance
from supervision.hr.services import registered_social_workers, retention_report
from supervision.jobs.runs import run_job
from supervision.org.models import Organisation
from supervision.scheduler import SCHEDULE


def compliance_figures(retention) -> list[tuple]:
    return [
        (tally.unit.name, tally.leavers_compliance, tally.leavers_with_compliance,
         tally.stayers_compliance, tally.stayers_with_compliance)
        for tally in [retention.organisation, *retention.services, *retention.teams]
    ]  # fmt: skip


@pytest.fixture
def organisation_id(app, clock):
    synth.generate(staff=150, years=2, seed=5)
    return db.session.scalar(sa.select(Organisation.id))


def windows_of(organisation_id, today):
    year = metrics.CensusYear(metrics.latest_census_date(today))
    return metrics.compliance_windows(registered_social_workers(organisation_id, year), year)


def test_stored_answers_give_the_live_hr_summary(organisation_id, clock):
    snapshot = metrics.latest_census_date(clock.today())
    live = compliance_figures(retention_report(organisation_id, snapshot))

    run = run_job("hr-compliance", db.session, clock)

    assert run.counts["windows"] > 50
    assert compliance_figures(retention_report(organisation_id, snapshot)) == live
    organisation = retention_report(organisation_id, snapshot).organisation
    assert organisation.leavers_with_compliance > 0
    assert organisation.stayers_compliance.required > 0


def test_the_summary_reads_the_stored_answers_for_exactly_the_same_window(organisation_id, clock):
    today = clock.today()
    run_job("hr-compliance", db.session, clock)
    windows = windows_of(organisation_id, today)
    staff_id, window = next(iter(windows.items()))
    row = db.session.get(StoredWindowCompliance, (staff_id, *window))
    row.met, row.missed = 99, 1
    db.session.commit()

    found = stored.window_compliance(db.session, organisation_id, windows, today)
    assert (found[staff_id].met, found[staff_id].missed) == (99, 1)

    # Another window for the same person is worked out live.
    other = {staff_id: (window[0], window[1] - timedelta(days=1))}
    live = period_compliance_for(other, today)[staff_id]
    assert stored.window_compliance(db.session, organisation_id, other, today)[staff_id] == live


def test_windows_that_have_not_ended_are_not_stored(organisation_id, clock):
    today = clock.today()
    run_job("hr-compliance", db.session, clock)
    assert db.session.scalar(sa.select(sa.func.count()).where(StoredWindowCompliance.last_day >= today)) == 0
    stored_count = db.session.scalar(sa.select(sa.func.count()).select_from(StoredWindowCompliance))
    ended = {staff_id for staff_id, window in windows_of(organisation_id, today).items() if window[1] < today}
    assert stored_count == len(ended)

    clock.advance(hours=1)
    run_job("hr-compliance", db.session, clock)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredWindowCompliance)) == stored_count


def test_the_job_runs_every_hour():
    job = next(job for job in SCHEDULE if job.name == "hr-compliance")
    assert job.when == "Every hour at 3 past"
