"""Bulk loading of generated rows: COPY on PostgreSQL, batched core inserts on SQLite.

On PostgreSQL the whole load is one transaction that
- streams each table with psycopg 3's `cursor.copy`;
- as superuser, skips the foreign-key triggers (`session_replication_role = replica`): the
  generator hands out every id itself and only ever points at rows already written;
- drops the big tables' secondary indexes first and builds them again at the end, which is
  several times faster than keeping them up to date row by row (constraints stay in force);
- moves each id sequence past the ids used, and ANALYZEs, so the planner knows the data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, cast

import psycopg
import sqlalchemy as sa

from supervision.extensions import AnySession, db
from supervision.synth.history import COLUMNS, HISTORY_TABLES, Ids, manager_rows, organisation_rows
from supervision.synth.plan import PlannedOrganisation

SQLITE_BATCH = 5_000


class PostgresWriter:
    def __init__(self, connection: sa.Connection):
        self.connection = connection
        # PostgreSQL here, so the driver's connection is psycopg's (as in supervision/bulk.py).
        self.raw = cast("psycopg.Connection[Any]", connection.connection.driver_connection)
        self.indexes: list[str] = []

    def prepare(self) -> None:
        run = self.connection.exec_driver_sql
        if run("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar():
            run("SET LOCAL session_replication_role = replica")
        run("SET LOCAL maintenance_work_mem = '512MB'")
        # Emptied in this transaction, so COPY may write the rows already frozen: the first
        # reads after the load then need not rewrite every page to set hint bits.
        run(f"TRUNCATE {', '.join(COLUMNS)} CASCADE")
        found = run(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = current_schema() AND t.relname = ANY(%(tables)s) AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            {"tables": list(HISTORY_TABLES)},
        ).all()
        for name, definition in found:
            run(f'DROP INDEX "{name}"')
            self.indexes.append(definition)

    def write(self, table: str, rows: list) -> None:
        if not rows:
            return
        columns = ", ".join(COLUMNS[table])
        statement = f"COPY {table} ({columns}) FROM STDIN (FREEZE)"
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def write_all(self, rows: dict[str, list]) -> None:
        for table in HISTORY_TABLES:
            self.write(table, rows[table])

    def finish(self) -> None:
        run = self.connection.exec_driver_sql
        for definition in self.indexes:
            run(definition)
        move_sequences(self.connection, COLUMNS)
        for table in COLUMNS:
            run(f"ANALYZE {table}")


def move_sequences(connection: sa.Connection | AnySession, tables) -> None:
    """On PostgreSQL, each id sequence past the ids the generator handed out."""
    bind = connection.get_bind() if hasattr(connection, "get_bind") else connection
    if bind.dialect.name != "postgresql":
        return
    for table in tables:
        if COLUMNS[table][0] == "id":
            # Our own table names only.
            connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), "  # noqa: S608
                    f"MAX(id) IS NOT NULL) FROM {table}"
                )
            )


class CoreWriter:
    """SQLite (or anything else): executemany of SQLAlchemy core inserts in batches.

    The connection may be an ORM session (the demo's, whose people are not yet committed)."""

    def __init__(self, connection: sa.Connection | AnySession):
        self.connection = connection

    def prepare(self) -> None:
        pass

    def write(self, table: str, rows: list) -> None:
        insert = db.metadata.tables[table].insert()
        columns = COLUMNS[table]
        for start in range(0, len(rows), SQLITE_BATCH):
            batch = rows[start : start + SQLITE_BATCH]
            self.connection.execute(insert, [dict(zip(columns, row, strict=True)) for row in batch])

    def write_all(self, rows: dict[str, list]) -> None:
        for table in HISTORY_TABLES:
            self.write(table, rows[table])

    def finish(self) -> None:
        pass


def load_organisation(
    engine: sa.Engine, org: PlannedOrganisation, team_rows: Callable, progress: Callable[[int], None]
) -> dict[str, int]:
    """Load everything in one transaction; returns the rows written per table."""
    counts: Counter = Counter()
    ids = Ids()
    with engine.begin() as connection:
        writer = PostgresWriter(connection) if engine.dialect.name == "postgresql" else CoreWriter(connection)
        writer.prepare()
        for table, rows in organisation_rows(org).items():
            writer.write(table, rows)
            counts[table] += len(rows)
        for table, managers in manager_rows(org).items():
            target = db.metadata.tables[table]
            if managers:
                connection.execute(
                    sa.update(target)
                    .where(target.c.id == sa.bindparam("unit_id"))
                    .values(manager_id=sa.bindparam("manager_id")),
                    [{"unit_id": unit, "manager_id": manager} for unit, manager in managers],
                )
        for team in [*org.teams, None]:
            rows = team_rows(org, team, ids)
            writer.write_all(rows)
            for table in HISTORY_TABLES:
                counts[table] += len(rows[table])
            progress(1)
        writer.finish()
    return dict(counts)


def load_history(session: AnySession, rows: dict[str, list]) -> None:
    """Write one history's rows in the session's transaction (the demo's: small, so no COPY)."""
    CoreWriter(session).write_all(rows)
    move_sequences(session, HISTORY_TABLES)
