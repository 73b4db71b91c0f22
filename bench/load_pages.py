"""Every page of the mixed load, statement by statement, in one process (issue 18).

    PYTHONPATH=. .venv/bin/python bench/load_pages.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/supervision_bench [--accounts 1] [--slow-ms 40] \\
        [--role service_manager --staff 4311 --staff 8792]

Signs in (the test client, the real form, CSRF and the rate limiter off) as the first accounts of
each of the load's roles, chosen as `bench/mixed_load.py` chooses them (`people_of`: service
managers are heads of service), and asks each page of that role's daily path twice, timing the
second: the app process's CPU, the wall time, the SQL time (each statement's own time) and the
number of statements; then every statement over `--slow-ms`, slowest first, to EXPLAIN. With
`--role` and `--staff`, only those people, with that role's pages. The checkout measured is the
one first on PYTHONPATH, so two checkouts are compared back to back with the same script. It
gives the accounts the bench password (a scratch database only).
"""

from __future__ import annotations

import argparse
import re
import time

import sqlalchemy as sa

from bench import national
from bench.mixed_load import ROLE_KEYS, people_of
from supervision import create_app
from supervision.auth.passwords import hash_password
from supervision.extensions import db
from supervision.org.models import Staff

# The pages of each role's path in bench/locustfile.py (a record and signing are left out: they
# read one person's rows).
PAGES = {
    "social_worker": ["/"],
    "supervisor": ["/", "/team-dashboard", "/team-dashboard/export.csv"],
    "service_manager": ["/", "/team-dashboard", "/oversight", "/oversight/export.csv"],
    "hr": ["/", "/retention", "/retention/export.csv"],
    "admin": ["/", "/staff", "/admin/scheduled-jobs"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--accounts", type=int, default=1, help="accounts of each role")
    parser.add_argument("--slow-ms", type=float, default=40.0, help="list statements slower than this")
    parser.add_argument(
        "--staff", type=int, action="append", help="these people instead, with the pages of --role (repeat)"
    )
    parser.add_argument("--role", choices=sorted(PAGES), help="the pages --staff ask for")
    arguments = parser.parse_args()
    if bool(arguments.staff) != bool(arguments.role):
        parser.error("--staff and --role go together")
    url = national.database_url(arguments.database_url, "")
    config = type(
        "LoadPagesConfig",
        (national.bench_config(url),),
        {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False},
    )
    app = create_app(config)
    timings: list[tuple[float, str]] = []

    def before(conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
        conn.info.setdefault("started", []).append(time.perf_counter())

    def after(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        timings.append(((time.perf_counter() - conn.info["started"].pop()) * 1000, statement))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)
        password = hash_password(national.BENCH_PASSWORD)
        accounts: dict[str, list[str]] = {}
        for key, role in ROLE_KEYS.items():
            if arguments.staff and key != arguments.role:
                continue
            people = (
                [db.session.get_one(Staff, staff_id) for staff_id in arguments.staff]
                if arguments.staff
                else people_of(role, arguments.accounts)
            )
            for person in people:
                person.password_hash = password
            accounts[key] = [person.email for person in people]
        db.session.commit()
        db.session.remove()
    for key, emails in accounts.items():
        for email in emails:
            client = app.test_client()
            signed_in = client.post("/sign-in", data={"email": email, "password": national.BENCH_PASSWORD})
            if signed_in.status_code != 302:
                print(f"{key}: {email} could not sign in ({signed_in.status_code})")
                continue
            for path in PAGES[key]:
                client.get(path)  # the warm-up
                timings.clear()
                cpu, wall = time.process_time(), time.perf_counter()
                response = client.get(path)
                cpu, wall = (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
                sql = sum(ms for ms, _ in timings)
                print(
                    f"{key:16} {path:28} {response.status_code} CPU {cpu:6.0f} ms  wall {wall:6.0f} ms  "
                    f"SQL {sql:6.0f} ms in {len(timings)} statements",
                    flush=True,
                )
                for ms, statement in sorted(timings, key=lambda timing: -timing[0]):
                    if ms < arguments.slow_ms:
                        break
                    one_line = re.sub(r"\s+", " ", statement)[:240]
                    print(f"    {ms:6.0f} ms  {one_line}", flush=True)


if __name__ == "__main__":
    main()
