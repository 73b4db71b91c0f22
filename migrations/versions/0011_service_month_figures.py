"""Stored oversight figures per service and month, for the organisation page's other periods.

Written by the hourly `oversight-figures` job beside the per-person months (docs/performance.md).
Counts only, no supervision content.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 19:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "oversight_service_month",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_oversight_service_month_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", "month", name=op.f("pk_oversight_service_month")),
    )


def downgrade():
    op.drop_table("oversight_service_month")
