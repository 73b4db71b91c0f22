"""Stored withholding: which of HR's cells are withheld, decided by the stored-figures job.

The `stored-figures` job (docs/metrics.md, "Stored figures") decides which cells of HR's summary
and home page to withhold for the figures it sees (docs/metrics.md, "Small numbers") and keeps the
answer by the digest of those figures, so that no request works it out again while the figures
stay the same (docs/performance.md, "HR summary"). Which cells only, never a figure. The next run
fills it.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 20:30:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_withholding",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("small", sa.JSON(), nullable=False),
        sa.Column("secondary", sa.JSON(), nullable=False),
        sa.Column("decided", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_stored_withholding_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", "digest", name=op.f("pk_stored_withholding")),
    )


def downgrade():
    op.drop_table("stored_withholding")
