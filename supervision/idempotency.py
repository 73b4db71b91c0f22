"""What lets a job run twice, or on two schedulers at once, without doing anything twice.

Two guards, either of which is enough on its own:
- unique keys in the database: rows are inserted with ON CONFLICT DO NOTHING (`insert_new`,
  here), so a second insert of the same (kind, subject, period) is a no-op, however the runs
  interleave;
- on PostgreSQL, a session-level advisory lock per job (supervision.jobs.leader): only one
  scheduler works at a time, and the lock goes with the connection if the process dies.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from supervision.bulk import rowcount
from supervision.extensions import AnySession

BATCH_SIZE = 500


def insert_new(session: AnySession, table: sa.Table, rows: Sequence[dict], key: Sequence[str]) -> int:
    """Insert the rows whose `key` columns are not there yet; returns how many were inserted.

    Runs in the caller's transaction. Another transaction inserting the same key at the same
    moment makes this one wait for it and then skip the row, never fail or duplicate it.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    inserted = 0
    for start in range(0, len(rows), BATCH_SIZE):
        statement = (
            module.insert(table)
            .values(list(rows[start : start + BATCH_SIZE]))
            .on_conflict_do_nothing(index_elements=list(key))
            # An INSERT's row count is only kept when asked for (SQLAlchemy 2.1).
            .execution_options(preserve_rowcount=True)
        )
        result = session.execute(statement)
        inserted += max(rowcount(result), 0)
    return inserted
