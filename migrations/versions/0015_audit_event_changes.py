"""Audit entries carry the old and new values of a change to a person's access.

Line manager, team, roles, email and account status changes are written with their old and
new values (supervision/org/changes.py); never supervision content.

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-07 07:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.add_column(sa.Column("changes", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.drop_column("changes")
