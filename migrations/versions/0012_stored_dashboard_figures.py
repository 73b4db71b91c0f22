"""Stored team-dashboard figures per person, kept valid by a version of their facts.

Written by the `dashboard-figures` job and read by the team dashboard (docs/performance.md).
Dates, counts and month states only, no supervision content.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_dashboard_figures",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("facts_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("computed_version", sa.Integer(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("last_held_on", sa.Date(), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("days_overdue", sa.Integer(), nullable=True),
        sa.Column("has_agreement", sa.Boolean(), nullable=True),
        sa.Column("write_ups_pending", sa.Integer(), nullable=True),
        sa.Column("write_ups_overdue", sa.Integer(), nullable=True),
        sa.Column("actions_overdue", sa.Integer(), nullable=True),
        sa.Column("months", sa.String(length=250), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_stored_dashboard_figures_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_stored_dashboard_figures")),
    )


def downgrade():
    op.drop_table("stored_dashboard_figures")
