"""Supervision policy, agreements, absences, sessions, records, actions and the audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:34:13.779416

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervision_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('asye_weekly_weeks', sa.Integer(), nullable=False),
    sa.Column('asye_fortnightly_until_months', sa.Integer(), nullable=False),
    sa.Column('interval_days_social_worker', sa.Integer(), nullable=False),
    sa.Column('interval_days_senior_practitioner', sa.Integer(), nullable=False),
    sa.Column('interval_days_manager', sa.Integer(), nullable=True),
    sa.Column('interval_days_other', sa.Integer(), nullable=True),
    sa.Column('minimum_duration_minutes', sa.Integer(), nullable=False),
    sa.Column('pro_rata_part_time', sa.Boolean(), nullable=False),
    sa.Column('due_soon_working_days', sa.Integer(), nullable=False),
    sa.Column('escalation_working_days', sa.Integer(), nullable=False),
    sa.Column('write_up_working_days', sa.Integer(), nullable=False),
    sa.Column('agreement_review_months', sa.Integer(), nullable=False),
    sa.Column('optional_sections', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(interval_days_manager IS NULL OR interval_days_manager > 0) AND (interval_days_other IS NULL OR interval_days_other > 0)', name=op.f('ck_supervision_policy_other_intervals_positive')),
    sa.CheckConstraint('agreement_review_months > 0', name=op.f('ck_supervision_policy_agreement_review_months_positive')),
    sa.CheckConstraint('asye_fortnightly_until_months >= 0', name=op.f('ck_supervision_policy_asye_fortnightly_not_negative')),
    sa.CheckConstraint('asye_weekly_weeks >= 0', name=op.f('ck_supervision_policy_asye_weekly_weeks_not_negative')),
    sa.CheckConstraint('due_soon_working_days >= 0 AND escalation_working_days >= 0 AND write_up_working_days >= 0', name=op.f('ck_supervision_policy_working_days_not_negative')),
    sa.CheckConstraint('interval_days_social_worker > 0 AND interval_days_senior_practitioner > 0', name=op.f('ck_supervision_policy_practitioner_intervals_positive')),
    sa.CheckConstraint('minimum_duration_minutes > 0', name=op.f('ck_supervision_policy_minimum_duration_positive')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_supervision_policy_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_policy')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_supervision_policy_organisation_id'))
    )
    op.create_table('absence_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('annual_leave', 'sickness', 'parental', 'secondment', 'asye_pause', name='absence_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_absence_period_ends_not_before_starts')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_absence_period_recorded_by_id_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_absence_period_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absence_period'))
    )
    with op.batch_alter_table('absence_period', schema=None) as batch_op:
        batch_op.create_index('ix_absence_period_staff_id_starts_on', ['staff_id', 'starts_on'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name=op.f('fk_audit_event_actor_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_actor_id_occurred_at', ['actor_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_object_type_object_id', ['object_type', 'object_id'], unique=False)
        batch_op.create_index('ix_audit_event_occurred_at', ['occurred_at'], unique=False)

    op.create_table('supervision_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervisee_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('frequency_kind', sa.Enum('asye_staged', 'interval', 'none', name='frequency_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('interval_days', sa.Integer(), nullable=True),
    sa.Column('asye_started_on', sa.Date(), nullable=True),
    sa.Column('minimum_duration_minutes', sa.Integer(), nullable=False),
    sa.Column('supervision_type', sa.Enum('individual', 'group', 'mix', name='supervision_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=False),
    sa.Column('review_due_on', sa.Date(), nullable=False),
    sa.Column('supervisor_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('supervisee_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("frequency_kind <> 'asye_staged' OR asye_started_on IS NOT NULL", name=op.f('ck_supervision_agreement_asye_staged_has_start')),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= agreed_on', name=op.f('ck_supervision_agreement_ended_not_before_agreed')),
    sa.CheckConstraint('interval_days IS NULL OR interval_days > 0', name=op.f('ck_supervision_agreement_interval_days_positive')),
    sa.CheckConstraint('minimum_duration_minutes > 0', name=op.f('ck_supervision_agreement_minimum_duration_positive')),
    sa.CheckConstraint('review_due_on >= agreed_on', name=op.f('ck_supervision_agreement_review_not_before_agreed')),
    sa.CheckConstraint('supervisee_id <> supervisor_id', name=op.f('ck_supervision_agreement_not_own_supervisor')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_supervision_agreement_created_by_id_staff')),
    sa.ForeignKeyConstraint(['supervisee_id'], ['staff.id'], name=op.f('fk_supervision_agreement_supervisee_id_staff')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['staff.id'], name=op.f('fk_supervision_agreement_supervisor_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_agreement'))
    )
    with op.batch_alter_table('supervision_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_agreement_review_due_on'), ['review_due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_agreement_supervisee_id'), ['supervisee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_agreement_supervisor_id'), ['supervisor_id'], unique=False)
        batch_op.create_index('uq_supervision_agreement_current', ['supervisee_id'], unique=True, sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))

    op.create_table('supervision_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('individual', 'group', name='session_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('scheduled_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'held', 'cancelled', 'did_not_attend', name='session_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('cancelled_reason', sa.Text(), nullable=True),
    sa.Column('cancelled_by', sa.Enum('supervisor', 'supervisee', 'other', name='cancelled_by', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('rebooked_from_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'cancelled' OR cancelled_reason IS NOT NULL", name=op.f('ck_supervision_session_cancelled_has_reason')),
    sa.CheckConstraint("status <> 'held' OR held_on IS NOT NULL", name=op.f('ck_supervision_session_held_has_date')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_supervision_session_duration_positive')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['staff.id'], name=op.f('fk_supervision_session_cancelled_by_id_staff')),
    sa.ForeignKeyConstraint(['rebooked_from_id'], ['supervision_session.id'], name=op.f('fk_supervision_session_rebooked_from_id_supervision_session')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['staff.id'], name=op.f('fk_supervision_session_supervisor_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_session'))
    )
    with op.batch_alter_table('supervision_session', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_session_status_held_on', ['status', 'held_on'], unique=False)
        batch_op.create_index('ix_supervision_session_supervisor_id_scheduled_start', ['supervisor_id', 'scheduled_start'], unique=False)

    op.create_table('session_attendee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('supervisee_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['supervision_session.id'], name=op.f('fk_session_attendee_session_id_supervision_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supervisee_id'], ['staff.id'], name=op.f('fk_session_attendee_supervisee_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_attendee')),
    sa.UniqueConstraint('session_id', 'supervisee_id', name='uq_session_attendee_pair')
    )
    with op.batch_alter_table('session_attendee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_attendee_supervisee_id'), ['supervisee_id'], unique=False)

    op.create_table('supervision_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('supervisee_id', sa.Integer(), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('wellbeing', sa.Text(), nullable=False),
    sa.Column('workload', sa.Text(), nullable=False),
    sa.Column('learning', sa.Text(), nullable=False),
    sa.Column('reflection', sa.Text(), nullable=False),
    sa.Column('health_and_leave', sa.Text(), nullable=False),
    sa.Column('supervisor_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('supervisee_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('supervisee_comment', sa.Text(), nullable=False),
    sa.Column('supervisee_disagrees', sa.Boolean(), nullable=False),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating_helpful', sa.Integer(), nullable=True),
    sa.Column('rating_reflective', sa.Integer(), nullable=True),
    sa.Column('rating_safe_to_challenge', sa.Integer(), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(rating_helpful IS NULL OR rating_helpful BETWEEN 1 AND 5) AND (rating_reflective IS NULL OR rating_reflective BETWEEN 1 AND 5) AND (rating_safe_to_challenge IS NULL OR rating_safe_to_challenge BETWEEN 1 AND 5)', name=op.f('ck_supervision_record_ratings_between_1_and_5')),
    sa.CheckConstraint('locked_at IS NULL OR (supervisor_signed_at IS NOT NULL AND supervisee_signed_at IS NOT NULL)', name=op.f('ck_supervision_record_locked_only_when_both_signed')),
    sa.CheckConstraint('supervisee_signed_at IS NULL OR supervisor_signed_at IS NOT NULL', name=op.f('ck_supervision_record_supervisor_signs_first')),
    sa.ForeignKeyConstraint(['session_id'], ['supervision_session.id'], name=op.f('fk_supervision_record_session_id_supervision_session')),
    sa.ForeignKeyConstraint(['supervisee_id'], ['staff.id'], name=op.f('fk_supervision_record_supervisee_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_record')),
    sa.UniqueConstraint('session_id', 'supervisee_id', name='uq_supervision_record_session_supervisee')
    )
    with op.batch_alter_table('supervision_record', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_record_supervisee_id', ['supervisee_id'], unique=False)
        batch_op.create_index('ix_supervision_record_supervisor_signed_at', ['supervisor_signed_at'], unique=False)

    op.create_table('case_discussion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('case_reference', sa.String(length=100), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('analysis', sa.Text(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['supervision_record.id'], name=op.f('fk_case_discussion_record_id_supervision_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion'))
    )
    with op.batch_alter_table('case_discussion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_discussion_record_id'), ['record_id'], unique=False)

    op.create_table('record_addendum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff.id'], name=op.f('fk_record_addendum_author_id_staff')),
    sa.ForeignKeyConstraint(['record_id'], ['supervision_record.id'], name=op.f('fk_record_addendum_record_id_supervision_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_addendum'))
    )
    with op.batch_alter_table('record_addendum', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_addendum_record_id'), ['record_id'], unique=False)

    op.create_table('record_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('returned_by_id', sa.Integer(), nullable=False),
    sa.Column('returned_to_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['supervision_record.id'], name=op.f('fk_record_return_record_id_supervision_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['returned_by_id'], ['staff.id'], name=op.f('fk_record_return_returned_by_id_staff')),
    sa.ForeignKeyConstraint(['returned_to_id'], ['staff.id'], name=op.f('fk_record_return_returned_to_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_return'))
    )
    with op.batch_alter_table('record_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_return_record_id'), ['record_id'], unique=False)

    op.create_table('supervision_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('case_discussion_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', 'carried_forward', 'no_longer_needed', name='action_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'done' OR completed_on IS NOT NULL", name=op.f('ck_supervision_action_done_has_completed_on')),
    sa.ForeignKeyConstraint(['carried_from_id'], ['supervision_action.id'], name=op.f('fk_supervision_action_carried_from_id_supervision_action')),
    sa.ForeignKeyConstraint(['case_discussion_id'], ['case_discussion.id'], name=op.f('fk_supervision_action_case_discussion_id_case_discussion'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['staff.id'], name=op.f('fk_supervision_action_owner_id_staff')),
    sa.ForeignKeyConstraint(['record_id'], ['supervision_record.id'], name=op.f('fk_supervision_action_record_id_supervision_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_action'))
    )
    with op.batch_alter_table('supervision_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_action_case_discussion_id'), ['case_discussion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_action_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_action_record_id'), ['record_id'], unique=False)
        batch_op.create_index('ix_supervision_action_status_due_on', ['status', 'due_on'], unique=False)

    op.create_table('action_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('open', 'done', 'carried_forward', 'no_longer_needed', name='action_review_outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('new_due_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['supervision_action.id'], name=op.f('fk_action_review_action_id_supervision_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['supervision_record.id'], name=op.f('fk_action_review_record_id_supervision_record'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_review')),
    sa.UniqueConstraint('record_id', 'action_id', name='uq_action_review_record_action')
    )
    with op.batch_alter_table('action_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_review_action_id'), ['action_id'], unique=False)

    # The audit log is append-only: the database itself refuses to change a row, and on
    # PostgreSQL to delete one (SQLite test runs empty tables with DELETE between tests).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_is_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_is_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_append_only")
    with op.batch_alter_table('action_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_review_action_id'))

    op.drop_table('action_review')
    with op.batch_alter_table('supervision_action', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_action_status_due_on')
        batch_op.drop_index(batch_op.f('ix_supervision_action_record_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_action_owner_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_action_case_discussion_id'))

    op.drop_table('supervision_action')
    with op.batch_alter_table('record_return', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_return_record_id'))

    op.drop_table('record_return')
    with op.batch_alter_table('record_addendum', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_addendum_record_id'))

    op.drop_table('record_addendum')
    with op.batch_alter_table('case_discussion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_discussion_record_id'))

    op.drop_table('case_discussion')
    with op.batch_alter_table('supervision_record', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_record_supervisor_signed_at')
        batch_op.drop_index('ix_supervision_record_supervisee_id')

    op.drop_table('supervision_record')
    with op.batch_alter_table('session_attendee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_attendee_supervisee_id'))

    op.drop_table('session_attendee')
    with op.batch_alter_table('supervision_session', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_session_supervisor_id_scheduled_start')
        batch_op.drop_index('ix_supervision_session_status_held_on')

    op.drop_table('supervision_session')
    with op.batch_alter_table('supervision_agreement', schema=None) as batch_op:
        batch_op.drop_index('uq_supervision_agreement_current', sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_supervision_agreement_supervisor_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_agreement_supervisee_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_agreement_review_due_on'))

    op.drop_table('supervision_agreement')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_occurred_at')
        batch_op.drop_index('ix_audit_event_object_type_object_id')
        batch_op.drop_index('ix_audit_event_actor_id_occurred_at')

    op.drop_table('audit_event')
    with op.batch_alter_table('absence_period', schema=None) as batch_op:
        batch_op.drop_index('ix_absence_period_staff_id_starts_on')

    op.drop_table('absence_period')
    op.drop_table('supervision_policy')
