"""One page's cost in one process: SQL statements, Python calls and CPU a request (issue 18).

    PYTHONPATH=. .venv/bin/python bench/page_profile.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/bench_dashboard --requests 30

Signs in (through the test client, the real form) as the busiest team manager and as the head of
the largest service of a generated organisation (`synth`), and for each asks the team dashboard
and the home page: the SQL statements of one request, the Python function calls of one request
(cProfile), and the median CPU a request (process time) over `--requests` requests after a
warm-up. The checkout measured is the one first on PYTHONPATH, so two checkouts can be compared
back to back with the same script (`--before`-style: run it once with each). `--save DIR` writes
each page's HTML (CSRF tokens and script nonces blanked) so two checkouts' answers can be compared with
diff. It gives the two people a known password (a scratch database only, as bench/page_floor.py).
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bench import national
from supervision import create_app
from supervision.auth.passwords import hash_password
from supervision.extensions import db
from supervision.org.models import Staff

# What differs between two requests for the same answer: the CSRF token and the script nonce.
TOKEN = re.compile(r'(name="csrf_token"[^>]*value="|nonce=")[^"]+')


def signed_in_client(app, email: str):
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    token = found.group(1) if found else ""
    response = client.post(
        "/sign-in", data={"email": email, "password": national.BENCH_PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed: {response.status_code}")
    return client


def measure(
    engine: sa.Engine, client, path: str, requests: int, top: int = 0, show_sql: bool = False
) -> tuple[int, int, float, str]:
    statements: list[str] = []

    def count(_connection, _cursor, statement: str, *_args) -> None:
        statements.append(statement)

    for _ in range(3):  # warm-up
        body = client.get(path)
        if body.status_code != 200:
            raise RuntimeError(f"{path}: {body.status_code}")
    sa.event.listen(engine, "before_cursor_execute", count)
    html = client.get(path).get_data(as_text=True)
    sa.event.remove(engine, "before_cursor_execute", count)
    profile = cProfile.Profile()
    profile.enable()
    client.get(path)
    profile.disable()
    stats = pstats.Stats(profile)
    calls = stats.total_calls  # type: ignore[attr-defined]
    if show_sql:
        for statement in statements:
            print("   ", " ".join(statement.split())[:300])
    if top:
        stats.sort_stats("cumulative").print_stats(top)
    times = []
    for _ in range(requests):
        started = time.process_time()
        client.get(path)
        times.append((time.process_time() - started) * 1000)
    return len(statements), calls, statistics.median(times), TOKEN.sub(r"\1", html)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--top", type=int, default=0, help="print this many functions of the profile")
    parser.add_argument("--sql", action="store_true", help="print the start of each statement")
    parser.add_argument("--only", help="only this person's pages (team manager, head of service)")
    parser.add_argument("--save", type=Path, help="a folder for each page's HTML")
    arguments = parser.parse_args()
    app = create_app(national.bench_config(arguments.database_url))
    with app.app_context():
        organisation_id = national.synth_organisation()
        people = {
            "team manager": national.busiest_supervisor(organisation_id),
            "head of service": national.head_of(national.largest_service(organisation_id)),
        }
        emails = {}
        for who, staff_id in people.items():
            person = db.session.get(Staff, staff_id)
            person.password_hash = hash_password(national.BENCH_PASSWORD)
            emails[who] = person.email
        db.session.commit()
        engine = db.engine
    logging.disable(logging.INFO)  # a sign-in line per request would swamp the table
    print(f"{'page':<32} {'statements':>10} {'calls':>8} {'CPU ms':>8}")
    for who, email in emails.items():
        if arguments.only and who != arguments.only:
            continue
        client = signed_in_client(app, email)
        for page, path in (("dashboard", "/team-dashboard"), ("home page", "/")):
            statements, calls, cpu_ms, html = measure(
                engine, client, path, arguments.requests, arguments.top, arguments.sql
            )
            print(f"{who + ' ' + page:<32} {statements:>10} {calls:>8} {cpu_ms:>8.1f}", flush=True)
            if arguments.save:
                arguments.save.mkdir(parents=True, exist_ok=True)
                (arguments.save / f"{who}-{page}.html".replace(" ", "-")).write_text(html)
    return 0


if __name__ == "__main__":
    sys.exit(main())
