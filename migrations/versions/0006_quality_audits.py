"""Quality audits of signed supervision records (one per record, graded).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 09:03:42.644116

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "quality_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("auditor_id", sa.Integer(), nullable=False),
        sa.Column("audited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "agreement_on_file",
            sa.Enum(
                "yes",
                "no",
                "not_applicable",
                name="audit_answer_agreement",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "frequency_met",
            sa.Enum(
                "yes",
                "no",
                "not_applicable",
                name="audit_answer_frequency",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "agenda_set",
            sa.Enum(
                "yes",
                "no",
                "not_applicable",
                name="audit_answer_agenda",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "previous_actions_reviewed",
            sa.Enum(
                "yes",
                "no",
                "not_applicable",
                name="audit_answer_actions",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "reflection_evident",
            sa.Enum(
                "yes",
                "no",
                "not_applicable",
                name="audit_answer_reflection",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "decisions_recorded",
            sa.Enum(
                "yes",
                "no",
                "not_applicable",
                name="audit_answer_decisions",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "both_signed",
            sa.Enum(
                "yes",
                "no",
                "not_applicable",
                name="audit_answer_signed",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "grade",
            sa.Enum(
                "outstanding",
                "good",
                "requires_improvement",
                "inadequate",
                name="audit_grade",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["auditor_id"], ["staff.id"], name=op.f("fk_quality_audit_auditor_id_staff")),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["supervision_record.id"],
            name=op.f("fk_quality_audit_record_id_supervision_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_audit")),
        sa.UniqueConstraint("record_id", name=op.f("uq_quality_audit_record_id")),
    )
    with op.batch_alter_table("quality_audit", schema=None) as batch_op:
        batch_op.create_index("ix_quality_audit_audited_at", ["audited_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_quality_audit_auditor_id"), ["auditor_id"], unique=False)


def downgrade():
    with op.batch_alter_table("quality_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_audit_auditor_id"))
        batch_op.drop_index("ix_quality_audit_audited_at")

    op.drop_table("quality_audit")
