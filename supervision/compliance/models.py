"""Compliance alerts and explanations of gaps."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.db_types import UTCDateTime
from supervision.extensions import Model
from supervision.org.models import Staff, enum_column


class AlertKind(enum.StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    WRITE_UP_OVERDUE = "write_up_overdue"
    AGREEMENT_REVIEW_DUE = "agreement_review_due"
    REGISTRATION_RENEWAL_DUE = "registration_renewal_due"
    DBS_RENEWAL_DUE = "dbs_renewal_due"
    ASYE_REVIEW_DUE = "asye_review_due"
    ASYE_REVIEW_OVERDUE = "asye_review_overdue"

    @property
    def label(self) -> str:
        return {
            "due_soon": "Supervision due soon",
            "overdue": "Supervision overdue",
            "escalated": "Supervision overdue: escalated",
            "write_up_overdue": "Record not signed in time",
            "agreement_review_due": "Agreement review due",
            "registration_renewal_due": "Social Work England renewal due",
            "dbs_renewal_due": "DBS check renewal due",
            "asye_review_due": "ASYE review due soon",
            "asye_review_overdue": "ASYE review overdue",
        }[self.value]


class ComplianceAlert(Model):
    """Something the sweep found that needs doing, raised once per (kind, person, period).

    The unique key is what makes the sweep idempotent: running it twice, or two sweeps at
    once, can never raise the same alert twice. `period` names the occurrence: the due date
    for supervision and renewals, the record for a late write-up.
    """

    __tablename__ = "compliance_alert"
    __table_args__ = (
        sa.UniqueConstraint("kind", "subject_id", "period", name="uq_compliance_alert_kind_subject_period"),
        sa.Index("ix_compliance_alert_resolved_at_kind", "resolved_at", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(enum_column(AlertKind, "alert_kind"))
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(sa.String(40))
    due_on: Mapped[date | None]
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the sweep no longer finds the condition (a session held, a record signed).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subject: Mapped[Staff] = relationship()


class GapReason(enum.StrEnum):
    SUPERVISOR_ABSENT = "supervisor_absent"
    SUPERVISEE_ABSENT = "supervisee_absent"
    POST_VACANT = "post_vacant"
    REALLOCATION = "reallocation"
    WORKLOAD = "workload"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "supervisor_absent": "Supervisor absent",
            "supervisee_absent": "Supervisee absent",
            "post_vacant": "Supervisor post vacant",
            "reallocation": "Reallocation to a new supervisor",
            "workload": "Workload pressures",
            "other": "Another reason",
        }[self.value]


class OverdueExplanation(Model):
    """Why a supervisee went without supervision past a due date, and what cover was arranged.

    One per gap (supervisee and missed due date), so reports count each gap once.
    """

    __tablename__ = "overdue_explanation"
    __table_args__ = (
        sa.UniqueConstraint("supervisee_id", "due_on", name="uq_overdue_explanation_supervisee_due_on"),
        sa.CheckConstraint("reason <> 'other' OR details <> ''", name="other_has_details"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisee_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(index=True)
    reason: Mapped[GapReason] = mapped_column(enum_column(GapReason, "gap_reason"))
    details: Mapped[str] = mapped_column(sa.Text, default="")
    cover_arranged: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    supervisee: Mapped[Staff] = relationship(foreign_keys=[supervisee_id])
    recorded_by: Mapped[Staff] = relationship(foreign_keys=[recorded_by_id])
