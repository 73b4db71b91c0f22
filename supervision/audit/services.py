"""Writing and searching the audit log.

Every view and change of a supervision object is recorded in the same transaction as the
change itself (`audited_change`), so no code path can write one without the other.
Only who, when, what kind of action and which object: never any content.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from supervision import limits
from supervision.audit.closing import ClosedMonths, closed_months_reached
from supervision.audit.models import AuditEvent, ClosedMonthChange
from supervision.clock import LONDON, clock
from supervision.extensions import db
from supervision.service_errors import ServiceError, StaleVersion

if TYPE_CHECKING:  # audit is the ground floor: it names Staff, never imports org
    from supervision.org.models import Staff


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
    CLOSED_MONTH_CHANGE = "closed_month_change"  # a change that reached a closed month (docs/metrics.md)
    IMPORT = "import"  # a caseload import: counts only, never a case reference (docs/cases.md)


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


class Audited(Protocol):
    """A row the audit log can name: its table and its id."""

    __tablename__: str

    @property
    def id(self) -> int: ...


@contextmanager
def audited_change(actor: Staff | None, action: AuditAction, subject: Audited) -> Iterator[None]:
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


def record_view(actor: Staff, subject: Audited, action: AuditAction = AuditAction.VIEW) -> None:
    """A person saw (or exported) a supervision object."""
    with audited_change(actor, action, subject):
        pass


# --- changes to closed months (docs/metrics.md: history is not rewritten quietly) ---------------

REASON_FIELD = "closed_month_reason"
REASON_MAX_LENGTH = limits.CLOSED_MONTH_REASON.max_length


class ChangeKind(enum.StrEnum):
    """What a change to a closed month did, in the words the changes page shows."""

    SESSION_BOOKED = "session_booked"
    SESSION_MOVED = "session_moved"
    SESSION_HELD = "session_held"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_DID_NOT_ATTEND = "session_did_not_attend"
    ABSENCE_RECORDED = "absence_recorded"
    ABSENCE_REMOVED = "absence_removed"

    @property
    def label(self) -> str:
        return {
            ChangeKind.SESSION_BOOKED: "Session booked",
            ChangeKind.SESSION_MOVED: "Session moved",
            ChangeKind.SESSION_HELD: "Session marked as held",
            ChangeKind.SESSION_CANCELLED: "Session cancelled",
            ChangeKind.SESSION_DID_NOT_ATTEND: "Session marked as did not attend",
            ChangeKind.ABSENCE_RECORDED: "Absence recorded",
            ChangeKind.ABSENCE_REMOVED: "Absence removed",
        }[self]


class ReasonRequired(ServiceError):
    """A change reaches a closed month and no reason was given: the API answers 400."""

    def __init__(self, months: ClosedMonths):
        super().__init__(
            f"{months.first:%B %Y} has closed, so enter why you are making this change now",
            field=REASON_FIELD,
        )


@dataclass(frozen=True)
class BackDating:
    """A change that reaches closed months, with the reason the person gave for it."""

    months: ClosedMonths
    first_day: date
    last_day: date
    reason: str


def reaches_closed_month(days: Iterable[date | None]) -> bool:
    """Whether a change to `days` would need a reason: pages show the reason field when it would."""
    return closed_months_reached(days, clock().today()) is not None


def back_dating(days: Iterable[date | None], reason: str | None) -> BackDating | None:
    """Checked before a change: None when `days` are all in open months, else the reason, which
    must be given (ReasonRequired) and at most REASON_MAX_LENGTH characters."""
    changed = [day for day in days if day is not None]
    months = closed_months_reached(changed, clock().today())
    if months is None:
        return None
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(months)
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(f"The reason must be {REASON_MAX_LENGTH} characters or fewer", field=REASON_FIELD)
    return BackDating(months, min(changed), max(changed), reason)


def note_back_dating(
    actor: Staff | None,
    change: BackDating | None,
    kind: ChangeKind,
    subject: Audited,
    staff_ids: Iterable[int],
) -> None:
    """Inside the change's transaction: one row per person whose figures it changes, each audited."""
    if change is None:
        return
    db.session.flush()  # a new subject gets its id here
    now = clock().now()
    for staff_id in dict.fromkeys(staff_ids):
        row = ClosedMonthChange(
            occurred_at=now,
            actor_id=actor.id if actor is not None else None,
            staff_id=staff_id,
            change=str(kind),
            object_type=subject.__tablename__,
            object_id=subject.id,
            first_day=change.first_day,
            last_day=change.last_day,
            first_month=change.months.first,
            last_month=change.months.last,
            reason=change.reason,
        )
        db.session.add(row)
        db.session.flush()
        record_event(actor, AuditAction.CLOSED_MONTH_CHANGE, row.__tablename__, row.id, occurred_at=now)


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
