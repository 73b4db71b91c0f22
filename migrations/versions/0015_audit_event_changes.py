"""Audit entries carry the old and new values of a change to a person's access.

Line manager, team, roles, email and account status changes are written with their old and
new values (supervision/org/changes.py); never supervision content.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 07:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
)


def upgrade():
    # A plain ADD COLUMN on both databases: SQLite's batch mode would copy the table and lose
    # the append-only trigger (0002).
    op.add_column("audit_event", sa.Column("changes", sa.JSON(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("audit_event", "changes")
        return
    op.execute("DROP TRIGGER audit_event_append_only")
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.drop_column("changes")
    op.execute(SQLITE_APPEND_ONLY)
