"""Compliance alerts, overdue explanations, job runs, notifications, the email outbox and calendar feeds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:42:07.768953

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_name', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('running', 'succeeded', 'failed', 'skipped', name='job_outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index('ix_job_run_job_name_started_at', ['job_name', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_run_started_at'), ['started_at'], unique=False)

    op.create_table('calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_calendar_feed_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash'))
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index('uq_calendar_feed_current', ['staff_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('compliance_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('due_soon', 'overdue', 'escalated', 'write_up_overdue', 'agreement_review_due', 'registration_renewal_due', 'dbs_renewal_due', name='alert_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['subject_id'], ['staff.id'], name=op.f('fk_compliance_alert_subject_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_alert')),
    sa.UniqueConstraint('kind', 'subject_id', 'period', name='uq_compliance_alert_kind_subject_period')
    )
    with op.batch_alter_table('compliance_alert', schema=None) as batch_op:
        batch_op.create_index('ix_compliance_alert_resolved_at_kind', ['resolved_at', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_compliance_alert_subject_id'), ['subject_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['staff.id'], name=op.f('fk_notification_recipient_id_staff'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['staff.id'], name=op.f('fk_notification_subject_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('recipient_id', 'kind', 'subject_id', 'period', name='uq_notification_recipient_kind_subject_period')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_recipient_id_read_at', ['recipient_id', 'read_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_subject_id'), ['subject_id'], unique=False)

    op.create_table('outbox_email',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='email_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name=op.f('ck_outbox_email_sent_has_sent_at')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_email_attempts_not_negative')),
    sa.ForeignKeyConstraint(['recipient_id'], ['staff.id'], name=op.f('fk_outbox_email_recipient_id_staff'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['staff.id'], name=op.f('fk_outbox_email_subject_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_email')),
    sa.UniqueConstraint('recipient_id', 'kind', 'subject_id', 'period', name='uq_outbox_email_recipient_kind_subject_period')
    )
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_email_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_email_subject_id'), ['subject_id'], unique=False)

    op.create_table('overdue_explanation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervisee_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Enum('supervisor_absent', 'supervisee_absent', 'post_vacant', 'reallocation', 'workload', 'other', name='gap_reason', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('cover_arranged', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("reason <> 'other' OR details <> ''", name=op.f('ck_overdue_explanation_other_has_details')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_overdue_explanation_recorded_by_id_staff')),
    sa.ForeignKeyConstraint(['supervisee_id'], ['staff.id'], name=op.f('fk_overdue_explanation_supervisee_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_overdue_explanation')),
    sa.UniqueConstraint('supervisee_id', 'due_on', name='uq_overdue_explanation_supervisee_due_on')
    )
    with op.batch_alter_table('overdue_explanation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overdue_explanation_due_on'), ['due_on'], unique=False)



def downgrade():
    with op.batch_alter_table('overdue_explanation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overdue_explanation_due_on'))

    op.drop_table('overdue_explanation')
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_email_subject_id'))
        batch_op.drop_index('ix_outbox_email_status_next_attempt_at')

    op.drop_table('outbox_email')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_subject_id'))
        batch_op.drop_index('ix_notification_recipient_id_read_at')

    op.drop_table('notification')
    with op.batch_alter_table('compliance_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compliance_alert_subject_id'))
        batch_op.drop_index('ix_compliance_alert_resolved_at_kind')

    op.drop_table('compliance_alert')
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_index('uq_calendar_feed_current', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_calendar_feed_staff_id'))

    op.drop_table('calendar_feed')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_run_started_at'))
        batch_op.drop_index('ix_job_run_job_name_started_at')

    op.drop_table('job_run')
