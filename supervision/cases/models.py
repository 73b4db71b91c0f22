"""The case register imported from the case management system, and the oversight policy.

A case is identified by its reference (never a child's name). Who holds it is kept as a
history of allocations, so a case that moves worker keeps its oversight history: oversight
follows the case reference, not the worker (docs/cases.md).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.cases.rules import CaseCategory
from supervision.db_types import UTCDateTime
from supervision.extensions import Model
from supervision.org.models import Staff, Team, enum_column


class ChildCase(Model):
    """One child's case as the case management system exports it."""

    __tablename__ = "child_case"
    __table_args__ = (
        sa.CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_opened"),
        sa.UniqueConstraint("organisation_id", "reference", name="uq_child_case_organisation_reference"),
        sa.Index("ix_child_case_worker_id_closed_on", "worker_id", "closed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    # Stored as cases.rules.normalised_reference gives it (trimmed); matched to case discussions.
    reference: Mapped[str] = mapped_column(sa.String(100), index=True)
    category: Mapped[CaseCategory] = mapped_column(enum_column(CaseCategory, "case_category"))
    # The worker the case is allocated to now (the open allocation's worker).
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    # The first allocation's date: the oversight clock starts here (docs/cases.md).
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    worker: Mapped[Staff] = relationship()
    allocations: Mapped[list[CaseAllocation]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseAllocation.allocated_on"
    )

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class CaseAllocation(Model):
    """Who held a case from when: the history kept when a case moves worker."""

    __tablename__ = "case_allocation"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "allocated_on", name="uq_case_allocation_case_day"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= allocated_on", name="ended_after_allocated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("child_case.id", ondelete="CASCADE"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    allocated_on: Mapped[date]
    # The day before the next allocation started, or the day the case closed.
    ended_on: Mapped[date | None]

    case: Mapped[ChildCase] = relationship(back_populates="allocations")
    worker: Mapped[Staff] = relationship()


class CaseOversightLimit(Model):
    """The longest a case of one category may go without oversight: the organisation's setting
    when `team_id` is empty, else that team's override. Categories without a row use the defaults
    in cases/rules.py (docs/cases.md)."""

    __tablename__ = "case_oversight_limit"
    __table_args__ = (
        sa.CheckConstraint("days > 0", name="days_positive"),
        sa.Index(
            "uq_case_oversight_limit_organisation",
            "organisation_id",
            "category",
            unique=True,
            sqlite_where=sa.text("team_id IS NULL"),
            postgresql_where=sa.text("team_id IS NULL"),
        ),
        sa.Index(
            "uq_case_oversight_limit_team",
            "team_id",
            "category",
            unique=True,
            sqlite_where=sa.text("team_id IS NOT NULL"),
            postgresql_where=sa.text("team_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    category: Mapped[CaseCategory] = mapped_column(enum_column(CaseCategory, "case_category"))
    days: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    team: Mapped[Team | None] = relationship()
