"""Stored retention report: HR's counted figures at the latest census date, by the stored-figures job.

The `stored-figures` job (docs/metrics.md, "Stored figures") now keeps HR's whole counted report
for the latest census date (the summary's, and the headlines of HR's home page), and the
summary's CSV tables as written, so that a page reads one row instead of counting every
registered social worker (docs/performance.md, "HR's figures stored whole"). Aggregates only. The
next run fills it; until then the pages count live.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-08 03:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_retention_report",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("counts_only", sa.Boolean(), nullable=False),
        sa.Column("snapshot", sa.Date(), nullable=False),
        sa.Column("worked_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("csv_body", sa.Text(), nullable=True),
        sa.Column("csv_digest", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_stored_retention_report_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", "counts_only", name=op.f("pk_stored_retention_report")),
    )


def downgrade():
    op.drop_table("stored_retention_report")
