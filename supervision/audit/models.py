"""The append-only audit log: who did what to which object, and when; never supervision content.

A change to a person's access (line manager, team, roles, email, account status) also keeps
its old and new values in `changes`: {"field": [old, new], ...}.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.db_types import UTCDateTime
from supervision.extensions import Model

if TYPE_CHECKING:  # audit is the ground floor: it names Staff, never imports org
    from supervision.org.models import Staff


class AuditEvent(Model):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_actor_id_occurred_at", "actor_id", "occurred_at"),
        sa.Index("ix_audit_event_object_type_object_id", "object_type", "object_id"),
        sa.Index("ix_audit_event_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    changes: Mapped[dict | None] = mapped_column(sa.JSON)

    actor: Mapped[Staff | None] = relationship()


class ClosedMonthChange(Model):
    """A session or absence change that reached months whose figures had closed (docs/metrics.md).

    Written in the same transaction as the change and its audit entry, one row for each person
    whose figures it changes. Dates, the kind of change and the reason given: no supervision
    content. The oversight report marks the months from `first_month` to `last_month` of this
    person "changed after it closed" and links to these rows.
    """

    __tablename__ = "closed_month_change"
    __table_args__ = (
        sa.CheckConstraint("last_month >= first_month", name="months_in_order"),
        sa.CheckConstraint("last_day >= first_day", name="days_in_order"),
        sa.Index("ix_closed_month_change_staff_id_last_month", "staff_id", "last_month"),
        sa.Index("ix_closed_month_change_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    change: Mapped[str] = mapped_column(sa.String(40))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]  # no foreign key: a removed absence is gone, its change stays
    first_day: Mapped[date]  # the days the change was about (a session's date, an absence's days)
    last_day: Mapped[date]
    first_month: Mapped[date]  # the first day of the first and last closed months it reaches
    last_month: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)

    actor: Mapped[Staff | None] = relationship(foreign_keys=[actor_id])
    staff: Mapped[Staff] = relationship(foreign_keys=[staff_id])
