"""Quality audits: a service manager's judgement of one signed supervision record (DESIGN 7)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.db_types import UTCDateTime
from supervision.extensions import db
from supervision.org.models import Staff, enum_column
from supervision.records.models import SupervisionRecord


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "no": "No", "not_applicable": "Not applicable"}[self.value]


class Grade(enum.StrEnum):
    """Ofsted's four-point scale, which inspectors and managers already use."""

    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"

    @property
    def label(self) -> str:
        return {
            "outstanding": "Outstanding",
            "good": "Good",
            "requires_improvement": "Requires improvement",
            "inadequate": "Inadequate",
        }[self.value]

    @property
    def good_or_better(self) -> bool:
        return self in (Grade.OUTSTANDING, Grade.GOOD)


class QualityAudit(db.Model):
    """One audit per record, so a record's grade is counted once in the roll-up."""

    __tablename__ = "quality_audit"
    __table_args__ = (sa.Index("ix_quality_audit_audited_at", "audited_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supervision_record.id", ondelete="CASCADE"), unique=True
    )
    auditor_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    audited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    agreement_on_file: Mapped[Answer] = mapped_column(enum_column(Answer, "audit_answer_agreement"))
    frequency_met: Mapped[Answer] = mapped_column(enum_column(Answer, "audit_answer_frequency"))
    agenda_set: Mapped[Answer] = mapped_column(enum_column(Answer, "audit_answer_agenda"))
    previous_actions_reviewed: Mapped[Answer] = mapped_column(enum_column(Answer, "audit_answer_actions"))
    reflection_evident: Mapped[Answer] = mapped_column(enum_column(Answer, "audit_answer_reflection"))
    decisions_recorded: Mapped[Answer] = mapped_column(enum_column(Answer, "audit_answer_decisions"))
    both_signed: Mapped[Answer] = mapped_column(enum_column(Answer, "audit_answer_signed"))
    grade: Mapped[Grade] = mapped_column(enum_column(Grade, "audit_grade"))
    # The auditor's feedback; it may quote the record, so it is never logged.
    comments: Mapped[str] = mapped_column(sa.Text, default="")

    record: Mapped[SupervisionRecord] = relationship()
    auditor: Mapped[Staff] = relationship()
