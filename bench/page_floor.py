"""The page floor, before and after a change, in one run (issue 18; docs/performance.md).

Serves, side by side under gunicorn against one generated database: the bare Flask endpoint
(bench/bare_app.py), this checkout's app and another checkout's (BEFORE, e.g. the main branch),
signs in to both as the busiest team manager, and loads in turn, round after round, the bare
endpoint, /healthz, the sign-in page and the team dashboard of each. Prints each page's median
round (requests per second and CPU a request of the server's workers and of PostgreSQL) and the
two ratios of the page floor: sign-in page to bare endpoint, dashboard to sign-in page.

    python bench/page_floor.py --database-url postgresql://.../bench_db --before /work/main
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import national  # noqa: E402
from supervision import create_app  # noqa: E402
from supervision.auth.passwords import hash_password  # noqa: E402
from supervision.extensions import db  # noqa: E402
from supervision.org.models import Staff  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--before", type=Path, required=True, help="the checkout to compare with")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    url = arguments.database_url
    app = create_app(national.bench_config(url))
    with app.app_context():
        supervisor = db.session.get(Staff, national.busiest_supervisor(national.synth_organisation()))
        supervisor.password_hash = hash_password(national.BENCH_PASSWORD)
        db.session.commit()
        email = supervisor.email
        servers = {}
        try:
            bare_port = national.free_port()
            servers["bare"] = (
                national.gunicorn("bench.bare_app:app", bare_port, arguments.workers, url),
                bare_port,
            )
            for label, root in (("before", arguments.before.resolve()), ("after", ROOT)):
                port = national.free_port()
                servers[label] = (
                    national.gunicorn("wsgi:app", port, arguments.workers, url, root=root),
                    port,
                )
            pages = {"bare endpoint": (*servers["bare"], "/bare", None)}
            for label in ("before", "after"):
                server, port = servers[label]
                cookie = national.sign_in(port, email)
                pages[f"/healthz ({label})"] = (server, port, "/healthz", None)
                pages[f"sign-in page ({label})"] = (server, port, "/sign-in", None)
                pages[f"team dashboard ({label})"] = (server, port, "/team-dashboard", cookie)
            clients = arguments.workers * 2
            for server, port, path, cookie in pages.values():  # warm every worker
                national.load(server, port, path, cookie, arguments.workers * 4, clients)
            loads: dict[str, list[national.Load]] = {name: [] for name in pages}
            for _ in range(arguments.rounds):
                for name, (server, port, path, cookie) in pages.items():
                    loads[name].append(national.load(server, port, path, cookie, arguments.requests, clients))
        finally:
            for server, _ in servers.values():
                server.terminate()
                server.wait()

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    def ratio(name: str, to: str) -> float:
        return median([a.per_second / b.per_second for a, b in zip(loads[name], loads[to], strict=True)])

    print(f"gunicorn -w {arguments.workers}, {arguments.requests} requests a page in each of "
          f"{arguments.rounds} rounds from {arguments.workers * 2} client threads")  # fmt: skip
    print("| page | requests/s | server CPU a request | PostgreSQL CPU a request |")
    print("|---|---|---|---|")
    for name, found in loads.items():
        middle = sorted(found, key=lambda load: load.per_second)[len(found) // 2]
        database = f"{middle.database_cpu_ms:.1f} ms" if middle.database_cpu_ms is not None else "-"
        print(f"| {name} | {middle.per_second:.0f} | {middle.server_cpu_ms:.1f} ms | {database} |")
    for label in ("before", "after"):
        print(
            f"{label}: sign-in page to bare endpoint {ratio(f'sign-in page ({label})', 'bare endpoint'):.2f} "
            f"(target >= 0.5), dashboard to sign-in page "
            f"{ratio(f'team dashboard ({label})', f'sign-in page ({label})'):.2f} (target >= 0.5)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
