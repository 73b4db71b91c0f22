"""Indexes on the self-references of sessions and actions (rebooked from, carried from).

Deleting a session or an action (the retention purge does, for every leaver past retention)
makes PostgreSQL look for rows pointing at it; without these indexes each deleted row scanned
every session (measured: 58 ms a row at 380,000 sessions, so about a minute per leaver at five
million). See docs/performance.md.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 11:52:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        op.f("ix_supervision_session_rebooked_from_id"), "supervision_session", ["rebooked_from_id"]
    )
    op.create_index(
        op.f("ix_supervision_action_carried_from_id"), "supervision_action", ["carried_from_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_supervision_action_carried_from_id"), table_name="supervision_action")
    op.drop_index(op.f("ix_supervision_session_rebooked_from_id"), table_name="supervision_session")
