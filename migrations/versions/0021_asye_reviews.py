"""ASYE progress reviews, and alerts when one is due soon or overdue.

asye_review: the 3-month and 6-month progress reviews and the 12-month final assessment held,
with outcome and who took part (docs/metrics.md, "ASYE progress reviews"). compliance_alert's
kinds gain asye_review_due and asye_review_overdue.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 09:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

ALERT_KINDS = (
    "due_soon",
    "overdue",
    "escalated",
    "write_up_overdue",
    "agreement_review_due",
    "registration_renewal_due",
    "dbs_renewal_due",
)
ASYE_ALERT_KINDS = ("asye_review_due", "asye_review_overdue")


def _alert_kinds(kinds):
    with op.batch_alter_table("compliance_alert") as batch_op:
        batch_op.drop_constraint(op.f("ck_compliance_alert_alert_kind"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_compliance_alert_alert_kind"),
            "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")",
        )


def upgrade():
    op.create_table(
        "asye_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervisee_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "three_month",
                "six_month",
                "final",
                name="asye_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "on_track",
                "some_concerns",
                "serious_concerns",
                "pass",
                "fail",
                "extended",
                name="asye_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(stage = 'final' AND outcome IN ('pass', 'fail', 'extended')) OR "
            "(stage <> 'final' AND outcome IN ('on_track', 'some_concerns', 'serious_concerns'))",
            name=op.f("ck_asye_review_outcome_fits_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_asye_review_recorded_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["supervisee_id"], ["staff.id"], name=op.f("fk_asye_review_supervisee_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asye_review")),
    )
    op.create_index("ix_asye_review_supervisee_id_held_on", "asye_review", ["supervisee_id", "held_on"])
    _alert_kinds(ALERT_KINDS + ASYE_ALERT_KINDS)


def downgrade():
    op.execute(
        sa.text("DELETE FROM compliance_alert WHERE kind IN ('asye_review_due', 'asye_review_overdue')")
    )
    _alert_kinds(ALERT_KINDS)
    op.drop_index("ix_asye_review_supervisee_id_held_on", table_name="asye_review")
    op.drop_table("asye_review")
