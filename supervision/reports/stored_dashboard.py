"""Stored team-dashboard figures: each person's status and 12-month grid, worked out once a day.

Worked out live, a dashboard replays each supervisee's sessions, absences and agreements
through the compliance engine on every request: fifteen statements and as much Python again
(docs/performance.md). A person's figures change only when the day changes or their facts do,
so the `dashboard-figures` job (hourly) stores, for everyone in post, the figures the live code
works out, through the same function (`live_dashboard_figures`); its first run of a day does
everyone, later runs only the people whose facts changed since.

A stored row is read only when it is for today and its `computed_version` is the person's
current `facts_version` (supervision.reports.freshness raises it with every change, in the
change's transaction). Anyone else on a dashboard is worked out live on the spot, so a page is
never out of date: a session recorded a minute ago shows at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import groupby

import sqlalchemy as sa

from supervision.clock import SystemClock
from supervision.compliance.rules import Status
from supervision.extensions import AnySession
from supervision.idempotency import insert_new
from supervision.memory import collector_paused
from supervision.org.models import Staff
from supervision.reports.dashboard import DashboardFigures
from supervision.reports.figures import MonthState
from supervision.reports.models import StoredDashboardFigures

# People worked out and stored at a time: one transaction each, and the loaders' lists of ids.
BATCH_SIZE = 2_000
FIGURE_COLUMNS = (
    "status",
    "last_held_on",
    "next_due_on",
    "days_overdue",
    "has_agreement",
    "write_ups_pending",
    "write_ups_overdue",
    "actions_overdue",
    "working_days_overdue",
)


def is_current(today: date) -> sa.ColumnElement[bool]:
    """A stored row that may be shown today: worked out for today from the facts as they are."""
    return sa.and_(
        StoredDashboardFigures.as_of == today,
        StoredDashboardFigures.computed_version == StoredDashboardFigures.facts_version,
    )


# What a dashboard reads of a stored row, in this order (figures_from_row).
FIGURES_ROW = (
    StoredDashboardFigures.status,
    *(getattr(StoredDashboardFigures, name) for name in FIGURE_COLUMNS[1:]),
    StoredDashboardFigures.months,
)


def figures_from_row(row) -> DashboardFigures:
    status, *values, months = row
    return DashboardFigures(
        Status(status), *values, months=tuple(MonthState(state) for state in months.split(","))
    )


def stored_figures(
    session: AnySession, scope: sa.Select | list[int], today: date
) -> dict[int, DashboardFigures]:
    """The current stored figures of the people in `scope` who have them, by staff id."""
    return {
        staff_id: figures_from_row(row)
        for staff_id, *row in session.connection().execute(
            sa.select(StoredDashboardFigures.staff_id, *FIGURES_ROW).where(
                StoredDashboardFigures.staff_id.in_(scope), is_current(today)
            )
        )
    }


def _not_current(today: date) -> sa.ColumnElement[bool]:
    """The negation of is_current, spelt out: NOT over a NULL (never worked out) is NULL, not true."""
    return sa.or_(
        StoredDashboardFigures.as_of.is_(None),
        StoredDashboardFigures.as_of != today,
        StoredDashboardFigures.computed_version.is_(None),
        StoredDashboardFigures.computed_version != StoredDashboardFigures.facts_version,
    )


# ------------------------------------------------------------------------------ the job


def refresh_dashboard_figures(session: AnySession, clock: SystemClock) -> dict[str, int]:
    """Store today's figures for everyone in post who has no current stored figures.

    For each batch, everyone gets a row first, then the facts versions are read, then the facts
    (through the live code), then the figures are written only where the version is still the
    one read: a change committed in between leaves its person for the next run, and their
    dashboards live until then.
    """
    from supervision.reports.services import in_post, live_dashboard_figures  # services imports this

    today = clock.today()
    counts: Counter = Counter()
    waiting = session.execute(
        in_post(sa.select(Staff.organisation_id, Staff.id), today)
        .outerjoin(StoredDashboardFigures, StoredDashboardFigures.staff_id == Staff.id)
        .where(sa.or_(StoredDashboardFigures.staff_id.is_(None), _not_current(today)))
        .order_by(Staff.organisation_id, Staff.id)
    ).all()
    for organisation_id, rows in groupby(waiting, key=lambda row: row.organisation_id):
        for batch in _batches((row.id for row in rows), BATCH_SIZE):
            with collector_paused():
                stored = _store_batch(session, organisation_id, batch, today, live_dashboard_figures)
            session.commit()
            counts["people_stored"] += stored
            counts["people_changed_meanwhile"] += len(batch) - stored
    return dict(counts)


def _store_batch(session: AnySession, organisation_id: int, batch: list[int], today: date, work_out) -> int:
    insert_new(session, StoredDashboardFigures.__table__, [{"staff_id": i} for i in batch], key=("staff_id",))
    versions = dict(
        session.execute(
            sa.select(StoredDashboardFigures.staff_id, StoredDashboardFigures.facts_version).where(
                StoredDashboardFigures.staff_id.in_(batch)
            )
        ).all()
    )
    worked_out = work_out(session, batch, organisation_id, today)
    table = StoredDashboardFigures.__table__
    statement = (
        table.update()
        .where(
            table.c.staff_id == sa.bindparam("b_staff_id"),
            table.c.facts_version == sa.bindparam("b_version"),
        )
        .values(
            computed_version=sa.bindparam("b_version"),
            as_of=today,
            months=sa.bindparam("b_months"),
            **{name: sa.bindparam(f"b_{name}") for name in FIGURE_COLUMNS},
        )
        .execution_options(preserve_rowcount=True)
    )
    parameters = [
        {
            "b_staff_id": staff_id,
            "b_version": versions[staff_id],
            "b_months": ",".join(state.value for state in shown.months),
            **{f"b_{name}": getattr(shown, name) for name in FIGURE_COLUMNS},
        }
        for staff_id, shown in worked_out.items()
    ]
    if not parameters:
        return 0
    result = session.connection().execute(statement, parameters)
    return max(result.rowcount, 0)


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for staff_id in ids:
        batch.append(staff_id)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
