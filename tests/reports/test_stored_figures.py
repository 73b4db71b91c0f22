"""Stored oversight figures (supervision.reports.stored): the hourly job's rows give the
organisation and service reports exactly the live figures, and are used only when they can."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from bench import national
from supervision import synth
from supervision.compliance.rules import add_months
from supervision.extensions import db
from supervision.jobs.models import JobOutcome
from supervision.jobs.runs import run_job
from supervision.org.models import Service, Staff
from supervision.reports import services as report_services
from supervision.reports import stored
from supervision.reports.figures import MonthState, Period, month_containing, months_ending
from supervision.reports.forms import default_period
from supervision.reports.models import (
    OversightMonth,
    OversightMonthValue,
    OversightNow,
    OversightUnitFigures,
)
from supervision.reports.services import Level, oversight_report
from supervision.scheduler import SCHEDULE
from supervision.stored_figures.models import StoredFiguresRun
from tests.shared import built_once


def tally_figures(tally) -> dict:
    return asdict(tally)


def unit_figures(unit) -> dict:
    """Everything a unit's report row shows, comparable across two reports."""
    return {
        "name": unit.name,
        "period": tally_figures(unit.period),
        "months": [tally_figures(month) for month in unit.months],
    }


def report_figures(report) -> list[dict]:
    return [unit_figures(report.unit)] + [unit_figures(child) for child in report.children]


def forget_refresh() -> None:
    db.session.execute(sa.delete(StoredFiguresRun))
    db.session.commit()


@pytest.fixture(scope="module")
def shared_organisation(app):
    """A generated organisation with two years of varied history (leavers, absences, gaps), built
    once for the module: its tests change only what the stored-figures job writes, forgotten
    after each (tests/shared.py). 110 people make 11 teams in one service and 111 in post today,
    enough for the "more than 100" checks below and for the batches of three teams."""

    def build():
        organisation = synth.generate(staff=110, years=2, seed=11)
        return organisation, national.senior_leader(national.synth_organisation())

    with built_once(app, build) as ((organisation, leader_id), facts):
        yield organisation, leader_id, facts


@pytest.fixture
def generated(shared_organisation, clock):
    """The shared organisation and its most senior leader, with nothing stored yet."""
    organisation, leader_id, facts = shared_organisation
    yield organisation, db.session.get(Staff, leader_id)
    facts.check()


def test_stored_figures_give_the_live_report_for_every_level_period_and_month(generated, clock):
    _, leader = generated
    today = clock.today()
    services = db.session.scalars(sa.select(Service.id).order_by(Service.id)).all()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    periods = [
        default_period(today),
        Period(today.replace(day=1), today),  # this month so far
        Period(add_months(last_month_end.replace(day=1), -11), last_month_end),  # the last 12 whole months
        Period(last_month_end.replace(day=1), last_month_end),  # last month, whole
    ]
    units = [(Level.ORGANISATION, None)] + [(Level.SERVICE, service_id) for service_id in services[:3]]
    live = {
        (level, unit_id, period): report_figures(oversight_report(leader, level, unit_id, period, today))
        for level, unit_id in units
        for period in periods
    }
    assert run_job("stored-figures", db.session, clock).outcome is JobOutcome.SUCCEEDED
    for (level, unit_id, period), expected in live.items():
        report = oversight_report(leader, level, unit_id, period, today)
        assert report.figures_as_at == clock.now(), (level, period)
        found = report_figures(report)
        for unit_found, unit_expected in zip(found, expected, strict=True):
            for found_tally, expected_tally in zip(
                [unit_found["period"], *unit_found["months"]],
                [unit_expected["period"], *unit_expected["months"]],
                strict=True,
            ):
                differ = {
                    name: (found_tally[name], expected_tally[name])
                    for name in expected_tally
                    if found_tally[name] != expected_tally[name]
                }
                assert not differ, (level, unit_id, period, unit_found["name"])
    # The figures are not trivially empty: the comparison covered real counts.
    organisation = live[Level.ORGANISATION, None, periods[0]][0]
    assert organisation["period"]["sessions_required"] > 100
    assert organisation["period"]["days_between_sessions"]
    assert organisation["period"]["longest_gap"]
    assert organisation["period"]["in_post_now"] > 100


def test_the_job_stores_a_row_per_person_and_employed_month_and_replaces_them_on_a_rerun(generated, clock):
    today = clock.today()
    first = run_job("stored-figures", db.session, clock)
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(OversightMonth))
    assert rows == first.counts["person_months"]
    months = {month.starts_on for month in stored.stored_months(today)}
    stored_months = set(db.session.scalars(sa.select(OversightMonth.month).distinct()))
    assert stored_months == months
    # Nobody has a row for a month before they started or after they left.
    employment = db.session.execute(
        sa.select(OversightMonth.month, Staff.start_date, Staff.end_date).join(
            Staff, Staff.id == OversightMonth.staff_id
        )
    ).all()
    assert all(month_containing(month).overlaps(start, end) for month, start, end in employment)
    assert any(end is not None for _, _, end in employment)
    in_post = db.session.scalar(sa.select(sa.func.count()).select_from(OversightNow))
    assert in_post == first.counts["in_post"] > 0
    values = db.session.scalar(sa.select(sa.func.count()).select_from(OversightMonthValue))

    clock.advance(hours=1)
    again = run_job("stored-figures", db.session, clock)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OversightMonth)) == rows
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OversightMonthValue)) == values
    assert again.counts == first.counts
    run = db.session.scalars(sa.select(StoredFiguresRun)).one()
    assert run.worked_out_at == clock.now()
    assert run.as_of == today


def test_reports_are_worked_out_live_when_the_stored_figures_cannot_answer(generated, clock):
    _, leader = generated
    today = clock.today()
    run_job("stored-figures", db.session, clock)
    stored_report = oversight_report(leader, Level.ORGANISATION, None, default_period(today), today)
    assert stored_report.figures_as_at is not None

    # A period that does not start on the 1st of a month.
    odd = Period(today - timedelta(days=40), today)
    assert oversight_report(leader, Level.ORGANISATION, None, odd, today).figures_as_at is None
    # A period whose trend reaches before the first stored month.
    old = Period(date(today.year - 2, 1, 1), date(today.year - 2, 1, 31))
    assert oversight_report(leader, Level.ORGANISATION, None, old, today).figures_as_at is None
    # Team pages are always live.
    team_id = db.session.scalar(sa.select(Staff.team_id).where(Staff.team_id.is_not(None)).limit(1))
    assert oversight_report(leader, Level.TEAM, team_id, default_period(today), today).figures_as_at is None
    # Figures worked out yesterday do not describe today.
    clock.advance(days=1)
    tomorrow = clock.today()
    later = oversight_report(leader, Level.ORGANISATION, None, default_period(tomorrow), tomorrow)
    assert later.figures_as_at is None


def test_a_live_report_worked_out_a_few_teams_at_a_time_is_the_same_as_all_at_once(
    generated, clock, monkeypatch
):
    _, leader = generated
    today = clock.today()
    odd = Period(today - timedelta(days=40), today)  # not whole months: worked out live
    # The organisation's report: its one service's would ask for the same teams again.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 1
    units = [(Level.ORGANISATION, None)]
    all_at_once = [report_figures(oversight_report(leader, *unit, odd, today)) for unit in units]
    seen_batches = []
    real = report_services._live_people

    def watching(user, teams, *args):
        seen_batches.append(len(teams))
        return real(user, teams, *args)

    monkeypatch.setattr(report_services, "_live_people", watching)
    monkeypatch.setattr(report_services, "LIVE_TEAMS_PER_BATCH", 3)
    in_batches = [report_figures(oversight_report(leader, *unit, odd, today)) for unit in units]
    assert in_batches == all_at_once
    assert max(seen_batches) <= 3 and len(seen_batches) > 2  # really in batches, none empty
    assert min(seen_batches) >= 1
    assert all_at_once[0][0]["period"]["sessions_required"] > 100


def test_the_job_runs_every_hour():
    job = next(job for job in SCHEDULE if job.name == "stored-figures")
    assert job.when == "Every hour at 1 past"


def test_the_default_period_reads_one_stored_row_per_unit(generated, clock):
    _, leader = generated
    today = clock.today()
    run_job("stored-figures", db.session, clock)
    service_id = db.session.scalars(sa.select(Service.id).order_by(Service.id)).first()
    row = db.session.get(OversightUnitFigures, (leader.organisation_id, "service", service_id))
    assert (row.period_start, row.period_end) == (default_period(today).starts_on, today)
    figures = dict(row.figures)
    figures["period"] = {**figures["period"], "disagreements": 987}
    row.figures = figures
    db.session.commit()

    report = oversight_report(leader, Level.ORGANISATION, None, default_period(today), today)
    assert next(child for child in report.children if child.id == service_id).period.disagreements == 987
    # Another period adds up the people's months instead.
    last_month = Period(add_months(today.replace(day=1), -1), today.replace(day=1) - timedelta(days=1))
    other = oversight_report(leader, Level.ORGANISATION, None, last_month, today)
    assert other.figures_as_at is not None
    assert next(child for child in other.children if child.id == service_id).period.disagreements != 987


def test_every_persons_grid_cell_agrees_with_their_stored_month(generated, clock):
    """The dashboard's staff-by-month grid (worked out live) and the stored monthly counts the
    trend adds up say the same about every person and month of a generated organisation."""
    today = clock.today()
    run_job("stored-figures", db.session, clock)
    _, leader = generated
    organisation_id = leader.organisation_id
    people = list(db.session.scalars(sa.select(Staff.id).where(Staff.organisation_id == organisation_id)))
    grids = report_services.live_dashboard_figures(db.session, people, organisation_id, today)
    months = [month.starts_on for month in months_ending(today, 12)]
    stored_rows = {
        (row.staff_id, row.month): (row.sessions_required, row.sessions_on_time)
        for row in db.session.execute(
            sa.select(
                OversightMonth.staff_id,
                OversightMonth.month,
                OversightMonth.sessions_required,
                OversightMonth.sessions_on_time,
            )
        )
    }
    seen = set()
    for staff_id, dashboard in grids.items():
        for month, state in zip(months, dashboard.months, strict=True):
            required, on_time = stored_rows.get((staff_id, month), (0, 0))
            seen.add(state)
            if state is MonthState.ON_TIME:
                assert on_time == required > 0, (staff_id, month)
            if state in (MonthState.NOTHING_DUE, MonthState.PAUSED, MonthState.NOT_APPLICABLE):
                assert required == 0, (staff_id, month, state)
            if on_time < required:
                assert state in (MonthState.LATE, MonthState.MISSED), (staff_id, month, state)
            if state is MonthState.LATE:  # a session held late is never counted as on time
                assert on_time < required, (staff_id, month)
    assert {MonthState.ON_TIME, MonthState.LATE, MonthState.MISSED} <= seen
