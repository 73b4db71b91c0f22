"""Supervision sessions, their records, case discussions, actions and addenda (docs/rules.md)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.db_types import UTCDateTime
from supervision.extensions import Model
from supervision.org.models import Staff, enum_column


class SessionKind(enum.StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"

    @property
    def label(self) -> str:
        return {"individual": "Individual", "group": "Group"}[self.value]


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"
    DID_NOT_ATTEND = "did_not_attend"

    @property
    def label(self) -> str:
        return {
            "scheduled": "Scheduled",
            "held": "Held",
            "cancelled": "Cancelled",
            "did_not_attend": "Did not attend",
        }[self.value]


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CARRIED_FORWARD = "carried_forward"
    NO_LONGER_NEEDED = "no_longer_needed"

    @property
    def label(self) -> str:
        return {
            "open": "Open",
            "done": "Done",
            "carried_forward": "Carried forward",
            "no_longer_needed": "No longer needed",
        }[self.value]


class RecordState(enum.StrEnum):
    """Where a record is in its life: the one place every page takes its status from."""

    DRAFT = "draft"
    WAITING_FOR_SUPERVISEE = "waiting_for_supervisee"
    LOCKED = "locked"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft: not yet signed off",
            "waiting_for_supervisee": "Waiting for the supervisee to sign: signed by the supervisor",
            "locked": "Signed by both and locked",
        }[self.value]

    @property
    def short_label(self) -> str:
        """For tables, where the column says what it is."""
        return {"draft": "Draft", "waiting_for_supervisee": "Waiting for supervisee", "locked": "Signed"}[
            self.value
        ]

    @property
    def tag_class(self) -> str:
        return {
            "draft": "govuk-tag--grey",
            "waiting_for_supervisee": "govuk-tag--blue",
            "locked": "govuk-tag--green",
        }[self.value]


def record_state(locked_at: datetime | None, supervisor_signed_at: datetime | None) -> RecordState:
    if locked_at is not None:
        return RecordState.LOCKED
    if supervisor_signed_at is not None:
        return RecordState.WAITING_FOR_SUPERVISEE
    return RecordState.DRAFT


class CancelledBy(enum.StrEnum):
    SUPERVISOR = "supervisor"
    SUPERVISEE = "supervisee"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"supervisor": "The supervisor", "supervisee": "The supervisee", "other": "Someone else"}[
            self.value
        ]


class SupervisionSession(Model):
    __tablename__ = "supervision_session"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("status <> 'held' OR held_on IS NOT NULL", name="held_has_date"),
        sa.CheckConstraint(
            "status <> 'cancelled' OR cancelled_reason IS NOT NULL", name="cancelled_has_reason"
        ),
        # The id and kind ride in the index so the status loader reads no session rows (PostgreSQL).
        sa.Index(
            "ix_supervision_session_status_held_on", "status", "held_on", postgresql_include=["id", "kind"]
        ),
        sa.Index("ix_supervision_session_supervisor_id_scheduled_start", "supervisor_id", "scheduled_start"),
        # A held session's date by id from the index alone (PostgreSQL): the latest oversight of a
        # case looks up the session of each of its discussions (docs/performance.md, case oversight).
        sa.Index(
            "ix_supervision_session_id_held_on",
            "id",
            postgresql_include=["held_on"],
            postgresql_where=sa.text("held_on IS NOT NULL"),
            sqlite_where=sa.text("held_on IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind, "session_kind"))
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int]
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    online: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus, "session_status"), default=SessionStatus.SCHEDULED
    )
    held_on: Mapped[date | None]  # set when it is held (held_has_date)
    cancelled_reason: Mapped[str | None] = mapped_column(sa.Text)
    cancelled_by: Mapped[CancelledBy | None] = mapped_column(enum_column(CancelledBy, "cancelled_by"))
    # The person who recorded the cancellation in the service.
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    # A session booked to replace a cancelled one points back to it.
    # Indexed: deleting a session (the retention purge) looks for sessions rebooked from it.
    rebooked_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_session.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}

    supervisor: Mapped[Staff] = relationship(foreign_keys=[supervisor_id])
    attendees: Mapped[list[SessionAttendee]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionAttendee.id"
    )
    records: Mapped[list[SupervisionRecord]] = relationship(
        back_populates="session", order_by="SupervisionRecord.id"
    )

    @property
    def held_date(self) -> date:
        """The day a held session was held: every session with records was (held_has_date)."""
        if self.held_on is None:
            raise ValueError(f"session {self.id} has not been held")
        return self.held_on


class SessionAttendee(Model):
    """One row per supervisee in a session, so a group session counts for each attendee."""

    __tablename__ = "session_attendee"
    __table_args__ = (sa.UniqueConstraint("session_id", "supervisee_id", name="uq_session_attendee_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_session.id", ondelete="CASCADE"))
    supervisee_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)

    session: Mapped[SupervisionSession] = relationship(back_populates="attendees")
    supervisee: Mapped[Staff] = relationship()


class SupervisionRecord(Model):
    """The written record of one held session for one supervisee."""

    __tablename__ = "supervision_record"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "supervisee_id", name="uq_supervision_record_session_supervisee"),
        sa.CheckConstraint(
            "locked_at IS NULL OR (supervisor_signed_at IS NOT NULL AND supervisee_signed_at IS NOT NULL)",
            name="locked_only_when_both_signed",
        ),
        sa.CheckConstraint(
            "supervisee_signed_at IS NULL OR supervisor_signed_at IS NOT NULL",
            name="supervisor_signs_first",
        ),
        sa.CheckConstraint(
            "(rating_helpful IS NULL OR rating_helpful BETWEEN 1 AND 5) AND "
            "(rating_reflective IS NULL OR rating_reflective BETWEEN 1 AND 5) AND "
            "(rating_safe_to_challenge IS NULL OR rating_safe_to_challenge BETWEEN 1 AND 5)",
            name="ratings_between_1_and_5",
        ),
        sa.Index("ix_supervision_record_supervisee_id", "supervisee_id"),
        sa.Index("ix_supervision_record_supervisor_signed_at", "supervisor_signed_at"),
        # A signed record's session and supervisee by id from the index alone (PostgreSQL): the
        # latest oversight of a case looks up the record of each of its discussions
        # (docs/performance.md, case oversight).
        sa.Index(
            "ix_supervision_record_id_signed",
            "id",
            postgresql_include=["session_id", "supervisee_id"],
            postgresql_where=sa.text("supervisor_signed_at IS NOT NULL"),
            sqlite_where=sa.text("supervisor_signed_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_session.id"))
    supervisee_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    agenda: Mapped[str] = mapped_column(sa.Text, default="")
    wellbeing: Mapped[str] = mapped_column(sa.Text, default="")
    workload: Mapped[str] = mapped_column(sa.Text, default="")
    learning: Mapped[str] = mapped_column(sa.Text, default="")
    reflection: Mapped[str] = mapped_column(sa.Text, default="")
    health_and_leave: Mapped[str] = mapped_column(sa.Text, default="")
    supervisor_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supervisee_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supervisee_comment: Mapped[str] = mapped_column(sa.Text, default="")
    # Recorded disagreement stays visible on the record and is counted in reports.
    supervisee_disagrees: Mapped[bool] = mapped_column(default=False)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Supervisee's rating of the session; reported only as team aggregates of five or more.
    rating_helpful: Mapped[int | None]
    rating_reflective: Mapped[int | None]
    rating_safe_to_challenge: Mapped[int | None]
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}

    session: Mapped[SupervisionSession] = relationship(back_populates="records")
    supervisee: Mapped[Staff] = relationship()
    case_discussions: Mapped[list[CaseDiscussion]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="CaseDiscussion.id"
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="record",
        cascade="all, delete-orphan",
        order_by="Action.id",
        foreign_keys="Action.record_id",
    )
    action_reviews: Mapped[list[ActionReview]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="ActionReview.id"
    )
    addenda: Mapped[list[RecordAddendum]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="RecordAddendum.id"
    )
    returns: Mapped[list[RecordReturn]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="RecordReturn.id"
    )

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def state(self) -> RecordState:
        return record_state(self.locked_at, self.supervisor_signed_at)


class CaseDiscussion(Model):
    """One case discussed: the part that may be copied to a child's file as a case note."""

    __tablename__ = "case_discussion"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supervision_record.id", ondelete="CASCADE"), index=True
    )
    case_reference: Mapped[str] = mapped_column(sa.String(100))
    # The day its session was held, copied when the discussion is added (`_date_the_discussion`,
    # below), so a case's discussions are read latest first (docs/decisions.md, "The held date of
    # a case discussion"). A session's date never changes once it has records (records/services.py,
    # mark_held); migration 0026's triggers refuse any row or change that would make them differ.
    held_on: Mapped[date]
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    analysis: Mapped[str] = mapped_column(sa.Text, default="")
    decision: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    record: Mapped[SupervisionRecord] = relationship(back_populates="case_discussions")
    actions: Mapped[list[Action]] = relationship(back_populates="case_discussion", order_by="Action.id")


# A case's discussions by reference, latest first, with the record id (the signature and whose
# record it is are read from the record): the latest oversight of a case on or before a day is the
# first signed one (cases/services.py, latest_oversight; docs/performance.md, case oversight).
sa.Index(
    "ix_case_discussion_case_reference_held_on",
    CaseDiscussion.case_reference,
    CaseDiscussion.held_on.desc(),
    postgresql_include=["record_id"],
)


@sa.event.listens_for(CaseDiscussion, "before_insert")
def _date_the_discussion(_mapper, connection: sa.Connection, discussion: CaseDiscussion) -> None:
    """Every discussion written through the ORM (the record editor, the tests' factories) takes its
    session's date here; the synthetic history writes the date it gives the session."""
    held_on = connection.execute(
        sa.select(SupervisionSession.held_on)
        .join(SupervisionRecord, SupervisionRecord.session_id == SupervisionSession.id)
        .where(SupervisionRecord.id == discussion.record_id)
    ).scalar_one()
    if held_on is None:  # a record is made only when its session is held (held_has_date)
        raise ValueError(f"record {discussion.record_id}'s session has not been held")
    discussion.held_on = held_on


class Action(Model):
    """An action agreed in supervision; an open one is reviewed at the next session."""

    __tablename__ = "supervision_action"
    __table_args__ = (
        sa.CheckConstraint("status <> 'done' OR completed_on IS NOT NULL", name="done_has_completed_on"),
        sa.Index("ix_supervision_action_status_due_on", "status", "due_on"),
        # A manager's people's overdue actions from the index alone (migration 0029).
        sa.Index(
            "ix_supervision_action_open_record_id_due_on",
            "record_id",
            "due_on",
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supervision_record.id", ondelete="CASCADE"), index=True
    )
    case_discussion_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("case_discussion.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    completed_on: Mapped[date | None]
    # The action in an earlier record that this one continues, when carried forward.
    carried_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_action.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    record: Mapped[SupervisionRecord] = relationship(back_populates="actions", foreign_keys=[record_id])
    case_discussion: Mapped[CaseDiscussion | None] = relationship(back_populates="actions")
    owner: Mapped[Staff] = relationship()


class ActionReview(Model):
    """An open action from an earlier session, brought into a new record to be reviewed.

    The outcome is applied to the action itself when the record locks.
    """

    __tablename__ = "action_review"
    __table_args__ = (sa.UniqueConstraint("record_id", "action_id", name="uq_action_review_record_action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_record.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supervision_action.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[ActionStatus | None] = mapped_column(enum_column(ActionStatus, "action_review_outcome"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    # When carried forward: the new due date (None keeps the old one).
    new_due_on: Mapped[date | None]

    record: Mapped[SupervisionRecord] = relationship(back_populates="action_reviews")
    action: Mapped[Action] = relationship()


class RecordAddendum(Model):
    """A correction after the record locked: who, when and why; the record itself never changes."""

    __tablename__ = "record_addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supervision_record.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    record: Mapped[SupervisionRecord] = relationship(back_populates="addenda")
    author: Mapped[Staff] = relationship()


class RecordReturn(Model):
    """A draft sent back to the other party for revision, with a note."""

    __tablename__ = "record_return"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supervision_record.id", ondelete="CASCADE"), index=True
    )
    returned_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    returned_to_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    record: Mapped[SupervisionRecord] = relationship(back_populates="returns")
    returned_by: Mapped[Staff] = relationship(foreign_keys=[returned_by_id])
    returned_to: Mapped[Staff] = relationship(foreign_keys=[returned_to_id])
