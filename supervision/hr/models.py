"""A checked staff import file, held between its preview and its confirmation."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db_types import UTCDateTime
from supervision.extensions import db


class StaffImport(db.Model):
    """Web instances keep no local files, so the uploaded CSV waits here until HR confirm it.

    The confirm form posts the random `token`; the row is deleted when the import is applied,
    and unconfirmed rows are cleared after a day.
    """

    __tablename__ = "staff_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[str] = mapped_column(sa.Text)
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    # What the preview showed: a confirm that would now do something else is shown again first.
    plan_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
