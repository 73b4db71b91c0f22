"""Notices for every record event: email frequency per person, digests, calendar invitations.

A person may choose one email a day (notification_preference); a notification waiting for that
digest is marked digest_pending; an outbox email can carry an iCalendar invitation.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 08:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification_preference",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column(
            "email_frequency",
            sa.Enum(
                "immediately",
                "daily_digest",
                name="email_frequency",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_notification_preference_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_notification_preference")),
    )
    # Plain ADD COLUMNs (a constant default is allowed on SQLite), so no table is copied.
    op.add_column(
        "notification",
        sa.Column("digest_pending", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index(
        "ix_notification_digest_pending",
        "notification",
        ["recipient_id"],
        sqlite_where=sa.text("digest_pending"),
        postgresql_where=sa.text("digest_pending"),
    )
    op.add_column("outbox_email", sa.Column("calendar", sa.Text(), nullable=True))


def downgrade():
    op.drop_index("ix_notification_digest_pending", table_name="notification")
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.drop_column("calendar")
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_column("digest_pending")
    op.drop_table("notification_preference")
