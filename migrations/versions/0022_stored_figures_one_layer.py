"""Stored figures: one run record per organisation, and no stored dashboard figures.

The `stored-figures` job (docs/metrics.md, "Stored figures") stamps each organisation's stored
oversight and HR figures in `stored_figures_run`, replacing `oversight_refresh` and the per-row
`stored_window_compliance.worked_out_at`. The team dashboard is worked out live (its stored
figures are not needed for its target: docs/performance.md), so `stored_dashboard_figures` goes.
Everything dropped is worked out again by the job's next run.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 09:40:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_figures_run",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("worked_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_stored_figures_run_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_stored_figures_run")),
    )
    op.drop_table("oversight_refresh")
    op.drop_table("stored_dashboard_figures")
    # Windows stored without a run record are never shown; the next run replaces them.
    op.execute("DELETE FROM stored_window_compliance")
    with op.batch_alter_table("stored_window_compliance") as batch_op:
        batch_op.drop_column("worked_out_at")


def downgrade():
    with op.batch_alter_table("stored_window_compliance") as batch_op:
        batch_op.add_column(sa.Column("worked_out_at", sa.DateTime(timezone=True), nullable=True))
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
        sa.Column("working_days_overdue", sa.Integer(), nullable=True),
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
    op.drop_table("stored_figures_run")
