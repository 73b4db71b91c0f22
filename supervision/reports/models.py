"""Quality audits: a service manager's judgement of one signed supervision record (docs/metrics.md)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.cases.rules import CaseCategory
from supervision.db_types import UTCDateTime
from supervision.extensions import Model
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


class QualityAudit(Model):
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


# --------------------------------------------------------------- stored oversight figures
# Written by the hourly `stored-figures` job (supervision.reports.stored): each person's
# counts per calendar month, so that the organisation and service reports add rows up instead
# of replaying every history. Counts only: no supervision content is ever stored here.


class OversightMonth(Model):
    """One person's oversight counts for one calendar month they were employed in."""

    __tablename__ = "oversight_month"
    __table_args__ = (sa.Index("ix_oversight_month_month", "month"),)

    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)  # the month's first day
    sessions_required: Mapped[int]
    sessions_on_time: Mapped[int]
    records_held: Mapped[int]
    write_ups_judged: Mapped[int]
    write_ups_on_time: Mapped[int]
    records_signed: Mapped[int]
    records_complete: Mapped[int]
    disagreements: Mapped[int]
    sessions_planned: Mapped[int]
    sessions_cancelled: Mapped[int]
    gaps_started: Mapped[int]
    gaps_unexplained: Mapped[int]
    # Days: the longest gap a session ended this month, and the gap still open at its end.
    longest_closed_gap: Mapped[int | None]
    open_gap: Mapped[int | None]


class OversightMonthValue(Model):
    """How many times one value occurred for one person in one month: days between sessions
    (for the median), reasons given for gaps, quality-audit grades."""

    __tablename__ = "oversight_month_value"

    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    count: Mapped[int]


class OversightNow(Model):
    """A person in post at the last refresh: the compliance engine's status for them then."""

    __tablename__ = "oversight_now"

    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    overdue_now: Mapped[int]
    escalated_now: Mapped[int]
    without_agreement_now: Mapped[int]
    actions_overdue_now: Mapped[int]


class OversightUnitFigures(Model):
    """A team's, a service's or the whole organisation's figures for the default period (this
    month and the two before it) and its 12-month trend, as at the last refresh: the pages most
    people open read one row per unit instead of adding up every person's months."""

    __tablename__ = "oversight_unit_figures"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    unit_id: Mapped[int] = mapped_column(primary_key=True)  # 0 for the organisation
    period_start: Mapped[date]
    period_end: Mapped[date]
    figures: Mapped[dict] = mapped_column(sa.JSON)


class OversightServiceMonth(Model):
    """A service's figures for one calendar month, added up by the hourly job over the people
    in its teams: the organisation page adds up its services' months for any whole-month period
    instead of every person's (docs/performance.md). Counts only."""

    __tablename__ = "oversight_service_month"

    service_id: Mapped[int] = mapped_column(sa.ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    # {"tally": the month's Tally as stored.tally_json, "closed": the longest gap a session
    # closed in the month (the longest gap of a longer period needs it apart from the open one)}
    figures: Mapped[dict] = mapped_column(sa.JSON)


class CaseOversightDay(Model):
    """One worker's open cases of one category on one stored day, and how many of them had
    oversight in time (supervision.reports.stored_cases): the organisation and service pages'
    case section adds these up over the workers a viewer oversees."""

    __tablename__ = "case_oversight_day"
    __table_args__ = (
        sa.CheckConstraint("in_time >= 0 AND in_time <= open_cases", name="in_time_within_open"),
        sa.Index("ix_case_oversight_day_team_id_day", "team_id", "day"),
    )

    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    category: Mapped[CaseCategory] = mapped_column(
        enum_column(CaseCategory, "case_category"), primary_key=True
    )
    # The worker's team when the figures were worked out: the team whose limits applied.
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    open_cases: Mapped[int]
    in_time: Mapped[int]


class CaseOversightUnitDay(Model):
    """A team's or a service's totals of `CaseOversightDay`: read instead of its workers' rows
    when a viewer oversees everyone in the unit."""

    __tablename__ = "case_oversight_unit_day"
    __table_args__ = (
        sa.CheckConstraint("level IN ('team', 'service')", name="level_known"),
        sa.CheckConstraint("in_time >= 0 AND in_time <= open_cases", name="in_time_within_open"),
    )

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    unit_id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    category: Mapped[CaseCategory] = mapped_column(
        enum_column(CaseCategory, "case_category"), primary_key=True
    )
    open_cases: Mapped[int]
    in_time: Mapped[int]
