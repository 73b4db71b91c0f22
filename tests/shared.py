"""One generated organisation (or the demo) shared by the tests of a module or class that only
read its facts, so it is built once rather than for every test (issue 21).

Such tests may run the stored-figures job, which writes only the tables of STORED_FIGURES (and a
row in job_run): `forget_stored_figures` empties those after each test, so every test starts
from the facts alone, with nothing stored, as a fresh organisation would. `FactsUnchanged`
then checks that the test added or removed no other row; a test that changes the facts needs
an organisation of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlalchemy as sa

from supervision.clock import FixedClock, SystemClock
from supervision.extensions import db

Built = TypeVar("Built")

# What the stored-figures job writes (supervision/jobs/catalogue.py, refresh_stored_figures).
STORED_TABLES = (
    "stored_figures_run",
    "oversight_month_value",
    "oversight_month",
    "oversight_now",
    "oversight_unit_figures",
    "oversight_service_month",
    "case_oversight_day",
    "case_oversight_unit_day",
    "stored_window_compliance",
    "stored_withholding",
    "stored_retention_report",
)
# ... and the record of each job run.
STORED_FIGURES = (*STORED_TABLES, "job_run")


def forget_stored_figures() -> None:
    db.session.rollback()
    with db.engine.begin() as connection:
        for table in STORED_FIGURES:
            connection.execute(sa.text(f"DELETE FROM {table}"))
    db.session.remove()


def row_counts() -> dict[str, int]:
    """How many rows each table other than STORED_FIGURES holds (one statement)."""
    tables = [table.name for table in db.metadata.sorted_tables if table.name not in STORED_FIGURES]
    query = " UNION ALL ".join(f"SELECT '{table}', COUNT(*) FROM {table}" for table in tables)
    return {table: count for table, count in db.session.execute(sa.text(query))}


class FactsUnchanged:
    """Taken once the organisation is built; `check` after each test that shares it."""

    def __init__(self):
        self.counts = row_counts()

    def check(self) -> None:
        forget_stored_figures()
        now = row_counts()
        changed = {table: (count, now[table]) for table, count in self.counts.items() if now[table] != count}
        db.session.remove()
        if changed:
            raise AssertionError(f"a test sharing the organisation changed its facts: {changed}")


@contextmanager
def built_once(app, build: Callable[[], Built]) -> Iterator[tuple[Built, FactsUnchanged]]:
    """What a `shared_*` fixture holds for its tests: `build()` run at the tests' fixed time, and
    the facts each test's check compares with; the database emptied and the clock given back
    after the last test."""
    from tests.conftest import FIXED_NOW, empty_database  # conftest imports this module's users

    app.extensions["clock"] = FixedClock(FIXED_NOW)
    try:
        built = build()
        yield built, FactsUnchanged()
    finally:
        app.extensions["clock"] = SystemClock()
        empty_database()
