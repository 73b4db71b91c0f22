"""HR's pages at national scale in one process: after a change, after the job, the same figures again.

    PYTHONPATH=. .venv/bin/python bench/hr_pages.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/supervision_bench --rounds 3

Signs in (through the test client) as the generated organisation's first HR member, and asks HR's
home page, the retention summary and its CSV, each three times a round: "after a change", with
this process's kept withholding decisions forgotten (`hr.tables._decided`) and the
`stored-figures` job's not found, which is what a changed figure does, without writing to the
database; "after the job", with only this process's forgotten, which is a worker's first request
for the figures the job saw (a checkout without stored decisions decides them here too); and
"same figures" again. Prints the median CPU of the app process, wall time (PostgreSQL included)
and the statements of each. Run the `stored-figures` job first. The checkout measured is the one
first on PYTHONPATH, so two checkouts can be compared back to back. It gives that HR member a
known password (as bench/page_profile.py does).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time

import sqlalchemy as sa

from bench import national
from bench.page_profile import signed_in_client
from supervision import create_app
from supervision.auth.passwords import hash_password
from supervision.extensions import db
from supervision.hr import stored, tables
from supervision.org.models import Role, Staff, StaffRole

PAGES = ("/", "/retention", "/retention/export.csv")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    app = create_app(national.bench_config(arguments.database_url))
    with app.app_context():
        organisation_id = national.synth_organisation()
        hr = db.session.scalars(
            sa.select(Staff)
            .join(StaffRole, StaffRole.staff_id == Staff.id)
            .where(StaffRole.role == Role.HR, Staff.organisation_id == organisation_id)
            .where(Staff.end_date.is_(None))
            .order_by(Staff.id)
        ).first()
        if hr is None:
            raise RuntimeError("the generated organisation has no HR member")
        hr.password_hash = hash_password(national.BENCH_PASSWORD)
        email = hr.email
        db.session.commit()
    logging.disable(logging.INFO)  # a sign-in line per request would swamp the table
    client = signed_in_client(app, email)
    for path in PAGES:  # warm-up
        client.get(path)
    statements = [0]

    def counted(*_arguments) -> None:
        statements[0] += 1

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", counted)
    kept_by_the_job = getattr(stored, "kept_withholding", None)  # None: a checkout without them

    def not_kept(*_arguments):
        return lambda _key: None

    results: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    for _ in range(arguments.rounds):
        for path in PAGES:
            for label in ("after a change", "after the job", "same figures"):
                if label != "same figures":
                    tables._decided.clear()
                if kept_by_the_job is not None:
                    stored.kept_withholding = not_kept if label == "after a change" else kept_by_the_job
                statements[0] = 0
                cpu, wall = time.process_time(), time.perf_counter()
                response = client.get(path)
                response.get_data()  # a streamed body is written here
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code}")
                spent = (
                    (time.process_time() - cpu) * 1000,
                    (time.perf_counter() - wall) * 1000,
                    statements[0],
                )
                results.setdefault((path, label), []).append(spent)
    print(f"{'page':<24} {'':<15} {'CPU ms':>8} {'wall ms':>8} {'statements':>10}")
    for (path, label), spent in results.items():
        cpu_ms = statistics.median(cpu for cpu, _, _ in spent)
        wall_ms = statistics.median(wall for _, wall, _ in spent)
        count = max(count for *_, count in spent)
        print(f"{path:<24} {label:<15} {cpu_ms:>8.0f} {wall_ms:>8.0f} {count:>10}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
