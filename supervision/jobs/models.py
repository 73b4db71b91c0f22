"""The record of every scheduled job run."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db_types import UTCDateTime
from supervision.extensions import Model
from supervision.org.models import enum_column


class JobOutcome(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"  # another scheduler held the lock

    @property
    def label(self) -> str:
        return {"running": "Running", "succeeded": "Succeeded", "failed": "Failed", "skipped": "Skipped"}[
            self.value
        ]


class JobRun(Model):
    """One run of a scheduled job: when, how it ended, what it did; shown to administrators."""

    __tablename__ = "job_run"
    __table_args__ = (sa.Index("ix_job_run_job_name_started_at", "job_name", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(sa.String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[JobOutcome] = mapped_column(enum_column(JobOutcome, "job_outcome"))
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The exception's class and message only: never supervision content.
    error: Mapped[str | None] = mapped_column(sa.Text)
