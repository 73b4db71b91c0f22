"""Organisation, services, teams, staff and their roles.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 08:14:24.123813

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_organisation_name'))
    )
    op.create_table('service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_service_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service')),
    sa.UniqueConstraint('organisation_id', 'name', name='uq_service_organisation_name')
    )
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('establishment_fte', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('establishment_fte >= 0', name=op.f('ck_team_establishment_fte_not_negative')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_team_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team')),
    sa.UniqueConstraint('service_id', 'name', name='uq_team_service_name')
    )
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_service_id'), ['service_id'], unique=False)

    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('employee_number', sa.String(length=50), nullable=True),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('career_stage', sa.Enum('asye', 'social_worker', 'senior_practitioner', 'manager', 'other', name='career_stage', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('registered_social_worker', sa.Boolean(), nullable=False),
    sa.Column('swe_registration_number', sa.String(length=20), nullable=True),
    sa.Column('swe_renewal_date', sa.Date(), nullable=True),
    sa.Column('dbs_check_date', sa.Date(), nullable=True),
    sa.Column('contract_type', sa.Enum('permanent', 'fixed_term', 'agency', name='contract_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('fte', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('caseload', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('leaving_reason', sa.String(length=200), nullable=True),
    sa.Column('leaving_destination', sa.Enum('other_local_authority', 'agency', 'left_social_work', 'retired', 'other', name='leaving_destination', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('line_manager_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('failed_sign_in_count', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_signed_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_staff_end_not_before_start')),
    sa.CheckConstraint('failed_sign_in_count >= 0', name=op.f('ck_staff_failed_sign_in_count_not_negative')),
    sa.CheckConstraint('fte > 0 AND fte <= 1', name=op.f('ck_staff_fte_between_0_and_1')),
    sa.CheckConstraint('line_manager_id IS NULL OR line_manager_id <> id', name=op.f('ck_staff_not_own_manager')),
    sa.ForeignKeyConstraint(['line_manager_id'], ['staff.id'], name=op.f('fk_staff_line_manager_id_staff')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_staff_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_staff_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_email')),
    sa.UniqueConstraint('employee_number', name=op.f('uq_staff_employee_number'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_end_date'), ['end_date'], unique=False)
        batch_op.create_index('ix_staff_family_name_given_name', ['family_name', 'given_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_line_manager_id'), ['line_manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_team_id'), ['team_id'], unique=False)

    op.create_table('staff_role',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('social_worker', 'supervisor', 'service_manager', 'hr', 'admin', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_role_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', 'role', name=op.f('pk_staff_role'))
    )
    # Services and teams name their manager, a member of staff: added once staff exists.
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_service_manager_id_staff', 'staff', ['manager_id'], ['id'])
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_team_manager_id_staff', 'staff', ['manager_id'], ['id'])


def downgrade():
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_constraint('fk_team_manager_id_staff', type_='foreignkey')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_constraint('fk_service_manager_id_staff', type_='foreignkey')
    op.drop_table('staff_role')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_team_id'))
        batch_op.drop_index(batch_op.f('ix_staff_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_staff_line_manager_id'))
        batch_op.drop_index('ix_staff_family_name_given_name')
        batch_op.drop_index(batch_op.f('ix_staff_end_date'))
        batch_op.drop_index(batch_op.f('ix_staff_active'))

    op.drop_table('staff')
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_service_id'))
        batch_op.drop_index(batch_op.f('ix_team_manager_id'))

    op.drop_table('team')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_service_manager_id'))

    op.drop_table('service')
    op.drop_table('organisation')
