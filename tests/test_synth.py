"""The synthetic organisation (issue 9): it loads into an empty database only, the pages work on
it, and the national benchmark's project answers agree with its hand-written SQL (no timings).

The tests that need an empty database come first; the rest share one small generated
organisation (three teams, leavers, agency staff, every session status and ASYE reviews), built
once for the module: they only read it, but for passwords, the stored figures and the bench's
import, which it removes again."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import url_for

from bench import national
from supervision import synth
from supervision.agreements.asye import AsyeStage
from supervision.clock import FixedClock, SystemClock
from supervision.compliance import rules
from supervision.compliance.services import asye_progress_for
from supervision.extensions import db
from supervision.jobs.runs import run_job
from supervision.org.models import CareerStage, Role, Staff, StaffRole
from supervision.synth.history import NATIONAL, History, Ids, Supervisee, always
from tests.conftest import FIXED_NOW, empty_database
from tests.factories import discussions_dated_unlike_their_session, make_staff, password_hash


def test_synth_refuses_a_database_that_is_not_empty(app, clock):
    make_staff()
    with pytest.raises(synth.SynthRefused, match="not empty"):
        synth.generate(staff=50, years=1, seed=1)


def test_synth_refuses_production_settings(app, clock, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_ALLOWED", False)
    with pytest.raises(synth.SynthRefused, match="production"):
        synth.generate(staff=50, years=1, seed=1)


def test_the_synth_command_generates_then_refuses_to_run_again(app, clock):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["synth", "--staff", "40", "--years", "1"])
    assert first.exit_code == 0, first.output
    assert "Generated" in first.output
    again = runner.invoke(args=["synth", "--staff", "40", "--years", "1"])
    assert again.exit_code == 1
    assert "not empty" in again.output


def test_a_national_history_records_asye_reviews_mostly_on_time_some_late_a_few_missing():
    today = date(2026, 11, 23)
    history = History(
        today, datetime(2026, 11, 23, 9, tzinfo=UTC), today - timedelta(days=730), Ids(), 7, NATIONAL
    )
    started = [today - timedelta(days=400 + index) for index in range(300)]  # every review fallen due
    for person_id, started_on in enumerate(started, start=1):
        history.supervise(Supervisee(person_id, CareerStage.ASYE, started_on, None, always(1000)))
    rows = history.finished_rows()["asye_review"]
    held = {(row[1], AsyeStage(row[2])): row[3] for row in rows}
    assert len(held) == len(rows)  # one of each stage at most
    states: Counter = Counter()
    for person_id, started_on in enumerate(started, start=1):
        absences = [rules.AbsenceSpan(*span) for span in history.absences[person_id]]
        for stage in AsyeStage:
            due_on = rules.asye_review_due_on(started_on, stage, absences)
            held_on = held.get((person_id, stage))
            states["missing" if held_on is None else "on time" if held_on <= due_on else "late"] += 1
            assert held_on is None or started_on <= held_on < today
    assert states["on time"] > 0.7 * 900
    assert 0.05 * 900 < states["late"] < 0.25 * 900
    assert 0 < states["missing"] < 0.1 * 900


@pytest.fixture(scope="module")
def shared_organisation(app):
    """The smallest organisation the generator makes (three teams), from a seed whose ASYEs have
    reviews held; each test asks for `clock`, which stands at the moment it was generated at."""
    app.extensions["clock"] = FixedClock(FIXED_NOW)
    yield synth.generate(staff=30, years=1, seed=9)
    app.extensions["clock"] = SystemClock()
    empty_database()


def person_with(role: Role, *, head: bool = False) -> Staff:
    query = (
        sa.select(Staff)
        .join(StaffRole, StaffRole.staff_id == Staff.id)
        .where(StaffRole.role == role, Staff.end_date.is_(None))
        .order_by(Staff.id)
    )
    if head:
        query = query.where(Staff.line_manager_id.is_(None))
    person = db.session.scalars(query.limit(1)).first()
    person.password_hash = password_hash()
    db.session.commit()
    return person


def test_synth_fills_an_empty_database_with_an_organisation_and_its_history(shared_organisation, clock):
    organisation = shared_organisation
    assert organisation.in_post >= 25
    assert organisation.teams >= 3
    for table in ("supervision_session", "supervision_record", "case_discussion", "supervision_action",
                  "action_review", "absence_period", "supervision_agreement", "asye_review"):  # fmt: skip
        assert organisation.rows[table] > 0, table
    statuses = dict(
        db.session.execute(sa.text("SELECT status, COUNT(*) FROM supervision_session GROUP BY status")).all()
    )
    assert set(statuses) == {"held", "cancelled", "did_not_attend", "scheduled"}
    leavers = db.session.scalar(sa.select(sa.func.count()).where(Staff.end_date.is_not(None)))
    agency = db.session.scalar(sa.select(sa.func.count()).where(Staff.contract_type == "agency"))
    assert leavers > 0
    assert agency > 0


def test_every_generated_case_discussion_carries_the_day_its_session_was_held(shared_organisation, clock):
    """The generator writes the date itself (COPY on PostgreSQL, with the triggers set aside)."""
    assert shared_organisation.rows["case_discussion"] > 100
    assert discussions_dated_unlike_their_session() == []


def test_the_pages_work_on_generated_data(shared_organisation, clock, pages):
    supervisor = db.session.get(Staff, national.busiest_supervisor(national.synth_organisation()))
    supervisor.password_hash = password_hash()
    db.session.commit()
    pages.sign_in(supervisor)
    dashboard = pages.get("reports.team_dashboard")
    assert dashboard.find("table")
    pages.client.post(url_for("auth.sign_out"))

    pages.sign_in(person_with(Role.SERVICE_MANAGER, head=True))
    pages.get("reports.oversight")
    pages.client.post(url_for("auth.sign_out"))

    pages.sign_in(person_with(Role.HR))
    pages.get("hr.retention")


def test_the_throughput_measurement_serves_every_page_it_compares_under_gunicorn(
    shared_organisation, clock, database_url
):
    """The bench's requests-per-second part, on a few requests: both servers start, sign-in works
    with a real CSRF token, and every page it compares answers 200 (load() raises otherwise)."""
    results = national.Results()
    national.measure_throughput(results, database_url, total=4, workers=1, rounds=2)
    assert "team dashboard" in results.facts["throughput"]
    assert "bare endpoint" in results.facts["throughput"]
    floors = results.facts["throughput floors"]
    for page in ("signed-in home page", "sign-in page", "/healthz"):
        assert page in floors
    # Each page's CPU a request, the server's from its workers' /proc entries, and PostgreSQL's
    # where the bench runs beside it (as here).
    assert results.facts["throughput"].count("CPU a request: server") == 2
    assert floors.count("CPU a request: server") == 3
    if db.engine.dialect.name == "postgresql":
        assert results.facts["throughput"].count("PostgreSQL") == 2


def test_generated_asyes_reach_the_compliance_engine_with_reviews_held(shared_organisation, clock):
    progress = asye_progress_for(db.session, sa.select(Staff.id), clock.today())
    states = Counter(review.state for found in progress.values() for review in found.reviews)
    assert states[rules.ReviewState.DONE_ON_TIME] > 0


def untimed(action, runs: int) -> tuple[list[float], object]:
    """The bench's `timed` without the timing: one run in a fresh session, with no warm-up run
    and no garbage collection first (each collection of the test process's heap costs more than
    the answer after it). The answers are compared; the times are not. The sweep's answer is
    thus a first run's; a second run changing nothing is tests/compliance/test_jobs.py's."""
    db.session.remove()
    return [0.0], action()


def test_the_benchmarks_project_answers_agree_with_its_sql_with_stored_figures_kept(
    shared_organisation, clock, monkeypatch
):
    """Every report and case measure of the bench, and its staff import, agree with the bench's
    SQL once the stored-figures job has run: the dashboards work everything out live; the
    oversight report, the case section and the HR summary are measured twice, worked out live
    (their stored figures set aside) against SQL from the base tables, and as served from the
    stored figures against SQL reading the same stored rows (issue 18). The same comparisons are
    tests/bench/test_answers_agree.py's and test_case_answers_agree.py's, on the demo and a
    generated organisation."""
    monkeypatch.setattr(national, "timed", untimed)
    run_job("stored-figures", db.session, clock)
    results = national.Results()
    national.measure_reports(results, runs=1)
    national.measure_cases(results, runs=1)
    national.measure_import(results, rows=100, runs=1)
    assert results.disagreements == []
    names = [measure.name for measure in results.measures]
    assert names == [
        "Team dashboard (team manager)",
        "Team dashboard (head of service)",
        "Team dashboard (director)",
        "Oversight report: organisation, worked out live",
        "Oversight report: one service, worked out live",
        "Oversight report: organisation, default period, as served (stored figures)",
        "Oversight report: one service, default period, as served (stored figures)",
        "Oversight report: organisation, last 12 whole months, as served (stored figures)",
        "Oversight report: one service, last 12 whole months, as served (stored figures)",
        "HR retention summary, worked out live",
        "HR retention summary, as served (stored figures)",
        "Compliance sweep (repeat run)",
        "Cases needing oversight (team manager)",
        "Cases needing oversight (head of service)",
        "Cases needing oversight (director)",
        "Case oversight section: organisation, worked out live",
        "Case oversight section: organisation, as served (stored figures)",
        "Case oversight section: one service, worked out live",
        "Case oversight section: one service, as served (stored figures)",
        "Staff import, 100 rows",
    ]
    assert all(measure.agrees for measure in results.measures)
    dashboards = [measure for measure in results.measures if measure.name.startswith("Team dashboard")]
    assert all("worked everything out live, like the SQL" in measure.note for measure in dashboards)
    live = [measure for measure in results.measures if measure.name.endswith("worked out live")]
    assert all("like for like" in measure.note and "base tables" in measure.note for measure in live)
    stored = [measure for measure in results.measures if measure.name.endswith("(stored figures)")]
    assert all("reading the same stored" in measure.note for measure in stored)
