"""Retention purge report (leavers due to be purged) and monthly retention snapshots.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:49:53.331488

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "retention_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("snapshot_on", sa.Date(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_retention_snapshot_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_snapshot")),
        sa.UniqueConstraint(
            "organisation_id", "snapshot_on", name="uq_retention_snapshot_organisation_snapshot_on"
        ),
    )
    op.create_table(
        "retention_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_retention_review_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_review")),
        sa.UniqueConstraint("staff_id", name=op.f("uq_retention_review_staff_id")),
    )
    with op.batch_alter_table("retention_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retention_review_purged_at"), ["purged_at"], unique=False)


def downgrade():
    with op.batch_alter_table("retention_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_review_purged_at"))

    op.drop_table("retention_review")
    op.drop_table("retention_snapshot")
