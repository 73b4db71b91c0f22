"""Which reminders and escalations about a case have been sent: one row per case, kind and due
date, so a rerun of the job (or two at once) never tells anybody the same thing twice, and a case
that gets oversight (a new due date) is reminded afresh when it falls due again (docs/cases.md)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db_types import UTCDateTime
from supervision.extensions import Model
from supervision.org.models import enum_column


class CaseReminderKind(enum.StrEnum):
    DUE_SOON = "due_soon"  # told the supervisor: oversight due soon
    OVERDUE = "overdue"  # told the supervisor: overdue, or not discussed since allocation
    ESCALATED = "escalated"  # told the head of service: overdue past the escalation point


class CaseReminder(Model):
    __tablename__ = "case_reminder"
    __table_args__ = (
        # The idempotency key: a case is reminded of each kind once per due date.
        sa.UniqueConstraint("case_id", "kind", "due_on", name="uq_case_reminder_case_kind_due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("child_case.id", ondelete="CASCADE"))
    kind: Mapped[CaseReminderKind] = mapped_column(enum_column(CaseReminderKind, "case_reminder_kind"))
    due_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
