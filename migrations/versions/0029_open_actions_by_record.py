"""Open actions by record: the overdue actions of a manager's people read from a small index.

The team dashboard and the home pages count each person's actions open past their due date
(`compliance.services._overdue_action_dates`). For a head of service's 200 people PostgreSQL read
every open overdue action of the organisation from the table (16,000 pages, about 100 ms at
national scale) to join them with the people's records; from this partial index of open actions
by record, with their due date, it reads the index alone (about 200 pages, 12 ms).
docs/performance.md, "Open actions by record".

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-08 03:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_supervision_action_open_record_id_due_on",
        "supervision_action",
        ["record_id", "due_on"],
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )


def downgrade():
    op.drop_index("ix_supervision_action_open_record_id_due_on", table_name="supervision_action")
