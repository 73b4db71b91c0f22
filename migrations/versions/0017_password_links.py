"""Set-password links: invitations and password resets (supervision/auth/links.py).

Only the SHA-256 of each link's secret is kept; a link is used or ended once (`ended_at`). The
email carrying it keeps its body only until it is sent (`outbox_email.forget_body_once_sent`).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 07:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "password_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_password_link_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_link_token_hash")),
    )
    op.create_index(op.f("ix_password_link_staff_id"), "password_link", ["staff_id"], unique=False)
    # An email holding a link keeps its body only until it is sent (or fails).
    op.add_column(
        "outbox_email",
        sa.Column("forget_body_once_sent", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.drop_column("forget_body_once_sent")
    op.drop_index(op.f("ix_password_link_staff_id"), table_name="password_link")
    op.drop_table("password_link")
