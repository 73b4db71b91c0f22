"""Test data built once a process through the factories, then put back for each later test.

A fixture that builds a small organisation through the factories makes tens of ORM commits
(0.1 to 0.6 s on this machine, a large share of the suite's time); putting the same rows back
takes one statement a table. Put `@replayed` under `@pytest.fixture`:

    @pytest.fixture
    @replayed
    def people(app): ...

It replays only where the answer is bound to be the same: the same fixture, started from the
same database contents (a digest of every row), with the same arguments (`app`; a `clock`, by
the time it reads; plain values; rows' objects, by table and key, and namespaces, lists, tuples
and dicts of them), gives the same rows. It then writes the rows the first build added, changed
or deleted, and returns the same kind of value, its objects expired as the build's last commit
leaves them; the clock is left where the build left it. On PostgreSQL each sequence of a table
given rows back is moved past their ids: sequences do go back (the synthetic-history loader sets
them to the largest id it wrote), and a later insert drawing an id the replay wrote would fail.
A fixture given anything else (a client, a request), or giving what cannot be recorded, fails
with `NotReplayable`: it cannot carry the decorator.
Fixtures that build on each other replay in turn: the second starts from the rows the first put
back, so its digest matches.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import inspect
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from supervision.clock import FixedClock
from supervision.extensions import db

PLAIN = (str, int, float, bool, type(None), date, datetime, Decimal, enum.Enum)

Contents = dict[sa.Table, dict[tuple, dict[str, Any]]]


class NotReplayable(TypeError):
    """What a fixture got or gave cannot be recorded faithfully: take `@replayed` off it."""


class _Clock:
    """Stands for the test's clock in a recording: the replay gives the test's own."""

    def __repr__(self) -> str:
        return "clock"


CLOCK = _Clock()


@dataclass(frozen=True)
class Row:
    """Stands for a row's object in a recording: its class and primary key."""

    cls: type
    key: tuple


@dataclass
class Change:
    """What one table gained, lost and saw changed while the fixture was built."""

    table: sa.Table
    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    removed: list[tuple] = field(default_factory=list)


@dataclass
class Recording:
    changes: list[Change]
    value: Any
    clock_after: datetime | None


_recordings: dict[tuple, Recording] = {}


def tables_with_rows(connection: sa.Connection) -> list[sa.Table]:
    """The tables holding at least one row, in dependency order: one statement."""
    tables = db.metadata.sorted_tables
    probe = " UNION ALL ".join(
        f"SELECT {index} WHERE EXISTS (SELECT 1 FROM {table.name})" for index, table in enumerate(tables)
    )
    return [tables[index] for index in connection.execute(sa.text(probe)).scalars()]


def replayed(build):
    if inspect.isgeneratorfunction(build):
        raise TypeError(f"{build.__name__}: only a fixture that returns its value can be replayed")

    @functools.wraps(build)
    def fixture(**arguments):
        db.session.commit()
        clock = next((value for value in arguments.values() if isinstance(value, FixedClock)), None)
        given = _key(arguments)
        before = _contents()
        key = (build.__module__, build.__qualname__, given, _digest(before))
        if key in _recordings:
            return _replay(_recordings[key], clock)
        value = build(**arguments)
        _recordings[key] = _record(value, clock, before)
        return value

    return fixture


def _key(arguments: dict[str, Any]) -> str:
    given = []
    for name, value in sorted(arguments.items()):
        if name == "app":
            continue
        given.append((name, value.now() if isinstance(value, FixedClock) else _stand_ins(value)))
    return repr(given)


def _primary_key(table: sa.Table) -> list[sa.Column]:
    return list(table.primary_key.columns) or list(table.c)


def _contents() -> Contents:
    with db.engine.connect() as connection:
        contents: Contents = {}
        for table in tables_with_rows(connection):
            key = _primary_key(table)
            rows = connection.execute(sa.select(table).order_by(*key)).mappings()
            contents[table] = {tuple(row[column.name] for column in key): dict(row) for row in rows}
        return contents


def _digest(contents: Contents) -> str:
    digest = hashlib.sha256()
    for table, rows in contents.items():
        digest.update(repr((table.name, sorted(rows.items(), key=lambda item: repr(item[0])))).encode())
    return digest.hexdigest()


def _record(value: Any, clock: FixedClock | None, before: Contents) -> Recording:
    db.session.commit()
    stands_for = _stand_ins(value)
    after = _contents()
    changes = []
    for table in db.metadata.sorted_tables:
        old, new = before.get(table, {}), after.get(table, {})
        change = Change(
            table,
            added=[row for key, row in new.items() if key not in old],
            changed=[row for key, row in new.items() if key in old and old[key] != row],
            removed=[key for key in old if key not in new],
        )
        if change.added or change.changed or change.removed:
            changes.append(change)
    return Recording(changes, stands_for, clock.now() if clock else None)


def _stand_ins(value: Any) -> Any:
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, FixedClock):
        return CLOCK
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**{name: _stand_ins(item) for name, item in vars(value).items()})
    if isinstance(value, (list, tuple)):
        return type(value)(_stand_ins(item) for item in value)
    if isinstance(value, dict) and all(isinstance(name, PLAIN) for name in value):
        return {name: _stand_ins(item) for name, item in value.items()}
    state = sa.inspect(value, raiseerr=False)
    identity = getattr(state, "identity", None)
    if state is not None and identity is not None and len(identity) == 1 and not state.deleted:
        return Row(state.mapper.class_, tuple(identity))
    raise NotReplayable(f"a fixture given or giving a {type(value).__name__} cannot be replayed")


def _replay(recording: Recording, clock: FixedClock | None) -> Any:
    with db.engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            # As the emptying does: foreign keys (a team's manager and a person's team point at
            # each other) and triggers stand aside for this one transaction.
            connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for change in reversed(recording.changes):
            for key in change.removed:
                connection.execute(change.table.delete().where(*_matching(change.table, key)))
        for change in recording.changes:
            for group in _by_columns(change.table, change.added):
                connection.execute(change.table.insert(), group)
            for row in change.changed:
                key = tuple(row[column.name] for column in _primary_key(change.table))
                connection.execute(change.table.update().where(*_matching(change.table, key)).values(row))
            if postgres:
                _move_sequence_past(connection, change)
    if clock is not None and recording.clock_after is not None:
        clock.at = recording.clock_after
    value = _materialise(recording.value, _load(recording.value), clock)
    # As the build's last commit leaves them: each object reads its row again when first used.
    db.session.expire_all()
    return value


def _move_sequence_past(connection: sa.Connection, change: Change) -> None:
    ids = [row["id"] for row in change.added if isinstance(row.get("id"), int)]
    if not ids or "id" not in change.table.c:
        return
    # setval to the larger of the written ids and the sequence's next value (drawing one is
    # harmless: ids may have gaps), so the sequence never goes back either.
    connection.execute(
        sa.text(
            "SELECT setval(sequence::regclass, GREATEST(:largest, nextval(sequence::regclass))) "
            "FROM (SELECT pg_get_serial_sequence(:table, 'id') AS sequence) AS found "
            "WHERE sequence IS NOT NULL"
        ),
        {"largest": max(ids), "table": change.table.name},
    )


def _matching(table: sa.Table, key: tuple) -> list[sa.ColumnElement[bool]]:
    return [column == part for column, part in zip(_primary_key(table), key, strict=True)]


def _by_columns(table: sa.Table, rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The rows grouped by the columns they give: a JSON column read as None is left out, so it is
    SQL NULL again (given as None it would be JSON's null)."""
    json_columns = {column.name for column in table.c if isinstance(column.type, sa.JSON)}
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        given = {name: value for name, value in row.items() if value is not None or name not in json_columns}
        groups.setdefault(frozenset(given), []).append(given)
    return list(groups.values())


def _rows_in(value: Any) -> list[Row]:
    if isinstance(value, Row):
        return [value]
    if isinstance(value, SimpleNamespace):
        value = list(vars(value).values())
    elif isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [row for item in value for row in _rows_in(item)]
    return []


def _load(value: Any) -> dict[Row, Any]:
    """Each row's object, one statement a class."""
    wanted: dict[type, set[tuple]] = {}
    for row in _rows_in(value):
        wanted.setdefault(row.cls, set()).add(row.key)
    loaded: dict[Row, Any] = {}
    for cls, keys in wanted.items():
        (primary,) = sa.inspect(cls).primary_key  # a Row is only ever made for a one-column key
        for found in db.session.scalars(sa.select(cls).where(primary.in_([key[0] for key in keys]))):
            loaded[Row(cls, (getattr(found, primary.key),))] = found
    return loaded


def _materialise(value: Any, loaded: dict[Row, Any], clock: FixedClock | None) -> Any:
    if isinstance(value, Row):
        return loaded[value]
    if value is CLOCK:
        return clock
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(
            **{name: _materialise(item, loaded, clock) for name, item in vars(value).items()}
        )
    if isinstance(value, (list, tuple)):
        return type(value)(_materialise(item, loaded, clock) for item in value)
    if isinstance(value, dict):
        return {name: _materialise(item, loaded, clock) for name, item in value.items()}
    return value
