"""Stored "supervision before leaving" figures for the HR summary, refreshed every hour.

The comparison of leavers' supervision in their last 6 months with that of staff who stayed
replays tens of thousands of people's sessions: about 5 s of the HR summary at national scale
(docs/performance.md). So the `stored-figures` job works out every ended window of the latest
census year and stores the counts. A window's answer can still change after it has ended (a
session or an absence recorded late, back-dated into it), so the job works them all out again
on every run, and the summary follows the one freshness rule of supervision.stored_figures:
stored answers are used only when worked out today, and the page and the downloads say
"Figures as at" the run's time. Any other window (another snapshot date, a window that has not
ended, someone new since the run) is worked out live.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from supervision.bulk import NO_SYNC, insert_rows
from supervision.compliance import rules
from supervision.compliance import services as compliance_services
from supervision.extensions import AnySession
from supervision.hr import metrics
from supervision.hr.models import StoredWindowCompliance, StoredWithholding
from supervision.hr.tables import KeptWithholding, Withheld
from supervision.memory import collector_paused
from supervision.org.models import Staff
from supervision.stored_figures.freshness import current_run

Windows = Mapping[int, tuple[date, date]]
WINDOW_COLUMNS = ("staff_id", "first_day", "last_day", "met", "missed")


@dataclass(frozen=True)
class WindowCompliance:
    """Intervals met and missed per person, and when the stored ones among them were worked out
    (None when every answer was worked out for this request)."""

    found: dict[int, rules.PeriodCompliance]
    figures_as_at: datetime | None


def window_compliance(
    session: AnySession, organisation_id: int, windows: Windows, today: date
) -> WindowCompliance:
    """Intervals met and missed in each person's window: stored where the job worked out exactly
    that window and its run may be shown today, live for the rest."""
    found: dict[int, rules.PeriodCompliance] = {}
    run = current_run(session, organisation_id, today)
    if run is not None:
        # One (immutable) answer for each pair of counts: a few hundred for 40,000 people.
        shared: dict[tuple[int, int], rules.PeriodCompliance] = {}
        for staff_id, first_day, last_day, met, missed in (
            session.connection()
            .execute(
                sa.select(
                    StoredWindowCompliance.staff_id,
                    StoredWindowCompliance.first_day,
                    StoredWindowCompliance.last_day,
                    StoredWindowCompliance.met,
                    StoredWindowCompliance.missed,
                )
                .join(Staff, Staff.id == StoredWindowCompliance.staff_id)
                .where(Staff.organisation_id == organisation_id)
            )
            .all()
        ):  # fetched at once: row by row, the driver's fetch cost more than the matching
            if windows.get(staff_id) == (first_day, last_day):
                answer = shared.get((met, missed))
                if answer is None:
                    answer = shared[(met, missed)] = rules.PeriodCompliance(met=met, missed=missed)
                found[staff_id] = answer
    missing = {staff_id: window for staff_id, window in windows.items() if staff_id not in found}
    as_at = run.worked_out_at if found and run is not None else None
    found.update(compliance_services.period_compliance_for(missing, today))
    return WindowCompliance(found, as_at)


def refresh_organisation(session: AnySession, organisation_id: int, today: date) -> Counter:
    """Work out and store every ended window of the organisation's latest census year, replacing
    the old ones. The `stored-figures` job commits them with its run record."""
    from supervision.hr.services import registered_social_workers  # services imports this module

    counts: Counter = Counter()
    with collector_paused():  # tens of thousands of people's facts: see supervision.memory
        year = metrics.CensusYear(metrics.latest_census_date(today))
        workers = registered_social_workers(organisation_id, year)
        windows = {
            staff_id: window
            for staff_id, window in metrics.compliance_windows(workers, year).items()
            if window[1] < today
        }
        results = compliance_services.period_compliance_for(windows, today)
        staff_of_organisation = sa.select(Staff.id).where(Staff.organisation_id == organisation_id)
        session.execute(
            sa.delete(StoredWindowCompliance).where(
                StoredWindowCompliance.staff_id.in_(staff_of_organisation)
            ),
            execution_options=NO_SYNC,
        )
        rows = [
            (staff_id, *windows[staff_id], result.met, result.missed) for staff_id, result in results.items()
        ]
        insert_rows(session, StoredWindowCompliance.__table__, WINDOW_COLUMNS, rows)
        counts["windows"] += len(rows)
    return counts


# ------------------------------------------------------------------ withholding, decided by the job


def _cells(cells: frozenset) -> list:
    return [[level, key, measure] for (level, key), measure in cells]


def store_withholding(session: AnySession, organisation_id: int, decided: Mapping[bytes, Withheld]) -> int:
    """Keep the job's decisions (`tables.withholding_key` -> the cells withheld), replacing the
    organisation's earlier ones. The `stored-figures` job commits them."""
    session.execute(
        sa.delete(StoredWithholding).where(StoredWithholding.organisation_id == organisation_id),
        execution_options=NO_SYNC,
    )
    session.add_all(
        StoredWithholding(
            organisation_id=organisation_id,
            digest=key.hex(),
            small=_cells(withheld.small),
            secondary=_cells(withheld.secondary),
            decided=None if withheld.decided is None else sorted(withheld.decided),
        )
        for key, withheld in decided.items()
    )
    return len(decided)


def kept_withholding(session: AnySession, organisation_id: int) -> KeptWithholding:
    """The job's decision for exactly these figures, if it made one (`tables.withheld_cells`'s
    `kept`): read only when the process has not decided them itself."""

    def kept(key: bytes) -> Withheld | None:
        row = session.get(StoredWithholding, (organisation_id, key.hex()))
        if row is None:
            return None
        with collector_paused():  # a tuple for each of some 100,000 cells at national scale
            return Withheld(
                frozenset(((level, unit), measure) for level, unit, measure in row.small),
                frozenset(((level, unit), measure) for level, unit, measure in row.secondary),
                None if row.decided is None else frozenset(row.decided),
            )

    return kept
