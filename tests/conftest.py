"""Shared fixtures: one app and database per run, emptied after every test."""

from __future__ import annotations

import contextvars
import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import url_for
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestConfig
from supervision import create_app
from supervision.clock import FixedClock, SystemClock
from supervision.extensions import db
from supervision.memory import settle_after_startup
from tests.databases import drop_database, fresh_database, is_postgres
from tests.html import parse_html
from tests.replay import tables_with_rows
from tests.scheduling import longest_first

# One database per process: under pytest-xdist each worker (gw0, gw1, ...) has its own, and so do
# the SQLite and PostgreSQL runs side by side. Ports are free ones and temporary files live under
# each worker's own tmp_path_factory, so workers never meet.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
TEST_DATABASE = f"supervision_test_{WORKER}_{os.getpid()}"

# Where the `clock` fixture starts: a Monday morning in winter (GMT).
FIXED_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def pytest_report_header(config):
    return f"database: {'PostgreSQL (TEST_DATABASE_URL)' if is_postgres() else 'SQLite file'}"


# What a test of a database of its own (not the `app` fixture's) calls to make it: a test module
# that uses one of these marks its tests `own_database`, or the PostgreSQL run refuses to start.
OWN_DATABASE_HELPERS = ("fresh_database", "migrated_database")


def touches_the_database(item: pytest.Item) -> bool:
    return bool(
        {"app", "database_url"} & set(getattr(item, "fixturenames", ()))
        or item.get_closest_marker("postgres")
        or item.get_closest_marker("own_database")
    )


def makes_its_own_database(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return module is not None and any(hasattr(module, name) for name in OWN_DATABASE_HELPERS)


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL run runs only the tests that touch a database (docs/development.md, "Tests").

    A test that uses neither the `app` nor the `database_url` fixture (the pure rules, the
    properties, the configuration) would give the same answer on PostgreSQL as in the SQLite run,
    which runs everything: there it would only spend time. Such tests are deselected, not skipped,
    so the run's summary has no noise. Tests that start a database of their own (the migrations,
    the reliability tests' processes) opt in with the `own_database` mark.
    """
    if hasattr(config, "workerinput"):
        # A pytest-xdist worker: the scopes in the order the workers should get them.
        items[:] = longest_first(items)
    if not is_postgres():
        return
    kept, deselected = [], []
    for item in items:
        (kept if touches_the_database(item) else deselected).append(item)
    unmarked = sorted({item.nodeid.split("::")[0] for item in deselected if makes_its_own_database(item)})
    if unmarked:
        raise pytest.UsageError(
            f"{', '.join(unmarked)} make a database of their own: mark their tests own_database "
            "(tests/conftest.py) so that the PostgreSQL run keeps them"
        )
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = fresh_database(TEST_DATABASE, tmp_path_factory.mktemp("db"))
    yield url
    drop_database(TEST_DATABASE)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production.

    The tests hold an app context open for factories and assertions; without this, Flask
    would reuse it for requests and `g` (the signed-in user) would leak between requests.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_test_config(url: str, **overrides) -> type:
    return type("RunConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})


@pytest.fixture(scope="session")
def app(database_url):
    """The app under test, with the schema built by the migrations (so they are tested too).

    CSRF is off for the test client, as in most Flask suites; tests/auth proves it is on
    for real requests, and the browser tests run with it on.
    """
    app = create_app(make_test_config(database_url, WTF_CSRF_ENABLED=False))
    app.test_client_class = IsolatedClient
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # Test data need not survive a power cut: no fsync on every commit, as PostgreSQL's
            # test databases turn off synchronous_commit (tests/databases.py).
            sa.event.listen(db.engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA synchronous = OFF"))
        upgrade()
        # As wsgi.py does for a server: what was built while starting is exempt from cyclic
        # garbage collection, so each collection does not walk it again.
        settle_after_startup()
        yield app
        db.session.remove()
        db.engine.dispose()


def empty_database() -> None:
    # The run-wide app context's session may hold a transaction (and locks): end it first.
    db.session.rollback()
    with db.engine.begin() as connection:
        # Only tables with rows, and DELETE rather than TRUNCATE (which on PostgreSQL makes new
        # files for every table, at a cost that dominated the suite).
        used = tables_with_rows(connection)
        if connection.dialect.name == "postgresql":
            # As replica, the audit log's append-only trigger and the foreign-key triggers stand
            # aside for this one transaction.
            connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in reversed(used):
            connection.execute(table.delete())
    db.session.remove()


@pytest.fixture(autouse=True)
def _empty_database_after_each_test(request):
    yield
    # Tests that share data through a fixture named shared_* leave emptying to that fixture.
    if "app" not in request.fixturenames or any(name.startswith("shared_") for name in request.fixturenames):
        return
    request.getfixturevalue("app")
    empty_database()


@pytest.fixture
def clock(app):
    """A clock the test can move; the app reads time only through it."""
    fixed = FixedClock(FIXED_NOW)
    app.extensions["clock"] = fixed
    yield fixed
    app.extensions["clock"] = SystemClock()


@pytest.fixture
def client(app):
    return app.test_client()


class Pages:
    """Request pages by endpoint, check the status, get parsed HTML back (as Notify's client_request)."""

    def __init__(self, client):
        self.client = client

    def sign_in(self, staff, password=None):
        from tests.factories import PASSWORD

        response = self.client.post("/sign-in", data={"email": staff.email, "password": password or PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def get(self, endpoint, _expected_status=200, **values) -> BeautifulSoup:
        response = self.client.get(url_for(endpoint, **values))
        assert response.status_code == _expected_status, response.status_code
        return parse_html(response.get_data(as_text=True))

    def post(self, endpoint, data=None, _expected_status=302, **values):
        response = self.client.post(url_for(endpoint, **values), data=data or {})
        assert response.status_code == _expected_status, response.get_data(as_text=True)[:2000]
        if response.status_code == 200:
            return parse_html(response.get_data(as_text=True))
        return response


@pytest.fixture
def pages(app, client):
    with app.test_request_context():
        yield Pages(client)
