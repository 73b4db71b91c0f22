"""The monthly retention snapshot: HR's figures at last month's end, stored once, aggregates only."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from supervision.extensions import db
from supervision.hr.models import RetentionSnapshot
from supervision.jobs.models import JobOutcome
from supervision.jobs.runs import run_job
from supervision.org.models import ContractType, LeavingDestination
from tests.factories import make_staff, make_team


def snapshot(clock) -> dict:
    run = run_job("retention-snapshot", db.session, clock)
    assert run.outcome is JobOutcome.SUCCEEDED, run.error
    return run.counts


def test_the_snapshot_stores_last_months_figures_once_without_naming_anyone(clock):
    team = make_team(name="Assessment East", establishment_fte="4")
    for _ in range(3):
        make_staff(team=team, registered_social_worker=True, given_name="Alys")
    make_staff(team=team, registered_social_worker=True, contract_type=ContractType.AGENCY, fte="0.5")
    make_staff(
        team=team,
        registered_social_worker=True,
        given_name="Bryn",
        end_date=date(2026, 8, 28),
        leaving_destination=LeavingDestination.RETIRED,
    )

    assert snapshot(clock) == {"stored": 1, "already_stored": 0}
    assert snapshot(clock) == {"stored": 0, "already_stored": 1}

    stored = db.session.scalar(sa.select(RetentionSnapshot))
    assert stored.snapshot_on == date(2026, 10, 31)  # the clock stands in November
    organisation, service, team_figures = stored.figures
    assert (organisation["level"], service["level"], team_figures["level"]) == (
        "organisation",
        "service",
        "team",
    )
    assert (team_figures["name"], team_figures["in_post"], team_figures["agency"]) == (
        "Assessment East",
        3,
        1,
    )
    assert team_figures["leavers"] == 1 and team_figures["by_destination"]["retired"] == 1
    assert team_figures["establishment_fte"] == "4.00"
    assert "Alys" not in repr(stored.figures) and "Bryn" not in repr(stored.figures)


def test_a_new_month_gets_a_snapshot_of_its_own(clock):
    make_staff(team=make_team(), registered_social_worker=True)
    snapshot(clock)
    clock.advance(days=14)  # into December
    assert snapshot(clock)["stored"] == 1
    assert db.session.scalars(
        sa.select(RetentionSnapshot.snapshot_on).order_by(RetentionSnapshot.snapshot_on)
    ).all() == [date(2026, 10, 31), date(2026, 11, 30)]
