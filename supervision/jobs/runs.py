"""Running a job: under the single-leader lock, recorded from start to end for administrators."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from supervision.clock import SystemClock
from supervision.extensions import AnySession, db
from supervision.jobs.catalogue import JOBS
from supervision.jobs.leader import leader_lock
from supervision.jobs.models import JobOutcome, JobRun

log = logging.getLogger(__name__)

ERROR_TEXT_LIMIT = 500
RECENT_RUNS = 100


class UnknownJob(Exception):
    def __init__(self, name: str):
        super().__init__(f"There is no job called {name!r}. The jobs are: {', '.join(JOBS)}")


def run_job(name: str, session: AnySession, clock: SystemClock) -> JobRun:
    """Run one job once and record it; a job another scheduler is running is skipped.

    A failure is recorded (exception class and first line, never data) and not raised: the
    next scheduled run picks up where this one stopped.
    """
    job = JOBS.get(name)
    if job is None:
        raise UnknownJob(name)
    with leader_lock(session, name) as leader:
        run = JobRun(
            job_name=name,
            started_at=clock.now(),
            outcome=JobOutcome.RUNNING if leader else JobOutcome.SKIPPED,
            counts={},
        )
        session.add(run)
        session.commit()
        if not leader:
            run.finished_at = clock.now()
            session.commit()
            log.info("job %s skipped: another scheduler is running it", name, extra={"job": name})
            return run
        log.info("job %s started", name, extra={"job": name, "job_run_id": run.id})
        try:
            counts = job(session, clock)
        except Exception as error:
            session.rollback()
            run.outcome = JobOutcome.FAILED
            run.error = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[
                :ERROR_TEXT_LIMIT
            ]
            run.finished_at = clock.now()
            session.commit()
            log.error(
                "job %s failed: %s",
                name,
                type(error).__name__,
                extra={"job": name, "job_run_id": run.id},
                exc_info=False,
            )
            return run
        run.outcome = JobOutcome.SUCCEEDED
        run.counts = counts
        run.finished_at = clock.now()
        session.commit()
        log.info(
            "job %s finished: %s",
            name,
            ", ".join(f"{key} {value}" for key, value in counts.items()) or "nothing to do",
            extra={"job": name, "job_run_id": run.id, "counts": counts},
        )
        return run


def recent_runs(job_name: str | None = None, limit: int = RECENT_RUNS) -> list[JobRun]:
    query = sa.select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job_name is not None:
        query = query.where(JobRun.job_name == job_name)
    return list(db.session.scalars(query))


def latest_runs() -> dict[str, JobRun]:
    """The most recent run of each job, one query. Jobs no longer in the catalogue (the three
    stored-figures jobs that became `stored-figures`) are history, not something to look at."""
    latest = (
        sa.select(JobRun.job_name, sa.func.max(JobRun.id).label("id"))
        .where(JobRun.job_name.in_(JOBS))
        .group_by(JobRun.job_name)
        .subquery()
    )
    runs = db.session.scalars(sa.select(JobRun).join(latest, latest.c.id == JobRun.id))
    return {run.job_name: run for run in runs}


def latest_failures() -> dict[str, JobRun]:
    latest = (
        sa.select(JobRun.job_name, sa.func.max(JobRun.id).label("id"))
        .where(JobRun.outcome == JobOutcome.FAILED, JobRun.job_name.in_(JOBS))
        .group_by(JobRun.job_name)
        .subquery()
    )
    runs = db.session.scalars(sa.select(JobRun).join(latest, latest.c.id == JobRun.id))
    return {run.job_name: run for run in runs}
