"""Stored case oversight: the case section's counts per worker, team and service and stored day.

The `stored-figures` job (docs/metrics.md, "Stored figures") stores each worker's open cases
and those with oversight in time, per category, on each stored day, and each team's and
service's totals, so that the organisation and service oversight reports add them up instead
of asking about every case (docs/performance.md, "Case oversight"). The next run fills them.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 13:10:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def case_category() -> sa.Enum:
    return sa.Enum(
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
    )


def upgrade():
    op.create_table(
        "case_oversight_day",
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", case_category(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("open_cases", sa.Integer(), nullable=False),
        sa.Column("in_time", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "in_time >= 0 AND in_time <= open_cases", name=op.f("ck_case_oversight_day_in_time_within_open")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["staff.id"],
            name=op.f("fk_case_oversight_day_worker_id_staff"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_case_oversight_day_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("worker_id", "day", "category", name=op.f("pk_case_oversight_day")),
    )
    op.create_index("ix_case_oversight_day_team_id_day", "case_oversight_day", ["team_id", "day"])
    op.create_table(
        "case_oversight_unit_day",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", case_category(), nullable=False),
        sa.Column("open_cases", sa.Integer(), nullable=False),
        sa.Column("in_time", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "level IN ('team', 'service')", name=op.f("ck_case_oversight_unit_day_level_known")
        ),
        sa.CheckConstraint(
            "in_time >= 0 AND in_time <= open_cases",
            name=op.f("ck_case_oversight_unit_day_in_time_within_open"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_case_oversight_unit_day_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "level", "unit_id", "day", "category", name=op.f("pk_case_oversight_unit_day")
        ),
    )


def downgrade():
    op.drop_table("case_oversight_unit_day")
    op.drop_index("ix_case_oversight_day_team_id_day", table_name="case_oversight_day")
    op.drop_table("case_oversight_day")
