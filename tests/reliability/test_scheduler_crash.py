"""A job process killed mid-run (SIGKILL: no clean-up of any kind) and started again finishes the
work with nothing done twice and nothing missing, compared with an undisturbed run on the same data.

`flask --app wsgi run-job` is the scheduler's own code path (scheduler.execute calls run_job the
same way). JOB_BATCH_PAUSE_SECONDS makes each run wait after every committed batch, so the kill
lands between two batches deterministically, not by timing luck: the test waits until the first
batch is in the database, then kills the process during the pause that follows it.
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from supervision.agreements.models import FrequencyKind, SupervisionAgreement, SupervisionType
from supervision.clock import LONDON
from supervision.compliance.models import ComplianceAlert
from supervision.extensions import db
from supervision.jobs.catalogue import BATCH_SIZE
from supervision.jobs.models import JobOutcome, JobRun
from supervision.notifications.models import Notification, OutboxEmail
from supervision.org.models import CareerStage, ContractType, Role, Staff, StaffRole
from tests.databases import is_postgres
from tests.factories import make_staff, make_team
from tests.reliability.conftest import ROOT, flask_command, migrated_database, process_environment

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.own_database,
    pytest.mark.postgres,
    pytest.mark.skipif(
        not is_postgres(), reason="the advisory lock and a crashed connection need PostgreSQL"
    ),
]

PEOPLE = 2 * BATCH_SIZE + 100  # three batches
PAUSE_SECONDS = "5"  # after each committed batch; the kill comes well inside the first pause
RUN_TIMEOUT_SECONDS = 60


def seed_supervisees(today: date) -> None:
    """PEOPLE supervisees of one supervisor, due on a spread of dates: due soon, overdue, escalated."""
    supervisor = make_staff(Role.SUPERVISOR, team=make_team(), email="supervisor@example.test")
    now = datetime.now(UTC)
    db.session.execute(
        sa.insert(Staff),
        [
            {
                "organisation_id": supervisor.organisation_id,
                "email": f"worker{number}@example.test",
                "employee_number": f"W{number:05d}",
                "given_name": "Worker",
                "family_name": f"Number {number}",
                "career_stage": CareerStage.SOCIAL_WORKER,
                "contract_type": ContractType.PERMANENT,
                "fte": Decimal("1"),
                "start_date": date(2020, 1, 6),
                "team_id": supervisor.team_id,
                "line_manager_id": supervisor.id,
                "created_at": now,
                "updated_at": now,
            }
            for number in range(PEOPLE)
        ],
    )
    workers = db.session.scalars(sa.select(Staff.id).where(Staff.email.like("worker%"))).all()
    db.session.execute(sa.insert(StaffRole), [{"staff_id": i, "role": Role.SOCIAL_WORKER} for i in workers])
    agreements = []
    for number, worker_id in enumerate(workers):
        agreed_on = today - timedelta(days=20 + number % 40)  # next due from 8 days ahead to 31 days ago
        agreements.append(
            {
                "supervisee_id": worker_id,
                "supervisor_id": supervisor.id,
                "frequency_kind": FrequencyKind.INTERVAL,
                "minimum_duration_minutes": 90,
                "supervision_type": SupervisionType.INDIVIDUAL,
                "agreed_on": agreed_on,
                "review_due_on": agreed_on + timedelta(days=365),
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(sa.insert(SupervisionAgreement), agreements)
    db.session.commit()


def run_to_the_end(job: str, environment: dict) -> str:
    """Run the job until a run succeeds; a run that finds the lock still held is skipped, so retry."""
    for _ in range(10):
        finished = subprocess.run(  # noqa: S603 (a fixed command: this Python, flask, our app)
            flask_command("run-job", job),
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_SECONDS,
            check=False,
        )
        assert finished.returncode == 0, finished.stdout + finished.stderr
        if finished.stdout.startswith(f"{job}: succeeded"):
            return finished.stdout
        time.sleep(0.5)
    pytest.fail(f"{job} never got the lock: {finished.stdout}")


def count(model) -> int:
    value = db.session.scalar(sa.select(sa.func.count()).select_from(model))
    db.session.rollback()  # hold no snapshot or lock while the job process works
    return value


def kill_after_first_batch(job: str, environment: dict, written) -> int:
    """Start the job paused between batches, SIGKILL it once its first batch is committed."""
    process = subprocess.Popen(  # noqa: S603 (a fixed command: this Python, flask, our app)
        flask_command("run-job", job),
        cwd=ROOT,
        env={**environment, "JOB_BATCH_PAUSE_SECONDS": PAUSE_SECONDS},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
        while written() == 0:
            assert process.poll() is None, f"{job} ended before its first batch was seen"
            assert time.monotonic() < deadline, f"{job} wrote nothing in {RUN_TIMEOUT_SECONDS}s"
            time.sleep(0.05)
        process.kill()
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return written()


def alert_keys() -> list[tuple]:
    rows = db.session.execute(
        sa.select(
            ComplianceAlert.kind, ComplianceAlert.subject_id, ComplianceAlert.period, ComplianceAlert.due_on
        ).where(ComplianceAlert.resolved_at.is_(None))
    ).all()
    db.session.rollback()
    return sorted(tuple(row) for row in rows)


def notice_keys() -> tuple[list[tuple], list[tuple]]:
    notifications = db.session.execute(
        sa.select(Notification.recipient_id, Notification.kind, Notification.subject_id, Notification.period)
    ).all()
    emails = db.session.execute(
        sa.select(OutboxEmail.recipient_id, OutboxEmail.kind, OutboxEmail.subject_id, OutboxEmail.period)
    ).all()
    db.session.rollback()
    return sorted(tuple(row) for row in notifications), sorted(tuple(row) for row in emails)


def forget_job_output() -> None:
    for model in (Notification, OutboxEmail, ComplianceAlert, JobRun):
        db.session.execute(sa.delete(model))
    db.session.commit()


def test_the_sweep_and_the_reminders_killed_mid_run_and_restarted_do_everything_exactly_once(tmp_path):
    with migrated_database(f"supervision_crash_test_{os.getpid()}", tmp_path) as (url, _):
        seed_supervisees(datetime.now(LONDON).date())
        environment = process_environment(url)

        # Undisturbed runs: what the sweep and the reminders should leave behind.
        run_to_the_end("compliance-sweep", environment)
        run_to_the_end("reminders", environment)
        expected_alerts, (expected_notifications, expected_emails) = alert_keys(), notice_keys()
        assert len(expected_alerts) > BATCH_SIZE and len(expected_notifications) > BATCH_SIZE
        forget_job_output()

        partial = kill_after_first_batch("compliance-sweep", environment, lambda: count(ComplianceAlert))
        assert 0 < partial < len(expected_alerts)  # killed mid-sweep
        crashed = db.session.scalars(sa.select(JobRun.outcome)).all()
        assert crashed == [JobOutcome.RUNNING]  # the dead run is never marked finished
        db.session.rollback()
        run_to_the_end("compliance-sweep", environment)
        assert alert_keys() == expected_alerts

        partial = kill_after_first_batch("reminders", environment, lambda: count(Notification))
        assert 0 < partial < len(expected_notifications)  # killed mid-run
        run_to_the_end("reminders", environment)
        assert notice_keys() == (expected_notifications, expected_emails)
