"""A synthetic organisation at national scale, for benchmarks (issue 9, docs/performance.md).

`flask --app wsgi synth --staff N --years Y [--seed S]` fills an EMPTY database with one
organisation: services, teams with establishment FTE, line management, agreements renewed
every year, supervision sessions at realistic frequency with full records (case discussions,
actions reviewed at the next session), cancellations with rebooking, did-not-attend, absences,
leavers with reasons and destinations, agency staff, overdue and escalated cases, late
write-ups and a sample of quality audits.

`plan.py` lays out the people, `history.py` writes each team's supervision history as rows,
`load.py` bulk-loads the rows (COPY on PostgreSQL, batched inserts on SQLite). Every choice
comes from one seeded generator and every date counts back from the clock's today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from supervision.cases import examples
from supervision.clock import clock
from supervision.extensions import db
from supervision.org.models import Organisation, Staff
from supervision.synth import history, load, plan


class SynthRefused(Exception):
    """Nothing was generated; the message says why."""


@dataclass(frozen=True)
class Generated:
    staff: int
    in_post: int
    teams: int
    services: int
    rows: dict[str, int]


def team_count(staff: int) -> int:
    """Roughly how many teams `staff` people make (for a progress bar)."""
    return max(1, round(staff / ((plan.TEAM_SIZE[0] + plan.TEAM_SIZE[1]) / 2)))


def refusal() -> str | None:
    """Why the database cannot take a synthetic organisation, or None when it can."""
    # The production marker the demo uses: made-up people must never reach a live service.
    if not current_app.config["DEMO_ALLOWED"]:
        return "Synthetic data is refused with production settings."
    for model in (Organisation, Staff):
        if db.session.scalar(sa.select(model.id).limit(1)) is not None:
            return (
                "The database is not empty, so nothing was generated: "
                "synth only fills an empty database (create a new one and run the migrations)."
            )
    return None


def generate(staff: int, years: int, seed: int, progress: Callable[[int], None] | None = None) -> Generated:
    """Generate and load the organisation in one transaction; `progress` hears of each team done."""
    if problem := refusal():
        raise SynthRefused(problem)
    db.session.rollback()
    today = clock().today()
    organisation = plan.plan_organisation(
        staff,
        history_from=today - timedelta(days=round(365.25 * years)),
        today=today,
        now=clock().now(),
        seed=seed,
    )
    counts = load.load_organisation(
        db.engine, organisation, history.team_rows, progress or (lambda done: None)
    )
    # Caseloads from the people and case discussions just loaded (supervision/cases/examples.py).
    organisation_id = db.session.execute(sa.select(Organisation.id)).scalar_one()
    counts.update(examples.add_caseloads(db.session, organisation_id, today, clock().now(), seed))
    db.session.commit()
    return Generated(
        staff=len(organisation.people),
        in_post=sum(1 for person in organisation.people if person.end_date is None),
        teams=len(organisation.teams),
        services=len(organisation.services),
        rows=counts,
    )
