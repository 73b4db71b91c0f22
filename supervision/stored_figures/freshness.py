"""The one freshness rule for stored figures (docs/metrics.md, "Stored figures").

Stored figures are shown only on the London day they were worked out for, and every page and
export that shows them says "Figures as at HH:MM on D Month YYYY" (the time the run started).
A page whose organisation has no run today works its figures out live instead. The job runs
every hour, so a change, back-dated or not, shows by the next run at the latest.
"""

from __future__ import annotations

from datetime import date, datetime

from supervision.clock import LONDON
from supervision.extensions import AnySession
from supervision.stored_figures.models import StoredFiguresRun


def current_run(session: AnySession, organisation_id: int, today: date) -> StoredFiguresRun | None:
    """The organisation's stored figures' run, when they may be shown today; else None (live)."""
    run = session.get(StoredFiguresRun, organisation_id)
    return run if run is not None and run.as_of == today else None


def record_run(session: AnySession, organisation_id: int, as_of: date, worked_out_at: datetime) -> None:
    """Stamp the organisation's stored figures; the caller commits with the figures."""
    run = session.get(StoredFiguresRun, organisation_id) or StoredFiguresRun(organisation_id=organisation_id)
    run.as_of, run.worked_out_at = as_of, worked_out_at
    session.add(run)


def as_at_text(worked_out_at: datetime) -> str:
    """How every page and export states the time of stored figures: "Figures as at 07:01 on
    7 December 2026" (London time)."""
    local = worked_out_at.astimezone(LONDON)
    return f"Figures as at {local:%H:%M} on {local.day} {local:%B %Y}"
