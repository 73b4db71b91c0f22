"""When an organisation's stored figures were last worked out (supervision.stored_figures)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db_types import UTCDateTime
from supervision.extensions import Model


class StoredFiguresRun(Model):
    """The `stored-figures` job's last run for an organisation: written in the transaction that
    replaces all of the organisation's stored figures, so the time is theirs."""

    __tablename__ = "stored_figures_run"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    # When the run started: every fact it read was committed by then or later, so no figure
    # it stored is older than this.
    worked_out_at: Mapped[datetime] = mapped_column(UTCDateTime)
    as_of: Mapped[date]  # the London day it was worked out for
