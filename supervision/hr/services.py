"""HR use cases: the retention report and recording a leaver.

HR see aggregates and employment data only. Nothing here reads a supervision record's content:
the comparison of supervision before leaving uses the compliance engine's counts of intervals
met, which are dates, never words.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa

from supervision.clock import clock
from supervision.extensions import AnySession, db
from supervision.hr import exports, metrics, stored, tables
from supervision.hr.disclosure import shows_flows
from supervision.hr.metrics import CensusYear, Compliance, Level, Retention, Unit, Worker
from supervision.memory import collector_paused
from supervision.org import rules
from supervision.org.models import ContractType, LeavingDestination, Organisation, Service, Staff, Team

log = logging.getLogger(__name__)


def earliest_day_needed(year: CensusYear) -> date:
    """Anyone who left before this day plays no part in the year or its monthly trend."""
    return min(year.starts_on, year.months[0][0])


# A leaving destination as stored (the column's CHECK constraint keeps it to these), and none.
DESTINATION_BY_VALUE: dict[str | None, LeavingDestination | None] = {
    None: None,
    **{destination.value: destination for destination in LeavingDestination},
}


def registered_social_workers(organisation_id: int, year: CensusYear) -> list[Worker]:
    """The census scope: registered social workers employed or placed by agency in the year."""
    # Through the connection, as plain rows: at national scale the ORM's result handling of
    # 40,000 rows cost more than the query. The two enum columns are read as their stored text
    # and looked up here: the Enum type's own check of 80,000 values was a third of the read.
    query = sa.select(
        Staff.id,
        Staff.team_id,
        sa.type_coerce(Staff.contract_type, sa.String),
        Staff.fte,
        Staff.caseload,
        Staff.start_date,
        Staff.end_date,
        sa.type_coerce(Staff.leaving_destination, sa.String),
    ).where(
        Staff.organisation_id == organisation_id,
        Staff.registered_social_worker.is_(True),
        Staff.start_date <= year.snapshot,
        sa.or_(Staff.end_date.is_(None), Staff.end_date >= earliest_day_needed(year)),
    )
    rows = db.session.connection().execute(query).all()
    agency, destinations = ContractType.AGENCY.value, DESTINATION_BY_VALUE
    # Plain tuples, unpacked by position: at national scale this list has 40,000 people.
    return [
        Worker(staff_id, team, contract_type == agency, fte, caseload, start, end, destinations[destination])
        for staff_id, team, contract_type, fte, caseload, start, end, destination in rows
    ]


def organisation_units(organisation_id: int) -> tuple[Unit, list[Unit], list[Unit]]:
    """The organisation, its services and its teams (with each team's establishment)."""
    name = db.session.scalar(sa.select(Organisation.name).where(Organisation.id == organisation_id))
    # Plain rows through the connection, fetched at once: 4,000 teams at national scale.
    teams = [
        Unit(Level.TEAM, team_id, team_name, service_id, establishment_fte)
        for team_id, team_name, service_id, establishment_fte in db.session.connection()
        .execute(
            sa.select(Team.id, Team.name, Team.service_id, Team.establishment_fte)
            .join(Service, Service.id == Team.service_id)
            .where(Service.organisation_id == organisation_id)
            .order_by(Team.name, Team.id)
        )
        .all()
    ]
    teams_of_service: dict[int | None, list[Unit]] = defaultdict(list)
    for team in teams:
        teams_of_service[team.service_key].append(team)
    services = []
    for row in db.session.execute(
        sa.select(Service.id, Service.name)
        .where(Service.organisation_id == organisation_id)
        .order_by(Service.name, Service.id)
    ):
        establishment = sum((t.establishment_fte for t in teams_of_service[row.id]), metrics.ZERO)
        services.append(Unit(Level.SERVICE, row.id, row.name, establishment_fte=establishment))
    organisation = Unit(
        Level.ORGANISATION,
        None,
        name or "",
        establishment_fte=sum((t.establishment_fte for t in teams), metrics.ZERO),
    )
    return organisation, services, teams


def supervision_compliance(
    organisation_id: int, workers: list[Worker], year: CensusYear, today: date
) -> tuple[dict[int, Compliance], datetime | None]:
    """Intervals met and closed: leavers in their last 6 months, stayers in the 6 months to the
    snapshot; and when the stored ones among them were worked out (None: all worked out now).

    The compliance engine works them out from dates alone (agreements, sessions held, absences),
    or the hourly job did for windows that have ended (supervision.hr.stored).
    People with no requirement in their window are left out.
    """
    answer = stored.window_compliance(
        db.session, organisation_id, metrics.compliance_windows(workers, year), today
    )
    # One (immutable) answer for each pair of counts, shared: some 40,000 people at national
    # scale, a few hundred different pairs.
    shared: dict[tuple[int, int], Compliance] = {}
    found = {}
    for staff_id, result in answer.found.items():
        if result.required:
            counts = (result.met, result.missed)
            compliance = shared.get(counts)
            if compliance is None:
                compliance = shared[counts] = Compliance(met=result.met, required=result.required)
            found[staff_id] = compliance
    return found, answer.figures_as_at


def store_reports_and_withholding(
    session: AnySession, organisation_id: int, today: date, worked_out_at: datetime
) -> Counter:
    """The `stored-figures` job's part, after the organisation's windows and run are committed:
    count the latest census date's summary and HR's home page's headlines from the figures as they
    now are (with the windows just stored, as a request would) and keep both reports, stamped with
    the run's time (`stored.store_reports`), so that no request counts them again until the next
    run; decide which of their cells to withhold, kept by the digest of the figures
    (`stored.store_withholding`), so that no request decides them either (docs/performance.md,
    "HR summary"); and write the summary's CSV tables once, with those cells withheld, for the
    downloads of the run's figures."""
    snapshot = metrics.latest_census_date(today)
    summary = counted_report(organisation_id, snapshot)
    headlines = counted_report(organisation_id, snapshot, counts_only=True)
    decided = {}
    _, summary_key = tables.withholding_key(summary)
    decided[summary_key] = tables.withheld_cells(summary)
    asked = tables.measures_of(headlines, tables.HR_HEADLINES)
    _, key = tables.withholding_key(headlines, asked)
    decided[key] = tables.withheld_cells(headlines, asked)
    body = (exports.retention_csv_body(summary, decided[summary_key]), exports.CSV_BODY_DIGEST)
    return Counter(
        retention_reports=stored.store_reports(
            session, organisation_id, [summary, headlines], worked_out_at, csv_body=body
        ),
        withholding_decisions=stored.store_withholding(session, organisation_id, decided),
    )


def stored_csv_body(organisation_id: int, report: Retention) -> str | None:
    """The CSV tables the job wrote for this stored report, if this code wrote them."""
    return stored.stored_csv_body(db.session, organisation_id, report, exports.CSV_BODY_DIGEST)


def kept_withholding(organisation_id: int) -> tables.KeptWithholding:
    """Where a page finds the `stored-figures` job's decision for its figures (`tables.withheld_cells`)."""
    return stored.kept_withholding(db.session, organisation_id)


def retention_report(organisation_id: int, snapshot: date, counts_only: bool = False) -> Retention:
    """Every retention figure for the organisation at `snapshot`: the `stored-figures` job's
    counted report when it may be shown today (the latest census date: supervision.hr.stored,
    "Stored figures" in docs/metrics.md), else counted now (`counted_report`).

    `counts_only` (HR's home page): the same counts of people and FTE, by the same function, without
    supervision before leaving or the monthly trends, which the headlines do not show.
    """
    found = stored.stored_report(db.session, organisation_id, snapshot, counts_only, clock().today())
    return found if found is not None else counted_report(organisation_id, snapshot, counts_only)


def counted_report(organisation_id: int, snapshot: date, counts_only: bool = False) -> Retention:
    """The retention figures counted now from the staff rows, in a fixed number of queries;
    supervision before leaving from the stored windows where the job has them
    (`supervision_compliance`)."""
    year = CensusYear(snapshot)
    with collector_paused():  # tens of thousands of workers' facts: see supervision.memory
        organisation, services, teams = organisation_units(organisation_id)
        workers = registered_social_workers(organisation_id, year)
        if counts_only:
            return metrics.retention(year, organisation, services, teams, workers, counts_only=True)
        compliance, figures_as_at = supervision_compliance(organisation_id, workers, year, clock().today())
        report = metrics.retention(year, organisation, services, teams, workers, compliance)
        # Supervision before leaving is shown for census dates only (hr.disclosure.shows_flows).
        return replace(report, figures_as_at=figures_as_at if shows_flows(snapshot) else None)


# ------------------------------------------------------------------- recording a leaver


class LeaverRefused(Exception):
    """Form field name -> message; nothing was written."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


@dataclass(frozen=True)
class Leaving:
    employee_number: str
    end_date: date | None
    leaving_reason: str | None
    leaving_destination: LeavingDestination | None


def find_by_employee_number(organisation_id: int, employee_number: str) -> Staff | None:
    number = employee_number.strip().lower()
    if not number:
        return None
    return db.session.scalar(
        sa.select(Staff).where(
            Staff.organisation_id == organisation_id, sa.func.lower(Staff.employee_number) == number
        )
    )


def record_leaver(organisation_id: int, leaving: Leaving) -> Staff:
    """Record a person's last day, why they left and where they went; their records stay."""
    person = find_by_employee_number(organisation_id, leaving.employee_number)
    errors: dict[str, str] = {}
    if person is None:
        errors["employee_number"] = (
            "Enter the employee number of a member of staff"
            if leaving.employee_number.strip()
            else "Enter the employee number"
        )
    if leaving.end_date is None:
        errors["end_date"] = "Enter the last day of employment"
    elif person is not None and (problem := rules.end_date_problem(person.start_date, leaving.end_date)):
        errors["end_date"] = problem
    reason = rules.blank_to_none(leaving.leaving_reason)
    reason_field = [field for field in rules.STAFF_TEXT_FIELDS if field[0] == "leaving_reason"]
    errors.update(rules.text_problems({"leaving_reason": reason}, reason_field))
    if errors or person is None:
        raise LeaverRefused(errors)
    new_values = {
        "end_date": leaving.end_date,
        "leaving_reason": reason,
        "leaving_destination": leaving.leaving_destination,
    }
    if any(getattr(person, name) != value for name, value in new_values.items()):
        for name, value in new_values.items():
            setattr(person, name, value)
        person.updated_at = clock().now()
        db.session.commit()
        log.info("leaver recorded", extra={"staff_id": person.id})
    return person
