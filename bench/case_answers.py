"""Case oversight, measured twice (issue 19; issue 18's rule for counterparts): through the
project's own functions (cases/lists.py, reports/cases.py) and as hand-written SQL that produces
the whole answer the page shows from the base tables: child_case, case_allocation,
case_discussion, supervision_record, supervision_session, staff, staff_role, team, service,
case_oversight_limit, supervision_policy. Never a derived table.

The rules are docs/cases.md's (supervision/cases/rules.py is their one implementation):
oversight is a case discussion in a record its supervisor signed, on the session's date,
matched by reference within the organisation; due is the last oversight (or the opening day)
plus the category's limit (team override, else organisation setting, else default); overdue
after that day ("not discussed" when no oversight since the current allocation began); due soon
when the due date is within the policy's working days (weekdays less England and Wales bank
holidays, as bench/engine_sql.py counts them).

Dates are whole numbers of days since 1970 (bench/engine_sql.py), so the SQL is the same on
PostgreSQL and SQLite.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bench import engine_sql as engine
from bench.answers import REPORT_SCOPE, rows
from supervision.agreements.defaults import DEFAULT_POLICY
from supervision.cases.lists import Whose as _Whose
from supervision.cases.lists import case_lines, needing_oversight
from supervision.cases.rules import DEFAULT_LIMIT_DAYS
from supervision.extensions import db
from supervision.org.models import Staff
from supervision.permissions import MAX_HIERARCHY_DEPTH
from supervision.reports import services as report_services
from supervision.reports.cases import CATEGORIES, CaseOversightSection, case_oversight
from supervision.reports.figures import Period
from supervision.reports.services import Level

# ------------------------------------------------------------------------- the cases page


def cases_list_project(viewer_id: int, today: date, every_status: bool = False) -> list[tuple]:
    """The cases page of a viewer (docs/cases.md, "Where case oversight shows"): by default the
    cases needing oversight, as the page, the dashboard section and the home count list them;
    with `every_status`, the page's "any status" filter (so due soon is compared too). Rows in
    the page's default order (due date, then reference)."""
    viewer = db.session.get(Staff, viewer_id)
    lines = case_lines(viewer, today, _Whose.OVERSEEN) if every_status else needing_oversight(viewer, today)
    return [
        (
            line.reference,
            line.category.value,
            line.worker_name,
            line.oversight.status.value,
            line.oversight.due_on,
            line.oversight.last_oversight_on,
            line.oversight.days_overdue,
        )
        for line in lines
    ]


def case_scope_ctes(dialect: engine.Dialect, today: date) -> str:
    """The viewer, the people they oversee (permissions.overseen_staff_query: the line below
    them, the teams they manage and the teams of the services they head; nobody for HR), the
    bank holidays and the policy's "due soon"."""
    first = date(1990, 1, 1)
    holiday_rows = " UNION ALL ".join(
        f"SELECT {n} AS d" for n in engine.holidays_between(first, today + timedelta(days=800))
    )
    return f"""
holiday AS ({holiday_rows}),
case_viewer AS (
  SELECT v.id, v.organisation_id,
    CASE WHEN EXISTS (SELECT 1 FROM staff_role r WHERE r.staff_id = v.id AND r.role = 'hr') THEN 1 ELSE 0
    END AS barred
  FROM staff v WHERE v.id = :user_id
),
case_line_below(id, depth) AS (
  SELECT id, 1 FROM staff WHERE line_manager_id = :user_id
  UNION ALL
  SELECT s.id, l.depth + 1 FROM staff s JOIN case_line_below l ON s.line_manager_id = l.id
  WHERE l.depth < {MAX_HIERARCHY_DEPTH}
),
overseen AS (
  SELECT s.id FROM staff s JOIN case_viewer v ON v.organisation_id = s.organisation_id
  WHERE v.barred = 0 AND s.id <> v.id AND (s.id IN (SELECT id FROM case_line_below)
    OR s.team_id IN (SELECT t.id FROM team t WHERE t.manager_id = v.id
      OR t.service_id IN (SELECT sv.id FROM service sv WHERE sv.manager_id = v.id)))
),
due_soon AS (
  SELECT CASE WHEN p.id IS NULL THEN {DEFAULT_POLICY.due_soon_working_days} ELSE p.due_soon_working_days END
    AS working_days
  FROM case_viewer v LEFT JOIN supervision_policy p ON p.organisation_id = v.organisation_id
)"""


def case_facts_ctes(dialect: engine.Dialect, scope: str) -> str:
    """Each case of `scope` (a select of case ids) with its facts: category, worker, worker's
    team, opened, closed, the current allocation's first day and its limit; and every oversight
    of a case in the viewer's organisation (by reference)."""
    d = dialect
    default_limit = (
        "CASE c.category "
        + " ".join(f"WHEN '{category.value}' THEN {days}" for category, days in DEFAULT_LIMIT_DAYS.items())
        + " END"
    )
    return f"""
case_fact AS (
  SELECT c.id, c.reference, c.category, c.worker_id, s.team_id,
    {d.day("c.opened_on")} AS opened_on, {d.day("c.closed_on")} AS closed_on,
    COALESCE((SELECT MAX({d.day("a.allocated_on")}) FROM case_allocation a WHERE a.case_id = c.id),
      {d.day("c.opened_on")}) AS allocated_on,
    COALESCE(
      (SELECT l.days FROM case_oversight_limit l WHERE l.organisation_id = c.organisation_id
        AND l.team_id = s.team_id AND l.category = c.category),
      (SELECT l.days FROM case_oversight_limit l WHERE l.organisation_id = c.organisation_id
        AND l.team_id IS NULL AND l.category = c.category),
      {default_limit}) AS limit_days
  FROM child_case c JOIN staff s ON s.id = c.worker_id
  WHERE c.id IN ({scope})
),
oversight AS (
  SELECT DISTINCT cd.case_reference AS reference, {d.day("ss.held_on")} AS held_on
  FROM case_discussion cd
    JOIN supervision_record r ON r.id = cd.record_id
    JOIN supervision_session ss ON ss.id = r.session_id
    JOIN staff sup ON sup.id = r.supervisee_id
  WHERE r.supervisor_signed_at IS NOT NULL AND ss.held_on IS NOT NULL
    AND sup.organisation_id = (SELECT organisation_id FROM case_viewer)
    AND cd.case_reference IN (SELECT reference FROM case_fact)
)"""


def status_columns(day: str) -> str:
    """The columns of a case's standing on `day` (a whole-number day expression), from the
    `case_fact f` row with `last_held` (its latest oversight on or before that day)."""
    start = "(CASE WHEN f.last_held IS NOT NULL AND f.last_held > f.opened_on THEN f.last_held ELSE f.opened_on END)"
    due = f"({start} + f.limit_days)"
    return f"""{due} AS due_on,
    CASE WHEN ({day}) > {due} THEN
      CASE WHEN f.last_held IS NOT NULL AND f.last_held >= f.allocated_on THEN 'overdue' ELSE 'not_discussed' END
    WHEN ({day}) < {due} AND {engine.working_days_up_to(due)} - {engine.working_days_up_to(day)}
      <= (SELECT working_days FROM due_soon) THEN 'due_soon'
    WHEN ({day}) = {due} AND 0 <= (SELECT working_days FROM due_soon) THEN 'due_soon'
    ELSE 'on_track' END AS status,
    CASE WHEN ({day}) > {due} THEN ({day}) - {due} ELSE 0 END AS days_overdue"""


def cases_list_sql_text(dialect: engine.Dialect, today: date, every_status: bool = False) -> str:
    t = engine.day_number(today)
    scope = (
        "SELECT c.id FROM child_case c WHERE c.worker_id IN (SELECT id FROM overseen) "
        f"AND {dialect.day('c.opened_on')} <= {t} "
        f"AND (c.closed_on IS NULL OR {dialect.day('c.closed_on')} > {t})"
    )
    wanted = "" if every_status else "WHERE a.status IN ('overdue', 'not_discussed')"
    return f"""WITH RECURSIVE {case_scope_ctes(dialect, today)},{case_facts_ctes(dialect, scope)},
held AS (
  SELECT f.*, (SELECT MAX(o.held_on) FROM oversight o WHERE o.reference = f.reference AND o.held_on <= {t})
    AS last_held
  FROM case_fact f
),
answer AS (
  SELECT f.reference, f.category, s.given_name || ' ' || s.family_name AS worker, f.last_held,
    {status_columns(str(t))}
  FROM held f JOIN staff s ON s.id = f.worker_id
)
SELECT a.reference, a.category, a.worker, a.status, a.due_on, a.last_held, a.days_overdue
FROM answer a {wanted}
ORDER BY a.due_on, a.reference
"""


def cases_list_sql(viewer_id: int, today: date, every_status: bool = False) -> list[tuple]:
    """The same rows as `cases_list_project`, from one hand-written statement."""
    dialect = engine.Dialect(db.engine.dialect.name)
    found = rows(cases_list_sql_text(dialect, today, every_status), user_id=viewer_id)
    return [
        (
            reference,
            category,
            worker,
            status,
            engine.from_day_number(due_on),
            engine.from_day_number(last_held),
            int(days_overdue),
        )
        for reference, category, worker, status, due_on, last_held, days_overdue in found
    ]


# ------------------------------------------------------------------ the report's section


def report_for(viewer_id: int, level: Level, unit_id: int | None, period: Period, today: date):
    """The oversight report the section belongs to (its units and months); the bench times the
    section on its own (`section_answer(case_oversight(...))`)."""
    viewer = db.session.get(Staff, viewer_id)
    return viewer, report_services.oversight_report(viewer, level, unit_id, period, today)


def section_answer(section: CaseOversightSection) -> dict:
    """{(level, unit id): {day index: ((open, in time) per category, ...)}}: index 0 the
    period's last day (the unit and its children), 1 to 12 the trend months (the unit). Units
    with no open case that day are left out, as the SQL groups only the cases it finds."""
    answer: dict = {}

    def put(level: str, unit_id, index: int, shares) -> None:
        if shares[-1].open_cases:
            answer.setdefault((level, unit_id), {})[index] = tuple(
                (share.open_cases, share.in_time) for share in shares
            )

    put(section.unit.level.value, section.unit.id, 0, section.unit.shares)
    for child in section.children:
        put(child.level.value, child.id, 0, child.shares)
    for index, shares in enumerate(section.trend, start=1):
        put(section.unit.level.value, section.unit.id, index, shares)
    return answer


def case_report_project(
    viewer_id: int, level: Level, unit_id: int | None, period: Period, today: date
) -> dict:
    viewer, report = report_for(viewer_id, level, unit_id, period, today)
    return section_answer(case_oversight(viewer, report))


def case_report_sql_text(
    dialect: engine.Dialect, level: Level, unit_id: int | None, period: Period, today: date
) -> str:
    months = report_services.trend_months(period)
    days = [period.ends_on, *(min(month.ends_on, today) for month in months)]
    day_rows = " UNION ALL ".join(
        f"SELECT {index} AS idx, {engine.day_number(day)} AS d" for index, day in enumerate(days)
    )
    if level is Level.ORGANISATION:
        among = "1 = 1"
        units = (
            "SELECT 'organisation' AS level, NULL AS unit_id, id AS team_id, 1 AS trend FROM listed_team "
            "UNION ALL SELECT 'service', service_id, id, 0 FROM listed_team"
        )
    elif level is Level.TEAM:
        among = f"t.id = {int(unit_id)}"
        units = "SELECT 'team' AS level, id AS unit_id, id AS team_id, 1 AS trend FROM listed_team"
    else:
        among = f"t.service_id = {int(unit_id)}"
        units = (
            "SELECT 'service' AS level, service_id AS unit_id, id AS team_id, 1 AS trend FROM listed_team "
            "UNION ALL SELECT 'team', id, id, 0 FROM listed_team"
        )
    # The report's people and teams (bench/answers.py REPORT_SCOPE, the counterpart of
    # reports.services.team_ids_of), then the cases the viewer may see whose worker is now in
    # one of those teams (docs/cases.md, "Case oversight in the oversight report").
    scope = (
        "SELECT c.id FROM child_case c JOIN staff w ON w.id = c.worker_id "
        "WHERE w.team_id IN (SELECT id FROM listed_team) "
        "AND (c.worker_id = :user_id OR c.worker_id IN (SELECT id FROM overseen)) "
        "AND NOT EXISTS (SELECT 1 FROM staff_role r WHERE r.staff_id = :user_id AND r.role = 'hr')"
    )
    categories = [category.value for category in CATEGORIES if category is not None]
    category_sums = ",\n  ".join(
        f"SUM(CASE WHEN x.category = '{c}' THEN 1 ELSE 0 END) AS open_{c}, "
        f"SUM(CASE WHEN x.category = '{c}' AND x.in_time = 1 THEN 1 ELSE 0 END) AS in_time_{c}"
        for c in categories
    )
    return f"""WITH RECURSIVE {REPORT_SCOPE.format(among=among, units=units)}
{case_scope_ctes(dialect, today)},{case_facts_ctes(dialect, scope)},
asked AS ({day_rows}),
held AS (
  SELECT f.*, a.idx, a.d,
    (SELECT MAX(o.held_on) FROM oversight o WHERE o.reference = f.reference AND o.held_on <= a.d) AS last_held
  FROM case_fact f CROSS JOIN asked a
  WHERE f.opened_on <= a.d AND (f.closed_on IS NULL OR a.d < f.closed_on)
),
standing AS (
  SELECT f.team_id, f.category, f.idx,
    CASE WHEN f.d > (CASE WHEN f.last_held IS NOT NULL AND f.last_held > f.opened_on THEN f.last_held
      ELSE f.opened_on END) + f.limit_days THEN 0 ELSE 1 END AS in_time
  FROM held f
),
case_share AS (
  SELECT u.level, u.unit_id, s.idx, s.category, s.in_time
  FROM standing s JOIN unit_team u ON u.team_id = s.team_id
  WHERE s.idx = 0 OR u.trend = 1
)
SELECT x.level, x.unit_id, x.idx,
  {category_sums},
  COUNT(*) AS open_all, SUM(x.in_time) AS in_time_all
FROM case_share x GROUP BY x.level, x.unit_id, x.idx
"""


def case_report_sql(viewer_id: int, level: Level, unit_id: int | None, period: Period, today: date) -> dict:
    """The same answer as `case_report_project`, from one hand-written statement."""
    dialect = engine.Dialect(db.engine.dialect.name)
    months = report_services.trend_months(period)
    window = Period(min(period.starts_on, months[0].starts_on), period.ends_on)
    found = rows(
        engine.materialized(case_report_sql_text(dialect, level, unit_id, period, today)),
        user_id=viewer_id,
        window_start=window.starts_on,
        window_end=window.ends_on,
    )
    return pairs_answer(found)


def pairs_answer(found: list[tuple]) -> dict:
    """{(level, unit id): {day index: ((open, in time) per category, then in all)}} from rows of
    (level, unit id, index, open and in time per category, open and in time in all); units with
    no open case that day left out."""
    answer: dict = {}
    for level_name, unit, index, *counts in found:
        numbers = [int(value or 0) for value in counts]
        pairs = tuple((numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2))
        if pairs[-1][0]:
            answer.setdefault((level_name, None if unit is None else int(unit)), {})[int(index)] = pairs
    return answer


# ------------------------------------------------- the section from the stored counts
#
# Issue 18: the section read from the stored counts (supervision/reports/stored_cases.py)
# against SQL reading the same stored rows: a unit's totals (CaseOversightUnitDay) where the
# viewer oversees everyone in it, the rows of the workers they oversee (CaseOversightDay)
# otherwise. It checks that the page reads and adds up the stored rows correctly; whether the
# stored counts are right is `case_report_sql`'s question, against the section worked out live.


def section_of(viewer_id: int, report, stored: bool) -> dict:
    """The section of `report` (its units and months worked out beforehand): as served from the
    stored counts when `stored` (an error if it was worked out live), else worked out live though
    the stored counts could answer (the report's run set aside; an error if they answered)."""
    viewer = db.session.get(Staff, viewer_id)
    section = case_oversight(viewer, report if stored else replace(report, stored_run=None))
    if (section.figures_as_at is not None) != stored:
        raise AssertionError(f"the section did not answer as the bench asked (stored: {stored})")
    return section_answer(section)


def section_live_project(
    viewer_id: int, level: Level, unit_id: int | None, period: Period, today: date
) -> dict:
    """The section worked out live: the like-for-like side of `case_report_sql`."""
    return section_of(viewer_id, report_for(viewer_id, level, unit_id, period, today)[1], stored=False)


def section_stored_project(
    viewer_id: int, level: Level, unit_id: int | None, period: Period, today: date
) -> dict:
    """The section as served from the stored counts: the like-for-like side of `case_stored_sql`."""
    return section_of(viewer_id, report_for(viewer_id, level, unit_id, period, today)[1], stored=True)


def case_stored_sql_text(
    dialect: engine.Dialect, level: Level, unit_id: int | None, period: Period, today: date
) -> str:
    months = report_services.trend_months(period)
    days = [period.ends_on, *(min(month.ends_on, today) for month in months)]
    day_rows = " UNION ALL ".join(
        f"SELECT {index} AS idx, {engine.day_number(day)} AS d" for index, day in enumerate(days)
    )
    by_service = level is Level.ORGANISATION
    among = "1 = 1" if by_service else f"t.service_id = {int(unit_id)}"
    units = "SELECT 'none' AS level, NULL AS unit_id, id AS team_id FROM listed_team"
    child_of = "service_id" if by_service else "id"
    own = "'organisation', NULL" if by_service else f"'service', {int(unit_id)}"
    child_level = "service" if by_service else "team"
    categories = [category.value for category in CATEGORIES if category is not None]
    category_sums = ",\n  ".join(
        f"SUM(CASE WHEN x.category = '{c}' THEN x.open_cases ELSE 0 END) AS open_{c}, "
        f"SUM(CASE WHEN x.category = '{c}' THEN x.in_time ELSE 0 END) AS in_time_{c}"
        for c in categories
    )
    # A service counts as whole only on the organisation's page (stored_cases.stored_shares).
    whole_service = (
        "SELECT sv.id FROM service sv WHERE sv.id IN (SELECT service_id FROM listed_team) "
        "AND NOT EXISTS (SELECT 1 FROM staff s JOIN team t ON t.id = s.team_id "
        "WHERE t.service_id = sv.id AND s.id NOT IN (SELECT id FROM in_scope))"
        if by_service
        else "SELECT id FROM service WHERE 1 = 0"
    )
    return f"""WITH RECURSIVE {REPORT_SCOPE.format(among=among, units=units)}
{case_scope_ctes(dialect, today)},
in_scope AS (
  SELECT id FROM overseen UNION SELECT id FROM case_viewer WHERE barred = 0
),
fresh AS (
  SELECT 1 AS ok FROM stored_figures_run r JOIN case_viewer v ON v.organisation_id = r.organisation_id
  WHERE r.as_of = :today AND v.barred = 0
),
asked AS ({day_rows}),
whole_service AS ({whole_service}),
other_team AS (
  SELECT id, service_id FROM listed_team WHERE service_id NOT IN (SELECT id FROM whole_service)
),
partial_team AS (
  SELECT o.id, o.service_id FROM other_team o
  WHERE EXISTS (SELECT 1 FROM staff s WHERE s.team_id = o.id AND s.id NOT IN (SELECT id FROM in_scope))
),
whole_team AS (
  SELECT id, service_id FROM other_team WHERE id NOT IN (SELECT id FROM partial_team)
),
stored_count AS (
  SELECT u.unit_id AS child, {dialect.day("u.day")} AS d, u.category, u.open_cases, u.in_time
  FROM case_oversight_unit_day u
  WHERE u.organisation_id = (SELECT organisation_id FROM case_viewer) AND u.level = 'service'
    AND u.unit_id IN (SELECT id FROM whole_service)
  UNION ALL
  SELECT w.{child_of}, {dialect.day("u.day")}, u.category, u.open_cases, u.in_time
  FROM case_oversight_unit_day u JOIN whole_team w ON w.id = u.unit_id
  WHERE u.organisation_id = (SELECT organisation_id FROM case_viewer) AND u.level = 'team'
  UNION ALL
  SELECT p.{child_of}, {dialect.day("c.day")}, c.category, c.open_cases, c.in_time
  FROM case_oversight_day c JOIN partial_team p ON p.id = c.team_id
  WHERE c.worker_id IN (SELECT id FROM in_scope)
),
child_count AS (
  SELECT '{child_level}' AS level, c.child AS unit_id, a.idx, c.category, c.open_cases, c.in_time
  FROM stored_count c JOIN asked a ON a.d = c.d
  WHERE a.idx = 0 AND EXISTS (SELECT 1 FROM fresh)
  UNION ALL
  SELECT {own}, a.idx, c.category, c.open_cases, c.in_time
  FROM stored_count c JOIN asked a ON a.d = c.d
  WHERE EXISTS (SELECT 1 FROM fresh)
)
SELECT x.level, x.unit_id, x.idx,
  {category_sums},
  SUM(x.open_cases) AS open_all, SUM(x.in_time) AS in_time_all
FROM child_count x GROUP BY x.level, x.unit_id, x.idx
"""


def case_stored_sql(viewer_id: int, level: Level, unit_id: int | None, period: Period, today: date) -> dict:
    """The same answer as `section_stored_project`, from the stored rows the page reads."""
    dialect = engine.Dialect(db.engine.dialect.name)
    months = report_services.trend_months(period)
    window = Period(min(period.starts_on, months[0].starts_on), period.ends_on)
    found = rows(
        engine.materialized(case_stored_sql_text(dialect, level, unit_id, period, today)),
        user_id=viewer_id,
        today=today,
        window_start=window.starts_on,
        window_end=window.ends_on,
    )
    return pairs_answer(found)
