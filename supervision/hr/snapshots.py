"""The monthly retention snapshot: HR's figures at each month's end, kept as aggregates.

The retention purge anonymises leavers years after they go; the figures are worked out from
staff rows, so a stored monthly snapshot is what lets a long trend survive whatever later
changes to those rows. Only counts and FTE per organisation, service and team are stored,
never a person; team figures under 5 must still be suppressed wherever they are shown.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from supervision.clock import SystemClock
from supervision.extensions import AnySession
from supervision.hr.metrics import Tally
from supervision.hr.models import RetentionSnapshot
from supervision.hr.services import counted_report
from supervision.idempotency import insert_new
from supervision.org.models import Organisation

SNAPSHOT_KEY = ("organisation_id", "snapshot_on")


def last_month_end(today: date) -> date:
    """The last day of the month before `today`'s: the day a snapshot taken today describes."""
    return today.replace(day=1) - timedelta(days=1)


def tally_figures(tally: Tally) -> dict:
    """One unit's counts, JSON-ready (FTE as text, so no rounding creeps in)."""
    unit = tally.unit
    return {
        "level": str(unit.level),
        "key": unit.key,
        "name": unit.name,
        "establishment_fte": str(unit.establishment_fte),
        "in_post": tally.in_post,
        "in_post_fte": str(tally.in_post_fte),
        "agency": tally.agency,
        "agency_fte": str(tally.agency_fte),
        "starters": tally.starters,
        "starters_fte": str(tally.starters_fte),
        "leavers": tally.leavers,
        "leavers_fte": str(tally.leavers_fte),
        "vacant_fte": str(tally.vacant_fte),
        "case_holders": tally.case_holders,
        "case_holders_fte": str(tally.case_holders_fte),
        "cases": tally.cases,
        "by_service_band": {str(band): count for band, count in tally.by_service_band.items()},
        "by_destination": {str(key): count for key, count in tally.by_destination.items()},
    }


def take_retention_snapshot(session: AnySession, clock: SystemClock) -> dict[str, int]:
    """The monthly job: store each organisation's figures at last month's end, once."""
    snapshot_on = last_month_end(clock.today())
    taken = set(
        session.scalars(
            sa.select(RetentionSnapshot.organisation_id).where(RetentionSnapshot.snapshot_on == snapshot_on)
        )
    )
    stored = 0
    for organisation_id in list(session.scalars(sa.select(Organisation.id).order_by(Organisation.id))):
        if organisation_id in taken:
            continue
        retention = counted_report(
            organisation_id, snapshot_on
        )  # the month as it stands, never a stored copy
        tallies = [retention.organisation, *retention.services, *retention.teams]
        row = {
            "organisation_id": organisation_id,
            "snapshot_on": snapshot_on,
            "taken_at": clock.now(),
            "figures": [tally_figures(tally) for tally in tallies],
        }
        stored += insert_new(session, RetentionSnapshot.__table__, [row], SNAPSHOT_KEY)
        session.commit()
    return {"stored": stored, "already_stored": len(taken)}
