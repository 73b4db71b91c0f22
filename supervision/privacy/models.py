"""The retention purge's report: which leavers are due to be purged, and when they were."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.db_types import UTCDateTime
from supervision.extensions import Model
from supervision.org.models import Staff


class RetentionReview(Model):
    """A leaver a dry run found past the retention period: reported first, purged a run later.

    One per person (the unique key makes the report idempotent). `end_date` is the end date as
    reported: if it has changed by the time of the purge, the person is not purged. `counts`
    says how many rows of each kind would go; never any content.
    """

    __tablename__ = "retention_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), unique=True)
    end_date: Mapped[date]
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    staff: Mapped[Staff] = relationship()
