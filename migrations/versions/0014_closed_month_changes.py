"""Changes that reached a closed month: who, when, which person, which months, and why.

Dates, kinds of change and the reason given; no supervision content (docs/metrics.md).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 07:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "closed_month_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.Column("last_month", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("last_month >= first_month", name=op.f("ck_closed_month_change_months_in_order")),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_closed_month_change_days_in_order")),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff.id"], name=op.f("fk_closed_month_change_actor_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_closed_month_change_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closed_month_change")),
    )
    op.create_index(
        "ix_closed_month_change_staff_id_last_month",
        "closed_month_change",
        ["staff_id", "last_month"],
        unique=False,
    )
    op.create_index(
        "ix_closed_month_change_occurred_at", "closed_month_change", ["occurred_at"], unique=False
    )


def downgrade():
    op.drop_index("ix_closed_month_change_occurred_at", table_name="closed_month_change")
    op.drop_index("ix_closed_month_change_staff_id_last_month", table_name="closed_month_change")
    op.drop_table("closed_month_change")
