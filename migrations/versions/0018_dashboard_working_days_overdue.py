"""The team dashboard's working days overdue, stored with the other dashboard figures.

Escalation counts working days from the first missed due date, so the dashboard shows them
beside the calendar days. Rows stored before this change have no value: they are marked stale
(their facts version kept), so dashboards work them out live until the job stores them again.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 07:45:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stored_dashboard_figures") as batch_op:
        batch_op.add_column(sa.Column("working_days_overdue", sa.Integer(), nullable=True))
    op.execute("UPDATE stored_dashboard_figures SET computed_version = NULL")


def downgrade():
    with op.batch_alter_table("stored_dashboard_figures") as batch_op:
        batch_op.drop_column("working_days_overdue")
