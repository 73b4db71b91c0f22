"""A head of service's latest oversight per case, timed and explained (issue 18).

    PYTHONPATH=<checkout> .venv/bin/python bench/latest_oversight.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/supervision_bench --staff 4311 --staff 8792 \\
        [--rounds 3] [--reminders]

For each person named: their home page's case lists (`due_and_needing_oversight`), the dashboard's
(`needing_oversight`) and every open case they may see in any status, each timed `--rounds` times
in one process, with a digest of every line's reference, status, due date and last oversight (the
same before and after a change, or the answers differ); then EXPLAIN (ANALYZE, BUFFERS) of the
statement that reads the cases with their latest oversight (cases.services.case_rows), as the
lists sent it. `--reminders` times the case reminder job's plan for the organisation of the first
person (cases.reminders.plan: every open case of the organisation, one statement). The checkout
measured is the one first on PYTHONPATH, so two are compared back to back with the same script.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time

import sqlalchemy as sa

from bench import national
from supervision import create_app
from supervision.cases import lists, reminders
from supervision.cases.rules import CaseStatus
from supervision.clock import clock
from supervision.extensions import db
from supervision.org.models import Staff


def digest(lines: list[lists.CaseLine]) -> str:
    text = "\n".join(
        f"{line.reference}|{line.oversight.status.value}|{line.oversight.due_on}|{line.oversight.last_oversight_on}"
        for line in sorted(lines, key=lambda line: line.reference)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--staff", type=int, action="append", required=True, help="a head of service's id")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reminders", action="store_true", help="time cases.reminders.plan too")
    arguments = parser.parse_args()
    app = create_app(national.bench_config(national.database_url(arguments.database_url, "")))
    captured: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany) -> None:
        if "case_discussion" in statement and "child_case" in statement:
            captured.append((statement, parameters))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", capture)
        today = clock().today()
        every_status = lists.CaseFilter(statuses=frozenset(CaseStatus))
        readers = {
            "home (due_and_needing_oversight)": lambda viewer: [
                line for found in lists.due_and_needing_oversight(viewer, today) for line in found
            ],
            "dashboard (needing_oversight)": lambda viewer: lists.needing_oversight(viewer, today),
            "any status (case_lines)": lambda viewer: lists.case_lines(
                viewer, today, lists.Whose.VISIBLE, every_status
            ),
        }
        for staff_id in arguments.staff:
            viewer = db.session.get_one(Staff, staff_id)
            for name, read in readers.items():
                times, answers = [], set()
                for _ in range(arguments.rounds):
                    started = time.perf_counter()
                    found = read(viewer)
                    times.append((time.perf_counter() - started) * 1000)
                    answers.add((len(found), digest(found)))
                print(
                    f"staff {staff_id} {name:36} {sorted(answers)} "
                    f"ms: {', '.join(f'{ms:.0f}' for ms in times)} (median {statistics.median(times):.0f})",
                    flush=True,
                )
            statement, parameters = captured[-1]
            plan = db.session.connection().exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement,
                parameters,
            )
            print(f"staff {staff_id}: EXPLAIN (ANALYZE, BUFFERS) of the cases with their latest oversight")
            for (line,) in plan:
                print("    " + line)
            db.session.rollback()
        if arguments.reminders:
            organisation_id = db.session.get_one(Staff, arguments.staff[0]).organisation_id
            started = time.perf_counter()
            messages, without = reminders.plan(db.session, organisation_id, today, escalations=False)
            print(
                f"cases.reminders.plan, organisation {organisation_id}: {len(messages)} messages, "
                f"{without} without a recipient, {(time.perf_counter() - started):.1f} s",
                flush=True,
            )
            db.session.rollback()


if __name__ == "__main__":
    main()
