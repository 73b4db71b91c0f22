"""The compliance engine's rules written out in SQL, from the base tables only (issue 18).

The bench's counterparts (bench/answers.py) build on these common table expressions to produce
the whole answer a page shows, so that each page is compared like for like with hand-written
SQL reading the same source. Nothing here reads a table the project derives (stored figures,
stored windows, alerts): only staff, teams, agreements, the policy, absences, sessions,
attendances, records, actions, explanations and audits.

Every date is turned into a whole number of days since 1 January 1970, so the arithmetic is the
same on PostgreSQL and SQLite. The rules (supervision/compliance/rules.py, docs/metrics.md):

- Absences are merged (overlapping and touching spans joined); `absent(x)` is the number of
  absence days up to day x. A day's "counted number" is x - absent(x), so "the n-th counted day
  after x" is the day whose counted number is x - absent(x) + n: that number plus the lengths
  of the absences that start before it is reached (`span.key`).
- Working days: weekdays less England and Wales bank holidays on weekdays (the `holidays`
  package's list, the one the app reads, passed in as numbers).
- Requirement runs: the unbroken runs of days on which the agreement in force (the latest made
  by then that has not ended) requires supervision.
- The interval walk: a recursive CTE, one row per interval, from the start of each run (or
  the last counted session before the day asked from): met by the next counted session on or
  before its due date, else missed once its due date is over; after a miss the next interval
  opens at the missed due date, with the frequency of the agreement in force at the last
  session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from supervision.agreements.defaults import DEFAULT_POLICY
from supervision.compliance.working_days import bank_holidays
from supervision.limits import INTERVAL_DAYS

EPOCH = date(1970, 1, 1)
# date.toordinal() of 1 January 1970: Python's ordinal 1 (1 January of year 1) is a Monday.
EPOCH_ORDINAL = EPOCH.toordinal()
WEEKLY_DAYS = 7
FORTNIGHTLY_DAYS = 14


def day_number(day: date | None) -> int | None:
    return None if day is None else (day - EPOCH).days


def from_day_number(number: int | None) -> date | None:
    return None if number is None else EPOCH + timedelta(days=int(number))


def least(a: str, b: str) -> str:
    """The smaller of two whole numbers (SQLite's MIN(a, b) is PostgreSQL's LEAST): NULL as neither."""
    return f"(CASE WHEN ({b}) IS NULL OR ({a}) <= ({b}) THEN ({a}) ELSE ({b}) END)"


def greatest(a: str, b: str) -> str:
    return f"(CASE WHEN ({b}) IS NULL OR ({a}) >= ({b}) THEN ({a}) ELSE ({b}) END)"


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def postgres(self) -> bool:
        return self.name == "postgresql"

    def day(self, column: str) -> str:
        """Days since 1970 of a DATE column."""
        if self.postgres:
            return f"({column} - DATE '1970-01-01')"
        return f"CAST(ROUND(julianday({column}) - 2440587.5) AS INTEGER)"

    def london_day(self, column: str) -> str:
        """Days since 1970 of the Europe/London calendar date of a stored UTC moment."""
        if self.postgres:
            return f"(CAST(({column} AT TIME ZONE 'Europe/London') AS DATE) - DATE '1970-01-01')"
        # SQLite keeps the moment as UTC text: British Summer Time runs from 01:00 UTC on the
        # last Sunday of March to 01:00 UTC on the last Sunday of October.
        year = f"strftime('%Y', {column})"
        starts = f"datetime(date({year} || '-03-31', '-6 days', 'weekday 0'), '+1 hours')"
        ends = f"datetime(date({year} || '-10-31', '-6 days', 'weekday 0'), '+1 hours')"
        local = (
            f"(CASE WHEN {column} >= {starts} AND {column} < {ends} "
            f"THEN date({column}, '+1 hours') ELSE date({column}) END)"
        )
        return self.day(local)

    def add_months(self, column: str, months: str) -> str:
        """Days since 1970 of a DATE column plus a number of months, the day clamped to the
        month's length (dateutil's relativedelta, supervision.dates.add_months)."""
        if self.postgres:
            return f"(CAST({column} + make_interval(months => {months}) AS DATE) - DATE '1970-01-01')"
        first = f"date({column}, 'start of month', ({months}) || ' months')"
        following = f"date({column}, 'start of month', (({months}) + 1) || ' months')"
        length = f"CAST(ROUND(julianday({following}) - julianday({first})) AS INTEGER)"
        day_of_month = f"CAST(strftime('%d', {column}) AS INTEGER)"
        return f"({self.day(first)} + {least(day_of_month, length)} - 1)"


def holidays_between(first: date, last: date) -> list[int]:
    return [
        day_number(day)
        for year in range(first.year, last.year + 1)
        for day in bank_holidays(year)
        if first <= day <= last
    ]


def weekdays_up_to(x: str) -> str:
    """Weekdays from 1 January of year 1 (a Monday) up to day x (rules: working_days.py)."""
    ordinal = f"(({x}) + {EPOCH_ORDINAL})"
    return f"({ordinal} / 7 * 5 + {least(f'{ordinal} % 7', '5')})"


def working_days_up_to(x: str) -> str:
    return f"({weekdays_up_to(x)} - (SELECT COUNT(*) FROM holiday h WHERE h.d <= ({x})))"


def absent_up_to(person: str, x: str) -> str:
    """Absence days of `person` up to and including day x."""
    return (
        f"(SELECT COALESCE(SUM({least('sp.e', x)} - sp.s + 1), 0) FROM span sp "
        f"WHERE sp.staff_id = {person} AND sp.s <= ({x}))"
    )


def absent_working_days_up_to(person: str, x: str) -> str:
    """Working days inside `person`'s absences up to and including day x."""
    return (
        f"(SELECT COALESCE(SUM({least('sp.we', working_days_up_to(x))} - sp.ws), 0) FROM span sp "
        f"WHERE sp.staff_id = {person} AND sp.s <= ({x}))"
    )


def counted_date_after(person: str, x: str, n: str) -> str:
    """The n-th day after day x that is not inside one of `person`'s absences."""
    return (
        "(SELECT q.t + COALESCE((SELECT SUM(sp.len) FROM span sp "
        f"WHERE sp.staff_id = {person} AND sp.key <= q.t), 0) "
        f"FROM (SELECT q0.x - {absent_up_to(person, 'q0.x')} + ({n}) AS t "
        f"FROM (SELECT ({x}) AS x) q0) q)"
    )


def counted_days_between(person: str, a: str, b: str) -> str:
    """Days after a up to b, absence days not counted; 0 when b is not after a."""
    return (
        f"(CASE WHEN ({b}) <= ({a}) THEN 0 ELSE ({b}) - ({a}) - "
        f"({absent_up_to(person, b)} - {absent_up_to(person, a)}) END)"
    )


def counted_working_days_between(person: str, a: str, b: str) -> str:
    return (
        f"(CASE WHEN ({b}) <= ({a}) THEN 0 ELSE {working_days_up_to(b)} - {working_days_up_to(a)} - "
        f"({absent_working_days_up_to(person, b)} - {absent_working_days_up_to(person, a)}) END)"
    )


def in_force(person: str, x: str, column: str = "id") -> str:
    """A column of the agreement in force on day x: the latest made by then that has not ended."""
    return (
        f"(SELECT g.{column} FROM agreement g WHERE g.staff_id = {person} AND g.agreed_on <= ({x}) "
        f"AND (g.ended_on IS NULL OR ({x}) <= g.ended_on) ORDER BY g.agreed_on DESC, g.id DESC LIMIT 1)"
    )


def interval_of(agreement_id: str, x: str) -> str:
    """The interval of an agreement's rule for a clock starting on day x (the ASYE stages)."""
    return (
        "(SELECT CASE WHEN g.asye = 1 THEN CASE "
        f"WHEN ({x}) < g.asye_weekly_until THEN {WEEKLY_DAYS} "
        f"WHEN ({x}) < g.asye_fortnightly_until THEN {FORTNIGHTLY_DAYS} "
        f"ELSE {greatest('g.interval_days', str(FORTNIGHTLY_DAYS))} END "
        f"ELSE g.interval_days END FROM agreement g WHERE g.id = ({agreement_id}))"
    )


def policy_value(name: str) -> str:
    """The organisation's policy setting, or the default where it has saved none."""
    default = getattr(DEFAULT_POLICY, name)
    if isinstance(default, bool):
        default = "1=1" if default else "1=0"
    elif default is None:
        default = "NULL"
    return f"CASE WHEN p.id IS NULL THEN {default} ELSE p.{name} END"


def facts_ctes(dialect: Dialect, scope: str, today: date, history_from: date | None = None) -> str:
    """The common table expressions every counterpart starts from, for the people `scope` (a
    select of staff ids): `person`, `agreement`, `span` (merged absences), `counted` (counted
    session days up to today), `run` (requirement runs), `walk` (every interval from
    `history_from`, default all of it) and `outcome` (the closed intervals)."""
    d = dialect
    first = date(1990, 1, 1)
    holiday_rows = " UNION ALL ".join(
        f"SELECT {n} AS d" for n in holidays_between(first, today + timedelta(days=800))
    )
    t = day_number(today)
    from_day = day_number(history_from) if history_from is not None else -(10**6)
    stage_days = (
        "CASE s.career_stage WHEN 'senior_practitioner' THEN pol.interval_days_senior_practitioner "
        "WHEN 'manager' THEN pol.interval_days_manager WHEN 'other' THEN pol.interval_days_other "
        "ELSE pol.interval_days_social_worker END"
    )
    fte_hundredths = "CAST(ROUND(s.fte * 100) AS INTEGER)"
    stretched = least(f"({stage_days}) * 100 / {greatest(fte_hundredths, '50')}", str(INTERVAL_DAYS.high))
    pro_rata = (
        f"CASE WHEN {stage_days} IS NULL THEN NULL "
        f"WHEN g.frequency_kind = 'interval' AND {fte_hundredths} < 100 AND pol.pro_rata_part_time "
        f"THEN {greatest(stage_days, stretched)} "
        f"ELSE {stage_days} END"
    )
    policy_columns = ",\n    ".join(
        f"{policy_value(name)} AS {name}"
        for name in (
            "asye_weekly_weeks",
            "asye_fortnightly_until_months",
            "interval_days_social_worker",
            "interval_days_senior_practitioner",
            "interval_days_manager",
            "interval_days_other",
            "pro_rata_part_time",
            "due_soon_working_days",
            "escalation_working_days",
            "write_up_working_days",
        )
    )
    return f"""
holiday AS ({holiday_rows}),
person AS (
  SELECT s.id, s.organisation_id, s.team_id, {d.day("s.start_date")} AS employed_from,
    {d.day("s.end_date")} AS employed_until,
    {least(str(t), d.day("s.end_date"))} AS until_day
  FROM staff s WHERE s.id IN ({scope})
),
pol AS (
  SELECT o.id AS organisation_id,
    {policy_columns}
  FROM organisation o LEFT JOIN supervision_policy p ON p.organisation_id = o.id
  WHERE o.id IN (SELECT organisation_id FROM person)
),
agreement AS (
  SELECT g.id, g.supervisee_id AS staff_id, {d.day("g.agreed_on")} AS agreed_on,
    {d.day("g.ended_on")} AS ended_on,
    CASE WHEN g.ended_on IS NULL THEN 1 ELSE 0 END AS is_current,
    CASE WHEN g.supervision_type IN ('group', 'mix') THEN 1 ELSE 0 END AS counts_group,
    CASE WHEN g.frequency_kind = 'asye_staged' THEN 1 ELSE 0 END AS asye,
    {d.day("g.asye_started_on")} + 7 * pol.asye_weekly_weeks AS asye_weekly_until,
    {d.add_months("g.asye_started_on", "pol.asye_fortnightly_until_months")} AS asye_fortnightly_until,
    CASE WHEN g.frequency_kind = 'none' THEN NULL
      WHEN g.interval_days IS NOT NULL THEN g.interval_days
      WHEN g.frequency_kind = 'asye_staged' THEN pol.interval_days_social_worker
      ELSE {pro_rata} END AS interval_days,
    {d.day("g.review_due_on")} AS review_due_on
  FROM supervision_agreement g JOIN staff s ON s.id = g.supervisee_id
    JOIN pol ON pol.organisation_id = s.organisation_id
  WHERE g.supervisee_id IN (SELECT id FROM person)
),
agreement_rule AS (
  SELECT a.*, CASE WHEN a.asye = 1 OR a.interval_days IS NOT NULL THEN 1 ELSE 0 END AS requires
  FROM agreement a
),
absence AS (
  SELECT a.staff_id, {d.day("a.starts_on")} AS s, {d.day("a.ends_on")} AS e
  FROM absence_period a WHERE a.staff_id IN (SELECT id FROM person)
),
absence_marked AS (
  SELECT staff_id, s, e,
    CASE WHEN s <= MAX(e) OVER (PARTITION BY staff_id ORDER BY s, e
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 1 THEN 0 ELSE 1 END AS starts_island
  FROM absence
),
absence_island AS (
  SELECT staff_id, s, e,
    SUM(starts_island) OVER (PARTITION BY staff_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS island
  FROM absence_marked
),
merged AS (
  SELECT staff_id, MIN(s) AS s, MAX(e) AS e FROM absence_island GROUP BY staff_id, island
),
span_keyed AS (
  SELECT staff_id, s, e, e - s + 1 AS len,
    s - COALESCE(SUM(e - s + 1) OVER (PARTITION BY staff_id ORDER BY s
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS key
  FROM merged
),
span AS (
  SELECT k.*, {working_days_up_to("k.s - 1")} AS ws, {working_days_up_to("k.e")} AS we FROM span_keyed k
),
held AS (
  SELECT a.supervisee_id AS staff_id, {d.day("ss.held_on")} AS d,
    CASE WHEN ss.kind = 'group' THEN 1 ELSE 0 END AS grp
  FROM session_attendee a JOIN supervision_session ss ON ss.id = a.session_id
  WHERE a.supervisee_id IN (SELECT id FROM person) AND ss.status = 'held' AND ss.held_on <= :today
),
counted AS (
  SELECT DISTINCT h.staff_id, h.d FROM held h
  WHERE h.grp = 0 OR COALESCE({in_force("h.staff_id", "h.d", "counts_group")}, 1) = 1
),
boundary AS (
  SELECT staff_id, agreed_on AS b FROM agreement
  UNION SELECT staff_id, ended_on + 1 FROM agreement WHERE ended_on IS NOT NULL
),
segment AS (
  SELECT b.staff_id, b.b, LEAD(b.b) OVER (PARTITION BY b.staff_id ORDER BY b.b) AS next_b,
    COALESCE((SELECT r.requires FROM agreement_rule r WHERE r.id = {in_force("b.staff_id", "b.b")}), 0) AS req
  FROM boundary b
),
segment_grouped AS (
  SELECT staff_id, b, next_b, req,
    SUM(1 - req) OVER (PARTITION BY staff_id ORDER BY b ROWS UNBOUNDED PRECEDING) AS grp
  FROM segment
),
run AS (
  SELECT staff_id, MIN(b) AS starts_on,
    CASE WHEN COUNT(*) = COUNT(next_b) THEN MAX(next_b) - 1 END AS ends_on
  FROM segment_grouped WHERE req = 1 GROUP BY staff_id, grp
),
run_limits AS (
  SELECT r.staff_id, r.starts_on, r.ends_on,
    {least("p.until_day", "r.ends_on")} AS run_last,
    {least(least(str(t - 1), "p.until_day"), "r.ends_on")} AS run_judged
  FROM run r JOIN person p ON p.id = r.staff_id
  WHERE r.starts_on <= p.until_day
),
run_cursor AS (
  SELECT l.*, {greatest("l.starts_on", f"(SELECT MAX(c.d) FROM counted c WHERE c.staff_id = l.staff_id AND c.d <= {least(str(from_day - 1), 'l.run_last')})")} AS cursor_day
  FROM run_limits l
),
run_terms AS (
  SELECT c.*, {in_force("c.staff_id", "c.cursor_day")} AS terms FROM run_cursor c
),
walk AS (
  SELECT staff_id, starts_on, ends_on, run_last, run_judged, cursor_day, terms, gap_open, interval_days, due,
    (SELECT MIN(c.d) FROM counted c WHERE c.staff_id = x.staff_id AND c.d > x.cursor_day
      AND c.d <= x.run_last) AS next_session
  FROM (
    SELECT r.*, 0 AS gap_open, {interval_of("r.terms", "r.cursor_day")} AS interval_days,
      {counted_date_after("r.staff_id", "r.cursor_day", interval_of("r.terms", "r.cursor_day"))} AS due
    FROM run_terms r
  ) x
),
{walk_step(d)}
outcome AS (
  SELECT staff_id, starts_on, ends_on, run_last, cursor_day AS opened_on, due AS due_on,
    CASE WHEN next_session IS NOT NULL AND next_session <= due THEN next_session ELSE due END AS closed_on,
    CASE WHEN next_session IS NOT NULL AND next_session <= due THEN 1 ELSE 0 END AS met,
    CASE WHEN next_session IS NOT NULL AND next_session <= due AND gap_open = 1 THEN 1 ELSE 0 END AS late,
    CASE WHEN (next_session IS NULL OR next_session > due) AND gap_open = 0 THEN 1 ELSE 0 END AS starts_gap
  FROM steps
  WHERE (next_session IS NOT NULL AND next_session <= due) OR due <= run_judged
)"""


WALK_COLUMNS = (
    "starts_on",
    "ends_on",
    "run_last",
    "run_judged",
    "cursor_day",
    "terms",
    "gap_open",
    "interval_days",
    "due",
    "next_session",
)


def walk_step(dialect: Dialect) -> str:
    """`steps`: the walk, one row per interval (the last row of each run is the interval still
    running, which `outcome` leaves out)."""
    met = "(w.next_session IS NOT NULL AND w.next_session <= w.due)"
    cursor = f"(CASE WHEN {met} THEN w.next_session ELSE w.due END)"
    terms = f"(CASE WHEN {met} THEN {in_force('w.staff_id', 'w.next_session')} ELSE w.terms END)"
    interval = interval_of(terms, cursor)
    return f"""
steps AS (
  SELECT staff_id, {", ".join(f"CAST({name} AS BIGINT) AS {name}" for name in WALK_COLUMNS)}
  FROM walk
  UNION ALL
  SELECT w.staff_id, w.starts_on, w.ends_on, w.run_last, w.run_judged, CAST({cursor} AS BIGINT),
    CAST({terms} AS BIGINT),
    CAST(CASE WHEN {met} THEN 0 ELSE 1 END AS BIGINT),
    CAST({interval} AS BIGINT),
    CAST((SELECT {counted_date_after("w.staff_id", "qq.c", "qq.n")}
      FROM (SELECT {cursor} AS c, {interval} AS n) qq) AS BIGINT),
    CAST((SELECT MIN(c.d) FROM counted c WHERE c.staff_id = w.staff_id AND c.d > {cursor}
      AND c.d <= w.run_last) AS BIGINT)
  FROM steps w
  WHERE {met} OR w.due <= w.run_judged
),"""


def materialized(sql: str) -> str:
    """Every plain common table expression worked out once (`AS MATERIALIZED`, PostgreSQL 12 and
    SQLite 3.35 on): SQLite would otherwise copy each into every sub-select that reads it, past
    its limit of 65,535 references to a table, and work it out again each time."""
    return re.sub(r"^(?!steps )(\w+) AS \(", r"\1 AS MATERIALIZED (", sql, flags=re.MULTILINE)


def _closing(sql: str, start: int) -> int:
    """The index of the parenthesis closing the one at `start` (quoted text skipped)."""
    depth, index = 0, start
    while index < len(sql):
        char = sql[index]
        if char == "'":
            index = sql.index("'", index + 1)
            while sql.startswith("''", index):
                index = sql.index("'", index + 2)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ValueError("unbalanced parentheses")


CTE_HEAD = re.compile(r"\s*,?\s*(\w+)(\([^)]*\))?\s+AS\s+(?:MATERIALIZED\s+)?\(")


def common_table_expressions(sql: str) -> tuple[list[tuple[str, str, str]], str]:
    """A `WITH RECURSIVE` statement's expressions in order, as (name, column list, body), and its
    final statement."""
    position = len("WITH RECURSIVE")
    found = []
    while True:
        head = CTE_HEAD.match(sql, position)
        if head is None:
            return found, sql[position:].lstrip().lstrip(",")
        opening = head.end() - 1
        closing = _closing(sql, opening)
        found.append((head.group(1), head.group(2) or "", sql[opening + 1 : closing]))
        position = closing + 1


def created_table(statement: str) -> str | None:
    found = re.match(r"CREATE TEMP TABLE (\w+)", statement)
    return found.group(1) if found else None


def staged(sql: str, dialect: str = "sqlite") -> list[str]:
    """The same statement as one temporary table per common table expression, in order, then
    the final statement (bench/answers.py, `rows`, says why). Tables of an earlier run of the
    same names are dropped first."""
    expressions, final = common_table_expressions(sql)
    schema = "pg_temp" if dialect == "postgresql" else "temp"
    statements = [f"DROP TABLE IF EXISTS {schema}.{name}" for name, _, _ in expressions]
    for name, columns, body in expressions:
        if re.search(rf"\b(FROM|JOIN)\s+{name}\b", body):  # recursive: it reads itself
            statements.append(
                f"CREATE TEMP TABLE {name} AS WITH RECURSIVE {name}{columns} AS ({body}) SELECT * FROM {name}"
            )
        else:
            select = f"SELECT * FROM ({body}) AS x" if not columns else body
            statements.append(f"CREATE TEMP TABLE {name}{columns} AS {select}")
    statements.append(final)
    return statements
