"""Covering indexes for a case's latest oversight: discussion, record and session from indexes alone.

The cases lists, the team dashboard's "cases overdue oversight" and the home counts read each
case's latest oversight up to today (cases.services.case_rows): for each case, every discussion
of its reference, each discussion's record (signed? whose?) and that record's session (held
when?). At national scale a head of service's ~2,900 cases have ~46,000 discussions, each read
from three tables' rows. These indexes hold what that read needs, so PostgreSQL answers from
the indexes (index-only scans): the discussions' record ids by reference (replacing the index
on the reference alone), a signed record's session and supervisee by id, a held session's date
by id (docs/performance.md, case oversight). SQLite has no INCLUDE: there the record and session
indexes are plain partial indexes on the id.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 18:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_case_discussion_case_reference_record_id", "case_discussion", ["case_reference", "record_id"]
    )
    op.drop_index("ix_case_discussion_case_reference", table_name="case_discussion")
    op.create_index(
        "ix_supervision_record_id_signed",
        "supervision_record",
        ["id"],
        postgresql_include=["session_id", "supervisee_id"],
        postgresql_where=sa.text("supervisor_signed_at IS NOT NULL"),
        sqlite_where=sa.text("supervisor_signed_at IS NOT NULL"),
    )
    op.create_index(
        "ix_supervision_session_id_held_on",
        "supervision_session",
        ["id"],
        postgresql_include=["held_on"],
        postgresql_where=sa.text("held_on IS NOT NULL"),
        sqlite_where=sa.text("held_on IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_supervision_session_id_held_on", table_name="supervision_session")
    op.drop_index("ix_supervision_record_id_signed", table_name="supervision_record")
    op.create_index("ix_case_discussion_case_reference", "case_discussion", ["case_reference"])
    op.drop_index("ix_case_discussion_case_reference_record_id", table_name="case_discussion")
