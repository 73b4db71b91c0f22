"""Stored report figures: oversight counts per person and month, HR's compliance per window.

Written by the hourly `oversight-figures` and `hr-compliance` jobs, so that the organisation and
service oversight reports and the HR summary add rows up instead of replaying every person's
history (docs/performance.md). Counts only, no supervision content.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 15:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

MONTH_COUNTS = (
    "sessions_required",
    "sessions_on_time",
    "records_held",
    "write_ups_judged",
    "write_ups_on_time",
    "records_signed",
    "records_complete",
    "disagreements",
    "sessions_planned",
    "sessions_cancelled",
    "gaps_started",
    "gaps_unexplained",
)


def staff_column(table: str) -> list:
    return [
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f(f"fk_{table}_staff_id_staff"), ondelete="CASCADE"
        ),
    ]


def upgrade():
    op.create_table(
        "oversight_month",
        *staff_column("oversight_month"),
        sa.Column("month", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MONTH_COUNTS),
        sa.Column("longest_closed_gap", sa.Integer(), nullable=True),
        sa.Column("open_gap", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("staff_id", "month", name=op.f("pk_oversight_month")),
    )
    op.create_index("ix_oversight_month_month", "oversight_month", ["month"])
    op.create_table(
        "oversight_month_value",
        *staff_column("oversight_month_value"),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("staff_id", "month", "kind", "value", name=op.f("pk_oversight_month_value")),
    )
    op.create_table(
        "oversight_now",
        *staff_column("oversight_now"),
        sa.Column("overdue_now", sa.Integer(), nullable=False),
        sa.Column("escalated_now", sa.Integer(), nullable=False),
        sa.Column("without_agreement_now", sa.Integer(), nullable=False),
        sa.Column("actions_overdue_now", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_oversight_now")),
    )
    op.create_table(
        "oversight_refresh",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_oversight_refresh_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_oversight_refresh")),
    )


    op.create_table(
        "oversight_unit_figures",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_oversight_unit_figures_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", "level", "unit_id", name=op.f("pk_oversight_unit_figures")),
    )
    op.create_table(
        "stored_window_compliance",
        *staff_column("stored_window_compliance"),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("worked_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("staff_id", "first_day", "last_day", name=op.f("pk_stored_window_compliance")),
    )


def downgrade():
    op.drop_table("stored_window_compliance")
    op.drop_table("oversight_unit_figures")
    op.drop_table("oversight_refresh")
    op.drop_table("oversight_now")
    op.drop_table("oversight_month_value")
    op.drop_index("ix_oversight_month_month", table_name="oversight_month")
    op.drop_table("oversight_month")
