"""Case reminders: which reminders and escalations about a case were sent, once per due date.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 09:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "due_soon",
                "overdue",
                "escalated",
                name="case_reminder_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["child_case.id"],
            name=op.f("fk_case_reminder_case_id_child_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_reminder")),
        sa.UniqueConstraint("case_id", "kind", "due_on", name="uq_case_reminder_case_kind_due_on"),
    )


def downgrade():
    op.drop_table("case_reminder")
