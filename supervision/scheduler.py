"""APScheduler wiring, and nothing else: which job runs when (docs/rules.md).

Production runs `flask --app wsgi scheduler` as a process of its own (a BlockingScheduler), so
web workers never run jobs; several such processes may run for failover, and the PostgreSQL
advisory lock lets only one work at a time. `make run` embeds a BackgroundScheduler in the one
serving process instead. Nothing here ever starts in create_app, so tests and gunicorn workers
never start a scheduler by accident. Jobs keep no state in the scheduler (an in-memory job
store rebuilt from SCHEDULE at start), so there is no job table to share or migrate.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import dataclass

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext

from supervision.clock import LONDON, clock
from supervision.extensions import db, proxied
from supervision.jobs.models import JobOutcome
from supervision.jobs.runs import UnknownJob, run_job

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    trigger: BaseTrigger
    when: str  # for people: shown on the admin page


# Times are wall-clock times in London, so 08:00 stays 08:00 across the BST changes.
SCHEDULE = (
    ScheduledJob("compliance-sweep", CronTrigger(minute=5, timezone=LONDON), "Every hour at 5 past"),
    # The oversight reports' and HR's stored figures (supervision.stored_figures); at 1 past, so
    # that a new day's figures are ready a few minutes after midnight (docs/metrics.md).
    ScheduledJob("stored-figures", CronTrigger(minute=1, timezone=LONDON), "Every hour at 1 past"),
    ScheduledJob("reminders", CronTrigger(hour=8, minute=0, timezone=LONDON), "Every day at 08:00"),
    ScheduledJob("escalations", CronTrigger(hour=8, minute=10, timezone=LONDON), "Every day at 08:10"),
    # Cases due soon or overdue oversight, and those past the escalation point (supervision.cases.reminders).
    ScheduledJob("case-reminders", CronTrigger(hour=8, minute=5, timezone=LONDON), "Every day at 08:05"),
    ScheduledJob("case-escalations", CronTrigger(hour=8, minute=15, timezone=LONDON), "Every day at 08:15"),
    ScheduledJob(
        "weekly-digest", CronTrigger(day_of_week="mon", hour=8, minute=0, timezone=LONDON), "Mondays at 08:00"
    ),
    # One email with the day's notices for those who chose it (supervision.notifications.digest).
    ScheduledJob("daily-digest", CronTrigger(hour=17, minute=30, timezone=LONDON), "Every day at 17:30"),
    ScheduledJob("outbox-sender", IntervalTrigger(minutes=1, timezone=LONDON), "Every minute"),
    ScheduledJob("prune-job-runs", CronTrigger(hour=3, minute=30, timezone=LONDON), "Every day at 03:30"),
    # Rows of ended sessions and old sign-in throttle counts (supervision.auth.sessions, .throttle).
    ScheduledJob("purge-sign-ins", CronTrigger(minute=25, timezone=LONDON), "Every hour at 25 past"),
    ScheduledJob(
        "retention-snapshot", CronTrigger(day=1, hour=2, timezone=LONDON), "The 1st of each month at 02:00"
    ),
    # Purges what last month's run reported, then reports who is due next (docs/data-protection.md).
    ScheduledJob(
        "retention-purge",
        CronTrigger(day=1, hour=2, minute=30, timezone=LONDON),
        "The 1st of each month at 02:30",
    ),
)

JOB_DEFAULTS = {
    # After downtime, run a missed job once, not once per missed time.
    "coalesce": True,
    # A slow run is never overlapped by the next one in the same scheduler.
    "max_instances": 1,
    # A run delayed by up to 15 minutes (a busy host, a restart) still happens.
    "misfire_grace_time": 15 * 60,
}


def execute(app: Flask, name: str) -> None:
    """What the scheduler calls: one recorded run of `name` inside an app context."""
    with app.app_context():
        try:
            run_job(name, db.session, clock())
        finally:
            db.session.remove()


def configure(scheduler: BaseScheduler, app: Flask) -> BaseScheduler:
    for job in SCHEDULE:
        scheduler.add_job(
            execute, job.trigger, args=(app, job.name), id=job.name, name=job.name, replace_existing=True
        )
    return scheduler


def build_scheduler(app: Flask, blocking: bool) -> BaseScheduler:
    kind = BlockingScheduler if blocking else BackgroundScheduler
    return configure(kind(timezone=LONDON, job_defaults=JOB_DEFAULTS), app)


_embedded: BackgroundScheduler | None = None
_embedded_lock = threading.Lock()


def is_reloader_watcher(app: Flask) -> bool:
    """The debug reloader's outer process watches files and never serves: no scheduler there."""
    return app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true"


def start_embedded_scheduler(app: Flask) -> BackgroundScheduler | None:
    """`make run` only: a background scheduler inside the one serving process, started once.

    Refused for tests and production, where it would run once per process.
    """
    global _embedded
    if not app.config["EMBEDDED_SCHEDULER"] or app.testing or not app.config["DEMO_ALLOWED"]:
        log.info("embedded scheduler not started: not a development server")
        return None
    if is_reloader_watcher(app):
        return None
    with _embedded_lock:
        if _embedded is None:
            _embedded = build_scheduler(app, blocking=False)
            _embedded.start()
            log.info("embedded scheduler started", extra={"jobs": len(SCHEDULE)})
        return _embedded


def stop_embedded_scheduler() -> None:
    global _embedded
    with _embedded_lock:
        if _embedded is not None:
            _embedded.shutdown(wait=True)
            _embedded = None


def run_blocking(app: Flask) -> None:
    """Run the schedule until SIGTERM or SIGINT; a running job is allowed to finish."""
    scheduler = build_scheduler(app, blocking=True)

    def stop(signum, frame):
        log.info("scheduler stopping on signal %s", signal.Signals(signum).name)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started", extra={"jobs": len(SCHEDULE)})
    scheduler.start()  # returns once stop() has shut it down
    log.info("scheduler stopped")


# Unix niceness runs from -20 (first) to 19 (last); a process may only raise its own.
LOWEST_PRIORITY = 19


def yield_to_pages(niceness: int) -> int:
    """Lower this process's CPU priority to `niceness` (0 leaves it as started), so that a job
    working for minutes takes the processor only when the web's processes do not want it
    (docs/deployment.md, "Jobs and pages"). The database's own processes keep theirs. Returns
    the niceness the process now has."""
    if not 0 <= niceness <= LOWEST_PRIORITY:
        raise click.UsageError(
            f"JOB_NICENESS must be a whole number from 0 to {LOWEST_PRIORITY}, not {niceness}"
        )
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if niceness > current:
        os.nice(niceness - current)
    now = os.getpriority(os.PRIO_PROCESS, 0)
    log.info("jobs run at niceness %s", now, extra={"niceness": now})
    return now


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs in this process until stopped (production: its own process)."""
    niceness = yield_to_pages(current_app.config["JOB_NICENESS"])
    click.echo(
        f"Scheduler running {len(SCHEDULE)} jobs at niceness {niceness} (times in Europe/London). "
        "Stop with Ctrl+C."
    )
    run_blocking(proxied(current_app))
    click.echo("Scheduler stopped.")


@click.command("run-job")
@click.argument("name")
@with_appcontext
def run_job_command(name: str) -> None:
    """Run one scheduled job once, now, and print what it did."""
    yield_to_pages(current_app.config["JOB_NICENESS"])
    try:
        run = run_job(name, db.session, clock())
    except UnknownJob as error:
        raise click.UsageError(str(error)) from None
    counts = ", ".join(f"{key}: {value}" for key, value in run.counts.items())
    click.echo(f"{name}: {run.outcome.label.lower()}{' (' + counts + ')' if counts else ''}")
    if run.outcome is JobOutcome.FAILED:
        raise click.ClickException(run.error or "the job failed")


def register_commands(app: Flask) -> None:
    """`flask --app wsgi scheduler` and `flask --app wsgi run-job NAME`."""
    app.cli.add_command(scheduler_command)
    app.cli.add_command(run_job_command)
