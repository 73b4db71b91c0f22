"""Writing and searching the audit log.

Every view and change of a supervision object is recorded in the same transaction as the
change itself (`audited_change`), so no code path can write one without the other.
Only who, when, what kind of action and which object: never any content.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from supervision.audit.models import AuditEvent
from supervision.clock import LONDON, clock
from supervision.extensions import db
from supervision.org.models import Staff
from supervision.records.errors import StaleVersion


class AuditAction(enum.StrEnum):
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    SIGN = "sign"
    RETURN = "return"
    ADDENDUM = "addendum"
    EXPORT = "export"
    RATE = "rate"
    DELETE = "delete"
    PURGE = "purge"  # a leaver's supervision data removed by the retention purge


def record_event(
    actor: Staff | None,
    action: AuditAction,
    object_type: str,
    object_id: int,
    occurred_at: datetime | None = None,
    changes: dict | None = None,
) -> AuditEvent:
    """Add an entry to the current transaction; it is written by the caller's commit, or not at all.

    Jobs pass the time from the clock they were given; requests use the app's clock.
    """
    event = AuditEvent(
        occurred_at=occurred_at or clock().now(),
        actor_id=actor.id if actor is not None else None,
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        changes=changes,
    )
    db.session.add(event)
    return event


@contextmanager
def audited_change(actor: Staff | None, action: AuditAction, subject: db.Model) -> Iterator[None]:
    """One use case, one transaction: the body's changes and the audit entry commit together.

    On any exception nothing is written: the transaction is rolled back and the error raised.
    A concurrent save that got in first (the version column moved) is a StaleVersion.
    """
    try:
        yield
        db.session.flush()  # a new subject gets its id here
        record_event(actor, action, subject.__tablename__, subject.id)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion() from None
    except BaseException:
        db.session.rollback()
        raise


def record_view(actor: Staff, subject: db.Model, action: AuditAction = AuditAction.VIEW) -> None:
    """A person saw (or exported) a supervision object."""
    with audited_change(actor, action, subject):
        pass


PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditSearch:
    actor_id: int | None = None
    record_id: int | None = None
    from_date: date | None = None
    to_date: date | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    total: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def search_events(search: AuditSearch, page: int = 1) -> AuditPage:
    """Newest first, filtered by person (who acted), record and London dates (inclusive)."""
    conditions = []
    if search.actor_id is not None:
        conditions.append(AuditEvent.actor_id == search.actor_id)
    if search.record_id is not None:
        conditions.append(AuditEvent.object_type == "supervision_record")
        conditions.append(AuditEvent.object_id == search.record_id)
    if search.from_date is not None:
        conditions.append(AuditEvent.occurred_at >= london_midnight(search.from_date))
    if search.to_date is not None:
        conditions.append(AuditEvent.occurred_at < london_midnight(search.to_date + timedelta(days=1)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(*conditions)) or 0
    page = max(1, page)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(*conditions)
        .options(sa.orm.joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return AuditPage(events=list(events), page=page, total=total)
