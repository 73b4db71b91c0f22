"""Supervision agreements, the organisation's supervision policy and absence periods (docs/rules.md)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.agreements.asye import AsyeOutcome, AsyeStage, parse_participants
from supervision.agreements.defaults import DEFAULT_POLICY
from supervision.db_types import UTCDateTime
from supervision.extensions import Model
from supervision.org.models import Staff, enum_column


class FrequencyKind(enum.StrEnum):
    ASYE_STAGED = "asye_staged"
    INTERVAL = "interval"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "asye_staged": "ASYE: weekly, then fortnightly, then monthly",
            "interval": "A fixed interval",
            "none": "No supervision requirement",
        }[self.value]


class SupervisionType(enum.StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"
    MIX = "mix"

    @property
    def label(self) -> str:
        return {"individual": "Individual", "group": "Group", "mix": "A mix of individual and group"}[
            self.value
        ]


class AbsenceKind(enum.StrEnum):
    ANNUAL_LEAVE = "annual_leave"
    SICKNESS = "sickness"
    PARENTAL = "parental"
    SECONDMENT = "secondment"
    ASYE_PAUSE = "asye_pause"

    @property
    def label(self) -> str:
        return {
            "annual_leave": "Annual leave",
            "sickness": "Sickness",
            "parental": "Maternity or parental leave",
            "secondment": "Secondment",
            "asye_pause": "ASYE pause",
        }[self.value]


class SupervisionPolicy(Model):
    """One row per organisation; every threshold the compliance engine uses is a setting here."""

    __tablename__ = "supervision_policy"
    __table_args__ = (
        sa.CheckConstraint("asye_weekly_weeks >= 0", name="asye_weekly_weeks_not_negative"),
        sa.CheckConstraint("asye_fortnightly_until_months >= 0", name="asye_fortnightly_not_negative"),
        sa.CheckConstraint(
            "interval_days_social_worker > 0 AND interval_days_senior_practitioner > 0",
            name="practitioner_intervals_positive",
        ),
        sa.CheckConstraint(
            "(interval_days_manager IS NULL OR interval_days_manager > 0) AND "
            "(interval_days_other IS NULL OR interval_days_other > 0)",
            name="other_intervals_positive",
        ),
        sa.CheckConstraint("minimum_duration_minutes > 0", name="minimum_duration_positive"),
        sa.CheckConstraint(
            "due_soon_working_days >= 0 AND escalation_working_days >= 0 AND write_up_working_days >= 0",
            name="working_days_not_negative",
        ),
        sa.CheckConstraint("agreement_review_months > 0", name="agreement_review_months_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), unique=True)
    # Defaults from supervision/agreements/defaults.py, the one place they are written.
    asye_weekly_weeks: Mapped[int] = mapped_column(default=DEFAULT_POLICY.asye_weekly_weeks)
    asye_fortnightly_until_months: Mapped[int] = mapped_column(
        default=DEFAULT_POLICY.asye_fortnightly_until_months
    )
    interval_days_social_worker: Mapped[int] = mapped_column(
        default=DEFAULT_POLICY.interval_days_social_worker
    )
    interval_days_senior_practitioner: Mapped[int] = mapped_column(
        default=DEFAULT_POLICY.interval_days_senior_practitioner
    )
    # None: no supervision requirement for that career stage.
    interval_days_manager: Mapped[int | None] = mapped_column(default=DEFAULT_POLICY.interval_days_manager)
    interval_days_other: Mapped[int | None] = mapped_column(default=DEFAULT_POLICY.interval_days_other)
    minimum_duration_minutes: Mapped[int] = mapped_column(default=DEFAULT_POLICY.minimum_duration_minutes)
    # Stretch part-timers' policy intervals by 1/FTE (agreements/rules.py, docs/metrics.md).
    pro_rata_part_time: Mapped[bool] = mapped_column(default=DEFAULT_POLICY.pro_rata_part_time)
    due_soon_working_days: Mapped[int] = mapped_column(default=DEFAULT_POLICY.due_soon_working_days)
    escalation_working_days: Mapped[int] = mapped_column(default=DEFAULT_POLICY.escalation_working_days)
    write_up_working_days: Mapped[int] = mapped_column(default=DEFAULT_POLICY.write_up_working_days)
    agreement_review_months: Mapped[int] = mapped_column(default=DEFAULT_POLICY.agreement_review_months)
    # Comma-separated record section keys the organisation does not require at sign-off.
    optional_sections: Mapped[str] = mapped_column(sa.Text, default=DEFAULT_POLICY.optional_sections)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}


class SupervisionAgreement(Model):
    """What a supervisee and supervisor agreed; the current one has no `ended_on` (history kept)."""

    __tablename__ = "supervision_agreement"
    __table_args__ = (
        sa.CheckConstraint("supervisee_id <> supervisor_id", name="not_own_supervisor"),
        sa.CheckConstraint("interval_days IS NULL OR interval_days > 0", name="interval_days_positive"),
        sa.CheckConstraint("minimum_duration_minutes > 0", name="minimum_duration_positive"),
        sa.CheckConstraint("review_due_on >= agreed_on", name="review_not_before_agreed"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= agreed_on", name="ended_not_before_agreed"),
        sa.CheckConstraint(
            "frequency_kind <> 'asye_staged' OR asye_started_on IS NOT NULL", name="asye_staged_has_start"
        ),
        # A person has at most one current agreement.
        sa.Index(
            "uq_supervision_agreement_current",
            "supervisee_id",
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisee_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    frequency_kind: Mapped[FrequencyKind] = mapped_column(enum_column(FrequencyKind, "frequency_kind"))
    # Per-agreement override; None means the policy's interval for the supervisee's career stage.
    interval_days: Mapped[int | None]
    asye_started_on: Mapped[date | None]
    minimum_duration_minutes: Mapped[int]
    supervision_type: Mapped[SupervisionType] = mapped_column(
        enum_column(SupervisionType, "supervision_type")
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    agreed_on: Mapped[date]
    review_due_on: Mapped[date] = mapped_column(index=True)
    supervisor_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supervisee_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}

    supervisee: Mapped[Staff] = relationship(foreign_keys=[supervisee_id])
    supervisor: Mapped[Staff] = relationship(foreign_keys=[supervisor_id])

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    @property
    def fully_signed(self) -> bool:
        return self.supervisor_signed_at is not None and self.supervisee_signed_at is not None


class AbsencePeriod(Model):
    """Days inside an absence do not count toward the supervision interval."""

    __tablename__ = "absence_period"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_not_before_starts"),
        sa.Index("ix_absence_period_staff_id_starts_on", "staff_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    kind: Mapped[AbsenceKind] = mapped_column(enum_column(AbsenceKind, "absence_kind"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]  # inclusive
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(foreign_keys=[staff_id])


class AsyeReview(Model):
    """An ASYE progress review or final assessment held (docs/metrics.md, "ASYE progress reviews").

    Its due date is the compliance engine's (`rules.asye_reviews`), never stored: absences
    recorded later move it.
    """

    __tablename__ = "asye_review"
    __table_args__ = (
        # A progress review records progress; the final assessment records the decision.
        sa.CheckConstraint(
            "(stage = 'final' AND outcome IN ('pass', 'fail', 'extended')) OR "
            "(stage <> 'final' AND outcome IN ('on_track', 'some_concerns', 'serious_concerns'))",
            name="outcome_fits_stage",
        ),
        sa.Index("ix_asye_review_supervisee_id_held_on", "supervisee_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisee_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    stage: Mapped[AsyeStage] = mapped_column(enum_column(AsyeStage, "asye_stage"))
    held_on: Mapped[date]
    outcome: Mapped[AsyeOutcome] = mapped_column(enum_column(AsyeOutcome, "asye_outcome"))
    # Who took part, one a line (at most asye.MAX_PARTICIPANTS, each within limits.py's bound).
    participants: Mapped[str] = mapped_column(sa.Text)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    supervisee: Mapped[Staff] = relationship(foreign_keys=[supervisee_id])
    recorded_by: Mapped[Staff | None] = relationship(foreign_keys=[recorded_by_id])

    @property
    def participant_names(self) -> list[str]:
        return parse_participants(self.participants)
