"""The database goes away under a running app: everyone gets the styled 503 page (JSON for the
API), signed in or not, even when the failure comes while loading the signed-in person; nobody is
signed out by it, and the log names the error without quoting SQL or personal data.

On PostgreSQL the app's database stops taking connections and its open ones are ended; on SQLite
its file is moved away and a directory put in its place, so it cannot be opened.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.pool import NullPool

from supervision import create_app
from supervision.auth.tokens import create_token
from supervision.extensions import db
from supervision.org.models import Role
from tests.conftest import IsolatedClient, make_test_config
from tests.databases import base_url, drop_database, fresh_database, is_postgres
from tests.factories import PASSWORD, make_staff
from tests.html import parse_html

pytestmark = [pytest.mark.reliability, pytest.mark.own_database]

NAME = f"supervision_down_{os.getpid()}"


class Database:
    """The app's own database, which the test can take away and bring back."""

    def __init__(self, url: str):
        self.url = url

    @contextmanager
    def unavailable(self) -> Iterator[None]:
        if is_postgres():
            admin = sa.create_engine(base_url(), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(sa.text(f'ALTER DATABASE "{NAME}" ALLOW_CONNECTIONS false'))
                connection.execute(
                    sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": NAME},
                )
            try:
                yield
            finally:
                with admin.connect() as connection:
                    connection.execute(sa.text(f'ALTER DATABASE "{NAME}" ALLOW_CONNECTIONS true'))
                admin.dispose()
        else:
            path = Path(sa.engine.make_url(self.url).database)
            away = path.with_suffix(".away")
            path.rename(away)
            path.mkdir()
            try:
                yield
            finally:
                path.rmdir()
                away.rename(path)


@pytest.fixture
def running(tmp_path):
    """An app on a database of its own (not the suite's), with a supervisor and their token."""
    url = fresh_database(NAME, tmp_path)
    # SQLite: a connection per request, as a file moved away stays open to a pooled connection.
    engine = {"pool_pre_ping": True} if is_postgres() else {"poolclass": NullPool}
    app = create_app(make_test_config(url, WTF_CSRF_ENABLED=False, SQLALCHEMY_ENGINE_OPTIONS=engine))
    app.test_client_class = IsolatedClient
    try:
        with app.app_context():
            upgrade()
            person = make_staff(Role.SUPERVISOR, email="dana@example.test")
            secret = create_token(person, "test", False, timedelta(days=1)).secret
            db.session.remove()
            yield app, Database(url), person.email, secret
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_database(NAME)


def assert_styled_503(response):
    assert response.status_code == 503
    page = parse_html(response.get_data(as_text=True))
    assert page.select_one("header.govuk-template__header") is not None  # the service's layout
    assert page.h1.get_text(strip=True) == "Sorry, the service is unavailable"
    assert "Try again in a few minutes." in page.get_text()
    return page


def test_with_the_database_down_everyone_gets_the_503_page(running, caplog):
    app, database, email, secret = running
    signed_in = app.test_client()
    assert signed_in.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302
    assert signed_in.get("/notifications").status_code == 200
    signed_out = app.test_client()

    caplog.set_level(logging.INFO)
    with database.unavailable():
        # Signed in: the failure comes while loading the person, before any view runs.
        for path in ("/", "/notifications", "/my-supervision"):
            page = assert_styled_503(signed_in.get(path))
            assert page.select_one(".app-sign-out") is None  # drawn as signed out: no database to ask
        # Signed out: a page that needs the database, and signing in.
        assert signed_out.get("/sign-in").status_code == 200  # needs no database
        assert_styled_503(signed_out.post("/sign-in", data={"email": email, "password": PASSWORD}))
        # The API answers in JSON.
        response = signed_out.get("/api/v1/records", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 503
        assert response.json == {"status": 503, "message": "Sorry, the service is unavailable"}
        assert response.headers["Cache-Control"] == "no-store"
        # The health check says so too.
        assert signed_out.get("/healthz").status_code == 503

    logged = "\n".join(
        record.getMessage() + str(record.__dict__.get("exc_text") or "") for record in caplog.records
    )
    assert "database unavailable: OperationalError" in logged
    assert "SELECT" not in logged and email not in logged

    # Back again: the same person is still signed in.
    assert signed_in.get("/notifications").status_code == 200


def test_a_database_failure_after_the_view_gets_the_503_page_too(running):
    """A hook that runs after the view (such as one keeping a session's last use) reaches Flask's
    error handling only as a 500: with the database away, that is the 503 page as well."""
    app, database, _, _ = running
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the test config re-raises

    @app.after_request
    def touch_the_database(response):
        db.session.execute(sa.text("SELECT 1"))
        return response

    client = app.test_client()
    assert client.get("/sign-in").status_code == 200
    with database.unavailable():
        assert_styled_503(client.get("/sign-in"))
