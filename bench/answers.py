"""Each measured use case twice: through the project's own service functions, and as one
hand-written SQL query or bulk statement; both reduced to the same comparable answer.

The SQL runs on PostgreSQL and SQLite (the test suite runs it on both). Where a figure needs
the compliance engine's absence-aware, bank-holiday-aware date arithmetic, the SQL side
covers the part SQL can say exactly and the comparison says which part that is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from supervision.clock import clock
from supervision.compliance import jobs, rules
from supervision.compliance.models import AlertKind, ComplianceAlert
from supervision.compliance.working_days import add_working_days
from supervision.extensions import db
from supervision.hr import services as hr_services
from supervision.hr.metrics import CensusYear
from supervision.org.models import Staff
from supervision.reports import services as report_services
from supervision.reports.figures import Period
from supervision.reports.forms import default_period


def london_date(column: str) -> str:
    """SQL for the Europe/London calendar date of a stored UTC moment."""
    if db.engine.dialect.name == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'Europe/London') AS DATE)"
    # SQLite keeps no time zones; the generated sessions are all in daytime UTC hours.
    return f"DATE({column})"


def rows(sql: str, **params) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(sa.text(sql), params)]


def number(value) -> float:
    return round(float(value or 0), 2)


# ----------------------------------------------------------------------------- team dashboard


def dashboard_project(user_id: int, today: date) -> list[tuple]:
    user = db.session.get(Staff, user_id)
    dashboard = report_services.team_dashboard(user, today)
    return sorted(
        (
            row.person.id,
            row.compliance.supervision.last_held_on,
            row.compliance.assessment.write_ups_pending,
            row.compliance.assessment.actions_overdue,
        )
        for row in dashboard.rows
    )


DASHBOARD_SQL = """
SELECT sc.id,
  (SELECT MAX(ss.held_on) FROM session_attendee a JOIN supervision_session ss ON ss.id = a.session_id
    WHERE a.supervisee_id = sc.id AND ss.status = 'held' AND ss.held_on <= :today
      AND (ss.kind = 'individual' OR sc.counts_group)) AS last_held,
  (SELECT COUNT(*) FROM supervision_record r JOIN supervision_session ss ON ss.id = r.session_id
    WHERE r.supervisee_id = sc.id AND r.supervisor_signed_at IS NULL AND ss.status = 'held') AS write_ups,
  (SELECT COUNT(*) FROM supervision_action x JOIN supervision_record r ON r.id = x.record_id
    WHERE r.supervisee_id = sc.id AND x.status = 'open' AND x.due_on < :today) AS actions_overdue
FROM (
  SELECT s.id, COALESCE(g.supervision_type IN ('group', 'mix'), TRUE) AS counts_group
  FROM staff s
  LEFT JOIN supervision_agreement g ON g.supervisee_id = s.id AND g.ended_on IS NULL
  WHERE s.organisation_id = :organisation_id AND s.id <> :user_id AND s.active
    AND s.start_date <= :today AND (s.end_date IS NULL OR s.end_date >= :today)
    AND s.id IN (
      SELECT supervisee_id FROM supervision_agreement WHERE supervisor_id = :user_id AND ended_on IS NULL
      UNION SELECT id FROM staff WHERE line_manager_id = :user_id
      UNION SELECT m.id FROM staff m JOIN team t ON t.id = m.team_id WHERE t.manager_id = :user_id)
) sc
ORDER BY sc.id
"""


def dashboard_sql(user_id: int, today: date) -> list[tuple]:
    organisation_id = db.session.scalar(sa.select(Staff.organisation_id).where(Staff.id == user_id))
    return [
        (staff_id, as_date(last_held), write_ups, actions)
        for staff_id, last_held, write_ups, actions in rows(
            DASHBOARD_SQL, today=today, user_id=user_id, organisation_id=organisation_id
        )
    ]


def as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --------------------------------------------------------------------------- oversight report

OVERSIGHT_FIELDS = (
    "staff_in_scope",
    "records_held",
    "records_signed",
    "disagreements",
    "sessions_planned",
    "sessions_cancelled",
    "in_post_now",
)


@dataclass(frozen=True)
class Oversight:
    level: report_services.Level
    unit_id: int | None


def oversight_project(user_id: int, unit: Oversight, today: date) -> dict:
    user = db.session.get(Staff, user_id)
    report = report_services.oversight_report(user, unit.level, unit.unit_id, default_period(today), today)
    return {
        (child.level.value, child.id): tuple(getattr(child.period, f) for f in OVERSIGHT_FIELDS)
        for child in [report.unit, *report.children]
    }


def oversight_sql_text(team_ids: list[int]) -> str:
    scheduled_on = london_date("ss.scheduled_start")
    teams = ", ".join(str(int(team_id)) for team_id in team_ids) or "NULL"
    # Only integers and our own SQL are formatted in.
    return f"""
WITH people AS (
  SELECT s.id, s.team_id,
    CASE WHEN s.start_date <= :period_end AND (s.end_date IS NULL OR s.end_date >= :period_start)
         THEN 1 ELSE 0 END AS employed,
    CASE WHEN s.active AND s.start_date <= :today AND (s.end_date IS NULL OR s.end_date >= :today)
         THEN 1 ELSE 0 END AS in_post_now
  FROM staff s
  WHERE s.organisation_id = :organisation_id AND s.team_id IN ({teams})
    AND s.start_date <= :window_end AND (s.end_date IS NULL OR s.end_date >= :window_start)
), records AS (
  SELECT r.supervisee_id, COUNT(*) AS held, COUNT(r.supervisor_signed_at) AS signed,
    SUM(CASE WHEN r.supervisee_disagrees THEN 1 ELSE 0 END) AS disagreements
  FROM supervision_record r JOIN supervision_session ss ON ss.id = r.session_id
  WHERE ss.status = 'held' AND ss.held_on BETWEEN :period_start AND :last_day
    AND r.supervisee_id IN (SELECT id FROM people WHERE employed = 1)
  GROUP BY r.supervisee_id
), planned AS (
  SELECT a.supervisee_id, COUNT(*) AS planned,
    SUM(CASE WHEN ss.status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled
  FROM session_attendee a JOIN supervision_session ss ON ss.id = a.session_id
  WHERE ss.status <> 'scheduled' AND {scheduled_on} BETWEEN :period_start AND :last_day
    AND ss.scheduled_start >= :first_moment AND ss.scheduled_start < :last_moment
    AND a.supervisee_id IN (SELECT id FROM people WHERE employed = 1)
  GROUP BY a.supervisee_id
)
SELECT p.team_id, SUM(p.employed),
  SUM(CASE WHEN p.employed = 1 THEN COALESCE(r.held, 0) ELSE 0 END),
  SUM(CASE WHEN p.employed = 1 THEN COALESCE(r.signed, 0) ELSE 0 END),
  SUM(CASE WHEN p.employed = 1 THEN COALESCE(r.disagreements, 0) ELSE 0 END),
  SUM(CASE WHEN p.employed = 1 THEN COALESCE(x.planned, 0) ELSE 0 END),
  SUM(CASE WHEN p.employed = 1 THEN COALESCE(x.cancelled, 0) ELSE 0 END),
  SUM(p.in_post_now)
FROM people p LEFT JOIN records r ON r.supervisee_id = p.id LEFT JOIN planned x ON x.supervisee_id = p.id
GROUP BY p.team_id
"""  # noqa: S608


def oversight_sql(user_id: int, unit: Oversight, today: date) -> dict:
    """Per team in one query; a service's or the organisation's figures are its teams' sums."""
    user = db.session.get(Staff, user_id)
    services = report_services.overseen_services(user)
    service_of = {team.id: service.id for service in services for team in service.teams}
    if unit.level is report_services.Level.SERVICE:
        team_ids = [team_id for team_id, service_id in service_of.items() if service_id == unit.unit_id]
    else:
        team_ids = list(service_of)
    period = default_period(today)
    months = report_services.trend_months(period)
    window = Period(min(period.starts_on, months[0].starts_on), period.ends_on)
    last_day = min(period.ends_on, today)
    found = rows(
        oversight_sql_text(team_ids),
        organisation_id=user.organisation_id,
        period_start=period.starts_on,
        period_end=period.ends_on,
        window_start=window.starts_on,
        window_end=window.ends_on,
        last_day=last_day,
        today=today,
        first_moment=datetime.combine(window.starts_on - timedelta(days=1), time.min, tzinfo=UTC),
        last_moment=datetime.combine(last_day + timedelta(days=2), time.min, tzinfo=UTC),
    )
    by_team = {team_id: tuple(int(value or 0) for value in values) for team_id, *values in found}
    zero = (0,) * len(OVERSIGHT_FIELDS)

    def total(ids) -> tuple:
        return tuple(sum(values) for values in zip(zero, *(by_team.get(i, zero) for i in ids), strict=False))

    answer = {}
    if unit.level is report_services.Level.SERVICE:
        answer[("service", unit.unit_id)] = total(team_ids)
        for team_id in team_ids:
            answer[("team", team_id)] = by_team.get(team_id, zero)
    else:
        answer[("organisation", None)] = total(team_ids)
        for service in services:
            answer[("service", service.id)] = total(team.id for team in service.teams)
    return answer


# --------------------------------------------------------------------------------- HR summary

HR_FIELDS = ("in_post", "in_post_fte", "agency", "agency_fte", "starters", "leavers", "leavers_fte")


def hr_project(organisation_id: int, snapshot: date) -> dict:
    report = hr_services.retention_report(organisation_id, snapshot)
    answer = {}
    for tally in [report.organisation, *report.services]:
        answer[tally.unit.key] = tuple(number(getattr(tally, name)) for name in HR_FIELDS)
    return answer


HR_SQL = """
SELECT t.service_id,
  SUM(CASE WHEN NOT agency AND in_post THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT agency AND in_post THEN s.fte ELSE 0 END),
  SUM(CASE WHEN agency AND in_post THEN 1 ELSE 0 END),
  SUM(CASE WHEN agency AND in_post THEN s.fte ELSE 0 END),
  SUM(CASE WHEN NOT agency AND s.start_date BETWEEN :year_start AND :snapshot THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT agency AND s.end_date BETWEEN :year_start AND :snapshot THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT agency AND s.end_date BETWEEN :year_start AND :snapshot THEN s.fte ELSE 0 END)
FROM (
  SELECT staff.*, contract_type = 'agency' AS agency,
    (start_date <= :snapshot AND (end_date IS NULL OR end_date > :snapshot)) AS in_post
  FROM staff
  WHERE organisation_id = :organisation_id AND registered_social_worker AND start_date <= :snapshot
    AND (end_date IS NULL OR end_date >= :earliest)
) s LEFT JOIN team t ON t.id = s.team_id
GROUP BY t.service_id
"""


def hr_sql(organisation_id: int, snapshot: date) -> dict:
    year = CensusYear(snapshot)
    found = rows(
        HR_SQL,
        organisation_id=organisation_id,
        snapshot=snapshot,
        year_start=year.starts_on,
        earliest=hr_services.earliest_day_needed(year),
    )
    answer: dict = {}
    organisation = [0.0] * len(HR_FIELDS)
    for service_id, *values in found:
        values = [number(value) for value in values]
        organisation = [a + b for a, b in zip(organisation, values, strict=True)]
        if service_id is not None:
            answer[service_id] = tuple(values)
    answer[None] = tuple(round(value, 2) for value in organisation)
    return answer


def hr_compare(project: dict, raw: dict) -> dict:
    """Services with no registered social workers have no SQL row: all zeros in the report."""
    zero = (0.0,) * len(HR_FIELDS)
    return {key: raw.get(key, zero) for key in project}


# ---------------------------------------------------------------------------------- the sweep

DATE_KINDS = (
    AlertKind.WRITE_UP_OVERDUE,
    AlertKind.AGREEMENT_REVIEW_DUE,
    AlertKind.REGISTRATION_RENEWAL_DUE,
    AlertKind.DBS_RENEWAL_DUE,
)


def sweep_project(today: date) -> set[tuple]:
    """Run the hourly sweep; answer with the open alerts of the kinds SQL can work out alone."""
    jobs.compliance_sweep(db.session, clock())
    return {
        (alert.kind.value, alert.subject_id, record_of(alert))
        for alert in db.session.scalars(
            sa.select(ComplianceAlert).where(
                ComplianceAlert.resolved_at.is_(None), ComplianceAlert.kind.in_(DATE_KINDS)
            )
        )
    }


def record_of(alert: ComplianceAlert) -> int | None:
    if alert.kind is AlertKind.WRITE_UP_OVERDUE:
        return int(alert.period.removeprefix(jobs.RECORD_PERIOD_PREFIX))
    return None


def last_day_before(limit: date, due_on) -> date:
    """The latest day whose due date (a non-decreasing function) is on or before `limit`."""
    day = limit
    while due_on(day) > limit:
        day -= timedelta(days=1)
    return day


SWEEP_SQL = """
WITH people AS (
  SELECT id, swe_renewal_date, dbs_check_date FROM staff
  WHERE active AND (end_date IS NULL OR end_date >= :today)
)
SELECT 'write_up_overdue', r.supervisee_id, r.id
FROM supervision_record r JOIN supervision_session ss ON ss.id = r.session_id
WHERE r.supervisor_signed_at IS NULL AND ss.status = 'held' AND ss.held_on <= :write_up_cutoff
  AND r.supervisee_id IN (SELECT id FROM people)
UNION ALL
SELECT 'agreement_review_due', g.supervisee_id, NULL FROM supervision_agreement g
WHERE g.ended_on IS NULL AND g.review_due_on <= :notice_until AND g.supervisee_id IN (SELECT id FROM people)
UNION ALL
SELECT 'registration_renewal_due', id, NULL FROM people WHERE swe_renewal_date <= :notice_until
UNION ALL
SELECT 'dbs_renewal_due', id, NULL FROM people WHERE dbs_check_date <= :dbs_cutoff
"""


def sweep_sql(today: date, thresholds: rules.Thresholds) -> set[tuple]:
    notice_until = today + timedelta(days=thresholds.renewal_notice_days)
    write_up_cutoff = last_day_before(
        today - timedelta(days=1), lambda day: add_working_days(day, thresholds.write_up_working_days)
    )
    dbs_cutoff = last_day_before(
        notice_until, lambda day: rules.add_months(day, thresholds.dbs_renewal_months)
    )
    return set(
        rows(
            SWEEP_SQL,
            today=today,
            notice_until=notice_until,
            write_up_cutoff=write_up_cutoff,
            dbs_cutoff=dbs_cutoff,
        )
    )


def group_by_kind(answer: set[tuple]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for kind, *_ in answer:
        counts[kind] += 1
    return dict(sorted(counts.items()))
