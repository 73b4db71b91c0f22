"""Test data built once a process through the factories, then put back for each later test.

A fixture that builds a small organisation through the factories makes tens of ORM commits
(0.1 to 0.6 s on this machine, a third of the suite's time); putting the same rows back is one
INSERT a table (a few milliseconds). Put `@replayed` under `@pytest.fixture`:

    @pytest.fixture
    @replayed
    def people(app): ...

It replays only when the answer is bound to be the same: the database is empty when the
fixture starts (so no other fixture's rows are involved), its arguments are `app`, `clock` or
plain values (part of the key, with the time the clock reads), and what it returns is made of
rows' objects, plain values and namespaces, lists, tuples and dicts of them. Anything else is
built as written, every time. A replayed test sees the same rows and ids the first build made,
its objects expired as the build's last commit leaves them; the clock is left where the build
left it.
"""

from __future__ import annotations

import enum
import functools
import inspect
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from supervision.clock import FixedClock
from supervision.extensions import db

PLAIN = (str, int, float, bool, type(None), date, datetime, Decimal, enum.Enum)


class NotReplayable(Exception):
    """What a fixture got or gave cannot be recorded faithfully: it is built every time."""


@dataclass(frozen=True)
class Row:
    """Stands for a row's object in a recording: its class and primary key."""

    cls: type
    key: tuple


@dataclass
class Recording:
    rows: list[tuple[sa.Table, list[dict[str, Any]]]]
    value: Any
    clock_after: datetime | None


_recordings: dict[tuple, Recording | None] = {}


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
        clock = next((value for value in arguments.values() if isinstance(value, FixedClock)), None)
        try:
            key = (build.__module__, build.__qualname__, *_key(arguments))
        except NotReplayable:
            return build(**arguments)
        db.session.commit()
        with db.engine.connect() as connection:
            empty = not tables_with_rows(connection)
        if not empty:
            return build(**arguments)
        if key in _recordings:
            recording = _recordings[key]
            if recording is not None:
                return _replay(recording, clock)
            return build(**arguments)
        value = build(**arguments)
        _recordings[key] = _record(value, clock)
        return value

    return fixture


def _key(arguments: dict[str, Any]) -> list:
    key = []
    for name, value in sorted(arguments.items()):
        if name == "app":
            continue
        if isinstance(value, FixedClock):
            key.append((name, value.now()))
        elif isinstance(value, PLAIN):
            key.append((name, value))
        else:
            raise NotReplayable(name)
    return key


def _record(value: Any, clock: FixedClock | None) -> Recording | None:
    db.session.commit()
    try:
        stands_for = _stand_ins(value)
    except NotReplayable:
        return None
    with db.engine.connect() as connection:
        rows = [
            (table, [dict(row) for row in connection.execute(sa.select(table)).mappings()])
            for table in tables_with_rows(connection)
        ]
    return Recording(rows, stands_for, clock.now() if clock else None)


def _stand_ins(value: Any) -> Any:
    if isinstance(value, PLAIN):
        return value
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
    raise NotReplayable(type(value).__name__)


def _replay(recording: Recording, clock: FixedClock | None) -> Any:
    db.session.remove()
    with db.engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            # As the emptying does: foreign keys (a team's manager and a person's team point at
            # each other) and triggers stand aside for this one transaction.
            connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table, rows in recording.rows:
            for group in _by_columns(table, rows):
                connection.execute(table.insert(), group)
            if postgres and "id" in table.c and isinstance(table.c.id.type, sa.Integer):
                # Later inserts must not reuse the replayed ids.
                sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
                connection.execute(sa.text(f"SELECT setval({sequence}, max(id)) FROM {table.name}"))
    if clock is not None and recording.clock_after is not None:
        clock.at = recording.clock_after
    loaded = _load(recording.value)
    value = _materialise(recording.value, loaded)
    # As the build's last commit leaves them: each object reads its row again when first used.
    db.session.expire_all()
    return value


def _by_columns(table: sa.Table, rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The rows grouped by the columns they give: a JSON column read as None is left out, so it is
    SQL NULL again (given as None it would be JSON's null)."""
    json_columns = {column.name for column in table.c if isinstance(column.type, sa.JSON)}
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        given = {name: value for name, value in row.items() if value is not None or name not in json_columns}
        groups.setdefault(frozenset(given), []).append(given)
    return list(groups.values())


def _load(value: Any) -> dict[Row, Any]:
    wanted: dict[type, set[tuple]] = {}

    def collect(item: Any) -> None:
        if isinstance(item, Row):
            wanted.setdefault(item.cls, set()).add(item.key)
        elif isinstance(item, SimpleNamespace):
            for inner in vars(item).values():
                collect(inner)
        elif isinstance(item, (list, tuple)):
            for inner in item:
                collect(inner)
        elif isinstance(item, dict):
            for inner in item.values():
                collect(inner)

    collect(value)
    loaded: dict[Row, Any] = {}
    for cls, keys in wanted.items():
        (primary,) = sa.inspect(cls).primary_key  # every table here has a one-column key
        for found in db.session.scalars(sa.select(cls).where(primary.in_([key[0] for key in keys]))):
            loaded[Row(cls, (getattr(found, primary.key),))] = found
    return loaded


def _materialise(value: Any, loaded: dict[Row, Any]) -> Any:
    if isinstance(value, Row):
        return loaded[value]
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**{name: _materialise(item, loaded) for name, item in vars(value).items()})
    if isinstance(value, (list, tuple)):
        return type(value)(_materialise(item, loaded) for item in value)
    if isinstance(value, dict):
        return {name: _materialise(item, loaded) for name, item in value.items()}
    return value
