"""Writing many rows at once: COPY on PostgreSQL, batched inserts elsewhere (SQLite).

SQLAlchemy's executemany writes about 10,000 rows a second to PostgreSQL; psycopg's COPY
about twenty times that. The hourly stored-figures jobs write a million rows at national scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from psycopg import sql

from supervision.extensions import AnySession

BATCH = 5_000
# For a bulk DELETE of rows the session never loaded: without it the ORM fetches every deleted
# key to keep the session in step (a million keys, 300 MB, for the stored oversight figures).
NO_SYNC = {"synchronize_session": False}


def rowcount(result: sa.Result[Any]) -> int:
    """The rows an UPDATE, DELETE or INSERT matched. Session.execute gives such a statement's
    CursorResult, but is typed to return the Result of any statement."""
    return cast("sa.CursorResult[Any]", result).rowcount


def insert_rows(session: AnySession, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert `rows` (tuples of the `columns`' values) into `table`, in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            connection.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in batch])
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # PostgreSQL here, so the driver's connection is psycopg's.
    driver = cast("psycopg.Connection[Any]", connection.connection.driver_connection)
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
