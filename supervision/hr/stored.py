"""Stored figures for HR's pages, refreshed every hour: "supervision before leaving", and the
whole counted report at the latest census date.

The comparison of leavers' supervision in their last 6 months with that of staff who stayed
replays tens of thousands of people's sessions: about 5 s of the HR summary at national scale
(docs/performance.md). So the `stored-figures` job works out every ended window of the latest
census year and stores the counts. A window's answer can still change after it has ended (a
session or an absence recorded late, back-dated into it), so the job works them all out again
on every run, and the summary follows the one freshness rule of supervision.stored_figures:
stored answers are used only when worked out today, and the page and the downloads say
"Figures as at" the run's time. Any other window (another snapshot date, a window that has not
ended, someone new since the run) is worked out live.

Counting the census's registered social workers for every request (about 45,000 at national
scale) cost half a second of CPU or more per HR page, the largest cost in the mixed load
(docs/performance.md). So after storing the windows the job also keeps the counted report itself
for the latest census date (the summary's and the headlines', `store_reports`), and a page shows
it whole, as at the run's time, under the same rule; any other snapshot is counted live.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from supervision.bulk import NO_SYNC, insert_rows
from supervision.compliance import rules
from supervision.compliance import services as compliance_services
from supervision.extensions import AnySession
from supervision.hr import metrics
from supervision.hr.metrics import Compliance, Level, MonthFigures, Retention, Tally, Unit
from supervision.hr.models import StoredRetentionReport, StoredWindowCompliance, StoredWithholding
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


# ------------------------------------------------------------------ the counted report, kept whole

# The fields of a stored tally, in order. A row written by code whose `Tally` had other fields is
# never read (`report_from_json` answers None): the page counts live until the next run.
TALLY_FIELDS = [f.name for f in dataclasses.fields(Tally)]


def _unit_json(unit: Unit) -> list:
    return [unit.level.value, unit.key, unit.name, unit.service_key, str(unit.establishment_fte)]


def _unit_from_json(found: list) -> Unit:
    level, key, name, service_key, establishment_fte = found
    return Unit(Level(level), key, name, service_key, Decimal(establishment_fte))


def _tally_json(tally: Tally) -> list:
    values: list = []
    for name in TALLY_FIELDS:
        value = getattr(tally, name)
        if isinstance(value, Unit):
            values.append(_unit_json(value))
        elif isinstance(value, Decimal):
            values.append(str(value))  # the text keeps the exponent: Decimal("1.50") comes back as is
        elif isinstance(value, Compliance):
            values.append([value.met, value.required])
        elif isinstance(value, dict):
            values.append({str(key): count for key, count in value.items()})
        elif isinstance(value, int):
            values.append(value)
        else:
            raise TypeError(f"Tally.{name}: no stored form for {type(value).__name__}")
    return values


def _reader(field: dataclasses.Field) -> Callable[[Any], Any]:
    """How a stored tally's value of `field` becomes the counted one again (by the field's default)."""
    if field.name == "unit":
        return _unit_from_json
    default = field.default_factory() if field.default_factory is not dataclasses.MISSING else field.default
    if isinstance(default, Decimal):
        return Decimal
    if isinstance(default, Compliance):
        return lambda found: Compliance(*found)
    if isinstance(default, dict):
        keys = tuple(default)  # the keys as the counting makes them (enum members), in its order
        return lambda found: {key: found[str(key)] for key in keys}
    return lambda found: found


# Worked out once: some 4,000 tallies are read at national scale.
TALLY_READERS = [_reader(field) for field in dataclasses.fields(Tally)]


def _tally_from_json(found: list) -> Tally:
    return Tally(*[read(value) for read, value in zip(TALLY_READERS, found, strict=True)])


def _month_json(month: MonthFigures) -> list:
    return [
        month.first.isoformat(),
        month.last.isoformat(),
        str(month.leavers_fte),
        str(month.in_post_fte),
        str(month.vacant_fte),
        str(month.establishment_fte),
        month.leavers,
    ]


def _month_from_json(found: list) -> MonthFigures:
    first, last, leavers_fte, in_post_fte, vacant_fte, establishment_fte, leavers = found
    return MonthFigures(
        date.fromisoformat(first),
        date.fromisoformat(last),
        Decimal(leavers_fte),
        Decimal(in_post_fte),
        Decimal(vacant_fte),
        Decimal(establishment_fte),
        leavers,
    )


def report_json(report: Retention) -> dict:
    """Every figure of a counted report, as JSON: aggregates only, never a person."""
    return {
        "tally_fields": TALLY_FIELDS,
        "snapshot": report.year.snapshot.isoformat(),
        "counts_only": report.counts_only,
        "organisation": _tally_json(report.organisation),
        "services": [_tally_json(tally) for tally in report.services],
        "teams": [_tally_json(tally) for tally in report.teams],
        "trends": [
            [_unit_json(unit), [_month_json(m) for m in months]] for unit, months in report.trends.items()
        ],
    }


def report_from_json(found: dict) -> Retention | None:
    """The report `report_json` stored, or None when it was stored with other fields."""
    if found.get("tally_fields") != TALLY_FIELDS:
        return None
    with collector_paused():  # some 4,000 teams' tallies at national scale
        return Retention(
            year=metrics.CensusYear(date.fromisoformat(found["snapshot"])),
            organisation=_tally_from_json(found["organisation"]),
            services=[_tally_from_json(tally) for tally in found["services"]],
            teams=[_tally_from_json(tally) for tally in found["teams"]],
            trends={
                _unit_from_json(unit): [_month_from_json(m) for m in months]
                for unit, months in found["trends"]
            },
            counts_only=found["counts_only"],
        )


def store_reports(
    session: AnySession,
    organisation_id: int,
    reports: list[Retention],
    worked_out_at: datetime,
    csv_body: tuple[str, str] | None = None,
) -> int:
    """Keep the job's counted reports (one per `counts_only`), replacing the organisation's earlier
    ones, stamped with its run's time, and the summary's CSV tables as (body, what wrote it).
    The `stored-figures` job commits them."""
    session.execute(
        sa.delete(StoredRetentionReport).where(StoredRetentionReport.organisation_id == organisation_id),
        execution_options=NO_SYNC,
    )
    session.add_all(
        StoredRetentionReport(
            organisation_id=organisation_id,
            counts_only=report.counts_only,
            snapshot=report.year.snapshot,
            worked_out_at=worked_out_at,
            figures=report_json(report),
            csv_body=None if report.counts_only or csv_body is None else csv_body[0],
            csv_digest=None if report.counts_only or csv_body is None else csv_body[1],
        )
        for report in reports
    )
    return len(reports)


def stored_report(
    session: AnySession, organisation_id: int, snapshot: date, counts_only: bool, today: date
) -> Retention | None:
    """The job's counted report for `snapshot`, as at its run, when that run's figures may be shown
    today (supervision.stored_figures.freshness) and the report was stored by that run; else None."""
    run = current_run(session, organisation_id, today)
    if run is None:
        return None
    # Reading the JSON makes some 200,000 objects at national scale: without the pause, the
    # collector walked the whole heap during it, once in two requests (about 150 ms each time).
    with collector_paused():
        row = session.get(StoredRetentionReport, (organisation_id, counts_only))
        if row is None or row.snapshot != snapshot or row.worked_out_at != run.worked_out_at:
            return None
        report = report_from_json(row.figures)
    return (
        None
        if report is None
        else dataclasses.replace(report, figures_as_at=run.worked_out_at, stored_whole=True)
    )


def stored_csv_body(session: AnySession, organisation_id: int, report: Retention, digest: str) -> str | None:
    """The summary's CSV tables the job wrote for `report` (a stored one, as `stored_report` read
    it), when the code that wrote them is `digest`'s; else None (the download writes them)."""
    if not report.stored_whole or report.counts_only:
        return None
    row = session.get(StoredRetentionReport, (organisation_id, False))
    if row is None or row.worked_out_at != report.figures_as_at or row.csv_digest != digest:
        return None
    return row.csv_body
