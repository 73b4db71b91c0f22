"""Two schedulers at once on PostgreSQL: real concurrent runs, each on its own connection.

Two guards stand between them and duplicates: the advisory lock (one leader at a time) and the
unique keys (even two runs that both get to work create nothing twice). Each is tested alone.
"""

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from supervision.compliance.models import ComplianceAlert
from supervision.extensions import db
from supervision.jobs.catalogue import compliance_sweep, send_reminders
from supervision.jobs.leader import leader_lock
from supervision.jobs.models import JobOutcome
from supervision.jobs.runs import run_job
from supervision.notifications.models import Notification, OutboxEmail
from supervision.org.models import Role
from supervision.records.models import SessionStatus
from tests.databases import is_postgres
from tests.factories import make_agreement, make_session, make_staff

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not is_postgres(), reason="advisory locks and concurrent writers need PostgreSQL"),
]
PEOPLE = 24


@pytest.fixture
def overdue_team(clock):
    """Twenty-four people, every one overdue and escalated: two alerts and two reminders each."""
    supervisor = make_staff(Role.SUPERVISOR)
    for _ in range(PEOPLE):
        person = make_staff()
        make_agreement(person, supervisor, agreed_on=date(2026, 1, 5))
        make_session(
            supervisor, person, starts_at=datetime(2026, 9, 1, 10, tzinfo=UTC), status=SessionStatus.HELD
        )


def at_once(app, work, count=2):
    """Run `work(session)` in `count` threads released together, each with its own app context."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(work(db.session))
            except Exception as error:  # reported below, so the test fails with the cause
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def count(model):
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_two_sweeps_at_once_without_the_lock_raise_each_alert_once(app, clock, overdue_team):
    results = at_once(app, lambda session: compliance_sweep(session, clock))
    assert count(ComplianceAlert) == 2 * PEOPLE
    assert sum(result["raised"] for result in results) == 2 * PEOPLE


def test_two_reminder_runs_at_once_without_the_lock_tell_each_person_once(app, clock, overdue_team):
    compliance_sweep(db.session, clock)
    results = at_once(app, lambda session: send_reminders(session, clock))
    assert count(Notification) == count(OutboxEmail) == 2 * PEOPLE  # supervisee and supervisor each
    assert sum(result["emails"] for result in results) == 2 * PEOPLE


def test_two_schedulers_running_the_sweep_at_once_create_nothing_twice(app, clock, overdue_team):
    runs = at_once(app, lambda session: run_job("compliance-sweep", session, clock).outcome)
    assert JobOutcome.SUCCEEDED in runs
    assert set(runs) <= {JobOutcome.SUCCEEDED, JobOutcome.SKIPPED}
    assert count(ComplianceAlert) == 2 * PEOPLE


def test_while_one_scheduler_holds_the_lock_the_other_skips_the_job(app, clock, overdue_team):
    held, release = threading.Event(), threading.Event()

    def leader():
        with app.app_context(), leader_lock(db.session, "compliance-sweep") as acquired:
            assert acquired
            held.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=leader)
    thread.start()
    try:
        assert held.wait(timeout=10)
        assert run_job("compliance-sweep", db.session, clock).outcome is JobOutcome.SKIPPED
        assert run_job("reminders", db.session, clock).outcome is JobOutcome.SUCCEEDED  # its own lock
        assert count(ComplianceAlert) == 0
    finally:
        release.set()
        thread.join(timeout=10)
    assert run_job("compliance-sweep", db.session, clock).outcome is JobOutcome.SUCCEEDED
    assert count(ComplianceAlert) == 2 * PEOPLE
