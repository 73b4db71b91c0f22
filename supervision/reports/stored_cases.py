"""Stored case oversight: the oversight report's case section at organisation and service level.

Worked out live, the section asks `cases.rules.in_time_on` about every case of the unit on 13
days: seconds for an organisation (docs/performance.md, "Case oversight"). The `stored-figures`
job asks the same questions, through the same functions (`cases.services.case_rows`,
`in_time_on`, `tally`), about each stored day (each stored month's last day, and today), and
keeps the answers per worker, day and category (`CaseOversightDay`), with each team's and
service's totals (`CaseOversightUnitDay`). The organisation and service pages add them up in
SQL: a unit's totals where the viewer oversees everyone in it, otherwise the rows of the
workers they oversee (and their own), so every viewer gets the figure the live section gives.

A case counts in the team its worker was in when the figures were worked out, with that team's
limits, as the live section counts it in its worker's team at the time of asking. The stored
counts follow the one freshness rule (supervision.stored_figures.freshness); a day that was not
stored (a period ending later this month) is worked out live.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from supervision.bulk import NO_SYNC, insert_rows
from supervision.cases.models import ChildCase
from supervision.cases.rules import CaseCategory, CategoryShare, in_time_on, shares_of, tally
from supervision.cases.services import CaseRow, case_rows
from supervision.extensions import AnySession
from supervision.org.models import Service, Staff, Team
from supervision.permissions import content_barred, overseen_staff_query
from supervision.reports.models import CaseOversightDay, CaseOversightUnitDay
from supervision.reports.stored import BATCH_SIZE, stored_months

WORKER_COLUMNS = ("worker_id", "day", "category", "team_id", "open_cases", "in_time")
UNIT_COLUMNS = ("organisation_id", "level", "unit_id", "day", "category", "open_cases", "in_time")
TEAM = "team"
SERVICE = "service"


def stored_days(today: date) -> list[date]:
    """The days the job stores: each stored month's last day, or today for this month (the
    section's trend asks about `min(month.ends_on, today)`, its table about the period's end)."""
    return sorted({min(month.ends_on, today) for month in stored_months(today)})


# ------------------------------------------------------------------------------ the job


def refresh_organisation(session: AnySession, organisation_id: int, today: date) -> Counter:
    """Work out and store every worker's case counts on each stored day, and each team's and
    service's totals, replacing the organisation's old ones. The `stored-figures` job commits
    them with its run record (supervision.stored_figures)."""
    days = stored_days(today)
    session.execute(
        sa.delete(CaseOversightDay).where(
            CaseOversightDay.worker_id.in_(
                sa.select(Staff.id).where(Staff.organisation_id == organisation_id)
            )
        ),
        execution_options=NO_SYNC,
    )
    session.execute(
        sa.delete(CaseOversightUnitDay).where(CaseOversightUnitDay.organisation_id == organisation_id),
        execution_options=NO_SYNC,
    )
    service_of_team = dict(
        session.execute(
            sa.select(Team.id, Team.service_id)
            .join(Service, Service.id == Team.service_id)
            .where(Service.organisation_id == organisation_id)
        ).all()
    )
    # Only cases open on some stored day, of workers in a team (the section counts no others).
    open_on_a_stored_day = sa.and_(
        ChildCase.opened_on <= days[-1],
        sa.or_(ChildCase.closed_on.is_(None), ChildCase.closed_on > days[0]),
    )
    workers = list(
        session.scalars(
            sa.select(ChildCase.worker_id)
            .join(Staff, Staff.id == ChildCase.worker_id)
            .where(
                ChildCase.organisation_id == organisation_id, Staff.team_id.is_not(None), open_on_a_stored_day
            )
            .distinct()
            .order_by(ChildCase.worker_id)
        )
    )
    units: dict[tuple[str, int, date, CaseCategory], list[int]] = defaultdict(lambda: [0, 0])
    counts: Counter = Counter()
    for start in range(0, len(workers), BATCH_SIZE):
        batch = workers[start : start + BATCH_SIZE]
        by_worker: dict[int, list[CaseRow]] = defaultdict(list)
        for row in case_rows(organisation_id, sa.and_(ChildCase.worker_id.in_(batch), open_on_a_stored_day)):
            by_worker[row.worker_id].append(row)
        worker_rows: list[tuple] = []
        for worker_id, rows in by_worker.items():
            team_id = rows[0].team_id
            if team_id is None:  # left their team since the workers were listed
                continue
            answers = [(row.category, [in_time_on(row.facts, day) for day in days]) for row in rows]
            for index, day in enumerate(days):
                for share in tally((category, found[index]) for category, found in answers):
                    if share.category is None or not share.open_cases:
                        continue
                    worker_rows.append(
                        (worker_id, day, share.category.value, team_id, share.open_cases, share.in_time)
                    )
                    for unit in ((TEAM, team_id), (SERVICE, service_of_team[team_id])):
                        total = units[(*unit, day, share.category)]
                        total[0] += share.open_cases
                        total[1] += share.in_time
            counts["case_workers"] += 1
        insert_rows(session, CaseOversightDay.__table__, WORKER_COLUMNS, worker_rows)
        counts["case_worker_days"] += len(worker_rows)
    insert_rows(
        session,
        CaseOversightUnitDay.__table__,
        UNIT_COLUMNS,
        [
            (organisation_id, level, unit_id, day, category.value, open_cases, in_time)
            for (level, unit_id, day, category), (open_cases, in_time) in units.items()
        ],
    )
    return counts


# ---------------------------------------------------------------------------- the reports


@dataclass(frozen=True)
class StoredShares:
    """The section's figures from the stored counts: per child unit (a service on the
    organisation's page, a team on a service's) on each day asked about, in that order."""

    children: dict[int, list[list[CategoryShare]]]
    unit: list[list[CategoryShare]]


def stored_shares(
    session: AnySession, viewer: Staff, by_service: bool, team_ids: list[int], days: list[date], today: date
) -> StoredShares | None:
    """The shares of the cases `viewer` may see whose worker is in one of `team_ids`, per child
    unit (services when `by_service`, else teams) and in all, on each of `days`, added up from
    the stored counts; None when a day was not stored (the caller works them out live). The
    caller has checked that the organisation's stored figures may be used today."""
    wanted = sorted(set(days))
    if not set(wanted) <= set(stored_days(today)) or content_barred(viewer):
        return None
    # The report's scope (cases.services.overseen_cases): the viewer and everyone they oversee.
    overseen = overseen_staff_query(viewer)
    service_of = dict(session.execute(sa.select(Team.id, Team.service_id).where(Team.id.in_(team_ids))).all())

    def not_in_scope(query: sa.Select) -> sa.Select:
        return query.join(Staff, Staff.team_id == Team.id).where(
            Staff.id != viewer.id, Staff.id.not_in(overseen)
        )

    # A unit whose every member is in scope is read from its totals: everyone's cases count.
    whole_services: set[int] = set()
    if by_service:
        services = set(service_of.values())
        whole_services = services - set(
            session.scalars(
                not_in_scope(sa.select(Team.service_id).where(Team.service_id.in_(services))).distinct()
            )
        )
    other_teams = [team_id for team_id in team_ids if service_of[team_id] not in whole_services]
    partial_teams = set(
        session.scalars(not_in_scope(sa.select(Team.id).where(Team.id.in_(other_teams))).distinct())
    )
    whole_teams = [team_id for team_id in other_teams if team_id not in partial_teams]

    def child_of(team_id: int) -> int:
        return service_of[team_id] if by_service else team_id

    open_by: dict[tuple[int, date], Counter] = defaultdict(Counter)
    in_time_by: dict[tuple[int, date], Counter] = defaultdict(Counter)

    def add(child: int, day: date, category: CaseCategory, open_cases: int, in_time: int) -> None:
        open_by[child, day][category] += int(open_cases)
        in_time_by[child, day][category] += int(in_time)

    unit_totals = session.execute(
        sa.select(
            CaseOversightUnitDay.level,
            CaseOversightUnitDay.unit_id,
            CaseOversightUnitDay.day,
            CaseOversightUnitDay.category,
            CaseOversightUnitDay.open_cases,
            CaseOversightUnitDay.in_time,
        ).where(
            CaseOversightUnitDay.organisation_id == viewer.organisation_id,
            CaseOversightUnitDay.day.in_(wanted),
            sa.or_(
                sa.and_(
                    CaseOversightUnitDay.level == SERVICE, CaseOversightUnitDay.unit_id.in_(whole_services)
                ),
                sa.and_(CaseOversightUnitDay.level == TEAM, CaseOversightUnitDay.unit_id.in_(whole_teams)),
            ),
        )
    )
    for level, unit_id, day, category, open_cases, in_time in unit_totals:
        add(unit_id if level == SERVICE else child_of(unit_id), day, category, open_cases, in_time)
    if partial_teams:
        workers = session.execute(
            sa.select(
                CaseOversightDay.team_id,
                CaseOversightDay.day,
                CaseOversightDay.category,
                sa.func.sum(CaseOversightDay.open_cases),
                sa.func.sum(CaseOversightDay.in_time),
            )
            .where(
                CaseOversightDay.team_id.in_(sorted(partial_teams)),
                CaseOversightDay.day.in_(wanted),
                sa.or_(CaseOversightDay.worker_id == viewer.id, CaseOversightDay.worker_id.in_(overseen)),
            )
            .group_by(CaseOversightDay.team_id, CaseOversightDay.day, CaseOversightDay.category)
        )
        for team_id, day, category, open_cases, in_time in workers:
            add(child_of(team_id), day, category, open_cases, in_time)

    children = {
        child: [shares_of(open_by[child, day], in_time_by[child, day]) for day in days]
        for child in {child_of(team_id) for team_id in team_ids}
    }
    unit = [
        shares_of(
            sum((open_by[child, day] for child in children), Counter()),
            sum((in_time_by[child, day] for child in children), Counter()),
        )
        for day in days
    ]
    return StoredShares(children, unit)
