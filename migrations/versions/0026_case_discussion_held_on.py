"""The held date of a case discussion: a case's discussions by reference, latest first.

A case's latest oversight on or before a day (cases.services.latest_oversight) was found by
reading every discussion of its reference with its record and session: about 92,000 index probes
for a head of service's cases at national scale (docs/performance.md, case oversight). Each
discussion now carries its session's date, indexed with the reference, so the latest signed one
is the first found. The date is copied from the session when the discussion is written
(records/models.py, `_date_the_discussion`); a session's date is set once, when it is marked held,
before any record of it exists (docs/decisions.md, "The held date of a case discussion").

The back-fill copies every discussion's date from its record's session; every record belongs to a
held session (records are made only by marking a session held), so the column is NOT NULL, and
the upgrade stops with a message if a discussion without one is found. Triggers on both databases
refuse a discussion whose date is not its session's, and a change to a session's date once it has
discussions, whichever code writes them (the ORM event covers only the ORM).

At national scale (2.8 million discussions) the upgrade took about 7 minutes, the table locked;
afterwards run `VACUUM (ANALYZE) case_discussion` and `REINDEX INDEX
ix_case_discussion_case_reference_held_on` (built in this transaction, it also holds the rows'
old versions: docs/performance.md, "Upgrading to 0026 at national scale").

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 20:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

SESSION_DATE = (
    "(SELECT s.held_on FROM supervision_record r JOIN supervision_session s ON s.id = r.session_id "
    "WHERE r.id = NEW.record_id)"
)
SESSION_DISCUSSED = (
    "EXISTS (SELECT 1 FROM supervision_record r JOIN case_discussion d ON d.record_id = r.id "
    "WHERE r.session_id = NEW.id)"
)
DISCUSSION_DATE_WRONG = "case_discussion.held_on must be the held_on of the session of its record"
SESSION_DATE_FIXED = "the held_on of a session cannot change once its records have case discussions"

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER case_discussion_held_on_insert BEFORE INSERT ON case_discussion "
    f"WHEN NEW.held_on IS NOT {SESSION_DATE} BEGIN SELECT RAISE(ABORT, '{DISCUSSION_DATE_WRONG}'); END",
    f"CREATE TRIGGER case_discussion_held_on_update BEFORE UPDATE OF held_on, record_id ON case_discussion "
    f"WHEN NEW.held_on IS NOT {SESSION_DATE} BEGIN SELECT RAISE(ABORT, '{DISCUSSION_DATE_WRONG}'); END",
    f"CREATE TRIGGER supervision_session_held_on_fixed BEFORE UPDATE OF held_on ON supervision_session "
    f"WHEN NEW.held_on IS NOT OLD.held_on AND {SESSION_DISCUSSED} "
    f"BEGIN SELECT RAISE(ABORT, '{SESSION_DATE_FIXED}'); END",
)
POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION case_discussion_held_on_is_its_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.held_on IS DISTINCT FROM {SESSION_DATE} THEN
            RAISE EXCEPTION '{DISCUSSION_DATE_WRONG}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER case_discussion_held_on BEFORE INSERT OR UPDATE OF held_on, record_id "
    "ON case_discussion FOR EACH ROW EXECUTE FUNCTION case_discussion_held_on_is_its_sessions()",
    f"""CREATE FUNCTION supervision_session_held_on_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.held_on IS DISTINCT FROM OLD.held_on AND {SESSION_DISCUSSED} THEN
            RAISE EXCEPTION '{SESSION_DATE_FIXED}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER supervision_session_held_on_fixed BEFORE UPDATE OF held_on "
    "ON supervision_session FOR EACH ROW EXECUTE FUNCTION supervision_session_held_on_is_fixed()",
)


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column("case_discussion", sa.Column("held_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE case_discussion SET held_on = s.held_on FROM supervision_record r "
        "JOIN supervision_session s ON s.id = r.session_id WHERE r.id = case_discussion.record_id"
    )
    undated = op.get_bind().scalar(sa.text("SELECT COUNT(*) FROM case_discussion WHERE held_on IS NULL"))
    if undated:
        raise RuntimeError(
            f"{undated} case discussions belong to a record whose session has no held date: "
            "find them with SELECT * FROM case_discussion WHERE held_on IS NULL"
        )
    if postgresql:
        op.alter_column("case_discussion", "held_on", nullable=False)
    else:
        with op.batch_alter_table("case_discussion") as batch_op:
            batch_op.alter_column("held_on", existing_type=sa.Date(), nullable=False)
    op.create_index(
        "ix_case_discussion_case_reference_held_on",
        "case_discussion",
        ["case_reference", sa.text("held_on DESC")],
        postgresql_include=["record_id"],
    )
    op.drop_index("ix_case_discussion_case_reference_record_id", table_name="case_discussion")
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER supervision_session_held_on_fixed ON supervision_session")
        op.execute("DROP FUNCTION supervision_session_held_on_is_fixed()")
        op.execute("DROP TRIGGER case_discussion_held_on ON case_discussion")
        op.execute("DROP FUNCTION case_discussion_held_on_is_its_sessions()")
    else:
        op.execute("DROP TRIGGER supervision_session_held_on_fixed")
        op.execute("DROP TRIGGER case_discussion_held_on_update")
        op.execute("DROP TRIGGER case_discussion_held_on_insert")
    op.create_index(
        "ix_case_discussion_case_reference_record_id", "case_discussion", ["case_reference", "record_id"]
    )
    op.drop_index("ix_case_discussion_case_reference_held_on", table_name="case_discussion")
    with op.batch_alter_table("case_discussion") as batch_op:
        batch_op.drop_column("held_on")
