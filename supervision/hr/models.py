"""A checked staff import file, held between its preview and its confirmation; monthly retention snapshots."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db_types import UTCDateTime
from supervision.extensions import Model


class StaffImport(Model):
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


class RetentionSnapshot(Model):
    """HR's retention figures as they stood at the end of a month, kept so trends outlive purges.

    Aggregates only (headcount, FTE, starters, leavers, ... per organisation, service and team),
    never a person. One per organisation and month: taking it twice changes nothing.
    """

    __tablename__ = "retention_snapshot"
    __table_args__ = (
        sa.UniqueConstraint(
            "organisation_id", "snapshot_on", name="uq_retention_snapshot_organisation_snapshot_on"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    snapshot_on: Mapped[date]
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[list] = mapped_column(sa.JSON, default=list)


class StoredWindowCompliance(Model):
    """Supervision intervals met and required in one person's window of days, worked out by the
    hourly `stored-figures` job for the HR summary's "supervision before leaving" figures
    (supervision.hr.stored; when: supervision.stored_figures.models.StoredFiguresRun). Counts only.
    """

    __tablename__ = "stored_window_compliance"

    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    first_day: Mapped[date] = mapped_column(primary_key=True)
    last_day: Mapped[date] = mapped_column(primary_key=True)
    met: Mapped[int]
    missed: Mapped[int]


class StoredWithholding(Model):
    """Which cells of HR's figures are withheld, as the hourly `stored-figures` job decided them
    for the figures it saw (the summary's and HR's home page's, at the latest census date), found
    by the digest of those figures and of the rules (`supervision.hr.tables.withholding_key`).
    Which cells, never a figure: a request whose figures give the same digest uses the decision
    instead of working it out again (supervision.hr.stored.kept_withholding)."""

    __tablename__ = "stored_withholding"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # hex SHA-256
    # Cells as [level, unit id or null, measure]; `decided`: the measures decided, null for all.
    small: Mapped[list] = mapped_column(sa.JSON)
    secondary: Mapped[list] = mapped_column(sa.JSON)
    decided: Mapped[list | None] = mapped_column(sa.JSON)


class StoredRetentionReport(Model):
    """HR's counted report at the latest census date, as the hourly `stored-figures` job worked it
    out: the summary's (`counts_only` false) and HR's home page's headlines (true). Aggregates
    only, never a person (supervision.hr.stored.report_json). Shown only with the organisation's
    run of that time (`worked_out_at`), on its day (supervision.stored_figures.freshness)."""

    __tablename__ = "stored_retention_report"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    counts_only: Mapped[bool] = mapped_column(primary_key=True)
    snapshot: Mapped[date]
    worked_out_at: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[dict] = mapped_column(sa.JSON)
    # The summary's CSV tables as the job wrote them (supervision.hr.exports.retention_csv_body),
    # and what wrote them (`CSV_BODY_DIGEST`); read only by the download, so deferred.
    csv_body: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    csv_digest: Mapped[str | None] = mapped_column(sa.String(64))
