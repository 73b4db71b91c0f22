"""The APScheduler wiring: what runs when (London time, across BST), how, and from the command line."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from supervision import create_app
from supervision.extensions import db
from supervision.jobs.catalogue import JOBS
from supervision.jobs.models import JobOutcome, JobRun
from supervision.scheduler import (
    JOB_DEFAULTS,
    SCHEDULE,
    build_scheduler,
    execute,
    start_embedded_scheduler,
    stop_embedded_scheduler,
)
from tests.conftest import make_test_config
from tests.reliability.conftest import process_environment

ROOT = Path(__file__).resolve().parents[2]
TRIGGERS = {job.name: job.trigger for job in SCHEDULE}


def next_fire(name, after):
    return TRIGGERS[name].get_next_fire_time(None, after).astimezone(UTC)


def test_every_job_is_scheduled_and_only_jobs():
    assert [job.name for job in SCHEDULE] == list(JOBS)


def test_reminders_go_at_eight_in_london_in_winter_and_in_summer():
    assert next_fire("reminders", datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) == datetime(
        2026, 11, 24, 8, 0, tzinfo=UTC
    )
    assert next_fire("reminders", datetime(2026, 7, 1, 9, 0, tzinfo=UTC)) == datetime(
        2026, 7, 2, 7, 0, tzinfo=UTC
    )


def test_eight_oclock_stays_eight_oclock_across_the_clock_changes():
    # British Summer Time starts on Sunday 28 March 2027 and ends on Sunday 25 October 2026.
    assert next_fire("reminders", datetime(2027, 3, 27, 8, 30, tzinfo=UTC)) == datetime(
        2027, 3, 28, 7, 0, tzinfo=UTC
    )
    assert next_fire("reminders", datetime(2026, 10, 24, 7, 30, tzinfo=UTC)) == datetime(
        2026, 10, 25, 8, 0, tzinfo=UTC
    )


def test_the_retention_jobs_run_early_on_the_first_of_each_month():
    after = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert next_fire("retention-snapshot", after) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert next_fire("retention-purge", after) == datetime(2026, 12, 1, 2, 30, tzinfo=UTC)


def test_the_weekly_digest_goes_on_monday_mornings_and_the_sweep_every_hour():
    assert next_fire("weekly-digest", datetime(2026, 11, 24, 9, 0, tzinfo=UTC)) == datetime(
        2026, 11, 30, 8, 0, tzinfo=UTC
    )
    assert next_fire("compliance-sweep", datetime(2026, 11, 24, 9, 7, tzinfo=UTC)) == datetime(
        2026, 11, 24, 10, 5, tzinfo=UTC
    )


def test_jobs_coalesce_never_overlap_and_tolerate_a_late_start(app):
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start(paused=True)
    try:
        jobs = scheduler.get_jobs()
        assert {job.id for job in jobs} == set(JOBS)
        for job in jobs:
            assert job.coalesce is True
            assert job.max_instances == 1
            assert job.misfire_grace_time == JOB_DEFAULTS["misfire_grace_time"]
            assert str(job.trigger.timezone) == "Europe/London"
    finally:
        scheduler.shutdown(wait=False)


def test_a_scheduled_job_runs_in_its_own_app_context_and_is_recorded(app, clock):
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start()
    try:
        scheduler.modify_job("compliance-sweep", next_run_time=datetime.now(UTC))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            db.session.rollback()
            run = db.session.scalar(sa.select(JobRun).where(JobRun.outcome != JobOutcome.RUNNING))
            if run is not None:
                break
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    assert (run.job_name, run.outcome, run.started_at) == (
        "compliance-sweep",
        JobOutcome.SUCCEEDED,
        clock.now(),
    )


def test_execute_runs_one_job_as_the_scheduler_would(app, clock):
    execute(app, "prune-job-runs")
    db.session.rollback()
    [run] = db.session.scalars(sa.select(JobRun))
    assert (run.job_name, run.outcome, run.counts) == ("prune-job-runs", JobOutcome.SUCCEEDED, {"deleted": 0})


def test_the_embedded_scheduler_never_starts_under_test_or_production_settings(app, database_url):
    assert start_embedded_scheduler(app) is None  # testing
    production_like = create_app(
        make_test_config(database_url, TESTING=False, EMBEDDED_SCHEDULER=True, DEMO_ALLOWED=False)
    )
    assert start_embedded_scheduler(production_like) is None
    switched_off = create_app(make_test_config(database_url, TESTING=False, EMBEDDED_SCHEDULER=False))
    assert start_embedded_scheduler(switched_off) is None


def test_the_embedded_scheduler_starts_once_and_not_in_the_reloader_watcher(database_url, monkeypatch):
    development = create_app(make_test_config(database_url, TESTING=False, EMBEDDED_SCHEDULER=True))
    try:
        first = start_embedded_scheduler(development)
        assert first is not None and first.running
        assert start_embedded_scheduler(development) is first
    finally:
        stop_embedded_scheduler()
    watcher = create_app(make_test_config(database_url, TESTING=False, EMBEDDED_SCHEDULER=True, DEBUG=True))
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert start_embedded_scheduler(watcher) is None


def test_run_job_runs_one_job_once_from_the_command_line(app, clock):
    result = app.test_cli_runner().invoke(args=["run-job", "compliance-sweep"])
    assert result.exit_code == 0, result.output
    assert result.output == "compliance-sweep: succeeded (people: 0, raised: 0, reopened: 0, resolved: 0)\n"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 1


def test_run_job_names_the_jobs_when_given_an_unknown_one(app):
    result = app.test_cli_runner().invoke(args=["run-job", "sweep"])
    assert result.exit_code == 2
    jobs = "The jobs are: compliance-sweep, stored-figures, reminders"
    assert f"There is no job called 'sweep'. {jobs}" in result.output


def test_the_scheduler_command_runs_until_sigterm_then_stops_cleanly(database_url):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FLASK_CONFIG": "development",
        "EMBEDDED_SCHEDULER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(  # noqa: S603 (a fixed command: this Python, flask, our app)
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # The log's lines share the output: the command's own line follows "jobs run at niceness".
        first_line = next(line for line in process.stdout if not line[:4].isdigit())
        assert first_line.startswith(f"Scheduler running {len(SCHEDULE)} jobs at niceness 10"), first_line
        assert niceness_of(process.pid) == 10  # the default: below the web's processes
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Scheduler stopped." in output


@pytest.mark.parametrize("name", list(JOBS))
def test_every_job_runs_on_an_empty_database(app, clock, name):
    result = app.test_cli_runner().invoke(args=["run-job", name])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{name}: succeeded")


def niceness_of(pid: int) -> int:
    """A process's Unix niceness as the kernel has it (/proc/PID/stat: the 19th field)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[16])


def test_run_job_works_at_the_configured_niceness_in_a_process_of_its_own(database_url):
    """A job run from the command line (cron, or by hand) lowers its own CPU priority first."""
    finished = subprocess.run(  # noqa: S603 (a fixed command: this Python, flask, our app)
        [sys.executable, "-m", "flask", "--app", "wsgi", "run-job", "prune-job-runs"],
        cwd=ROOT,
        env=process_environment(database_url, JOB_NICENESS="7"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert finished.stdout.startswith("prune-job-runs: succeeded")
    assert "jobs run at niceness 7" in finished.stderr


def test_a_niceness_out_of_range_is_refused_before_any_job_runs(app):
    runs_before = db.session.scalar(sa.select(sa.func.count()).select_from(JobRun))
    app.config["JOB_NICENESS"] = 25
    try:
        result = app.test_cli_runner().invoke(args=["run-job", "compliance-sweep"])
    finally:
        app.config["JOB_NICENESS"] = 0
    assert result.exit_code == 2
    assert "JOB_NICENESS must be a whole number from 0 to 19, not 25" in result.output
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == runs_before
