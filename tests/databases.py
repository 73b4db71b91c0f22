"""Where the tests' databases live: a SQLite file, or a fresh PostgreSQL database.

Set TEST_DATABASE_URL to a PostgreSQL URL to run the suite there; the tests then create
(and drop) databases of their own next to the one named, so they never touch its data.
"""

import os
from pathlib import Path

import sqlalchemy as sa

from config import database_url


def base_url() -> str | None:
    raw = os.environ.get("TEST_DATABASE_URL")
    return database_url(raw, "") if raw else None


def is_postgres() -> bool:
    url = base_url()
    return bool(url and url.startswith("postgresql"))


def fresh_database(name: str, tmp_dir: Path) -> str:
    """A new, empty database called `name`; returns its URL."""
    url = base_url()
    if not is_postgres():
        path = tmp_dir / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        # A throwaway database need not wait for each commit to reach the disk.
        connection.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    admin.dispose()
    return sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    if not is_postgres():
        return
    admin = sa.create_engine(base_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def reachable(url: str) -> bool:
    try:
        engine = sa.create_engine(database_url(url, ""), connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


if __name__ == "__main__":
    # `python -m tests.databases URL`: exit 0 when the database answers (used by the Makefile).
    import sys

    sys.exit(0 if reachable(sys.argv[1]) else 1)
