"""A real OpenID provider for the single sign-on tests: panva's oidc-provider, run by Node on a
free loopback port (tests/auth/oidc_provider.mjs), with the service registered as a client and
the accounts below. Without Node or the npm package the SSO tests skip, and fail under CI.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from config import BASE_DIR
from tests.notifications.smtp_server import smtp_server  # noqa: F401 (a fixture)
from tests.processes import stop

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "supervision-tests"
CLIENT_SECRET = "a test-only client secret"
STARTUP_SECONDS = 20

# Provider logins and the claims the provider gives for each: the tests sign in as one of them.
ACCOUNTS = {
    "worker": {"email": "Worker@Example.TEST", "email_verified": True},
    "leaver": {"email": "leaver@example.test", "email_verified": True},
    "stranger": {"email": "stranger@example.test", "email_verified": True},
    "unverified": {"email": "worker@example.test", "email_verified": False},
}


def unavailable(reason: str):
    """Skip on a workstation without Node; under CI a missing provider is a failure, never a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI requires the SSO tests to run)")
    pytest.skip(reason)


def callback_url(app) -> str:
    return app.config["BASE_URL"].rstrip("/") + "/sign-in/sso/callback"


@contextmanager
def running_provider(redirect_uri: str, log_dir: Path) -> Iterator[str]:
    """Run oidc-provider with the service registered at `redirect_uri`; yields its issuer URL."""
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed: the single sign-on tests need it to run oidc-provider")
    if not (BASE_DIR / "node_modules" / "oidc-provider").is_dir():
        unavailable("the npm package oidc-provider is not installed: run `make install`")

    settings = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": redirect_uri,
        "accounts": ACCOUNTS,
    }
    log_path = log_dir / "oidc-provider.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 (our own script, arguments from this file)
            [node, str(SCRIPT), json.dumps(settings)],
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        yield json.loads(first_line(process, STARTUP_SECONDS, log_path))["issuer"]
    finally:
        stop(process)
        process.stdout.close()


@pytest.fixture(scope="session")
def oidc_provider(app, tmp_path_factory):
    """The issuer URL of a running oidc-provider, for the whole test run."""
    with running_provider(callback_url(app), tmp_path_factory.mktemp("oidc-provider")) as issuer:
        yield issuer


def sso_settings(issuer: str) -> dict[str, str]:
    return {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_DISPLAY_NAME": "Sign in with Demoshire account",
    }


def first_line(process: subprocess.Popen, timeout: float, log_path: Path) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if selector.select(timeout):
            line = process.stdout.readline()
            if line:
                return line
    pytest.fail(f"oidc-provider did not start:\n{log_path.read_text()}")


@pytest.fixture
def single_sign_on(app, oidc_provider):
    """Single sign-on switched on for this test, against the running provider."""
    settings = sso_settings(oidc_provider)
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)
    yield oidc_provider
    app.config.update(saved)
