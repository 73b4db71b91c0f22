"""National-scale benchmark (issue 9, docs/performance.md): `make bench STAFF=40000 YEARS=5`.

    .venv/bin/python bench/national.py --staff 40000 --years 5 \\
        --database-url postgresql://postgres@127.0.0.1:5432/supervision_bench --write docs/performance.md

1. Creates the scratch database named (dropped at the end unless --keep), runs the migrations
   and generates the organisation with `synth` (timed); --reuse measures a database already
   generated instead.
2. Times, p50/p95 over several runs, each use case through the project's own service functions
   (what the pages and jobs call) next to one hand-written SQL query or bulk statement giving
   the same answer, and checks the answers agree (bench/answers.py): team dashboard, oversight
   report (organisation and one service), HR retention summary, compliance sweep, staff import,
   and case oversight (the cases page per kind of viewer, the report's case section:
   bench/case_answers.py). `--only cases` measures case oversight alone.
3. Serves the app under gunicorn beside a bare Flask endpoint serving one indexed query
   (bench/bare_app.py) and measures, page by page in turn over a few rounds, requests per second
   and CPU a request of the signed-in dashboard, the bare endpoint, and three floors under the
   dashboard (the home page, the sign-in page, /healthz).
4. Measures the sweep's peak memory in a fresh subprocess (the kernel's VmHWM).
5. Writes the results, with a description of the machine, into docs/performance.md between
   the `bench:results` markers (the analysis around them is kept).
"""

from __future__ import annotations

import argparse
import csv
import gc
import http.client
import io
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import answers, case_answers  # noqa: E402
from bench.import_staff import add_organisation, staff_csv  # noqa: E402
from config import DevelopmentConfig, database_url  # noqa: E402
from supervision import create_app, synth  # noqa: E402
from supervision.clock import SystemClock, clock  # noqa: E402
from supervision.compliance.services import thresholds_for  # noqa: E402
from supervision.dates import add_months  # noqa: E402
from supervision.extensions import db  # noqa: E402
from supervision.hr import import_services  # noqa: E402
from supervision.hr.metrics import latest_census_date  # noqa: E402
from supervision.jobs import catalogue as jobs  # noqa: E402
from supervision.memory import settle_after_startup  # noqa: E402
from supervision.org.models import Organisation, Role, Service, Staff, StaffRole, Team  # noqa: E402
from supervision.reports.forms import default_period  # noqa: E402
from supervision.reports.services import Level, policy_for  # noqa: E402
from supervision.stored_figures.freshness import current_run  # noqa: E402

BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 (a scratch database's made-up user)
IMPORT_ORGANISATION = "Import Bench Council"
MARKERS = ("<!-- bench:results:start -->", "<!-- bench:results:end -->")
SLOW_SECONDS = 5  # a use case slower than this is timed over fewer runs
VERY_SLOW_SECONDS = 30
USER_AGENT = "supervision-bench"


@dataclass
class Measure:
    name: str
    target: str
    target_ms: float | None
    project_ms: list[float]
    raw_ms: list[float] | None = None
    agrees: bool | None = None
    note: str = ""

    @property
    def p50(self) -> float:
        return percentile(self.project_ms, 0.5)

    @property
    def p95(self) -> float:
        return percentile(self.project_ms, 0.95)

    @property
    def raw_p50(self) -> float | None:
        return percentile(self.raw_ms, 0.5) if self.raw_ms else None

    @property
    def ratio(self) -> float | None:
        return self.p50 / self.raw_p50 if self.raw_p50 else None

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return "-"
        met = self.p95 < self.target_ms and (self.ratio is None or self.ratio <= 1.5)
        return "met" if met else "MISSED"


@dataclass
class Results:
    measures: list[Measure] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def timed(action: Callable, runs: int) -> tuple[list[float], object]:
    """Milliseconds per run after one warm-up run; each run starts with a fresh session and
    with the previous run's garbage collected (as timeit does, so that a run does not pay for
    the one before; the collector itself stays on, as in the web workers).

    Slow use cases get fewer runs, and one slower than VERY_SLOW_SECONDS only its first."""
    db.session.remove()
    gc.collect()
    started = time.perf_counter()
    result = action()
    first = time.perf_counter() - started
    if first > VERY_SLOW_SECONDS:  # the warm-up run is the one sample: the bench must end today
        db.session.remove()
        return [first * 1000], result
    if first > SLOW_SECONDS:
        runs = min(runs, 2)
    samples = []
    for _ in range(runs):
        db.session.remove()
        gc.collect()
        started = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - started) * 1000)
    db.session.remove()
    return samples, result


def compare(results: Results, name: str, project, raw) -> bool:
    if project == raw:
        return True
    detail = name
    if isinstance(project, dict) and isinstance(raw, dict):
        keys = [key for key in sorted(set(project) | set(raw), key=str) if project.get(key) != raw.get(key)]
        detail += "".join(f"\n    {k}: project {project.get(k)} / sql {raw.get(k)}" for k in keys[:5])
    elif isinstance(project, set | list):
        only_project = sorted(set(project) - set(raw), key=str)[:5]
        only_raw = sorted(set(raw) - set(project), key=str)[:5]
        detail += f"\n    only in the project's answer: {only_project}\n    only in SQL's: {only_raw}"
    results.disagreements.append(detail)
    return False


# ------------------------------------------------------------------------ the people to ask


def busiest_supervisor(organisation_id: int) -> int:
    """The team manager with the most current supervisees: the dashboard's heaviest ordinary user."""
    return db.session.execute(
        sa.text(
            "SELECT g.supervisor_id FROM supervision_agreement g JOIN staff s ON s.id = g.supervisor_id "
            "WHERE g.ended_on IS NULL AND s.organisation_id = :organisation_id AND g.supervisor_id NOT IN "
            "(SELECT staff_id FROM staff_role WHERE role = 'service_manager') "
            "GROUP BY g.supervisor_id ORDER BY COUNT(*) DESC, g.supervisor_id LIMIT 1"
        ),
        {"organisation_id": organisation_id},
    ).scalar_one()


def senior_leader(organisation_id: int) -> int:
    """A service manager with no line manager: the director, who oversees every service."""
    return db.session.scalar(
        sa.select(Staff.id)
        .join(StaffRole, StaffRole.staff_id == Staff.id)
        .where(
            Staff.organisation_id == organisation_id,
            StaffRole.role == Role.SERVICE_MANAGER,
            Staff.line_manager_id.is_(None),
        )
        .order_by(Staff.id)
        .limit(1)
    )


def largest_service(organisation_id: int) -> int:
    return db.session.execute(
        sa.select(Service.id)
        .join(Team, Team.service_id == Service.id)
        .join(Staff, Staff.team_id == Team.id)
        .where(Service.organisation_id == organisation_id, Staff.end_date.is_(None))
        .group_by(Service.id)
        .order_by(sa.func.count().desc(), Service.id)
        .limit(1)
    ).scalar_one()


def head_of(service_id: int) -> int:
    """The head of a service: the dashboard's and the report's widest scope below the director."""
    return db.session.scalar(sa.select(Service.manager_id).where(Service.id == service_id))


def synth_organisation() -> int:
    return db.session.scalar(
        sa.select(Organisation.id).where(Organisation.name != IMPORT_ORGANISATION).order_by(Organisation.id)
    )


# ---------------------------------------------------------------------------- measurements


# What the stored-figures rows read, and what keeping the stored figures costs (issue 18).
STORED_OVERSIGHT_ROWS = {
    "default period": "each unit's stored figures for the period, oversight_unit_figures",
    "last 12 whole months": "the services' stored months, oversight_service_month, on the organisation's "
    "page; the people's stored months, oversight_month and oversight_month_value, on a service's; and "
    "oversight_month and oversight_now for the people in the period, the gap open at its end and the "
    "now figures",
}
STORED_COST = (
    "the cost of keeping the stored figures: the stored-figures job's run time (the 'stored figures "
    "job' line above), and nothing on any write path (only the job writes the stored tables: "
    "tests/reports/test_stored_figures_writes.py)"
)


def stored_figures_usable(organisation_id: int, today: date) -> bool:
    """The organisation's stored figures may be shown today (the job has run): the rows that
    read them are measured only then."""
    return current_run(db.session, organisation_id, today) is not None


def measure_reports(results: Results, runs: int) -> None:
    """Dashboard, oversight (organisation and one service), HR summary and the sweep."""
    today = clock().today()
    organisation_id = synth_organisation()
    supervisor = busiest_supervisor(organisation_id)
    leader = senior_leader(organisation_id)
    service = largest_service(organisation_id)

    def pair(name, target, target_ms, project, raw, runs=runs, same=lambda p, r: (p, r), note=""):
        project_ms, project_answer = timed(project, runs)
        raw_ms, raw_answer = timed(raw, runs)
        agrees = compare(results, name, *same(project_answer, raw_answer))
        results.measures.append(Measure(name, target, target_ms, project_ms, raw_ms, agrees, note))
        return project_answer

    # The dashboard for each kind of viewer (issue 18): a team manager's team, a head of
    # service's service (the largest), the director's whole organisation.
    viewers = (
        ("team manager", supervisor),
        ("head of service", head_of(service)),
        ("director", leader),
    )
    compared = (
        "compared: every figure of each row (status, last held, next due, days and working days "
        "overdue, agreement, write-ups pending and overdue, overdue actions) and the 12-month grid"
    )
    for who, viewer in viewers:
        slow = who == "director"
        rows = pair(
            f"Team dashboard ({who})",
            "p95 < 100 ms" if not slow else "-",
            100 if not slow else None,
            lambda viewer=viewer: answers.dashboard_project(viewer, today),
            lambda viewer=viewer: answers.dashboard_sql(viewer, today),
            runs=runs if not slow else min(runs, 2),
            note=f"{compared}; like for like: the page, as always, worked everything out live, like "
            "the SQL, from the base tables",
        )
        results.facts[f"dashboard rows ({who})"] = str(len(rows))
    period = default_period(today)
    for label, viewer, unit in (
        (
            "Oversight report: organisation, worked out live",
            leader,
            answers.Oversight(Level.ORGANISATION, None),
        ),
        (
            "Oversight report: one service, worked out live",
            head_of(service),
            answers.Oversight(Level.SERVICE, service),
        ),
    ):
        organisation_level = unit.level is Level.ORGANISATION
        pair(
            label,
            "-" if organisation_level else "< 500 ms",
            None if organisation_level else 500,
            lambda viewer=viewer, unit=unit: answers.oversight_live_project(viewer, unit, period, today),
            lambda viewer=viewer, unit=unit: answers.oversight_sql_whole(viewer, unit, period, today),
            runs=min(runs, 3),
            note="like for like: the report worked out live (its stored figures set aside in a "
            "transaction rolled back) against SQL from the base tables; compared: every figure of "
            "the unit and each of its children for the period and each of the 12 trend months "
            "(staff in scope, sessions required and on time, write-ups judged and on time, records "
            "held, signed and complete, disagreements, sessions planned and cancelled, gaps started "
            "and unexplained, the now figures, the four shares, the median days between sessions, "
            "the longest gap, days between sessions, gap reasons and audit grades by value)",
        )
    # The same reports as the pages serve them from the stored figures, against SQL reading the
    # same stored rows (issue 18): the default period and the last 12 whole months.
    if stored_figures_usable(organisation_id, today):
        for label, period_label, stored_period in (
            ("the default period", "default period", period),
            ("the last 12 whole months", "last 12 whole months", answers.last_whole_months(today)),
        ):
            for name, viewer, unit in (
                ("organisation", leader, answers.Oversight(Level.ORGANISATION, None)),
                ("one service", head_of(service), answers.Oversight(Level.SERVICE, service)),
            ):
                pair(
                    f"Oversight report: {name}, {period_label}, as served (stored figures)",
                    "< 500 ms" if period_label == "default period" else "< 2 s",
                    500 if period_label == "default period" else 2000,
                    lambda viewer=viewer, unit=unit, p=stored_period: answers.oversight_stored_project(
                        viewer, unit, p, today
                    ),
                    lambda viewer=viewer, unit=unit, p=stored_period: answers.oversight_stored_sql(
                        viewer, unit, p, today
                    ),
                    note=f"like for like: the page as served for {label}, reading the stored figures, "
                    f"against SQL reading the same stored rows ({STORED_OVERSIGHT_ROWS[period_label]}); "
                    "compared: every figure of the unit and each child for the period and each of the 12 "
                    "trend months, as in the live rows; this checks that the page reads and adds up the "
                    "stored rows correctly, while the stored rows themselves are checked against the base "
                    f"tables by the live rows; {STORED_COST}",
                )
    snapshot = latest_census_date(today)
    pair(
        "HR retention summary, worked out live",
        "-",
        None,
        lambda: answers.hr_project(organisation_id, snapshot, live=True),
        lambda: answers.hr_sql(organisation_id, snapshot),
        same=answers.hr_compare,
        note="like for like: the summary worked out live (the stored windows set aside in a "
        "transaction rolled back) against SQL from the base tables; compared: every figure of "
        "the page per team, service and organisation (headcount, FTE, agency, starters, leavers, "
        "caseloads, vacancies, length of service, destinations, supervision before leaving and of "
        "those who stayed) and each month's turnover and vacancy; the SQL works supervision "
        "before leaving out with the compliance engine's intervals in SQL (bench/engine_sql.py)",
    )
    if stored_figures_usable(organisation_id, today):
        pair(
            "HR retention summary, as served (stored figures)",
            "< 1 s",
            1000,
            lambda: answers.hr_project(organisation_id, snapshot, stored=True),
            lambda: answers.hr_stored_report_sql(organisation_id, snapshot),
            same=answers.hr_compare,
            note="like for like: the summary as served, reading the stored-figures job's counted "
            "report (stored_retention_report), against SQL reading the same stored row's figures "
            "(its JSON, per unit and trend month, only when the page may show it today); compared: "
            "every figure, as in the live row; the stored report itself is checked against the base "
            "tables by the live row and by tests/hr/test_stored_report.py; " + STORED_COST,
        )
    thresholds = thresholds_for(policy_for(organisation_id))
    found = pair(
        "Compliance sweep (repeat run)",
        "< 10 s",
        10_000,
        lambda: answers.sweep_project(today),
        lambda: answers.sweep_sql(today, thresholds),
        runs=min(runs, 3),
        note="compared: open alerts for late write-ups, agreement reviews, registration and DBS "
        "renewals (the three supervision-status kinds need the absence-aware engine)",
    )
    results.facts["open alerts (date kinds)"] = json.dumps(answers.group_by_kind(found))


def measure_cases(results: Results, runs: int) -> None:
    """Case oversight (issue 19): the cases page for each kind of viewer and the oversight
    report's case section, each against whole-answer SQL from the base tables
    (bench/case_answers.py), with the same targets as the dashboard and the report."""
    today = clock().today()
    organisation_id = synth_organisation()
    service = largest_service(organisation_id)
    leader = senior_leader(organisation_id)

    def pair(name, target, target_ms, project, raw, note):
        project_ms, project_answer = timed(project, runs)
        raw_ms, raw_answer = timed(raw, runs)
        agrees = compare(results, name, project_answer, raw_answer)
        results.measures.append(Measure(name, target, target_ms, project_ms, raw_ms, agrees, note))
        return project_answer

    listed = (
        "compared: every row of the page with its default filter (overdue or not discussed since "
        "allocation): reference, category, worker, status, due date, last oversight, days "
        "overdue, in the page's order; like for like: both work every status out from the base "
        "tables"
    )
    for who, viewer in (
        ("team manager", busiest_supervisor(organisation_id)),
        ("head of service", head_of(service)),
        ("director", leader),
    ):
        slow = who == "director"
        lines = pair(
            f"Cases needing oversight ({who})",
            "-" if slow else "p95 < 100 ms",
            None if slow else 100,
            lambda viewer=viewer: case_answers.cases_list_project(viewer, today),
            lambda viewer=viewer: case_answers.cases_list_sql(viewer, today),
            listed,
        )
        results.facts[f"cases needing oversight ({who})"] = str(len(lines))
    period = default_period(today)
    stored = stored_figures_usable(organisation_id, today)
    for label, viewer, level, unit_id in (
        ("Case oversight section: organisation", leader, Level.ORGANISATION, None),
        ("Case oversight section: one service", head_of(service), Level.SERVICE, service),
    ):
        organisation_level = level is Level.ORGANISATION
        # The report's units and months are worked out once, untimed: the section is timed alone.
        _, report = case_answers.report_for(viewer, level, unit_id, period, today)
        pair(
            f"{label}, worked out live",
            "-" if organisation_level else "< 500 ms",
            None if organisation_level else 500,
            lambda viewer=viewer, report=report: case_answers.section_of(viewer, report, stored=False),
            lambda viewer=viewer, level=level, unit_id=unit_id: case_answers.case_report_sql(
                viewer, level, unit_id, period, today
            ),
            "like for like: the section worked out live (the stored counts set aside) against SQL "
            "from the base tables; compared: open cases and cases in time per category and in all, "
            "for the unit and each child unit on the period's last day and for the unit on each of "
            "the 12 trend days; the project's side is the section alone (the report's units worked "
            "out beforehand)",
        )
        if not stored:
            continue
        pair(
            f"{label}, as served (stored figures)",
            "< 500 ms",
            500,
            lambda viewer=viewer, report=report: case_answers.section_of(viewer, report, stored=True),
            lambda viewer=viewer, level=level, unit_id=unit_id: case_answers.case_stored_sql(
                viewer, level, unit_id, period, today
            ),
            "like for like: the section as served from the stored counts against SQL reading the "
            "same stored rows (case_oversight_unit_day for the units whose every member the viewer "
            "oversees, case_oversight_day for the workers they oversee elsewhere); compared: as in "
            "the live row; this checks that the page reads and adds up the stored rows correctly, "
            "while the stored counts themselves are checked against the base tables by the live "
            f"row; {STORED_COST}",
        )


def import_organisation() -> int:
    """A second organisation, shaped as bench/import_staff.py expects, for the import."""
    found = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == IMPORT_ORGANISATION))
    if found is not None:
        return found
    return add_organisation(IMPORT_ORGANISATION).id


IMPORTED = """
SELECT s.employee_number, LOWER(s.email), s.family_name, s.team_id, m.employee_number, s.fte,
  s.start_date, s.end_date, s.contract_type, s.career_stage, s.caseload
FROM staff s LEFT JOIN staff m ON m.id = s.line_manager_id
WHERE s.organisation_id = :organisation_id
"""


def imported(organisation_id: int) -> set[tuple]:
    return {
        (*values[:5], answers.number(values[5]), *(answers.as_date(v) for v in values[6:8]), *values[8:])
        for values in answers.rows(IMPORTED, organisation_id=organisation_id)
    }


def forget_imported(organisation_id: int) -> None:
    """Delete the imported people between runs. Nothing refers to them but each other, so on
    PostgreSQL the foreign-key triggers are skipped: otherwise every deleted row looks for
    references in millions of sessions through columns with no index (cancelled_by_id...)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
    db.session.execute(
        sa.text("DELETE FROM staff_role WHERE staff_id IN (SELECT id FROM staff WHERE organisation_id = :o)"),
        {"o": organisation_id},
    )
    db.session.execute(sa.text("DELETE FROM staff WHERE organisation_id = :o"), {"o": organisation_id})
    db.session.commit()


RAW_IMPORT = """
INSERT INTO staff (organisation_id, email, employee_number, given_name, family_name, job_title, career_stage,
  registered_social_worker, swe_registration_number, swe_renewal_date, dbs_check_date, contract_type, fte,
  caseload, start_date, end_date, leaving_reason, leaving_destination, team_id, active,
  created_at, updated_at)
SELECT :organisation_id, c.email, c.employee_number, c.given_name, c.family_name, COALESCE(c.job_title, ''),
  c.career_stage, c.registered_social_worker = 'yes', NULLIF(c.swe_registration_number, ''),
  {date}(NULLIF(c.swe_renewal_date, '')), {date}(NULLIF(c.dbs_check_date, '')), c.contract_type,
  CAST(c.fte AS NUMERIC), CAST(NULLIF(c.caseload, '') AS INTEGER), {date}(c.start_date),
  {date}(NULLIF(c.end_date, '')), NULLIF(c.leaving_reason, ''), NULLIF(c.leaving_destination, ''), t.id,
  TRUE, :now, :now
FROM staff_csv c
LEFT JOIN team t ON t.id = (SELECT t2.id FROM team t2 JOIN service v ON v.id = t2.service_id
  WHERE v.organisation_id = :organisation_id AND v.name || '/' || t2.name = c.team)
"""
RAW_LINE_MANAGERS = """
UPDATE staff SET line_manager_id = m.id
FROM staff_csv c JOIN staff m ON m.employee_number = c.line_manager_employee_number
WHERE staff.organisation_id = :organisation_id AND m.organisation_id = :organisation_id
  AND staff.employee_number = c.employee_number
"""


def raw_import(organisation_id: int, data: bytes) -> None:
    """The file into a staging table (COPY on PostgreSQL), then one INSERT and one UPDATE."""
    header = data.split(b"\r\n", 1)[0].decode().split(",")
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    columns = ", ".join(f"{name} TEXT" for name in header)
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE staff_csv ({columns})")
    if postgres:
        raw = connection.connection.dbapi_connection
        with (
            raw.cursor() as cursor,
            cursor.copy("COPY staff_csv FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            copy.write(data)
        now, date_function = datetime.now(UTC), "DATE"
    else:
        reader = csv.reader(io.StringIO(data.decode()))
        next(reader)
        placeholders = ", ".join("?" for _ in header)
        insert = f"INSERT INTO staff_csv VALUES ({placeholders})"  # noqa: S608 (question marks only)
        connection.exec_driver_sql(insert, list(map(tuple, reader)))
        now, date_function = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"), ""
    connection.exec_driver_sql("CREATE INDEX ix_staff_csv_employee_number ON staff_csv (employee_number)")
    # A temporary table has no statistics until analysed: without them PostgreSQL plans the
    # line-manager UPDATE as a nested loop over both tables (minutes at 40,000 rows).
    connection.exec_driver_sql("ANALYZE staff_csv")
    connection.execute(
        sa.text(RAW_IMPORT.replace("{date}", date_function)), {"organisation_id": organisation_id, "now": now}
    )
    connection.execute(sa.text(RAW_LINE_MANAGERS), {"organisation_id": organisation_id})
    connection.exec_driver_sql("DROP TABLE staff_csv")
    db.session.commit()


def measure_import(results: Results, rows: int, runs: int) -> None:
    organisation_id = import_organisation()
    data = staff_csv(rows)
    project_ms, raw_ms = [], []
    project_answer = raw_answer = set()
    for _ in range(runs):
        for action, samples in (
            (lambda: import_services.import_staff(organisation_id, data), project_ms),
            (lambda: raw_import(organisation_id, data), raw_ms),
        ):
            forget_imported(organisation_id)
            db.session.remove()
            started = time.perf_counter()
            action()
            samples.append((time.perf_counter() - started) * 1000)
            db.session.remove()
            if samples is project_ms:
                project_answer = imported(organisation_id)
            else:
                raw_answer = imported(organisation_id)
    forget_imported(organisation_id)
    agrees = compare(results, "Staff import", project_answer, raw_answer) and len(project_answer) == rows
    results.measures.append(
        Measure(
            f"Staff import, {rows:,} rows",
            "-",
            None,
            project_ms,
            raw_ms,
            agrees,
            "compared: every imported person's number, email, team, line manager, FTE, dates, contract",
        )
    )


# ------------------------------------------------------------------ throughput under gunicorn


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, body: str | None = None, cookie: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response, content


def cookie_from(response) -> str | None:
    """The session cookie set by a response (sign-in also sets the known-device cookie)."""
    for header in response.msg.get_all("Set-Cookie") or []:
        pair = header.split(";", 1)[0]
        if pair.startswith("supervision_session="):
            return pair
    return None


def gunicorn(app_path: str, port: int, workers: int, url: str, root: Path = ROOT) -> subprocess.Popen:
    """`root`: the checkout whose app is served (bench/page_floor.py serves two side by side)."""
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "FLASK_CONFIG": "development",
        "SECRET_KEY": "bench-" + "x" * 40,
        "PYTHONPATH": str(root),
    }
    process = subprocess.Popen(  # noqa: S603 (our own virtualenv's gunicorn)
        [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", app_path],
        cwd=root,
        env=environment,
    )  # fmt: skip
    for _ in range(300):
        try:
            request(port, "GET", "/healthz" if app_path == "wsgi:app" else "/bare")
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"gunicorn {app_path} did not start")


def sign_in(port: int, email: str) -> str:
    response, content = request(port, "GET", "/sign-in")
    cookie = cookie_from(response)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', content)
    token = token or re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', content)
    body = urllib.parse.urlencode(
        {"email": email, "password": BENCH_PASSWORD, "csrf_token": token.group(1).decode()}
    )
    response, _ = request(port, "POST", "/sign-in", body, cookie)
    if response.status != 302:
        raise RuntimeError(f"bench sign-in failed: {response.status}")
    return cookie_from(response) or cookie


@dataclass
class Load:
    """One page under load: requests per second, median latency, and CPU per request of the
    server's workers and of PostgreSQL (None where its processes cannot be seen from here)."""

    per_second: float
    median_ms: float
    server_cpu_ms: float
    database_cpu_ms: float | None

    def text(self, ratio: float | None = None) -> str:
        """`ratio`: to the bare endpoint, where it is worth saying."""
        to_bare = f", ratio {ratio:.2f}" if ratio is not None else ""
        database = f", PostgreSQL {self.database_cpu_ms:.1f} ms" if self.database_cpu_ms is not None else ""
        return (
            f"{self.per_second:.1f} requests/s (median {self.median_ms:.0f} ms{to_bare}; CPU a request: "
            f"server {self.server_cpu_ms:.1f} ms{database})"
        )


def children_cpu_seconds(parent_pid: int | None) -> float | None:
    """User and system CPU used so far by the processes `parent_pid` started (gunicorn's workers,
    PostgreSQL's backends), from /proc: what requests cost apart from the client threads that
    share the machine."""
    if parent_pid is None:
        return None
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == parent_pid:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def postmaster_pid() -> int | None:
    """The local PostgreSQL server's process, when the bench runs beside it (as on the build machine)."""
    if not is_postgres():
        return None
    try:
        directory = db.session.scalar(sa.text("SHOW data_directory"))
        return int((Path(directory) / "postmaster.pid").read_text().split()[0])
    except (sa.exc.SQLAlchemyError, OSError, ValueError, IndexError):
        return None
    finally:
        db.session.rollback()


def load(
    server: subprocess.Popen, port: int, path: str, cookie: str | None, total: int, clients: int
) -> Load:
    """`total` requests for `path` from `clients` threads at once."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    remaining = iter(range(total))

    def client():
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            started = time.perf_counter()
            response, _ = request(port, "GET", path, cookie=cookie)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status != 200:
                    failures.append(response.status)

    postgres = postmaster_pid()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    server_before, database_before = children_cpu_seconds(server.pid), children_cpu_seconds(postgres)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    server_after, database_after = children_cpu_seconds(server.pid), children_cpu_seconds(postgres)
    if failures:
        raise RuntimeError(f"{len(failures)} requests to {path} failed, e.g. {failures[0]}")
    return Load(
        per_second=total / seconds,
        median_ms=percentile(latencies, 0.5),
        server_cpu_ms=(server_after - server_before) / total * 1000,
        database_cpu_ms=(database_after - database_before) / total * 1000 if postgres else None,
    )


# Each page is loaded in turn, round after round, both servers running throughout: this
# machine's speed drifts by up to 2.5 times within minutes, and pages measured one after the
# other (all of the app's, then the bare endpoint's) once gave the bare endpoint a third of its
# usual rate. The figures are each page's median round, the ratios the median of each round's.
THROUGHPUT_ROUNDS = 3


def measure_throughput(
    results: Results, url: str, total: int, workers: int, rounds: int = THROUGHPUT_ROUNDS
) -> None:
    from supervision.auth.passwords import hash_password

    supervisor = db.session.get(Staff, busiest_supervisor(synth_organisation()))
    supervisor.password_hash = hash_password(BENCH_PASSWORD)
    db.session.commit()
    email = supervisor.email
    db.session.remove()
    clients = workers * 2
    app_port, bare_port = free_port(), free_port()
    app_server = gunicorn("wsgi:app", app_port, workers, url)
    bare_server = None
    try:
        bare_server = gunicorn("bench.bare_app:app", bare_port, workers, url)
        cookie = sign_in(app_port, email)
        # What the stack costs before a page does any work of its own, each a floor under the
        # dashboard: the signed-in home page (it reads nothing but the person: the session,
        # sign-in, navigation and GOV.UK layout), the sign-in page (a GOV.UK page and its CSRF
        # token, nobody signed in, no query) and /healthz (the app's middleware around one
        # SELECT 1 answered in JSON, as the bare endpoint answers its query).
        pages = {
            "team dashboard": (app_server, app_port, "/team-dashboard", cookie),
            "bare endpoint": (bare_server, bare_port, "/bare", None),
            "the signed-in home page": (app_server, app_port, "/", cookie),
            "the sign-in page (nobody signed in)": (app_server, app_port, "/sign-in", None),
            "/healthz (middleware and SELECT 1, JSON)": (app_server, app_port, "/healthz", None),
        }
        for server, port, path, page_cookie in pages.values():  # warm every worker
            load(server, port, path, page_cookie, workers * 4, clients)
        loads: dict[str, list[Load]] = {name: [] for name in pages}
        for _ in range(rounds):
            for name, (server, port, path, page_cookie) in pages.items():
                loads[name].append(load(server, port, path, page_cookie, total, clients))
    finally:
        for server in (app_server, bare_server):
            if server is not None:
                server.terminate()
                server.wait()

    def median_round(name: str) -> Load:
        return sorted(loads[name], key=lambda found: found.per_second)[len(loads[name]) // 2]

    def ratio(name: str, to: str = "bare endpoint") -> float:
        ratios = sorted(a.per_second / b.per_second for a, b in zip(loads[name], loads[to], strict=True))
        return ratios[len(ratios) // 2]

    dashboard, bare = median_round("team dashboard"), median_round("bare endpoint")
    sign_in_page = "the sign-in page (nobody signed in)"
    # Issue 18's page floor: the dashboard against the sign-in page, the sign-in page against
    # the bare endpoint, each at least 0.5.
    to_sign_in, sign_in_to_bare = ratio("team dashboard", sign_in_page), ratio(sign_in_page)

    def verdict(found: float) -> str:
        return "met" if found >= 0.5 else "MISSED"

    results.facts["throughput"] = (
        f"team dashboard {dashboard.text()}; bare endpoint {bare.text()}; "
        f"dashboard to sign-in page {to_sign_in:.2f} (target >= 0.5: {verdict(to_sign_in)}), "
        f"sign-in page to bare endpoint {sign_in_to_bare:.2f} "
        f"(target >= 0.5: {verdict(sign_in_to_bare)}), dashboard to bare endpoint "
        f"{ratio('team dashboard'):.2f}; gunicorn -w {workers}, "
        f"{total} requests a page in each of {rounds} rounds from {clients} client threads"
    )
    floors = [name for name in pages if name not in ("team dashboard", "bare endpoint")]
    results.facts["throughput floors"] = (
        "; ".join(f"{name} {median_round(name).text(ratio(name))}" for name in floors)
        + f"; the dashboard is {ratio('team dashboard', 'the signed-in home page'):.2f} of the home page"
    )


def in_a_fresh_process(url: str, option: str, name: str) -> dict:
    """Run this script's child mode (--job-memory or --export-memory NAME) in a fresh process:
    what it measured, its peak resident memory from the kernel's own account (VmHWM) included."""
    completed = subprocess.run(  # noqa: S603
        [sys.executable, __file__, option, name, "--database-url", url],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def job_in_a_fresh_process(url: str, name: str) -> dict:
    """One scheduled job in a fresh process: its time, counts and peak resident memory."""
    return in_a_fresh_process(url, "--job-memory", name)


def measure_sweep_memory(results: Results, url: str) -> None:
    found = job_in_a_fresh_process(url, "compliance-sweep")
    met = "met" if found["peak_mb"] < 300 else "MISSED"
    results.facts["sweep memory"] = (
        f"peak RSS {found['peak_mb']:.0f} MB ({found['before_mb']:.0f} MB before the sweep started; "
        f"target < 300 MB: {met}); this sweep took {found['seconds']:.1f} s and raised "
        f"{found['counts'].get('raised', 0):,} alerts for {found['counts'].get('people', 0):,} people"
    )


def measure_figures_jobs(results: Results, url: str) -> None:
    """The hourly job that stores the figures the oversight reports and the HR summary read."""
    found = job_in_a_fresh_process(url, "stored-figures")
    counts = found["counts"]
    results.facts["stored figures job"] = (
        f"{found['seconds']:.1f} s for {counts.get('people', 0):,} people "
        f"({counts.get('person_months', 0):,} person-months, {counts.get('in_post', 0):,} in post) "
        f"and {counts.get('windows', 0):,} HR windows; "
        f"peak RSS {found['peak_mb']:.0f} MB ({found['before_mb']:.0f} MB before it started)"
    )


def high_water_mb() -> float:
    """This process's peak resident memory. Not getrusage's ru_maxrss: Linux carries that over
    from the parent across fork and exec, so a child started by a big parent reports its size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The largest exports: the organisation's oversight report from the stored figures (the default
# period, and the last 12 whole months added up from the stored months), and HR's retention
# figures. Periods are whole months (docs/metrics.md, "Periods"): none is worked out live.
EXPORTS = {
    "organisation oversight XLSX from the stored figures": ("oversight", None),
    "organisation oversight XLSX for the last 12 whole months": ("oversight", "year"),
    "HR retention XLSX": ("retention", None),
}


def export_arguments(name: str, output: Path) -> list[str]:
    report, period = EXPORTS[name]
    organisation_id = synth_organisation()
    if report == "retention":
        email = db.session.scalar(
            sa.select(Staff.email)
            .join(StaffRole, StaffRole.staff_id == Staff.id)
            .where(Staff.organisation_id == organisation_id, StaffRole.role == Role.HR)
            .order_by(Staff.id)
            .limit(1)
        )
    else:
        email = db.session.get(Staff, senior_leader(organisation_id)).email
    arguments = ["export-report", report, "--as", email, "--format", "xlsx", "--output", str(output)]
    if period == "year":
        this_month = clock().today().replace(day=1)
        first, last = add_months(this_month, -12), this_month - timedelta(days=1)
        arguments += ["--period-start", first.isoformat(), "--period-end", last.isoformat()]
    return arguments


def export_memory_child(url: str, name: str) -> None:
    """One export through the `flask export-report` command, in this fresh process."""
    app = create_app(bench_config(url))
    with tempfile.TemporaryDirectory() as folder:
        with app.app_context():
            arguments = export_arguments(name, Path(folder) / "export.xlsx")
        before = high_water_mb()
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(args=arguments)
        seconds = time.perf_counter() - started
        if result.exit_code != 0:
            raise RuntimeError(f"{name}: {result.output}")
        size = (Path(folder) / "export.xlsx").stat().st_size
    peak = high_water_mb()
    print(json.dumps({"before_mb": before, "peak_mb": peak, "seconds": seconds, "bytes": size}))


def measure_export_memory(results: Results, url: str) -> None:
    found = []
    for name in EXPORTS:
        measured = in_a_fresh_process(url, "--export-memory", name)
        found.append(
            f"{name}: peak RSS {measured['peak_mb']:.0f} MB in {measured['seconds']:.1f} s "
            f"({measured['bytes'] / 1024:,.0f} KB)"
        )
    results.facts["export memory"] = "; ".join(found) + " (each in a fresh process)"


def job_memory_child(url: str, name: str) -> None:
    app = create_app(bench_config(url))
    with app.app_context():
        before = high_water_mb()
        started = time.perf_counter()
        counts = jobs.JOBS[name](db.session, SystemClock())
        seconds = time.perf_counter() - started
        peak = high_water_mb()
    print(json.dumps({"before_mb": before, "peak_mb": peak, "seconds": seconds, "counts": counts}))


# ------------------------------------------------------------------------------- the report


def machine() -> dict[str, str]:
    found = {"Python": platform.python_version(), "Kernel": platform.release()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout  # noqa: S607
        for line in lscpu.splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("Model name", "CPU(s)", "Thread(s) per core", "Hypervisor vendor"):
                found[key.strip()] = value.strip()
    except (OSError, subprocess.CalledProcessError):
        found["CPU"] = f"{os.cpu_count()} CPUs (lscpu not available)"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            found["RAM"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    found["Database"] = db.session.scalar(sa.text("SELECT version()")) if is_postgres() else "SQLite"
    return found


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def markdown(results: Results, arguments: argparse.Namespace) -> str:
    lines = [
        MARKERS[0],
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with "
        f"`make bench STAFF={arguments.staff} YEARS={arguments.years}` (runs per case: {arguments.runs}).",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in machine().items()),
        "",
        "| data | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in results.facts.items()),
        "",
        "| use case | target | project p50 | project p95 | SQL p50 | ratio | answers agree | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in results.measures:
        raw = f"{m.raw_p50:,.0f} ms" if m.raw_p50 is not None else "-"
        ratio = f"{m.ratio:.1f}x" if m.ratio is not None else "-"
        lines.append(
            f"| {m.name} | {m.target} | {m.p50:,.0f} ms | {m.p95:,.0f} ms | {raw} | {ratio} | "
            f"{'yes' if m.agrees else 'NO'} | {m.verdict} |"
        )
    lines += ["", "What each comparison checks:", ""]
    lines += [f"- {m.name}: {m.note} (runs: {len(m.project_ms)})." for m in results.measures]
    lines.append(MARKERS[1])
    return "\n".join(lines)


def write_results(path: Path, text: str) -> None:
    existing = path.read_text() if path.exists() else ""
    start, end = existing.find(MARKERS[0]), existing.find(MARKERS[1])
    if start >= 0 and end > start:
        existing = existing[:start] + text + existing[end + len(MARKERS[1]) :]
    else:
        existing = existing + ("\n\n" if existing else "") + text + "\n"
    path.write_text(existing)


# ------------------------------------------------------------------------------- plumbing


def bench_config(url: str) -> type:
    return type("BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url})


def scratch_database(url: str, reuse: bool) -> None:
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if not reuse or not exists:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def vacuum(url: str, results: Results, when: str) -> None:
    """VACUUM ANALYZE, as autovacuum would have by now in production.

    The build machine's PostgreSQL runs with autovacuum off (for its test suites), and each
    bench leaves dead rows behind: the hourly jobs replace their rows, and the import's 40,000
    staff are deleted again. Unvacuumed, the staff table grew to 9 times its size over four
    runs and every scan of it slowed with it.
    """
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    started = time.perf_counter()
    with engine.connect() as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()
    seconds = time.perf_counter() - started
    done = f"{seconds:.0f} s {when}"
    found = results.facts.get("vacuum")
    results.facts["vacuum"] = (
        f"{found}, {done}" if found else f"VACUUM ANALYZE as autovacuum would have (it is off here): {done}"
    )


def drop_database(url: str) -> None:
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def generate(results: Results, staff: int, years: int) -> None:
    from flask_migrate import upgrade

    upgrade()
    if synth.refusal() is None:
        started = time.perf_counter()
        generated = synth.generate(staff, years, seed=1989, progress=lambda done: None)
        results.facts["generation"] = (
            f"{time.perf_counter() - started:,.0f} s (synth --staff {staff} --years {years})"
        )
        results.facts["staff"] = (
            f"{generated.staff:,} ({generated.in_post:,} in post), {generated.teams:,} teams"
        )
        results.facts["rows"] = ", ".join(f"{table} {count:,}" for table, count in generated.rows.items())
    else:
        results.facts["generation"] = "not in this run (--reuse of a generated database)"
    sessions = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("supervision_session")))
    results.facts["sessions"] = f"{sessions:,}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=40_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--import-rows", type=int, default=40_000)
    parser.add_argument("--import-runs", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/supervision_bench")
    parser.add_argument("--write", type=Path, help="write the results into this markdown file")
    parser.add_argument("--reuse", action="store_true", help="measure an already generated database")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    parser.add_argument(
        "--only", choices=("all", "cases"), default="all", help="measure case oversight alone"
    )
    parser.add_argument("--job-memory", metavar="JOB", help=argparse.SUPPRESS)
    parser.add_argument("--export-memory", metavar="EXPORT", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    url = database_url(arguments.database_url, "")
    if arguments.job_memory:
        job_memory_child(url, arguments.job_memory)
        return 0
    if arguments.export_memory:
        export_memory_child(url, arguments.export_memory)
        return 0
    scratch_database(url, arguments.reuse)
    results = Results()
    app = create_app(bench_config(url))
    settle_after_startup()  # as wsgi.py does for the web workers
    try:
        with app.app_context():
            generate(results, arguments.staff, arguments.years)
            print("generated:", results.facts, flush=True)
            vacuum(url, results, "before measuring")
            if arguments.only == "cases":
                measure_cases(results, arguments.runs)
                print(markdown(results, arguments))
                db.session.remove()
                db.engine.dispose()
                return 1 if results.disagreements else 0
            measure_sweep_memory(results, url)
            print(results.facts["sweep memory"], flush=True)
            measure_figures_jobs(results, url)
            print(results.facts["stored figures job"], flush=True)
            vacuum(url, results, "after the jobs replaced their rows")
            measure_export_memory(results, url)
            print(results.facts["export memory"], flush=True)
            measure_reports(results, arguments.runs)
            measure_cases(results, arguments.runs)
            measure_throughput(results, url, arguments.requests, arguments.workers)
            print(results.facts["throughput"], flush=True)
            measure_import(results, arguments.import_rows, arguments.import_runs)
            text = markdown(results, arguments)
            print(text)
            if arguments.write:
                write_results(arguments.write, text)
            db.session.remove()
            db.engine.dispose()
    finally:
        if not arguments.keep:
            drop_database(url)
    for disagreement in results.disagreements:
        print("ANSWERS DISAGREE:", disagreement, file=sys.stderr)
    return 1 if results.disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
