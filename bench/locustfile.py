"""The mixed load of issue 18: signed-in people of all five roles following their daily paths.

Run by bench/mixed_load.py (`make bench-load`), which prepares the accounts file named in
BENCH_ACCOUNTS, starts gunicorn and the scheduled jobs beside it, runs Locust headless on
loopback for a bounded time and checks the result. Each simulated person signs in through the
real form (with its CSRF token) and then, waiting 5 to 15 s between steps as people do:

- social worker: home, their supervision page, a record, sign a record waiting for them;
- supervisor (team manager): home, team dashboard, a record, the dashboard's CSV export;
- service manager (head of service): home, dashboard, oversight report, its CSV export;
- HR: home, retention summary, its CSV export;
- admin: home, the staff list, the scheduled jobs page.

Every page is named by what it is (not its ids), so the statistics are per page. A signature
that the server accepted is written to BENCH_SIGNED (one "email record_id" a line), so the
bench can check afterwards that every one of them is in the database: no lost writes.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading

from locust import HttpUser, between, task

ACCOUNTS = json.loads(open(os.environ["BENCH_ACCOUNTS"]).read())  # noqa: SIM115
SIGNED = os.environ.get("BENCH_SIGNED", "/dev/null")
PASSWORD = os.environ["BENCH_PASSWORD"]
_lock = threading.Lock()
_next: dict[str, int] = {}
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)" name="csrf_token"')
VERSION = re.compile(rb'name="version" type="hidden" value="([^"]+)"|value="([^"]+)" name="version"')


def next_account(role: str) -> dict:
    """Each simulated person is a different real account of the role, round robin."""
    with _lock:
        accounts = ACCOUNTS[role]
        index = _next.get(role, 0)
        _next[role] = index + 1
        return accounts[index % len(accounts)]


def token(pattern: re.Pattern, body: bytes) -> str | None:
    found = pattern.search(body)
    if not found:
        return None
    return (found.group(1) or found.group(2)).decode()


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(5, 15)

    def on_start(self) -> None:
        self.account = next_account(self.role)
        with self.client.get("/sign-in", name="sign-in page", catch_response=True) as page:
            csrf = token(CSRF, page.content)
            if csrf is None:
                page.failure("no CSRF token on the sign-in page")
                return
        with self.client.post(
            "/sign-in",
            data={"csrf_token": csrf, "email": self.account["email"], "password": PASSWORD},
            name="sign in",
            catch_response=True,
        ) as response:
            if "/sign-in" in response.url:
                response.failure("sign-in refused")

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif "/sign-in" in response.url:
                response.failure("signed out")


class SocialWorker(Person):
    role = "social_worker"
    weight = 120

    @task(3)
    def home(self) -> None:
        self.get("/", "home")

    @task(2)
    def record(self) -> None:
        if self.account["records"]:
            self.get(f"/records/{random.choice(self.account['records'])}", "record")  # noqa: S311

    @task(1)
    def sign(self) -> None:
        waiting = self.account["to_sign"]
        if not waiting:
            return
        record_id = waiting.pop()
        form_path = f"/records/{record_id}/sign"
        with self.client.get(form_path, name="sign a record (form)", catch_response=True) as form:
            csrf, version = token(CSRF, form.content), token(VERSION, form.content)
            if csrf is None or version is None:
                form.failure("no sign form")
                return
        with self.client.post(
            f"/records/{record_id}/sign",
            data={"csrf_token": csrf, "version": version, "supervisee_comment": "Agreed."},
            name="sign a record",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "/sign" in response.url:
                response.failure("not signed")
                return
        with _lock, open(SIGNED, "a") as signed:
            signed.write(f"{self.account['email']} {record_id}\n")


class Supervisor(Person):
    role = "supervisor"
    weight = 50

    @task(2)
    def home(self) -> None:
        self.get("/", "home")

    @task(3)
    def dashboard(self) -> None:
        self.get("/team-dashboard", "team dashboard")

    @task(2)
    def record(self) -> None:
        if self.account["records"]:
            self.get(f"/records/{random.choice(self.account['records'])}", "record")  # noqa: S311

    @task(1)
    def export(self) -> None:
        self.get("/team-dashboard/export.csv", "team dashboard CSV")


class ServiceManager(Person):
    role = "service_manager"
    weight = 15

    @task(2)
    def home(self) -> None:
        self.get("/", "home")

    @task(2)
    def dashboard(self) -> None:
        self.get("/team-dashboard", "team dashboard")

    @task(3)
    def report(self) -> None:
        self.get("/oversight", "oversight report")

    @task(1)
    def export(self) -> None:
        self.get("/oversight/export.csv", "oversight CSV")


class HumanResources(Person):
    role = "hr"
    weight = 10

    @task(2)
    def home(self) -> None:
        self.get("/", "home")

    @task(3)
    def retention(self) -> None:
        self.get("/retention", "retention summary")

    @task(1)
    def export(self) -> None:
        self.get("/retention/export.csv", "retention CSV")


class Admin(Person):
    role = "admin"
    weight = 5

    @task(2)
    def home(self) -> None:
        self.get("/", "home")

    @task(2)
    def staff(self) -> None:
        self.get("/staff", "staff list")

    @task(1)
    def jobs(self) -> None:
        self.get("/admin/scheduled-jobs", "scheduled jobs")
