"""Stored "supervision before leaving" figures for the HR summary, refreshed every hour.

The comparison of leavers' supervision in their last 6 months with that of staff who stayed
replays tens of thousands of people's sessions: about 5 s of the HR summary at national scale
(docs/performance.md). A window that has ended has the same answer whenever it is worked out,
so the `hr-compliance` job works out every window of the latest census year once an hour and
stores the counts; the summary uses a stored answer for exactly the same window and works out
any other live (another snapshot date, a window not yet ended, someone new since the last run).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa

from supervision.bulk import NO_SYNC, insert_rows
from supervision.clock import SystemClock
from supervision.compliance import rules
from supervision.compliance import services as compliance_services
from supervision.extensions import AnySession
from supervision.hr import metrics
from supervision.hr.models import StoredWindowCompliance
from supervision.memory import collector_paused
from supervision.org.models import Organisation, Staff

Windows = Mapping[int, tuple[date, date]]
WINDOW_COLUMNS = ("staff_id", "first_day", "last_day", "met", "missed", "worked_out_at")


def window_compliance(
    session: AnySession, organisation_id: int, windows: Windows, today: date
) -> dict[int, rules.PeriodCompliance]:
    """Intervals met and missed in each person's window: stored where the window has ended and
    was worked out by the job, live for the rest."""
    found: dict[int, rules.PeriodCompliance] = {}
    for staff_id, first_day, last_day, met, missed in session.connection().execute(
        sa.select(
            StoredWindowCompliance.staff_id,
            StoredWindowCompliance.first_day,
            StoredWindowCompliance.last_day,
            StoredWindowCompliance.met,
            StoredWindowCompliance.missed,
        )
        .join(Staff, Staff.id == StoredWindowCompliance.staff_id)
        .where(Staff.organisation_id == organisation_id, StoredWindowCompliance.last_day < today)
    ):
        if windows.get(staff_id) == (first_day, last_day):
            found[staff_id] = rules.PeriodCompliance(met=met, missed=missed)
    missing = {staff_id: window for staff_id, window in windows.items() if staff_id not in found}
    found.update(compliance_services.period_compliance_for(missing, today))
    return found


def refresh_window_compliance(session: AnySession, clock: SystemClock) -> dict[str, int]:
    """Work out and store, for each organisation, every ended window of its latest census year."""
    from supervision.hr.services import registered_social_workers  # services imports this module

    today = clock.today()
    counts: Counter = Counter()
    with collector_paused():  # tens of thousands of people's facts: see supervision.memory
        for organisation_id in session.scalars(sa.select(Organisation.id).order_by(Organisation.id)).all():
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
                (staff_id, *windows[staff_id], result.met, result.missed, clock.now())
                for staff_id, result in results.items()
            ]
            insert_rows(session, StoredWindowCompliance.__table__, WINDOW_COLUMNS, rows)
            session.commit()
            counts["windows"] += len(rows)
    return dict(counts)
