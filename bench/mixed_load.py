"""The mixed load of issue 18 (docs/performance.md, "Mixed load"): `make bench-load`.

Against a generated organisation already in DATABASE (`make bench ... BENCH_OPTIONS=--keep`, or
`flask --app wsgi synth`), on loopback only and bounded in time and users:

1. gives up to USERS real accounts of the five roles a known password (a scratch database's
   made-up users) and lists, for each, the records they may open and the records waiting for
   their signature;
2. starts gunicorn (WORKERS workers) and, beside it, the scheduled jobs (`--jobs`):
   `busiest` (the default) runs what supervision/scheduler.py starts between 08:00 and 08:05 on
   a Monday, the busiest five minutes of the week, at those offsets from the end of the ramp-up:
   reminders and the weekly digest at 0, the hourly stored figures at 1 minute, case reminders
   and the hourly sweep at 5 (or at the end, for a shorter run), and the outbox every minute;
   `loop` runs the jobs back to back for the whole run, a harsher load than any real hour;
3. runs Locust headless (bench/locustfile.py): USERS people, started over a minute, each
   waiting 5 to 15 s between steps, for MINUTES;
4. checks: every page's p95 under 300 ms, no failed request, and every signature the server
   accepted is in the database (no lost writes); prints the table and exits 1 if any fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import national  # noqa: E402
from supervision import create_app  # noqa: E402
from supervision.auth.passwords import hash_password  # noqa: E402
from supervision.extensions import db  # noqa: E402
from supervision.org.models import Role, Service, Staff, StaffRole  # noqa: E402
from supervision.records.models import SupervisionRecord  # noqa: E402

P95_TARGET_MS = 300
# `--jobs loop`: jobs back to back while the load runs (never the retention purge: it deletes).
JOBS = (
    "compliance-sweep",
    "stored-figures",
    "reminders",
    "escalations",
    "outbox-sender",
)
# `--jobs busiest`: Monday 08:00 to 08:05 in supervision/scheduler.py's schedule, as (seconds after
# the ramp-up, jobs started together then). The outbox runs every minute besides.
BUSIEST_FIVE_MINUTES = (
    (0, ("reminders", "weekly-digest")),
    (60, ("stored-figures",)),
    (300, ("case-reminders", "compliance-sweep")),
)
ROLE_KEYS = {
    "social_worker": Role.SOCIAL_WORKER,
    "supervisor": Role.SUPERVISOR,
    "service_manager": Role.SERVICE_MANAGER,
    "hr": Role.HR,
    "admin": Role.ADMIN,
}


def people_of(role: Role, limit: int) -> list[Staff]:
    """In-post people of the role. Service managers are heads of service, as the locustfile's
    paths are theirs: the director's organisation-wide pages have no target at national scale
    (docs/performance.md), and one director among the load's people would measure those instead."""
    query = (
        sa.select(Staff)
        .join(StaffRole, StaffRole.staff_id == Staff.id)
        .where(StaffRole.role == role, Staff.active.is_(True), Staff.end_date.is_(None))
        .order_by(Staff.id)
        .limit(limit)
    )
    if role is Role.SERVICE_MANAGER:
        query = query.where(Staff.id.in_(sa.select(Service.manager_id)))
    return list(db.session.scalars(query))


def prepare(url: str, users: int) -> dict:
    """Accounts of each role with a known password, their records and what waits for them."""
    app = create_app(national.bench_config(url))
    password_hash = hash_password(national.BENCH_PASSWORD)
    accounts: dict[str, list[dict]] = {}
    with app.app_context():
        for key, role in ROLE_KEYS.items():
            found = []
            for person in people_of(role, users):
                person.password_hash = password_hash
                as_supervisee = sa.select(SupervisionRecord.id).where(
                    SupervisionRecord.supervisee_id == person.id
                )
                latest = as_supervisee.order_by(SupervisionRecord.id.desc()).limit(5)
                records = list(db.session.scalars(latest))
                if key in ("supervisor", "service_manager"):
                    records = list(
                        db.session.scalars(
                            sa.text(
                                "SELECT r.id FROM supervision_record r JOIN supervision_session s "
                                "ON s.id = r.session_id WHERE s.supervisor_id = :id "
                                "ORDER BY r.id DESC LIMIT 5"
                            ),
                            {"id": person.id},
                        )
                    )
                to_sign = list(
                    db.session.scalars(
                        as_supervisee.where(
                            SupervisionRecord.supervisor_signed_at.is_not(None),
                            SupervisionRecord.supervisee_signed_at.is_(None),
                            SupervisionRecord.locked_at.is_(None),
                        )
                    )
                )
                found.append({"email": person.email, "records": records, "to_sign": to_sign})
            accounts[key] = found
        db.session.commit()
    missing = [key for key, found in accounts.items() if not found]
    if missing:
        raise SystemExit(f"no accounts of these roles in the database: {', '.join(missing)}")
    return accounts


def job_environment(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "FLASK_CONFIG": "development", "PYTHONPATH": str(ROOT)}


def jobs_loop(url: str, stop_file: Path) -> subprocess.Popen:
    """The scheduled jobs one after another until `stop_file` exists (a shell loop of `flask run-job`)."""
    flask = Path(sys.executable).parent / "flask"
    runs = " ; ".join(f"{flask} --app wsgi run-job {name}" for name in JOBS)
    script = f'while [ ! -e "{stop_file}" ]; do {runs}; done'
    return subprocess.Popen(["bash", "-c", script], cwd=ROOT, env=job_environment(url))  # noqa: S603, S607


def busiest_jobs(url: str, stop_file: Path, start_after: float, run_seconds: float) -> subprocess.Popen:
    """The jobs of the busiest five minutes, each once at its offset, and the outbox every minute.

    An offset past the end of the run is brought forward to a minute before its end, so every job
    runs beside the load however long the run is.
    """
    flask = Path(sys.executable).parent / "flask"
    last = max(start_after, start_after + run_seconds - 60)
    lines = [f"sleep {start_after:.0f}"]
    elapsed = start_after
    for offset, names in BUSIEST_FIVE_MINUTES:
        at = min(start_after + offset, last)
        lines.append(f"sleep {max(0, at - elapsed):.0f}")
        elapsed = at
        lines.extend(f"{flask} --app wsgi run-job {name} &" for name in names)
    outbox_once = f"{flask} --app wsgi run-job outbox-sender"
    outbox = f'( while [ ! -e "{stop_file}" ]; do {outbox_once}; sleep 60; done ) &'
    script = "\n".join([outbox, *lines, "wait"])
    return subprocess.Popen(["bash", "-c", script], cwd=ROOT, env=job_environment(url))  # noqa: S603, S607


def lost_writes(url: str, signed_file: Path) -> tuple[int, int]:
    """(signatures the server accepted, of those not in the database)."""
    lines = signed_file.read_text().split() if signed_file.exists() else []
    ids = [int(record_id) for record_id in lines[1::2]]
    if not ids:
        return 0, 0
    app = create_app(national.bench_config(url))
    with app.app_context():
        stored = set(
            db.session.scalars(
                sa.select(SupervisionRecord.id).where(
                    SupervisionRecord.id.in_(ids), SupervisionRecord.supervisee_signed_at.is_not(None)
                )
            )
        )
    return len(ids), len([record_id for record_id in ids if record_id not in stored])


def jobs_said(kind: str) -> str:
    if kind == "loop":
        return f"{', '.join(JOBS)} back to back beside it"
    runs = "; ".join(f"{', '.join(names)} at +{offset // 60} min" for offset, names in BUSIEST_FIVE_MINUTES)
    return f"Monday 08:00 to 08:05 after the ramp-up ({runs}; the outbox every minute)"


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as file:
        return [row for row in csv.DictReader(file) if row["Name"] != "Aggregated"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--jobs", choices=("busiest", "loop"), default="busiest")
    arguments = parser.parse_args()
    url = arguments.database_url
    scratch = Path(tempfile.mkdtemp(prefix="bench-load-"))
    accounts_file, signed_file = scratch / "accounts.json", scratch / "signed.txt"
    stop_file = scratch / "stop"
    accounts_file.write_text(json.dumps(prepare(url, arguments.users)))
    # Every simulated person signs in from 127.0.0.1: the per-address sign-in limit would turn
    # most of them away, so it is raised for this server only.
    os.environ["SIGN_IN_RATE_LIMIT"] = "100000 per minute"
    port = national.free_port()
    server = national.gunicorn("wsgi:app", port, arguments.workers, url)
    ramp_up = arguments.users / max(1, arguments.users // 60)
    if arguments.jobs == "loop":
        jobs = jobs_loop(url, stop_file)
    else:
        jobs = busiest_jobs(url, stop_file, ramp_up, arguments.minutes * 60 - ramp_up)
    started = time.monotonic()
    try:
        environment = {
            **os.environ,
            "BENCH_ACCOUNTS": str(accounts_file),
            "BENCH_SIGNED": str(signed_file),
            "BENCH_PASSWORD": national.BENCH_PASSWORD,
        }
        locust = Path(sys.executable).parent / "locust"
        subprocess.run(  # noqa: S603 (our own virtualenv's locust, loopback only)
            [str(locust), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(arguments.users), "-r", str(max(1, arguments.users // 60)),
             "-t", f"{int(arguments.minutes * 60)}s", "--host", f"http://127.0.0.1:{port}",
             "--csv", str(scratch / "load"), "--only-summary", "--stop-timeout", "20"],
            cwd=ROOT, env=environment, check=False, timeout=arguments.minutes * 60 + 300,
        )  # fmt: skip
    finally:
        stop_file.touch()
        server.terminate()
        server.wait(timeout=60)
        jobs.wait(timeout=1800)
    elapsed = time.monotonic() - started
    rows = read_stats(scratch / "load")
    accepted, lost = lost_writes(url, signed_file)
    failures = sum(int(row["Failure Count"]) for row in rows)
    print(f"\n{arguments.users} users, {arguments.minutes:g} min ({elapsed:.0f} s with start and stop), "
          f"gunicorn -w {arguments.workers}, jobs: {jobs_said(arguments.jobs)}")  # fmt: skip
    print("| page | requests | failures | p50 ms | p95 ms | verdict |")
    print("|---|---|---|---|---|---|")
    missed = False
    for row in sorted(rows, key=lambda row: row["Name"]):
        p95 = float(row["95%"] or 0)
        ok = p95 < P95_TARGET_MS and int(row["Failure Count"]) == 0
        missed |= not ok
        print(f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | "
              f"{row['95%']} | {'met' if ok else 'MISSED'} |")  # fmt: skip
    print(f"\nfailures: {failures}; signatures accepted: {accepted}, lost: {lost}")
    return 1 if missed or failures or lost else 0


if __name__ == "__main__":
    sys.exit(main())
