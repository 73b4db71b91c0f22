"""Real processes on loopback for the reliability tests: a database built by the migrations, and
a way to run the app's own commands (gunicorn, `flask run-job`) against it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from supervision import create_app
from supervision.extensions import db
from tests.conftest import make_test_config
from tests.databases import drop_database, fresh_database

ROOT = Path(__file__).resolve().parents[2]


def process_environment(database_url: str, **extra: str) -> dict[str, str]:
    """What a child process needs: the database, development config, no embedded scheduler."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "FLASK_CONFIG": "development",
        "EMBEDDED_SCHEDULER": "0",
        "PYTHONUNBUFFERED": "1",
        # Job processes here race nothing but the test waiting for them: as started, not lowered.
        "JOB_NICENESS": "0",
        **extra,
    }


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


@contextmanager
def migrated_database(name: str, tmp_dir: Path) -> Iterator[tuple[str, Flask]]:
    """A fresh database of its own, upgraded by the migrations, with an app context to fill it."""
    url = fresh_database(name, tmp_dir)
    app = create_app(make_test_config(url))
    try:
        with app.app_context():
            try:
                upgrade()
                yield url, app
            finally:
                db.session.remove()
                db.engine.dispose()
    finally:
        drop_database(name)
