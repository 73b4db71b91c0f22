"""What lets a job run twice, or on two schedulers at once, without doing anything twice.

Two guards, either of which is enough on its own:
- unique keys in the database: rows are inserted with ON CONFLICT DO NOTHING, so a second
  insert of the same (kind, subject, period) is a no-op, however the runs interleave;
- on PostgreSQL, a session-level advisory lock per job: only one scheduler works at a time,
  and the lock goes with the connection if the process dies.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# The first half of every two-part advisory lock key: ours, so no other application's locks
# in a shared database can collide with it.
LOCK_NAMESPACE = 0x53555056  # "SUPV"
BATCH_SIZE = 500


def lock_key(name: str) -> int:
    """A stable signed 32-bit number for a job name (the second half of the lock key)."""
    value = zlib.crc32(name.encode())
    return value - 2**32 if value >= 2**31 else value


@contextmanager
def leader_lock(session: Session, name: str) -> Iterator[bool]:
    """Hold the advisory lock for `name` while the block runs; yields False if someone else has it.

    The lock lives on a connection of its own in autocommit mode, so the job's own
    transactions can commit as often as they like without releasing it. SQLite has one
    writer at a time anyway and runs one scheduler: the lock is always granted there.
    """
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        params = {"namespace": LOCK_NAMESPACE, "key": lock_key(name)}
        acquired = connection.scalar(sa.text("SELECT pg_try_advisory_lock(:namespace, :key)"), params)
        try:
            yield bool(acquired)
        finally:
            if acquired:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:namespace, :key)"), params)


def insert_new(session: Session, table: sa.Table, rows: Sequence[dict], key: Sequence[str]) -> int:
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
        inserted += max(result.rowcount, 0)
    return inserted
