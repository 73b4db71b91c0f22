"""One scheduler at a time: on PostgreSQL, a session-level advisory lock per job, which goes with
the connection if the process dies (the other guard, unique keys, is supervision.idempotency)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from supervision.extensions import AnySession

# The first half of every two-part advisory lock key: ours, so no other application's locks
# in a shared database can collide with it.
LOCK_NAMESPACE = 0x53555056  # "SUPV"


def lock_key(name: str) -> int:
    """A stable signed 32-bit number for a job name (the second half of the lock key)."""
    value = zlib.crc32(name.encode())
    return value - 2**32 if value >= 2**31 else value


@contextmanager
def leader_lock(session: AnySession, name: str) -> Iterator[bool]:
    """Hold the advisory lock for `name` while the block runs; yields False if someone else has it.

    The lock lives on a connection of its own in autocommit mode, so the job's own
    transactions can commit as often as they like without releasing it. SQLite has one
    writer at a time anyway and runs one scheduler: the lock is always granted there.
    """
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        yield True
        return
    if not isinstance(engine, sa.Engine):  # the lock needs a connection of its own
        raise TypeError("the leader lock needs a session bound to an Engine")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        params = {"namespace": LOCK_NAMESPACE, "key": lock_key(name)}
        acquired = connection.scalar(sa.text("SELECT pg_try_advisory_lock(:namespace, :key)"), params)
        try:
            yield bool(acquired)
        finally:
            if acquired:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:namespace, :key)"), params)
