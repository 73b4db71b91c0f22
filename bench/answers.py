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

from bench import engine_sql as engine
from supervision.clock import clock
from supervision.compliance import rules
from supervision.compliance.models import AlertKind, ComplianceAlert
from supervision.compliance.working_days import add_working_days
from supervision.extensions import db
from supervision.hr import services as hr_services
from supervision.hr.metrics import (
    DESTINATION_KEYS,
    MONTHS_BEFORE_LEAVING,
    NOT_RECORDED,
    CensusYear,
    ServiceBand,
    compliance_window_before_leaving,
    compliance_window_of_stayers,
)
from supervision.hr.stored import TALLY_FIELDS
from supervision.jobs import catalogue as jobs
from supervision.org.models import Staff
from supervision.record_sections import TEXT_SECTIONS
from supervision.records.signoff import BLANK_CHARACTERS
from supervision.reports import figures
from supervision.reports import services as report_services
from supervision.reports.figures import MonthState, Period
from supervision.reports.forms import default_period
from supervision.stored_figures.models import StoredFiguresRun


def london_date(column: str) -> str:
    """SQL for the Europe/London calendar date of a stored UTC moment."""
    if db.engine.dialect.name == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'Europe/London') AS DATE)"
    # SQLite keeps no time zones; the generated sessions are all in daytime UTC hours.
    return f"DATE({column})"


# Columns the counterparts look rows up by, one person (or agreement, or case reference:
# bench/case_answers.py) at a time.
INDEXED = ("staff_id", "id", "reference")


def rows(sql: str, **params) -> list[tuple]:
    """The rows of one statement. A `WITH RECURSIVE` chain of the counterparts runs staged, as
    one temporary table per expression in order (bench/engine_sql.py, `staged`), each indexed by
    person and analysed: the interval walk looks up one person's sessions, absences and
    agreements at each step, and a common table expression has no index (on PostgreSQL each
    look-up read the whole expression: minutes for a thousand people); SQLite also has a limit
    on how often a statement may name a table, which the chain passes when written as one."""
    if not sql.lstrip().startswith("WITH RECURSIVE"):
        return [tuple(row) for row in db.session.execute(sa.text(sql), params)]
    *stages, final = engine.staged(sql.lstrip(), db.engine.dialect.name)
    for stage in stages:
        db.session.execute(sa.text(stage), params)
        created = engine.created_table(stage)
        if created is None:
            continue
        columns = set(db.session.execute(sa.text(f"SELECT * FROM {created} LIMIT 0")).keys())
        for column in INDEXED:
            if column in columns:
                db.session.execute(sa.text(f"CREATE INDEX {created}_{column} ON {created} ({column})"))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text(f"ANALYZE {created}"))
    return [tuple(row) for row in db.session.execute(sa.text(final), params)]


def number(value) -> float:
    return round(float(value or 0), 2)


# ----------------------------------------------------------------------------- team dashboard


def dashboard_answer(dashboard_rows) -> dict[int, tuple]:
    """Every figure the dashboard shows of each person, and the 12-month grid."""
    return {
        row.person.id: (
            row.figures.status.value,
            row.figures.last_held_on,
            row.figures.next_due_on,
            row.figures.days_overdue,
            row.figures.working_days_overdue,
            row.figures.has_agreement,
            row.figures.write_ups_pending,
            row.figures.write_ups_overdue,
            row.figures.actions_overdue,
            tuple(state.value for state in row.figures.months),
        )
        for row in dashboard_rows
    }


def dashboard_project(user_id: int, today: date) -> dict[int, tuple]:
    """The page's rows, worked out live as the page always is (docs/metrics.md, "Stored figures")."""
    user = db.session.get(Staff, user_id)
    return dashboard_answer(report_services.team_dashboard(user, today).rows)


# Whose supervision pages a person may open (supervision/permissions.py, supervision_pages_query):
# everyone below them in the line, up to 50 steps; everyone in a team they manage or whose
# service they head; the supervisees whose current agreement names them. Nobody for HR.
DASHBOARD_SCOPE = """
line_below(id, depth) AS (
  SELECT id, 1 FROM staff WHERE line_manager_id = :user_id
  UNION ALL
  SELECT s.id, l.depth + 1 FROM staff s JOIN line_below l ON s.line_manager_id = l.id WHERE l.depth < 50
),
viewer AS (
  SELECT v.id, v.organisation_id,
    CASE WHEN EXISTS (SELECT 1 FROM staff_role r WHERE r.staff_id = v.id AND r.role = 'hr') THEN 1 ELSE 0
    END AS barred
  FROM staff v WHERE v.id = :user_id
),
page_people AS (
  SELECT s.id FROM staff s JOIN viewer v ON v.organisation_id = s.organisation_id
  WHERE s.id <> v.id AND v.barred = 0
    AND s.active AND s.start_date <= :today AND (s.end_date IS NULL OR s.end_date >= :today)
    AND (s.id IN (SELECT id FROM line_below)
      OR s.team_id IN (SELECT t.id FROM team t WHERE t.manager_id = v.id
        OR t.service_id IN (SELECT sv.id FROM service sv WHERE sv.manager_id = v.id))
      OR s.id IN (SELECT g.supervisee_id FROM supervision_agreement g
        WHERE g.supervisor_id = v.id AND g.ended_on IS NULL))
),"""


def status_ctes(dialect: engine.Dialect, today: date, who: str = "person") -> str:
    """`status_row`: each person's status today and the figures beside it, as the compliance
    engine works them out (supervision_status and assess in supervision/compliance/rules.py),
    for the people of `who` (a CTE with the columns of `person`)."""
    t = engine.day_number(today)
    return f"""
current_agreement AS (
  SELECT r.* FROM agreement_rule r WHERE r.is_current = 1
    AND NOT EXISTS (SELECT 1 FROM agreement o WHERE o.staff_id = r.staff_id AND o.is_current = 1 AND o.id > r.id)
),
status_base AS (
  SELECT p.id, p.organisation_id, cur.id AS cur_id, cur.requires AS cur_requires, cur.agreed_on AS cur_agreed,
    (SELECT MAX(c.d) FROM counted c WHERE c.staff_id = p.id) AS last_held,
    (SELECT r.starts_on FROM run r WHERE r.staff_id = p.id AND r.starts_on <= {t}
      AND (r.ends_on IS NULL OR {t} <= r.ends_on)) AS run_start
  FROM {who} p LEFT JOIN current_agreement cur ON cur.staff_id = p.id
),
status_start AS (
  SELECT b.*, CASE WHEN b.run_start IS NOT NULL
      THEN CASE WHEN b.last_held >= b.run_start THEN b.last_held ELSE b.run_start END
      ELSE {engine.greatest("b.cur_agreed", "b.last_held")} END AS start_day
  FROM status_base b
),
status_terms AS (
  SELECT s.*, CASE WHEN s.run_start IS NOT NULL THEN {engine.in_force("s.id", "s.start_day")}
    ELSE s.cur_id END AS terms
  FROM status_start s
),
status_due AS (
  SELECT s.*, CASE WHEN s.cur_requires = 1 THEN
    {engine.counted_date_after("s.id", "s.start_day", engine.interval_of("s.terms", "s.start_day"))} END AS due
  FROM status_terms s
),
status_counts AS (
  SELECT s.*,
    {engine.counted_days_between("s.id", "s.due", str(t))} AS days_overdue,
    {engine.counted_working_days_between("s.id", "s.due", str(t))} AS working_days_overdue,
    {engine.counted_working_days_between("s.id", str(t), "s.due")} AS until_due,
    CASE WHEN EXISTS (SELECT 1 FROM span sp WHERE sp.staff_id = s.id AND sp.s <= {t} AND sp.e >= {t})
      THEN 1 ELSE 0 END AS absent_today
  FROM status_due s
),
write_up AS (
  SELECT r.supervisee_id AS staff_id, {dialect.day("ss.held_on")} AS held_on
  FROM supervision_record r JOIN supervision_session ss ON ss.id = r.session_id
  WHERE r.supervisee_id IN (SELECT id FROM person) AND r.supervisor_signed_at IS NULL AND ss.status = 'held'
),
status_row AS (
  SELECT s.id,
    CASE WHEN s.cur_id IS NULL THEN 'no_agreement'
      WHEN s.cur_requires = 0 THEN 'on_track'
      WHEN s.absent_today = 1 THEN 'paused'
      WHEN {t} <= s.due THEN CASE WHEN s.until_due <= pol.due_soon_working_days THEN 'due_soon' ELSE 'on_track' END
      WHEN s.working_days_overdue > pol.escalation_working_days THEN 'escalated'
      ELSE 'overdue' END AS status,
    CASE WHEN s.cur_id IS NOT NULL THEN s.last_held END AS last_held,
    s.due,
    CASE WHEN s.cur_requires = 1 THEN s.days_overdue ELSE 0 END AS days_overdue,
    CASE WHEN s.cur_requires = 1 THEN s.working_days_overdue ELSE 0 END AS working_days_overdue,
    CASE WHEN s.cur_id IS NULL THEN 0 ELSE 1 END AS has_agreement,
    (SELECT COUNT(*) FROM write_up w WHERE w.staff_id = s.id) AS write_ups_pending,
    (SELECT COUNT(*) FROM write_up w WHERE w.staff_id = s.id AND w.held_on < {t}
      AND {engine.working_days_up_to(f"{t} - 1")} - {engine.working_days_up_to("w.held_on")}
        >= pol.write_up_working_days) AS write_ups_overdue,
    (SELECT COUNT(*) FROM supervision_action x JOIN supervision_record r ON r.id = x.record_id
      WHERE r.supervisee_id = s.id AND x.status = 'open' AND x.due_on < :today) AS actions_overdue
  FROM status_counts s JOIN pol ON pol.organisation_id = s.organisation_id
)"""


def dashboard_sql_text(dialect: engine.Dialect, today: date) -> tuple[str, str]:
    """Two statements from the base tables: each person's figures, and their grid's months."""
    ctes = DASHBOARD_SCOPE + engine.facts_ctes(dialect, "SELECT id FROM page_people", today)
    months = figures.months_ending(today, figures.TREND_MONTHS)
    month_rows = " UNION ALL ".join(
        f"SELECT {index} AS idx, {engine.day_number(m.starts_on)} AS first_day, "
        f"{engine.day_number(m.ends_on)} AS last_day"
        for index, m in enumerate(months)
    )
    status = f"""{ctes},{status_ctes(dialect, today)}
SELECT * FROM status_row ORDER BY id
"""
    grid_ctes = DASHBOARD_SCOPE + engine.facts_ctes(
        dialect, "SELECT id FROM page_people", today, months[0].starts_on
    )
    grid = f"""{grid_ctes},
month AS ({month_rows}),
overdue_span AS (
  SELECT o.staff_id, o.due_on + 1 AS first_day,
    {engine.least(engine.least("p.until_day", "o.ends_on"), "(SELECT MIN(l.closed_on) - 1 FROM outcome l WHERE l.staff_id = o.staff_id AND l.starts_on = o.starts_on AND l.late = 1 AND l.closed_on > o.due_on)")} AS last_day
  FROM outcome o JOIN person p ON p.id = o.staff_id WHERE o.starts_gap = 1
),
person_month AS (
  SELECT p.id AS staff_id, p.employed_from, m.idx, m.first_day, {engine.least("m.last_day", "p.until_day")} AS last_day
  FROM person p CROSS JOIN month m
  WHERE m.first_day <= p.until_day AND p.employed_from <= {engine.least("m.last_day", "p.until_day")}
    AND EXISTS (SELECT 1 FROM agreement_rule g WHERE g.staff_id = p.id AND g.requires = 1
      AND g.agreed_on <= {engine.least("m.last_day", "p.until_day")}
      AND (g.ended_on IS NULL OR g.ended_on >= m.first_day))
)
SELECT pm.staff_id, pm.idx,
  CASE WHEN EXISTS (SELECT 1 FROM outcome o WHERE o.staff_id = pm.staff_id AND o.late = 1
      AND o.closed_on BETWEEN pm.first_day AND pm.last_day AND o.closed_on >= pm.employed_from) THEN 'late'
    WHEN EXISTS (SELECT 1 FROM outcome o WHERE o.staff_id = pm.staff_id AND o.met = 0
      AND o.closed_on BETWEEN pm.first_day AND pm.last_day AND o.closed_on >= pm.employed_from)
      OR EXISTS (SELECT 1 FROM overdue_span v WHERE v.staff_id = pm.staff_id AND v.first_day <= v.last_day
        AND v.first_day <= pm.last_day AND v.last_day >= pm.first_day) THEN 'missed'
    WHEN EXISTS (SELECT 1 FROM outcome o WHERE o.staff_id = pm.staff_id AND o.met = 1 AND o.late = 0
      AND o.closed_on BETWEEN pm.first_day AND pm.last_day AND o.closed_on >= pm.employed_from) THEN 'on_time'
    WHEN EXISTS (SELECT 1 FROM span sp WHERE sp.staff_id = pm.staff_id
      AND sp.s <= pm.last_day AND sp.e >= pm.first_day) THEN 'paused'
    ELSE 'nothing_due' END
FROM person_month pm
"""
    return status, grid


def dashboard_sql(user_id: int, today: date) -> dict[int, tuple]:
    dialect = engine.Dialect(db.engine.dialect.name)
    status_sql, grid_sql = dashboard_sql_text(dialect, today)
    params = {"user_id": user_id, "today": today}
    months: dict[int, list[str]] = defaultdict(
        lambda: [MonthState.NOT_APPLICABLE.value] * figures.TREND_MONTHS
    )
    for staff_id, index, state in rows(engine.materialized("WITH RECURSIVE " + grid_sql), **params):
        months[staff_id][index] = state
    return {
        staff_id: (
            status,
            engine.from_day_number(last_held),
            engine.from_day_number(due),
            int(days),
            int(working_days),
            bool(has_agreement),
            int(pending),
            int(overdue),
            int(actions),
            tuple(months[staff_id]),
        )
        for staff_id, status, last_held, due, days, working_days, has_agreement, pending, overdue, actions in rows(
            engine.materialized("WITH RECURSIVE " + status_sql), **params
        )
    }


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
"""


def oversight_sql(user_id: int, unit: Oversight, today: date) -> dict:
    """Per team in one query; a service's or the organisation's figures are its teams' sums."""
    user = db.session.get(Staff, user_id)
    units = report_services.overseen_units(user)
    service_of = {team.id: team.service_id for team in units.team_list}
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
        for service in units.services:
            answer[("service", service.id)] = total(team.id for team in units.teams[service.id])
    return answer


# --------------------------------------------------------------------------------- HR summary

# Every count of a unit's row on the HR summary page; the service bands and leaving destinations
# follow. Compliance counts come from the stored-figures job's stored windows on the SQL side.
HR_COUNTS = (
    "in_post",
    "in_post_fte",
    "agency",
    "agency_fte",
    "starters",
    "starters_fte",
    "leavers",
    "leavers_fte",
    "case_holders",
    "case_holders_fte",
    "cases",
    "vacant_fte",
    "leavers_met",
    "leavers_required",
    "leavers_with_compliance",
    "stayers_met",
    "stayers_required",
    "stayers_with_compliance",
)
# Destinations named apart: "agency" is a destination and a count of people in post.
HR_DESTINATIONS = tuple(f"destination_{key}" for key in DESTINATION_KEYS)
HR_FIELDS = (*HR_COUNTS, *(band.value for band in ServiceBand), *HR_DESTINATIONS)


def hr_project(organisation_id: int, snapshot: date, live: bool = False, stored: bool = False) -> dict:
    """Every figure of the page, per team, service and the organisation, and the monthly trends:
    as served, or worked out `live` (the stored windows set aside in a transaction rolled back),
    or only as served from the `stored` report (an error if the page counted it for the request)."""
    if live:
        db.session.execute(
            sa.delete(StoredFiguresRun).where(StoredFiguresRun.organisation_id == organisation_id)
        )
    report = hr_services.retention_report(organisation_id, snapshot)
    if live:
        db.session.rollback()
        if report.figures_as_at is not None:
            raise AssertionError("stored windows answered: the bench compares the summary worked out live")
    if stored and not report.stored_whole:
        raise AssertionError("the page counted its report: the bench compares the stored report")
    answer: dict = {}
    for tally in [report.organisation, *report.services, *report.teams]:
        counts = {
            **{name: getattr(tally, name) for name in HR_COUNTS[:12]},
            "leavers_met": tally.leavers_compliance.met,
            "leavers_required": tally.leavers_compliance.required,
            "leavers_with_compliance": tally.leavers_with_compliance,
            "stayers_met": tally.stayers_compliance.met,
            "stayers_required": tally.stayers_compliance.required,
            "stayers_with_compliance": tally.stayers_with_compliance,
            **tally.by_service_band,
            **{f"destination_{key}": count for key, count in tally.by_destination.items()},
        }
        answer[(tally.unit.level.value, tally.unit.key)] = tuple(number(counts[name]) for name in HR_FIELDS)
    for unit, months in report.trends.items():
        answer[("trend", unit.level.value, unit.key)] = tuple(
            (number(month.leavers_fte), number(month.in_post_fte), number(month.vacant_fte))
            for month in months
        )
    return answer


def completed_years_sql(start: str, end: str) -> str:
    if db.engine.dialect.name == "postgresql":
        return f"CAST(date_part('year', age({end}, {start})) AS INTEGER)"
    return (
        f"(CAST(strftime('%Y', {end}) AS INTEGER) - CAST(strftime('%Y', {start}) AS INTEGER)"
        f" - (strftime('%m-%d', {end}) < strftime('%m-%d', {start})))"
    )


# The people whose intervals the HR counterpart walks: the census's registered social workers.
HR_SCOPE = (
    "SELECT s.id FROM staff s WHERE s.organisation_id = :organisation_id AND s.registered_social_worker "
    "AND s.contract_type <> 'agency' AND s.start_date <= :snapshot "
    "AND (s.end_date IS NULL OR s.end_date >= :earliest)"
)
HR_WORKERS = """
worker AS (
  SELECT s.id, s.team_id, s.fte, COALESCE(s.caseload, 0) AS caseload, s.start_date, s.end_date,
    s.leaving_destination,
    CASE WHEN s.contract_type = 'agency' THEN 1 ELSE 0 END AS agency,
    CASE WHEN s.end_date IS NULL OR s.end_date > :snapshot THEN 1 ELSE 0 END AS in_post,
    CASE WHEN s.contract_type <> 'agency' AND s.start_date >= :year_start THEN 1 ELSE 0 END AS starter,
    CASE WHEN s.contract_type <> 'agency' AND s.end_date BETWEEN :year_start AND :snapshot
      THEN 1 ELSE 0 END AS leaver,
    {years} AS years
  FROM staff s
  WHERE s.organisation_id = :organisation_id AND s.registered_social_worker
    AND s.start_date <= :snapshot AND (s.end_date IS NULL OR s.end_date >= :earliest)
)"""


def hr_census_sql(dialect: engine.Dialect, snapshot: date, today: date, stored: bool = False) -> str:
    """Every figure of each team, from the base tables: the supervision before leaving (and of
    those who stayed) from the compliance engine's intervals in SQL (bench/engine_sql.py), or,
    when `stored`, read from the stored-figures job's stored windows (the same rows the page
    reads: a person's window as the page asks for it, met and missed as stored)."""
    stayers_from = compliance_window_of_stayers(CensusYear(snapshot))[0]
    history_from = min(stayers_from, compliance_window_before_leaving(CensusYear(snapshot).starts_on)[0])
    facts = engine.facts_ctes(dialect, HR_SCOPE, today, history_from)
    window_result = """window_result AS (
  SELECT h.id, SUM(o.met * (1 - o.late)) AS met, COUNT(*) AS required
  FROM hr_window h JOIN outcome o ON o.staff_id = h.id AND o.closed_on BETWEEN h.first_day AND h.last_day
  GROUP BY h.id
)"""
    if stored:
        facts = "hr_fresh AS (SELECT 1 AS ok FROM stored_figures_run WHERE organisation_id = :organisation_id AND as_of = :today)"
        window_result = f"""window_result AS (
  SELECT h.id, w.met, w.met + w.missed AS required
  FROM hr_window h JOIN stored_window_compliance w ON w.staff_id = h.id
    AND {dialect.day("w.first_day")} = h.first_day AND {dialect.day("w.last_day")} = h.last_day
  WHERE EXISTS (SELECT 1 FROM hr_fresh)
)"""
    band = {
        ServiceBand.UNDER_2: "years < 2",
        ServiceBand.FROM_2_TO_5: "years >= 2 AND years < 5",
        ServiceBand.FROM_5_TO_10: "years >= 5 AND years < 10",
        ServiceBand.FROM_10: "years >= 10",
    }
    destination = {key: f"leaving_destination = '{key}'" for key in DESTINATION_KEYS[:-1]}
    destination[NOT_RECORDED] = "leaving_destination IS NULL"
    counted_if_leaver = "SUM(CASE WHEN leaver = 1 AND {} THEN 1 ELSE 0 END)".format
    sums = {
        "in_post": "SUM(CASE WHEN in_post = 1 AND agency = 0 THEN 1 ELSE 0 END)",
        "in_post_fte": "SUM(CASE WHEN in_post = 1 AND agency = 0 THEN fte ELSE 0 END)",
        "agency": "SUM(CASE WHEN in_post = 1 AND agency = 1 THEN 1 ELSE 0 END)",
        "agency_fte": "SUM(CASE WHEN in_post = 1 AND agency = 1 THEN fte ELSE 0 END)",
        "starters": "SUM(starter)",
        "starters_fte": "SUM(CASE WHEN starter = 1 THEN fte ELSE 0 END)",
        "leavers": "SUM(leaver)",
        "leavers_fte": "SUM(CASE WHEN leaver = 1 THEN fte ELSE 0 END)",
        "case_holders": "SUM(CASE WHEN in_post = 1 AND caseload > 0 THEN 1 ELSE 0 END)",
        "case_holders_fte": "SUM(CASE WHEN in_post = 1 AND caseload > 0 THEN fte ELSE 0 END)",
        "cases": "SUM(CASE WHEN in_post = 1 THEN caseload ELSE 0 END)",
        "leavers_met": "SUM(CASE WHEN leaver = 1 THEN met ELSE 0 END)",
        "leavers_required": "SUM(CASE WHEN leaver = 1 THEN required ELSE 0 END)",
        "leavers_with_compliance": "SUM(CASE WHEN leaver = 1 AND required > 0 THEN 1 ELSE 0 END)",
        "stayers_met": "SUM(CASE WHEN in_post = 1 THEN met ELSE 0 END)",
        "stayers_required": "SUM(CASE WHEN in_post = 1 THEN required ELSE 0 END)",
        "stayers_with_compliance": "SUM(CASE WHEN in_post = 1 AND required > 0 THEN 1 ELSE 0 END)",
        **{key: counted_if_leaver(test) for key, test in band.items()},
        **{f"destination_{key}": counted_if_leaver(test) for key, test in destination.items()},
    }
    counted = [name for name in HR_FIELDS if name != "vacant_fte"]
    # Columns are named by position: some field names (2_to_5) are not SQL names.
    per_team = ",\n    ".join(f"{sums[name]} AS c{index}" for index, name in enumerate(counted))
    team_columns = ", ".join(f"COALESCE(p.c{index}, 0)" for index in range(len(counted)))
    return f"""
WITH RECURSIVE {facts},
{HR_WORKERS.format(years=completed_years_sql("s.start_date", "s.end_date"))},
hr_window AS (
  SELECT w.id, CASE WHEN w.leaver = 1 THEN {dialect.add_months("w.end_date", str(-MONTHS_BEFORE_LEAVING))} + 1
      ELSE {engine.day_number(stayers_from)} END AS first_day,
    CASE WHEN w.leaver = 1 THEN {dialect.day("w.end_date")} ELSE {engine.day_number(snapshot)} END AS last_day
  FROM worker w WHERE w.agency = 0 AND (w.leaver = 1 OR w.in_post = 1)
),
{window_result},
judged AS (
  SELECT w.*, c.met, c.required
  FROM worker w LEFT JOIN window_result c ON c.id = w.id AND c.required > 0
),
per_team AS (
  SELECT team_id,
    {per_team}
  FROM judged GROUP BY team_id
)
SELECT t.id, t.service_id, t.establishment_fte, {team_columns}
FROM team t JOIN service sv ON sv.id = t.service_id LEFT JOIN per_team p ON p.team_id = t.id
WHERE sv.organisation_id = :organisation_id
UNION ALL
SELECT NULL, NULL, 0, {team_columns} FROM per_team p WHERE p.team_id IS NULL
"""


def hr_trends_sql(months: list[tuple[date, date]]) -> str:
    month_rows = " UNION ALL ".join(
        f"SELECT {index} AS idx, :first_{index} AS first_day, :last_{index} AS last_day"
        for index in range(len(months))
    )
    return f"""
WITH {HR_WORKERS.format(years="NULL")},
month AS ({month_rows}),
per_team AS (
  SELECT w.team_id, m.idx,
    SUM(CASE WHEN w.start_date <= m.last_day AND (w.end_date IS NULL OR w.end_date > m.last_day)
      THEN w.fte ELSE 0 END) AS in_post_fte,
    SUM(CASE WHEN w.end_date BETWEEN m.first_day AND m.last_day THEN w.fte ELSE 0 END) AS leavers_fte
  FROM worker w CROSS JOIN month m WHERE w.agency = 0 GROUP BY w.team_id, m.idx
)
SELECT t.service_id, m.idx, SUM(COALESCE(p.in_post_fte, 0)), SUM(COALESCE(p.leavers_fte, 0)),
  SUM(CASE WHEN t.establishment_fte > COALESCE(p.in_post_fte, 0)
    THEN t.establishment_fte - COALESCE(p.in_post_fte, 0) ELSE 0 END)
FROM team t JOIN service sv ON sv.id = t.service_id CROSS JOIN month m
  LEFT JOIN per_team p ON p.team_id = t.id AND p.idx = m.idx
WHERE sv.organisation_id = :organisation_id
GROUP BY t.service_id, m.idx
UNION ALL
SELECT NULL, idx, in_post_fte, leavers_fte, 0 FROM per_team WHERE team_id IS NULL
"""


def hr_sql(organisation_id: int, snapshot: date, stored: bool = False) -> dict:
    """The same figures from two queries: each team's counts, each service's monthly trend;
    supervision before leaving from the base tables, or from the stored windows (`stored`)."""
    year = CensusYear(snapshot)
    params = {
        "organisation_id": organisation_id,
        "snapshot": snapshot,
        "year_start": year.starts_on,
        "earliest": hr_services.earliest_day_needed(year),
        "today": clock().today(),
    }
    answer: dict = {}
    organisation = [0.0] * len(HR_FIELDS)
    services: dict = defaultdict(lambda: [0.0] * len(HR_FIELDS))
    for team_id, service_id, establishment, *counts in rows(
        engine.materialized(
            hr_census_sql(engine.Dialect(db.engine.dialect.name), snapshot, clock().today(), stored)
        ),
        **params,
    ):
        in_post_fte = number(counts[HR_COUNTS.index("in_post_fte")])
        vacant = max(number(establishment) - in_post_fte, 0.0) if team_id is not None else 0.0
        values = [number(value) for value in counts]
        values.insert(HR_FIELDS.index("vacant_fte"), round(vacant, 2))
        answer[("team", team_id)] = tuple(values)
        organisation = [a + b for a, b in zip(organisation, values, strict=True)]
        if team_id is not None:
            services[service_id] = [a + b for a, b in zip(services[service_id], values, strict=True)]
    answer[("organisation", None)] = tuple(round(value, 2) for value in organisation)
    for service_id, values in services.items():
        answer[("service", service_id)] = tuple(round(value, 2) for value in values)

    month_params = {f"first_{i}": first for i, (first, _) in enumerate(year.months)}
    month_params |= {f"last_{i}": last for i, (_, last) in enumerate(year.months)}
    trends: dict = defaultdict(lambda: [[0.0, 0.0, 0.0] for _ in year.months])
    for service_id, index, in_post_fte, leavers_fte, vacant_fte in rows(
        hr_trends_sql(year.months), **params, **month_params
    ):
        figures = (number(leavers_fte), number(in_post_fte), number(vacant_fte))
        keys = [("trend", "organisation", None)]
        if service_id is not None:
            keys.append(("trend", "service", service_id))
        for key in keys:
            trends[key][index] = [a + b for a, b in zip(trends[key][index], figures, strict=True)]
    for key, months in trends.items():
        answer[key] = tuple(tuple(round(value, 2) for value in month) for month in months)
    return answer


def json_text(dialect: engine.Dialect, part: str, *path: int | str) -> str:
    """The text (SQLite: the value) at `path` (array indexes and object keys) in a JSON value."""
    if dialect.postgres:
        return f"(({part}) #>> '{{{','.join(str(step) for step in path)}}}')"
    steps = "".join(f"[{step}]" if isinstance(step, int) else f'."{step}"' for step in path)
    return f"json_extract({part}, '${steps}')"


def hr_stored_report_sql(organisation_id: int, snapshot: date) -> dict:
    """Every figure of the summary as served from the `stored-figures` job's counted report
    (`stored_retention_report`, its JSON read in SQL: each tally an array in the order of
    `hr.stored.TALLY_FIELDS`), only when the page may show it today: the organisation's run is
    today's and stored it. The same figures as `hr_project`, per unit and each trend month."""
    dialect = engine.Dialect(db.engine.dialect.name)
    at = TALLY_FIELDS.index
    own = [name for name in HR_COUNTS if name in TALLY_FIELDS]
    columns = {name: json_text(dialect, "t", at(name)) for name in own}
    for who in ("leavers", "stayers"):
        for index, part in enumerate(("met", "required")):
            columns[f"{who}_{part}"] = json_text(dialect, "t", at(f"{who}_compliance"), index)
    for band in ServiceBand:
        columns[band.value] = json_text(dialect, "t", at("by_service_band"), band.value)
    for key in DESTINATION_KEYS:
        columns[f"destination_{key}"] = json_text(dialect, "t", at("by_destination"), key)
    if dialect.postgres:
        whole = "r.figures -> 'organisation'"
        elements = "json_array_elements(r.figures -> '{part}') AS e(value)"
        months, month_index = "json_array_elements(e.value -> 1) WITH ORDINALITY AS m(value, idx)", "m.idx"
    else:
        whole = "json_extract(r.figures, '$.organisation')"
        elements = "json_each(r.figures, '$.{part}') AS e"
        months, month_index = "json_each(e.value, '$[1]') AS m", "m.key + 1"
    # The row the page would read: the organisation's run is today's, and it stored this report.
    usable = (
        "JOIN stored_figures_run run ON run.organisation_id = r.organisation_id "
        "AND run.worked_out_at = r.worked_out_at AND run.as_of = :today "
        "WHERE r.organisation_id = :organisation_id AND NOT r.counts_only AND r.snapshot = :snapshot"
    )

    def read(*joined: str) -> str:
        return f"FROM stored_retention_report r {' '.join(f'CROSS JOIN {join}' for join in joined)} {usable}"

    tallies = (
        f"SELECT {whole} AS t {read()} UNION ALL "
        f"SELECT e.value {read(elements.format(part='services'))} UNION ALL "
        f"SELECT e.value {read(elements.format(part='teams'))}"
    )
    unit = [json_text(dialect, "t", at("unit"), 0), json_text(dialect, "t", at("unit"), 1)]
    params = {"organisation_id": organisation_id, "snapshot": snapshot, "today": clock().today()}
    answer: dict = {}
    for level, key, *values in rows(
        f"SELECT {', '.join(unit + list(columns.values()))} FROM ({tallies}) AS tally", **params
    ):
        found = dict(zip(columns, values, strict=True))
        answer[(level, None if key is None else int(key))] = tuple(number(found[name]) for name in HR_FIELDS)
    trends: dict = defaultdict(dict)
    month_columns = ", ".join(json_text(dialect, "m.value", index) for index in (2, 3, 4))
    for level, key, idx, *month in rows(
        f"SELECT {json_text(dialect, 'e.value', 0, 0)}, {json_text(dialect, 'e.value', 0, 1)}, {month_index}, "
        f"{month_columns} " + read(elements.format(part="trends"), months),
        **params,
    ):
        trends[("trend", level, None if key is None else int(key))][int(idx)] = tuple(map(number, month))
    for key, found in trends.items():
        answer[key] = tuple(found[index] for index in sorted(found))
    return answer


def hr_compare(project: dict, raw: dict) -> tuple[dict, dict]:
    """Units with nobody in scope have no SQL rows: all zeros in the report. Every figure is
    compared, supervision before leaving too (from the base tables on the SQL side)."""
    zero = (0.0,) * len(HR_FIELDS)
    zero_months = ((0.0, 0.0, 0.0),) * 12
    return project, {key: raw.get(key, zero_months if key[0] == "trend" else zero) for key in project}


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
    # Read as rows, as the SQL side's answer is: the comparison, not ORM objects, is the point.
    return {
        (kind.value, subject_id, record_of(kind, period))
        for kind, subject_id, period in db.session.execute(
            sa.select(ComplianceAlert.kind, ComplianceAlert.subject_id, ComplianceAlert.period).where(
                ComplianceAlert.resolved_at.is_(None), ComplianceAlert.kind.in_(DATE_KINDS)
            )
        )
    }


def record_of(kind: AlertKind, period: str) -> int | None:
    if kind is AlertKind.WRITE_UP_OVERDUE:
        return int(period.removeprefix(jobs.RECORD_PERIOD_PREFIX))
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


# ------------------------------------------------------------- oversight report, whole answer

# Every count of the report's tally (supervision/reports/figures.py, Tally), then the shares,
# the median days between sessions, the longest gap, and the counts per value.
TALLY_COUNTS = tuple(name for name in figures.SUMMED_FIELDS)
TALLY_SHARES = ("on_time_share", "write_up_share", "complete_share", "cancellation_share")
TALLY_NOW = ("in_post_now", "overdue_now", "escalated_now", "without_agreement_now", "actions_overdue_now")


def tally_answer(tally: figures.Tally) -> tuple:
    return (
        tuple(getattr(tally, name) for name in TALLY_COUNTS),
        tuple(
            None if getattr(tally, name) is None else round(getattr(tally, name), 6) for name in TALLY_SHARES
        ),
        tally.median_days_between_sessions,
        tally.longest_gap,
        tuple(sorted(tally.days_between_sessions.items())),
        tuple(sorted(tally.gap_reasons.items())),
        tuple(sorted(tally.audit_grades.items())),
    )


def oversight_live_project(user_id: int, unit: Oversight, period: Period, today: date) -> dict:
    """The report as the page shows it worked out live: the unit and its children, the period
    and each trend month, every figure."""
    user = db.session.get(Staff, user_id)
    # The stored figures answer only for the day they were worked out: set that day aside in this
    # transaction (rolled back below), so the page works everything out as the SQL does.
    db.session.execute(
        sa.delete(StoredFiguresRun).where(StoredFiguresRun.organisation_id == user.organisation_id)
    )
    report = report_services.oversight_report(user, unit.level, unit.unit_id, period, today)
    db.session.rollback()
    if report.figures_as_at is not None:
        raise AssertionError("stored figures answered: the bench compares the live report")
    return {
        (child.level.value, child.id): (
            tally_answer(child.period),
            tuple(tally_answer(m) for m in child.months),
        )
        for child in [report.unit, *report.children]
    }


REPORT_SCOPE = """
line_below(id, depth) AS (
  SELECT id, 1 FROM staff WHERE line_manager_id = :user_id
  UNION ALL
  SELECT s.id, l.depth + 1 FROM staff s JOIN line_below l ON s.line_manager_id = l.id WHERE l.depth < 50
),
viewer AS (
  SELECT v.id, v.organisation_id,
    CASE WHEN EXISTS (SELECT 1 FROM staff_role r WHERE r.staff_id = v.id AND r.role = 'hr') THEN 1 ELSE 0
    END AS barred,
    CASE WHEN EXISTS (SELECT 1 FROM staff_role r WHERE r.staff_id = v.id AND r.role = 'service_manager')
      THEN 1 ELSE 0 END AS manager
  FROM staff v WHERE v.id = :user_id
),
headed_team AS (
  SELECT t.id FROM team t, viewer v WHERE v.barred = 0 AND v.manager = 1 AND (t.manager_id = v.id
    OR t.service_id IN (SELECT sv.id FROM service sv WHERE sv.manager_id = v.id))
),
report_people AS (
  SELECT s.id, s.team_id FROM staff s JOIN viewer v ON v.organisation_id = s.organisation_id
  WHERE v.manager = 1 AND (s.id = v.id OR (v.barred = 0 AND (s.id IN (SELECT id FROM line_below)
    OR s.team_id IN (SELECT id FROM headed_team))))
),
listed_team AS (
  SELECT t.id, t.service_id FROM team t JOIN service sv ON sv.id = t.service_id JOIN viewer v
    ON v.organisation_id = sv.organisation_id
  WHERE (t.id IN (SELECT team_id FROM report_people) OR t.id IN (SELECT id FROM headed_team))
    AND {among}
),
unit_team AS (
  {units}
),
scope_people AS (
  SELECT s.id FROM staff s JOIN report_people r ON r.id = s.id
  WHERE s.team_id IN (SELECT id FROM listed_team)
    AND s.start_date <= :window_end AND (s.end_date IS NULL OR s.end_date >= :window_start)
),"""


def oversight_whole_sql_text(dialect: engine.Dialect, unit: Oversight, period: Period, today: date) -> str:
    """One statement from the base tables: every figure of every unit of the report, for the
    period (index 0) and each trend month (1 to 12); the counts per value come as extra rows."""
    t = engine.day_number(today)
    months = report_services.trend_months(period)
    window = Period(min(period.starts_on, months[0].starts_on), period.ends_on)
    if unit.level is report_services.Level.ORGANISATION:
        among = "1 = 1"
        units = (
            "SELECT 'organisation' AS level, NULL AS unit_id, id AS team_id FROM listed_team "
            "UNION ALL SELECT 'service', service_id, id FROM listed_team"
        )
    else:
        among = f"t.service_id = {int(unit.unit_id)}"
        units = (
            "SELECT 'service' AS level, service_id AS unit_id, id AS team_id FROM listed_team "
            "UNION ALL SELECT 'team', id, id FROM listed_team"
        )
    scope = REPORT_SCOPE.format(among=among, units=units)
    periods = " UNION ALL ".join(
        f"SELECT {index} AS idx, {engine.day_number(p.starts_on)} AS first_day, {engine.day_number(p.ends_on)} AS last_day"
        for index, p in enumerate([period, *months])
    )
    ctes = scope + engine.facts_ctes(dialect, "SELECT id FROM scope_people", today, window.starts_on)
    blank = "'" + BLANK_CHARACTERS.replace("'", "''") + "'"
    trim = (lambda c: f"btrim({c}, {blank})") if dialect.postgres else (lambda c: f"trim({c}, {blank})")
    sections = " AND ".join(f"length({trim('r.' + section.key)}) > 0" for section in TEXT_SECTIONS)
    first_agreed = (
        "(SELECT MIN(g.agreed_on) FROM agreement_rule g WHERE g.staff_id = p.id AND g.requires = 1 "
        f"AND g.agreed_on <= {t})"
    )
    return f"""WITH RECURSIVE {ctes},
now_person AS (
  SELECT p.* FROM person p JOIN staff s ON s.id = p.id
  WHERE s.active AND s.start_date <= :today AND (s.end_date IS NULL OR s.end_date >= :today)
),
{status_ctes(dialect, today, "now_person")},
period_row AS ({periods}),
pp AS (
  SELECT p.id AS staff_id, p.team_id, r.idx, r.first_day, r.last_day,
    {engine.greatest("r.first_day", "p.employed_from")} AS e_first,
    {engine.least(engine.least("r.last_day", "p.employed_until"), str(t))} AS e_last,
    {engine.least("r.last_day", "p.until_day")} AS in_range_last
  FROM person p CROSS JOIN period_row r
  WHERE p.employed_from <= r.last_day AND (p.employed_until IS NULL OR p.employed_until >= r.first_day)
),
record AS (
  SELECT r.supervisee_id AS staff_id, {dialect.day("ss.held_on")} AS held_on,
    {dialect.london_day("r.supervisor_signed_at")} AS signed_on,
    CASE WHEN r.supervisee_disagrees THEN 1 ELSE 0 END AS disagrees,
    CASE WHEN {sections} AND (SELECT MIN(CASE WHEN length({trim("c.decision")}) > 0 THEN 1 ELSE 0 END)
      FROM case_discussion c WHERE c.record_id = r.id) = 1 THEN 1 ELSE 0 END AS complete
  FROM supervision_record r JOIN supervision_session ss ON ss.id = r.session_id
  WHERE r.supervisee_id IN (SELECT id FROM person) AND ss.status = 'held'
    AND ss.held_on BETWEEN :window_start AND :today
),
record_judged AS (
  SELECT r.*, CASE WHEN r.signed_on IS NOT NULL AND (r.signed_on <= r.held_on
      OR {engine.working_days_up_to("r.signed_on - 1")} - {engine.working_days_up_to("r.held_on")}
        < pol.write_up_working_days) THEN 1 ELSE 0 END AS on_time,
    CASE WHEN r.signed_on IS NOT NULL OR (r.held_on < {t}
      AND {engine.working_days_up_to(f"{t} - 1")} - {engine.working_days_up_to("r.held_on")}
        >= pol.write_up_working_days) THEN 1 ELSE 0 END AS judged
  FROM record r JOIN person p ON p.id = r.staff_id JOIN pol ON pol.organisation_id = p.organisation_id
),
planned AS (
  SELECT a.supervisee_id AS staff_id, {dialect.london_day("ss.scheduled_start")} AS d,
    CASE WHEN ss.status = 'cancelled' THEN 1 ELSE 0 END AS cancelled
  FROM session_attendee a JOIN supervision_session ss ON ss.id = a.session_id
  WHERE a.supervisee_id IN (SELECT id FROM person) AND ss.status <> 'scheduled'
),
explained AS (
  SELECT e.supervisee_id AS staff_id, {dialect.day("e.due_on")} AS due_on, e.reason
  FROM overdue_explanation e WHERE e.supervisee_id IN (SELECT id FROM person)
),
audited AS (
  SELECT r.supervisee_id AS staff_id, {dialect.london_day("q.audited_at")} AS d, q.grade
  FROM quality_audit q JOIN supervision_record r ON r.id = q.record_id
  WHERE r.supervisee_id IN (SELECT id FROM person)
),
session_gap AS (
  SELECT c.staff_id, c.d, LAG(c.d) OVER (PARTITION BY c.staff_id ORDER BY c.d) AS previous
  FROM counted c
),
gap_value AS (
  SELECT pp.staff_id, pp.idx, sg.d, sg.previous,
    CASE WHEN sg.previous IS NOT NULL THEN {engine.counted_days_between("sg.staff_id", "sg.previous", "sg.d")} END AS between_days,
    CASE WHEN sg.previous IS NOT NULL THEN {engine.counted_days_between("sg.staff_id", "sg.previous", "sg.d")}
      WHEN {first_agreed.replace("p.id", "sg.staff_id")} < sg.d
      THEN {engine.counted_days_between("sg.staff_id", first_agreed.replace("p.id", "sg.staff_id"), "sg.d")} END AS closed_days
  FROM pp JOIN session_gap sg ON sg.staff_id = pp.staff_id
  WHERE pp.first_day <= pp.in_range_last AND sg.d BETWEEN pp.first_day AND pp.in_range_last
),
open_gap AS (
  SELECT pp.staff_id, pp.idx,
    CASE WHEN pp.first_day <= pp.in_range_last
      AND (SELECT r.requires FROM agreement_rule r WHERE r.id = {engine.in_force("pp.staff_id", "pp.in_range_last")}) = 1
      AND COALESCE((SELECT MAX(c.d) FROM counted c WHERE c.staff_id = pp.staff_id AND c.d <= pp.in_range_last),
        {first_agreed.replace("p.id", "pp.staff_id")}) IS NOT NULL
    THEN {engine.counted_days_between("pp.staff_id", f"COALESCE((SELECT MAX(c.d) FROM counted c WHERE c.staff_id = pp.staff_id AND c.d <= pp.in_range_last), {first_agreed.replace('p.id', 'pp.staff_id')})", "pp.in_range_last")}
    END AS still_open
  FROM pp
),
person_tally AS (
  SELECT pp.staff_id, pp.team_id, pp.idx,
    (SELECT COUNT(*) FROM outcome o WHERE o.staff_id = pp.staff_id AND o.closed_on BETWEEN pp.e_first AND pp.e_last) AS sessions_required,
    (SELECT COUNT(*) FROM outcome o WHERE o.staff_id = pp.staff_id AND o.closed_on BETWEEN pp.e_first AND pp.e_last
      AND o.met = 1 AND o.late = 0) AS sessions_on_time,
    (SELECT COUNT(*) FROM record_judged r WHERE r.staff_id = pp.staff_id AND r.held_on BETWEEN pp.e_first AND pp.e_last) AS records_held,
    (SELECT COALESCE(SUM(r.judged), 0) FROM record_judged r WHERE r.staff_id = pp.staff_id AND r.held_on BETWEEN pp.e_first AND pp.e_last) AS write_ups_judged,
    (SELECT COALESCE(SUM(r.judged * r.on_time), 0) FROM record_judged r WHERE r.staff_id = pp.staff_id AND r.held_on BETWEEN pp.e_first AND pp.e_last) AS write_ups_on_time,
    (SELECT COUNT(r.signed_on) FROM record_judged r WHERE r.staff_id = pp.staff_id AND r.held_on BETWEEN pp.e_first AND pp.e_last) AS records_signed,
    (SELECT COUNT(*) FROM record_judged r WHERE r.staff_id = pp.staff_id AND r.held_on BETWEEN pp.e_first AND pp.e_last
      AND r.signed_on IS NOT NULL AND r.complete = 1) AS records_complete,
    (SELECT COALESCE(SUM(r.disagrees), 0) FROM record_judged r WHERE r.staff_id = pp.staff_id AND r.held_on BETWEEN pp.e_first AND pp.e_last) AS disagreements,
    (SELECT COUNT(*) FROM planned x WHERE x.staff_id = pp.staff_id AND x.d BETWEEN pp.e_first AND pp.e_last) AS sessions_planned,
    (SELECT COALESCE(SUM(x.cancelled), 0) FROM planned x WHERE x.staff_id = pp.staff_id AND x.d BETWEEN pp.e_first AND pp.e_last) AS sessions_cancelled,
    {engine.greatest("(SELECT MAX(v.closed_days) FROM gap_value v WHERE v.staff_id = pp.staff_id AND v.idx = pp.idx)", "(SELECT o.still_open FROM open_gap o WHERE o.staff_id = pp.staff_id AND o.idx = pp.idx)")} AS longest_gap,
    (SELECT COUNT(DISTINCT o.due_on) FROM outcome o WHERE o.staff_id = pp.staff_id AND o.starts_gap = 1
      AND o.closed_on BETWEEN pp.e_first AND pp.e_last) AS gaps_started,
    (SELECT COUNT(DISTINCT o.due_on) FROM outcome o WHERE o.staff_id = pp.staff_id AND o.starts_gap = 1
      AND o.closed_on BETWEEN pp.e_first AND pp.e_last AND NOT EXISTS (SELECT 1 FROM explained e
        WHERE e.staff_id = o.staff_id AND e.due_on = o.due_on AND e.due_on BETWEEN pp.e_first AND pp.e_last)) AS gaps_unexplained
  FROM pp
),
now_tally AS (
  SELECT p.team_id, 1 AS in_post_now,
    CASE WHEN s.status IN ('overdue', 'escalated') THEN 1 ELSE 0 END AS overdue_now,
    CASE WHEN s.status = 'escalated' THEN 1 ELSE 0 END AS escalated_now,
    CASE WHEN s.status = 'no_agreement' THEN 1 ELSE 0 END AS without_agreement_now,
    s.actions_overdue AS actions_overdue_now
  FROM status_row s JOIN person p ON p.id = s.id
),
counts AS (
  SELECT u.level, u.unit_id, r.idx,
    (SELECT COUNT(*) FROM person_tally x WHERE x.team_id = u.team_id AND x.idx = r.idx) AS staff_in_scope,
    {", ".join(f"(SELECT COALESCE(SUM(x.{name}), 0) FROM person_tally x WHERE x.team_id = u.team_id AND x.idx = r.idx) AS {name}" for name in ("sessions_required", "sessions_on_time", "records_held", "write_ups_judged", "write_ups_on_time", "records_signed", "records_complete", "disagreements", "sessions_planned", "sessions_cancelled", "gaps_started", "gaps_unexplained"))},
    (SELECT MAX(x.longest_gap) FROM person_tally x WHERE x.team_id = u.team_id AND x.idx = r.idx) AS longest_gap,
    {", ".join(f"CASE WHEN r.idx = 0 THEN (SELECT COALESCE(SUM(n.{name}), 0) FROM now_tally n WHERE n.team_id = u.team_id) ELSE 0 END AS {name}" for name in TALLY_NOW)}
  FROM unit_team u CROSS JOIN period_row r
),
per_unit AS (
  SELECT level, unit_id, idx, {", ".join(f"SUM({name}) AS {name}" for name in TALLY_COUNTS)}, MAX(longest_gap) AS longest_gap
  FROM counts GROUP BY level, unit_id, idx
),
valued AS (
  SELECT 'between' AS kind, v.staff_id, v.idx, CAST(v.between_days AS VARCHAR(40)) AS value
  FROM gap_value v WHERE v.between_days IS NOT NULL
  UNION ALL
  SELECT 'reason', pp.staff_id, pp.idx, e.reason FROM pp JOIN explained e ON e.staff_id = pp.staff_id
    AND e.due_on BETWEEN pp.e_first AND pp.e_last
  UNION ALL
  SELECT 'grade', pp.staff_id, pp.idx, a.grade FROM pp JOIN audited a ON a.staff_id = pp.staff_id
    AND a.d BETWEEN pp.e_first AND pp.e_last
),
value_counts AS (
  SELECT u.level, u.unit_id, v.idx, v.kind, v.value, CAST(COUNT(*) AS BIGINT) AS n
  FROM valued v JOIN person p ON p.id = v.staff_id JOIN unit_team u ON u.team_id = p.team_id
  GROUP BY u.level, u.unit_id, v.idx, v.kind, v.value
),
{oversight_tail("per_unit", "value_counts")}"""


def oversight_tail(tallies: str, values: str) -> str:
    """The end of an oversight counterpart: the median days between sessions of each unit and
    index from its counts per value (`values`: level, unit_id, idx, kind, value, n), then the
    rows `oversight_answer` reads, from `tallies` (level, unit_id, idx, TALLY_COUNTS, longest_gap)."""
    return f"""between_sorted AS (
  SELECT level, unit_id, idx, CAST(value AS INTEGER) AS value, n,
    CAST(SUM(n) OVER (PARTITION BY level, unit_id, idx ORDER BY CAST(value AS INTEGER)
      ROWS UNBOUNDED PRECEDING) AS BIGINT) AS upto,
    CAST(SUM(n) OVER (PARTITION BY level, unit_id, idx) AS BIGINT) AS total
  FROM {values} WHERE kind = 'between'
),
median AS (
  SELECT level, unit_id, idx, AVG(CAST(value AS NUMERIC)) AS median_days FROM (
    SELECT level, unit_id, idx, value FROM between_sorted WHERE (total - 1) / 2 BETWEEN upto - n AND upto - 1
    UNION ALL
    SELECT level, unit_id, idx, value FROM between_sorted WHERE total / 2 BETWEEN upto - n AND upto - 1
  ) middle GROUP BY level, unit_id, idx
)
SELECT 'figures', u.level, u.unit_id, u.idx, {", ".join(f"u.{name}" for name in TALLY_COUNTS)}, u.longest_gap,
  m.median_days, NULL, NULL
FROM {tallies} u LEFT JOIN median m ON m.level = u.level AND m.idx = u.idx
  AND (m.unit_id = u.unit_id OR (m.unit_id IS NULL AND u.unit_id IS NULL))
UNION ALL
SELECT 'values', level, unit_id, idx, {", ".join("NULL" for _ in TALLY_COUNTS)}, NULL, NULL, kind || ':' || value, n
FROM {values}
"""


def share_of(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 6)


def oversight_sql_whole(user_id: int, unit: Oversight, period: Period, today: date) -> dict:
    dialect = engine.Dialect(db.engine.dialect.name)
    months = report_services.trend_months(period)
    window = Period(min(period.starts_on, months[0].starts_on), period.ends_on)
    found = rows(
        engine.materialized(oversight_whole_sql_text(dialect, unit, period, today)),
        user_id=user_id,
        today=today,
        window_start=window.starts_on,
        window_end=window.ends_on,
    )
    return oversight_answer(found, len(months))


def oversight_answer(found: list[tuple], month_count: int) -> dict:
    """The report's answer from the rows of an oversight counterpart: ('figures', level, unit,
    index, the counts of TALLY_COUNTS, longest gap, median, NULL, NULL) and ('values', level,
    unit, index, NULLs, 'kind:value', how many); the four shares worked out from the counts."""
    counts: dict = {}
    values: dict = defaultdict(lambda: {"between": {}, "reason": {}, "grade": {}})
    for kind, level, unit_id, idx, *rest in found:
        key = (level, None if unit_id is None else int(unit_id), int(idx))
        if kind == "figures":
            counts[key] = rest
        else:
            name, _, value = rest[-2].partition(":")
            values[key][name][int(value) if name == "between" else value] = int(rest[-1])
    answer: dict = {}
    for (level, unit_id, idx), rest in counts.items():
        numbers = dict(
            zip(TALLY_COUNTS, (int(value or 0) for value in rest[: len(TALLY_COUNTS)]), strict=True)
        )
        longest, median = rest[len(TALLY_COUNTS)], rest[len(TALLY_COUNTS) + 1]
        median = None if median is None else float(median)
        tally = (
            tuple(numbers.values()),
            (
                share_of(numbers["sessions_on_time"], numbers["sessions_required"]),
                share_of(numbers["write_ups_on_time"], numbers["write_ups_judged"]),
                share_of(numbers["records_complete"], numbers["records_signed"]),
                share_of(numbers["sessions_cancelled"], numbers["sessions_planned"]),
            ),
            median,
            None if longest is None else int(longest),
            tuple(sorted(values[(level, unit_id, idx)]["between"].items())),
            tuple(sorted(values[(level, unit_id, idx)]["reason"].items())),
            tuple(sorted(values[(level, unit_id, idx)]["grade"].items())),
        )
        answer.setdefault((level, unit_id), {})[idx] = tally
    return {
        key: (by_index[0], tuple(by_index[i] for i in range(1, month_count + 1)))
        for key, by_index in answer.items()
    }


# ------------------------------------------------- oversight report, from the stored figures
#
# Issue 18: the page reading stored figures against SQL reading the same stored rows. These
# counterparts read only what supervision/reports/stored.py stores and the page reads (and the
# run record saying they may be used today), and add them up as the page does; they check that
# the page reads and adds up the stored rows correctly. Whether the stored rows are right is the
# live counterparts' question (`oversight_sql_whole` against the report worked out live).

# The stored counters of a tally (its JSON, and OversightMonthValue's kinds) by the names the
# answer gives them.
JSON_COUNTERS = {"days_between_sessions": "between", "gap_reasons": "reason", "audit_grades": "grade"}
STORED_KINDS = {"gap_days": "between", "gap_reason": "reason", "audit_grade": "grade"}
MONTH_COUNTS = tuple(name for name in TALLY_COUNTS if name != "staff_in_scope" and name not in TALLY_NOW)


def oversight_stored_project(user_id: int, unit: Oversight, period: Period, today: date) -> dict:
    """The report as the page serves it from the stored figures: the unit and its children, the
    period and each trend month, every figure."""
    user = db.session.get(Staff, user_id)
    report = report_services.oversight_report(user, unit.level, unit.unit_id, period, today)
    if report.figures_as_at is None:
        raise AssertionError("the report was worked out live: the bench compares the stored figures")
    return {
        (child.level.value, child.id): (
            tally_answer(child.period),
            tuple(tally_answer(m) for m in child.months),
        )
        for child in [report.unit, *report.children]
    }


def json_key(dialect: engine.Dialect, part: str, key: str) -> str:
    """The member `key` of a JSON object (a column, or a part of one)."""
    if dialect.postgres:
        return f"({part}) -> '{key}'"
    return f"json_extract({part}, '$.{key}')"


def json_item(dialect: engine.Dialect, part: str, index: str) -> str:
    """The item at `index` (an SQL expression) of a JSON array."""
    if dialect.postgres:
        return f"({part}) -> ({index})"
    return f"json_extract({part}, '$[' || ({index}) || ']')"


def json_int(dialect: engine.Dialect, part: str, name: str) -> str:
    if dialect.postgres:
        return f"CAST(({part}) ->> '{name}' AS INTEGER)"
    return f"json_extract({part}, '$.{name}')"


def json_entries(dialect: engine.Dialect, part: str, name: str) -> str:
    """A JSON object of {value: count} as rows of (key, value)."""
    if dialect.postgres:
        return f"json_each_text(({part}) -> '{name}')"
    return f"json_each({part}, '$.{name}')"


def stored_children(unit: Oversight) -> tuple[str, str]:
    """The report's children among the listed teams (REPORT_SCOPE), and the unit's own key."""
    if unit.level is report_services.Level.ORGANISATION:
        return (
            "SELECT DISTINCT 'service' AS level, service_id AS unit_id FROM listed_team",
            "'organisation', NULL",
        )
    return "SELECT 'team' AS level, id AS unit_id FROM listed_team", f"'service', {int(unit.unit_id)}"


def stored_scope(unit: Oversight, children: str) -> str:
    """The viewer's listed teams (the report's scope) and the children, when the organisation's
    stored figures may be used today (supervision.stored_figures.freshness)."""
    among = "1 = 1" if unit.unit_id is None else f"t.service_id = {int(unit.unit_id)}"
    units = "SELECT 'none' AS level, NULL AS unit_id, id AS team_id FROM listed_team"
    return f"""{REPORT_SCOPE.format(among=among, units=units)}
fresh AS (
  SELECT 1 AS ok FROM stored_figures_run r JOIN viewer v ON v.organisation_id = r.organisation_id
  WHERE r.as_of = :today
),
child AS (
  SELECT * FROM ({children}) c WHERE EXISTS (SELECT 1 FROM fresh)
)"""


def roll_up_sql(unit: Oversight, own: str, tallies: str, values: str, skip: str = "") -> str:
    """`unit_tally` and `unit_value`: the children's rows and the unit's as their sum (counts
    added, the longest gap the largest), unless `skip` (a condition) says the unit has its own."""
    when = f"WHERE {skip}" if skip else ""
    return f"""unit_tally AS (
  SELECT * FROM {tallies}
  UNION ALL
  SELECT {own}, idx, {", ".join(f"SUM({name})" for name in TALLY_COUNTS)}, MAX(longest_gap)
  FROM {tallies} {when} GROUP BY idx
),
unit_value AS (
  SELECT * FROM {values}
  UNION ALL
  SELECT {own}, idx, kind, value, SUM(n) FROM {values} {when} GROUP BY idx, kind, value
)"""


def stored_unit_figures_sql_text(dialect: engine.Dialect, unit: Oversight) -> str:
    """The default period, as the job stored it per unit (OversightUnitFigures): the unit's own
    row and its children's; the organisation's row when the report lists every service, else
    the services' sum (reports.services._stored_unit_figures)."""
    children, own = stored_children(unit)
    organisation = unit.level is report_services.Level.ORGANISATION
    if organisation:
        own_row = """SELECT 'organisation' AS level, NULL AS unit_id, f.figures FROM oversight_unit_figures f
  JOIN viewer v ON v.organisation_id = f.organisation_id
  WHERE f.level = 'organisation' AND f.unit_id = 0 AND EXISTS (SELECT 1 FROM fresh)
    AND (SELECT COUNT(*) FROM child) = (SELECT COUNT(*) FROM service sv WHERE sv.organisation_id = v.organisation_id)"""
    else:
        own_row = f"""SELECT 'service', {int(unit.unit_id)}, f.figures FROM oversight_unit_figures f
  JOIN viewer v ON v.organisation_id = f.organisation_id
  WHERE f.level = 'service' AND f.unit_id = {int(unit.unit_id)} AND EXISTS (SELECT 1 FROM fresh)"""
    indexes = " UNION ALL ".join(f"SELECT {index} AS idx" for index in range(figures.TREND_MONTHS + 1))
    period_part = json_key(dialect, "s.figures", "period")
    month_part = json_item(dialect, json_key(dialect, "s.figures", "months"), "r.idx - 1")
    part = f"CASE WHEN r.idx = 0 THEN {period_part} ELSE {month_part} END"
    counters = "\n  UNION ALL\n  ".join(
        f"SELECT p.level, p.unit_id, p.idx, '{kind}' AS kind, e.key AS value, CAST(e.value AS INTEGER) AS n "
        f"FROM stored_part p, {json_entries(dialect, 'p.part', name)} e"
        for name, kind in JSON_COUNTERS.items()
    )
    if organisation:
        skip = "NOT EXISTS (SELECT 1 FROM stored_unit WHERE level = 'organisation')"
        units = roll_up_sql(unit, own, "stored_tally", "stored_value", skip)
    else:
        units = "unit_tally AS (SELECT * FROM stored_tally),\nunit_value AS (SELECT * FROM stored_value)"
    counts = ", ".join(f"{json_int(dialect, 'part', name)} AS {name}" for name in TALLY_COUNTS)
    return f"""WITH RECURSIVE {stored_scope(unit, children)},
stored_unit AS (
  SELECT c.level, c.unit_id, f.figures FROM child c JOIN oversight_unit_figures f ON f.level = c.level
    AND f.unit_id = c.unit_id
  WHERE f.organisation_id = (SELECT organisation_id FROM viewer)
    AND f.period_start = :period_start AND f.period_end = :period_end
  UNION ALL
  {own_row} AND f.period_start = :period_start AND f.period_end = :period_end
),
stored_index AS ({indexes}),
stored_part AS (
  SELECT s.level, s.unit_id, r.idx, {part} AS part FROM stored_unit s CROSS JOIN stored_index r
),
stored_tally AS (
  SELECT level, unit_id, idx, {counts},
    {json_int(dialect, "part", "longest_gap")} AS longest_gap
  FROM stored_part
),
stored_value AS (
  {counters}
),
{units},
{oversight_tail("unit_tally", "unit_value")}"""


def stored_months_sql_text(dialect: engine.Dialect, unit: Oversight, period: Period) -> str:
    """Any other period of whole stored months: a service's teams added up from the people's
    rows (OversightMonth, OversightMonthValue, OversightNow: reports.stored.team_figures), the
    organisation's services from the services' stored months (OversightServiceMonth) with what
    does not add up across months from the people's rows (reports.stored.service_figures); the
    unit is its children's sum (reports.services.roll_up)."""
    children, own = stored_children(unit)
    organisation = unit.level is report_services.Level.ORGANISATION
    # A person's unit: the service or the team they are in now (reports.stored._added_up).
    key, among = (
        ("t.service_id", "t.service_id IN (SELECT unit_id FROM child)")
        if organisation
        else ("t.id", "t.id IN (SELECT id FROM listed_team)")
    )
    months = report_services.trend_months(period)
    trend = " UNION ALL ".join(
        f"SELECT {index} AS idx, {engine.day_number(month.starts_on)} AS month_day"
        for index, month in enumerate(months, start=1)
    )
    in_period = f"month_day >= {engine.day_number(period.starts_on)}"
    if organisation:
        tally = json_key(dialect, "sm.figures", "tally")
        month_tally = f"""SELECT sm.service_id AS unit_id, {dialect.day("sm.month")} AS month_day,
    {", ".join(f"{json_int(dialect, tally, name)} AS {name}" for name in TALLY_COUNTS)},
    {json_int(dialect, "sm.figures", "closed")} AS closed, {json_int(dialect, tally, "longest_gap")} AS longest_gap
  FROM oversight_service_month sm
  WHERE sm.service_id IN (SELECT unit_id FROM child) AND sm.month >= :first_month AND sm.month <= :period_end"""
        month_value = "\n  UNION ALL\n  ".join(
            f"SELECT sm.service_id AS unit_id, {dialect.day('sm.month')} AS month_day, '{kind}' AS kind, "
            f"e.key AS value, CAST(e.value AS INTEGER) AS n FROM oversight_service_month sm, "
            f"{json_entries(dialect, tally, name)} e WHERE sm.service_id IN (SELECT unit_id FROM child) "
            "AND sm.month >= :first_month AND sm.month <= :period_end"
            for name, kind in JSON_COUNTERS.items()
        )
    else:
        month_tally = f"""SELECT unit_id, month_day, COUNT(*) AS staff_in_scope,
    {", ".join(f"SUM({name}) AS {name}" if name in MONTH_COUNTS else f"0 AS {name}" for name in TALLY_COUNTS[1:])},
    MAX(longest_closed_gap) AS closed, {engine.greatest("MAX(longest_closed_gap)", "MAX(open_gap)")} AS longest_gap
  FROM person_month GROUP BY unit_id, month_day"""
        kinds = " ".join(f"WHEN '{stored}' THEN '{kind}'" for stored, kind in STORED_KINDS.items())
        month_value = f"""SELECT m.unit_id, {dialect.day("v.month")} AS month_day, CASE v.kind {kinds} END AS kind,
    v.value, SUM(v.count) AS n
  FROM oversight_month_value v JOIN member m ON m.staff_id = v.staff_id
  WHERE v.month >= :first_month AND v.month <= :period_end
  GROUP BY m.unit_id, v.month, v.kind, v.value"""
    summed = ", ".join(f"SUM({name}) AS {name}" for name in TALLY_COUNTS)
    period_counts = ", ".join(
        "COALESCE(sp.n, 0) AS staff_in_scope"
        if name == "staff_in_scope"
        else f"COALESCE(nw.{name}, ps.{name}, 0) AS {name}"
        if name in TALLY_NOW
        else f"COALESCE(ps.{name}, 0) AS {name}"
        for name in TALLY_COUNTS
    )
    return f"""WITH RECURSIVE {stored_scope(unit, children)},
member AS (
  SELECT s.id AS staff_id, {key} AS unit_id, s.start_date, s.end_date
  FROM staff s JOIN team t ON t.id = s.team_id WHERE {among}
),
person_month AS (
  SELECT m.unit_id, {dialect.day("o.month")} AS month_day, o.*
  FROM oversight_month o JOIN member m ON m.staff_id = o.staff_id
  WHERE o.month >= :first_month AND o.month <= :period_end AND EXISTS (SELECT 1 FROM fresh)
),
month_tally AS (
  {month_tally}
),
month_value AS (
  {month_value}
),
period_sum AS (
  SELECT unit_id, {summed}, MAX(closed) AS closed FROM month_tally WHERE {in_period} GROUP BY unit_id
),
staff_in_period AS (
  SELECT unit_id, COUNT(DISTINCT staff_id) AS n FROM person_month WHERE {in_period} GROUP BY unit_id
),
last_month AS (
  SELECT staff_id, MAX(month_day) AS month_day FROM person_month WHERE {in_period} GROUP BY staff_id
),
open_at_end AS (
  SELECT p.unit_id, MAX(p.open_gap) AS open_gap
  FROM person_month p JOIN last_month l ON l.staff_id = p.staff_id AND l.month_day = p.month_day
  GROUP BY p.unit_id
),
now_sum AS (
  SELECT m.unit_id, COUNT(*) AS in_post_now, {", ".join(f"SUM(n.{name}) AS {name}" for name in TALLY_NOW[1:])}
  FROM oversight_now n JOIN member m ON m.staff_id = n.staff_id
  WHERE m.start_date <= :period_end AND (m.end_date IS NULL OR m.end_date >= :first_month)
  GROUP BY m.unit_id
),
trend_month AS ({trend}),
child_tally AS (
  SELECT c.level, c.unit_id, 0 AS idx, {period_counts},
    {engine.greatest("ps.closed", "oe.open_gap")} AS longest_gap
  FROM child c LEFT JOIN period_sum ps ON ps.unit_id = c.unit_id LEFT JOIN staff_in_period sp ON sp.unit_id = c.unit_id
    LEFT JOIN open_at_end oe ON oe.unit_id = c.unit_id LEFT JOIN now_sum nw ON nw.unit_id = c.unit_id
  UNION ALL
  SELECT c.level, c.unit_id, r.idx, {", ".join(f"COALESCE(t.{name}, 0)" for name in TALLY_COUNTS)}, t.longest_gap
  FROM child c CROSS JOIN trend_month r
    LEFT JOIN month_tally t ON t.unit_id = c.unit_id AND t.month_day = r.month_day
),
child_value AS (
  SELECT c.level, c.unit_id, 0 AS idx, v.kind, v.value, SUM(v.n) AS n
  FROM child c JOIN month_value v ON v.unit_id = c.unit_id WHERE v.{in_period}
  GROUP BY c.level, c.unit_id, v.kind, v.value
  UNION ALL
  SELECT c.level, c.unit_id, r.idx, v.kind, v.value, v.n
  FROM child c JOIN month_value v ON v.unit_id = c.unit_id JOIN trend_month r ON r.month_day = v.month_day
),
{roll_up_sql(unit, own, "child_tally", "child_value")},
{oversight_tail("unit_tally", "unit_value")}"""


def oversight_stored_sql(user_id: int, unit: Oversight, period: Period, today: date) -> dict:
    """The report's whole answer from the same stored rows the page reads: the default period
    from each unit's stored figures, any other whole-month period from the stored months."""
    dialect = engine.Dialect(db.engine.dialect.name)
    months = report_services.trend_months(period)
    first = min(period.starts_on, months[0].starts_on)
    text = (
        stored_unit_figures_sql_text(dialect, unit)
        if period == default_period(today)
        else stored_months_sql_text(dialect, unit, period)
    )
    found = rows(
        engine.materialized(text),
        user_id=user_id,
        today=today,
        period_start=period.starts_on,
        period_end=period.ends_on,
        first_month=first,
        window_start=first,
        window_end=period.ends_on,
    )
    return oversight_answer(found, len(months))


def last_whole_months(today: date, count: int = figures.TREND_MONTHS) -> Period:
    """The last `count` whole calendar months before this one (the bench's export row's period)."""
    this_month = today.replace(day=1)
    return Period(figures.add_months(this_month, -count), this_month - timedelta(days=1))
