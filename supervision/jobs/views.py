"""The scheduled jobs page for administrators: the schedule, and how each run ended."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from supervision.jobs import runs
from supervision.org.models import Role
from supervision.permissions import roles_required
from supervision.scheduler import SCHEDULE

bp = Blueprint("jobs", __name__)


@bp.get("/admin/scheduled-jobs")
@roles_required(Role.ADMIN)
def scheduled_jobs():
    job_name = request.args.get("job")
    names = [job.name for job in SCHEDULE]
    if job_name not in names:
        job_name = None
    return render_template(
        "scheduler/scheduled-jobs.html",
        schedule=SCHEDULE,
        latest=runs.latest_runs(),
        failures=runs.latest_failures(),
        runs=runs.recent_runs(job_name),
        job_name=job_name,
    )
