"""Every change to what a person's dashboard figures are worked out from bumps their version.

The team dashboard reads figures the `dashboard-figures` job stored (stored_dashboard.py); a
stored row is used only while its `computed_version` equals the person's `facts_version`. This
module is the one place that raises `facts_version`, in the transaction that makes the change,
so no code path can change a session, record, action, absence, agreement, policy or the staff
dates the rules read without the stored figures giving way to live ones:

- unit-of-work changes (`session.add`, attribute changes, deletes) are seen after each flush;
- bulk statements on those tables are seen as they run: the staff import's updates by primary
  key, the retention purge's by the people it names (`only_facts_of`); any other raises
  everyone's version.

A job that stores figures reads the versions before the facts (stored_dashboard.py). A change
committed after that read leaves the stored version behind, so those figures are never used.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from supervision.agreements.models import AbsencePeriod, SupervisionAgreement, SupervisionPolicy
from supervision.extensions import AnySession
from supervision.org.models import Staff
from supervision.records.models import (
    Action,
    ActionReview,
    SessionAttendee,
    SupervisionRecord,
    SupervisionSession,
)
from supervision.reports.models import StoredDashboardFigures

# Staff columns the compliance engine and the month grid read; a sign-in or a new name does not
# change anyone's figures.
STAFF_FACTS = (
    "organisation_id",
    "career_stage",
    "swe_renewal_date",
    "dbs_check_date",
    "start_date",
    "end_date",
    "fte",
)
FACT_TABLES = frozenset(
    model.__tablename__
    for model in (
        Staff,
        SupervisionSession,
        SessionAttendee,
        SupervisionRecord,
        Action,
        ActionReview,
        AbsencePeriod,
        SupervisionAgreement,
        SupervisionPolicy,
    )
)
_PENDING = "dashboard_facts_changed"  # session.info key: people found before a flush deletes rows
_FACTS_OF = "dashboard_facts_of"  # execution option: the only people a bulk statement's rows feed


def only_facts_of(*staff_ids: int) -> dict:
    """Execution options for a bulk statement that changes the facts of these people only (none,
    for a column no figure reads), so that it does not set aside everyone's stored figures."""
    return {_FACTS_OF: staff_ids}


def register_listeners() -> None:
    """Listen on every ORM session (once per process, however many apps are made)."""
    for name, listener in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("do_orm_execute", _on_bulk_statement),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def facts_changed(connection: sa.Connection, staff_ids: Iterable[int]) -> None:
    """Raise each person's facts version by one (a row is made for anyone without one)."""
    ids = sorted(set(staff_ids))  # a fixed order: two transactions never wait on each other
    if not ids:
        return
    table = StoredDashboardFigures.__table__
    module = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = module.insert(table).on_conflict_do_update(
        index_elements=[table.c.staff_id], set_={"facts_version": table.c.facts_version + 1}
    )
    for start in range(0, len(ids), 1_000):
        connection.execute(
            statement, [{"staff_id": i, "facts_version": 1} for i in ids[start : start + 1_000]]
        )


def everyones_facts_changed(connection: sa.Connection) -> None:
    table = StoredDashboardFigures.__table__
    connection.execute(table.update().values(facts_version=table.c.facts_version + 1))


# ------------------------------------------------------------------------------ listeners


def _before_flush(session: AnySession, flush_context, instances) -> None:
    # Deleted rows' people are found while the rows are still there.
    if session.deleted:
        session.info.setdefault(_PENDING, set()).update(_people_of(session, session.deleted))


def _after_flush(session: AnySession, flush_context) -> None:
    changed = session.info.pop(_PENDING, set())
    # New people have no stored figures yet; what is new about anyone else changes theirs.
    changed.update(_people_of(session, [obj for obj in session.new if not isinstance(obj, Staff)]))
    changed.update(_people_of(session, [obj for obj in session.dirty if session.is_modified(obj)]))
    connection = session.connection()
    if None in changed:  # a policy: everyone in its organisation
        changed.discard(None)
        for organisation_id in {obj.organisation_id for obj in _policies(session)}:
            changed.update(
                connection.scalars(sa.select(Staff.id).where(Staff.organisation_id == organisation_id))
            )
    facts_changed(connection, changed)


def _policies(session: AnySession) -> list[SupervisionPolicy]:
    return [
        obj for obj in (*session.new, *session.dirty, *session.deleted) if isinstance(obj, SupervisionPolicy)
    ]


def _people_of(session: AnySession, objects: Iterable[object]) -> set[int | None]:
    """The staff ids whose figures these objects feed (None stands for a policy's organisation)."""
    people: set[int | None] = set()
    sessions, records, actions = set(), set(), set()
    for obj in objects:
        if isinstance(obj, SessionAttendee | SupervisionRecord | SupervisionAgreement):
            people.add(obj.supervisee_id)
        elif isinstance(obj, AbsencePeriod):
            people.add(obj.staff_id)
        elif isinstance(obj, Staff):
            if any(sa.inspect(obj).attrs[name].history.has_changes() for name in STAFF_FACTS):
                people.add(obj.id)
        elif isinstance(obj, SupervisionSession):
            sessions.add(obj.id)
            # Someone taken off a group session is no longer among its attendees.
            people.update(a.supervisee_id for a in sa.inspect(obj).attrs.attendees.history.deleted)
        elif isinstance(obj, Action):
            records.add(obj.record_id)
        elif isinstance(obj, ActionReview):
            records.add(obj.record_id)
            actions.add(obj.action_id)
        elif isinstance(obj, SupervisionPolicy):
            people.add(None)
    connection = session.connection()
    if sessions - {None}:
        people.update(
            connection.scalars(
                sa.select(SessionAttendee.supervisee_id).where(
                    SessionAttendee.session_id.in_(sessions - {None})
                )
            )
        )
    if actions - {None}:
        records.update(connection.scalars(sa.select(Action.record_id).where(Action.id.in_(actions - {None}))))
    if records - {None}:
        people.update(
            connection.scalars(
                sa.select(SupervisionRecord.supervisee_id).where(SupervisionRecord.id.in_(records - {None}))
            )
        )
    return people


def _on_bulk_statement(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table_name = getattr(getattr(state.statement, "table", None), "name", None)
    if table_name not in FACT_TABLES:
        return
    is_staff = table_name == Staff.__tablename__
    if is_staff and state.is_insert:
        return  # new people have no stored figures
    connection = state.session.connection()
    parameters = state.parameters
    if _FACTS_OF in state.execution_options:
        facts_changed(connection, state.execution_options[_FACTS_OF])
    elif is_staff and isinstance(parameters, list) and all("id" in p for p in parameters):
        facts_changed(connection, (p["id"] for p in parameters))  # the staff import: by primary key
    else:
        everyones_facts_changed(connection)
