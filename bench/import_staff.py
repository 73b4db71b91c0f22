"""How long the staff import takes for a national-sized file (docs/performance.md: 40,000 staff).

    .venv/bin/python bench/import_staff.py                      # a throwaway SQLite file
    .venv/bin/python bench/import_staff.py --database-url postgresql://postgres@127.0.0.1:5432/test

With a PostgreSQL URL the benchmark creates (and afterwards drops) a database of its own next to
the one named, so it never touches that database's data. It times, each through the same use
case as the command line (check the whole file, then apply it in one transaction):

1. importing 40,000 new people, with teams and line managers (some later in the file);
2. importing the same file again (nothing changes);
3. a file in which every tenth person changed and every fiftieth left.

The target is under a minute for the first.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig, database_url
from supervision import create_app
from supervision.extensions import db
from supervision.hr import import_services
from supervision.hr.import_rules import COLUMNS
from supervision.org.models import Organisation, Service, Staff, Team

BENCH_DATABASE = "supervision_import_bench"
SERVICES = ("Early Help", "Assessment", "Children in Care", "Fostering", "Care Leavers")
TEAMS_PER_SERVICE = 40
TARGET_SECONDS = 60


def staff_csv(rows: int, changed_every: int | None = None, left_every: int | None = None) -> bytes:
    """One manager per 8 people, each managed by the next group's manager, most later in the file."""
    lines = [",".join(COLUMNS)]
    for number in range(1, rows + 1):
        manager_number = (number // 8 + 1) * 8
        manager = f"E{manager_number:06d}" if number % 8 and manager_number <= rows else ""
        changed = changed_every is not None and number % changed_every == 0
        left = left_every is not None and number % left_every == 0
        values = {
            "employee_number": f"E{number:06d}",
            "email": f"person.{number}@bench.example",
            "given_name": "Given",
            "family_name": f"Family {number}",
            "job_title": "Senior social worker" if changed else "Social worker",
            "career_stage": ("social_worker", "senior_practitioner", "asye", "manager")[number % 4],
            "registered_social_worker": "yes" if number % 7 else "no",
            "contract_type": ("permanent", "permanent", "fixed_term", "agency")[number % 4],
            "fte": ("1", "0.8", "0.6", "1")[number % 4],
            "caseload": str(number % 25),
            "start_date": f"20{10 + number % 15:02d}-0{1 + number % 9}-15",
            "end_date": "2026-08-31" if left else "",
            "leaving_destination": "other_local_authority" if left else "",
            "team": f"{SERVICES[number % len(SERVICES)]}/Team {number % TEAMS_PER_SERVICE + 1}",
            "line_manager_employee_number": manager,
            "swe_registration_number": f"SW{100000 + number}",
            "swe_renewal_date": "2027-11-30",
            "dbs_check_date": "2024-05-01",
        }
        lines.append(",".join(values.get(column, "") for column in COLUMNS))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def add_organisation(name: str) -> Organisation:
    """An organisation with the services and numbered teams that staff_csv's rows name."""
    organisation = Organisation(name=name)
    for service_name in SERVICES:
        service = Service(organisation=organisation, name=service_name)
        for number in range(1, TEAMS_PER_SERVICE + 1):
            db.session.add(Team(service=service, name=f"Team {number}", establishment_fte=10))
    db.session.add(organisation)
    db.session.commit()
    return organisation


def fresh_database(url: str | None) -> tuple[str, callable]:
    if url is None:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    url = database_url(url, "")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{BENCH_DATABASE}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        admin.dispose()

    return sa.engine.make_url(url).set(database=BENCH_DATABASE).render_as_string(hide_password=False), drop


def timed(label: str, action):
    """Wall-clock time, and this process's CPU time (which a busy machine does not inflate)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    result = action()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"{label}: {seconds:.1f} s ({cpu:.1f} s of CPU in this process)")
    return result, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--database-url", help="PostgreSQL URL; a SQLite file when left out")
    args = parser.parse_args()

    url, drop = fresh_database(args.database_url)
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            organisation = add_organisation("Bench Council")

            print(f"Database: {db.engine.dialect.name}; {args.rows:,} rows")
            first = staff_csv(args.rows)
            plan, seconds = timed(
                "Import of new people", lambda: import_services.import_staff(organisation.id, first)
            )
            assert len(plan.creates) == args.rows, plan.errors[:5]
            count = db.session.scalar(sa.select(sa.func.count()).select_from(Staff))
            assert count == args.rows, count
            plan, _ = timed("Same file again", lambda: import_services.import_staff(organisation.id, first))
            assert plan.unchanged == args.rows
            changed = staff_csv(args.rows, changed_every=10, left_every=50)
            plan, _ = timed(
                "Changes and leavers", lambda: import_services.import_staff(organisation.id, changed)
            )
            print(f"  {len(plan.updates):,} updated, {len(plan.leavers):,} leavers")
            db.session.remove()
            db.engine.dispose()
        verdict = "within" if seconds < TARGET_SECONDS else "OVER"
        print(f"First import {verdict} the {TARGET_SECONDS} s target.")
        return 0 if seconds < TARGET_SECONDS else 1
    finally:
        drop()


if __name__ == "__main__":
    sys.exit(main())
