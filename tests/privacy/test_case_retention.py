"""The retention purge and the case register (docs/cases.md, docs/data-protection.md): cases closed
longer ago than the retention period go, and so do the cases still allocated to a leaver when the
leaver is purged; a case that moved on to a colleague stays. Audited by id, never by reference."""

from __future__ import annotations

import logging
from datetime import date

import pytest
import sqlalchemy as sa

from supervision.audit.models import AuditEvent
from supervision.cases.models import CaseAllocation, ChildCase
from supervision.extensions import db
from supervision.jobs.models import JobOutcome
from supervision.jobs.runs import run_job
from supervision.privacy.models import RetentionReview
from tests.cases.import_factories import make_case
from tests.factories import make_staff

# The clock fixture stands at Monday 23 November 2026: six years back is 23 November 2020.


def purge(clock) -> dict:
    run = run_job("retention-purge", db.session, clock)
    assert run.outcome is JobOutcome.SUCCEEDED, run.error
    return run.counts


def references() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(ChildCase.reference)))


def test_cases_closed_longer_ago_than_the_retention_period_are_purged(app, clock, caplog):
    worker = make_staff()
    make_case("OLD-CLOSED", worker, date(2015, 3, 2), closed_on=date(2020, 11, 23))
    make_case("RECENTLY-CLOSED", worker, date(2015, 3, 2), closed_on=date(2020, 11, 24))
    make_case("OPEN", worker, date(2015, 3, 2))
    old_id = db.session.scalar(sa.select(ChildCase.id).where(ChildCase.reference == "OLD-CLOSED"))
    caplog.set_level(logging.INFO)

    counts = purge(clock)

    assert counts["closed_cases_purged"] == 1
    assert references() == {"RECENTLY-CLOSED", "OPEN"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseAllocation)) == 2
    events = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id).where(
            AuditEvent.object_type == "child_case"
        )
    ).all()
    assert events == [("purge", "child_case", old_id)]
    assert "OLD-CLOSED" not in caplog.text
    assert purge(clock)["closed_cases_purged"] == 0  # nothing more the next month


@pytest.fixture
def leaver_with_cases(clock):
    colleague = make_staff()
    leaver = make_staff(start_date=date(2012, 4, 2), end_date=date(2019, 6, 28))
    make_case("STILL-THEIRS", leaver, date(2018, 1, 8))
    moved = make_case("MOVED-ON", leaver, date(2018, 1, 8))
    moved.allocations[0].ended_on = date(2019, 6, 28)
    moved.allocations.append(CaseAllocation(worker_id=colleague.id, allocated_on=date(2019, 6, 29)))
    moved.worker_id = colleague.id
    db.session.commit()
    return leaver


def test_a_purged_leavers_cases_still_allocated_to_them_go_and_cases_moved_on_stay(
    app, clock, leaver_with_cases
):
    purge(clock)  # the dry run reports the leaver, with their cases in the counts
    review = db.session.scalar(sa.select(RetentionReview))
    assert (review.counts["cases"], review.counts["case_allocations"]) == (1, 1)
    assert references() == {"STILL-THEIRS", "MOVED-ON"}
    clock.advance(days=31)

    purge(clock)

    assert references() == {"MOVED-ON"}
    history = db.session.execute(
        sa.select(CaseAllocation.worker_id, CaseAllocation.allocated_on).order_by(CaseAllocation.allocated_on)
    ).all()
    # The moved case keeps its history; the leaver's staff row is anonymised, not deleted.
    assert len(history) == 2 and history[0].worker_id == leaver_with_cases.id
