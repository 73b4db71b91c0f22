"""Set aside every stored figure worked out under the old interval rules.

Renewals and replacements of agreements no longer restart the compliance clock, and a session
that ends a gap is held late rather than on time (docs/metrics.md, "Intervals, due dates and
gaps"). Stored oversight figures, HR window figures and dashboard figures worked out before
this change would otherwise be shown until their jobs next ran: they are removed (the
dashboard's are marked stale, keeping each person's facts version), and pages work figures out
live until the jobs store them again. No schema change; the downgrade has nothing to restore.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 07:00:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

STORED_TABLES = (
    "oversight_month_value",
    "oversight_month",
    "oversight_now",
    "oversight_unit_figures",
    "oversight_service_month",
    "oversight_refresh",
    "stored_window_compliance",
)


def upgrade():
    for table in STORED_TABLES:
        op.execute(f"DELETE FROM {table}")
    op.execute("UPDATE stored_dashboard_figures SET computed_version = NULL")


def downgrade():
    pass
