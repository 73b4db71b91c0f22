"""Keeping stored figures costs the write paths nothing: only the `stored-figures` job writes the
stored tables (docs/metrics.md, "Stored figures"). Booking a session, marking it held, signing a
record and importing staff send no statement that touches them, so the cost of keeping stored
figures is the job's run time alone (docs/performance.md)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from supervision import synth
from supervision.extensions import db
from supervision.hr import import_services
from supervision.jobs.models import JobOutcome
from supervision.jobs.runs import run_job
from supervision.org.models import Organisation, Role
from supervision.records import services
from tests.factories import make_agreement, make_record, make_service, make_staff, make_team
from tests.hr.test_import import hundreds_of_people
from tests.reports.helpers import StatementCounter
from tests.shared import STORED_TABLES

TOUCHES_STORED = re.compile(rf"\b({'|'.join(STORED_TABLES)})\b")


def writes(counter: StatementCounter) -> list[str]:
    """The INSERT, UPDATE and DELETE statements among those the counter saw."""
    return [
        statement
        for statement in counter.statements
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]


def stored(statements: list[str]) -> set[str]:
    return {match.group(1) for statement in statements for match in TOUCHES_STORED.finditer(statement)}


@pytest.fixture
def organisation_with_stored_figures(app, clock):
    synth.generate(staff=30, years=1, seed=21)
    with StatementCounter() as job:
        assert run_job("stored-figures", db.session, clock).outcome is JobOutcome.SUCCEEDED
    # The job itself writes them: the check below would see a write path that did.
    assert {"stored_figures_run", "oversight_month", "case_oversight_day"} <= stored(writes(job))
    return db.session.scalar(sa.select(Organisation.id).order_by(Organisation.id))


def test_booking_holding_signing_and_importing_write_no_stored_figure(
    organisation_with_stored_figures, clock
):
    supervisor = make_staff(Role.SUPERVISOR)
    team = make_team("North", service=make_service("Assessment"), manager=supervisor)
    worker = make_staff(team=team, line_manager=supervisor)
    make_agreement(worker, supervisor)
    complete = make_record(worker, supervisor, complete=True)

    with StatementCounter() as use_cases:
        held_at = datetime(2026, 11, 20, 10, tzinfo=UTC)
        session = services.schedule_session(supervisor, [worker.id], held_at, 60, online=True)
        services.mark_held(supervisor, session, session.version, date(2026, 11, 20))
        services.sign_as_supervisor(supervisor, complete, complete.version)
        services.sign_as_supervisee(worker, complete, complete.version, "Agreed.")
        plan = import_services.import_staff(organisation_with_stored_figures, hundreds_of_people(20))

    assert len(plan.creates) == 20  # the use cases did their work, and wrote
    assert len(writes(use_cases)) > 10
    assert stored(writes(use_cases)) == set()
