"""Case oversight: the case register, its allocation history and the oversight limits.

Case discussions are matched to cases by reference (supervision/cases/services.py), so
case_discussion.case_reference gets an index. docs/cases.md states the rules.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 09:05:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_oversight_limit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "child_protection",
                "child_in_need",
                "child_in_care",
                "care_leaver",
                "early_help",
                "other",
                name="case_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("days > 0", name=op.f("ck_case_oversight_limit_days_positive")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_case_oversight_limit_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_case_oversight_limit_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_oversight_limit")),
    )
    with op.batch_alter_table("case_oversight_limit", schema=None) as batch_op:
        batch_op.create_index(
            "uq_case_oversight_limit_organisation",
            ["organisation_id", "category"],
            unique=True,
            sqlite_where=sa.text("team_id IS NULL"),
            postgresql_where=sa.text("team_id IS NULL"),
        )
        batch_op.create_index(
            "uq_case_oversight_limit_team",
            ["team_id", "category"],
            unique=True,
            sqlite_where=sa.text("team_id IS NOT NULL"),
            postgresql_where=sa.text("team_id IS NOT NULL"),
        )

    op.create_table(
        "child_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "child_protection",
                "child_in_need",
                "child_in_care",
                "care_leaver",
                "early_help",
                "other",
                name="case_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "closed_on IS NULL OR closed_on >= opened_on", name=op.f("ck_child_case_closed_after_opened")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_child_case_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["worker_id"], ["staff.id"], name=op.f("fk_child_case_worker_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_case")),
        sa.UniqueConstraint("organisation_id", "reference", name="uq_child_case_organisation_reference"),
    )
    with op.batch_alter_table("child_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_case_reference"), ["reference"], unique=False)
        batch_op.create_index("ix_child_case_worker_id_closed_on", ["worker_id", "closed_on"], unique=False)

    op.create_table(
        "case_allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("allocated_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= allocated_on",
            name=op.f("ck_case_allocation_ended_after_allocated"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["child_case.id"],
            name=op.f("fk_case_allocation_case_id_child_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["worker_id"], ["staff.id"], name=op.f("fk_case_allocation_worker_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_allocation")),
        sa.UniqueConstraint("case_id", "allocated_on", name="uq_case_allocation_case_day"),
    )
    with op.batch_alter_table("case_allocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_allocation_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_allocation_worker_id"), ["worker_id"], unique=False)

    with op.batch_alter_table("case_discussion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_discussion_case_reference"), ["case_reference"], unique=False
        )


def downgrade():
    with op.batch_alter_table("case_discussion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_discussion_case_reference"))

    with op.batch_alter_table("case_allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_allocation_worker_id"))
        batch_op.drop_index(batch_op.f("ix_case_allocation_case_id"))

    op.drop_table("case_allocation")
    with op.batch_alter_table("child_case", schema=None) as batch_op:
        batch_op.drop_index("ix_child_case_worker_id_closed_on")
        batch_op.drop_index(batch_op.f("ix_child_case_reference"))

    op.drop_table("child_case")
    with op.batch_alter_table("case_oversight_limit", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_case_oversight_limit_team",
            sqlite_where=sa.text("team_id IS NOT NULL"),
            postgresql_where=sa.text("team_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_case_oversight_limit_organisation",
            sqlite_where=sa.text("team_id IS NULL"),
            postgresql_where=sa.text("team_id IS NULL"),
        )

    op.drop_table("case_oversight_limit")
