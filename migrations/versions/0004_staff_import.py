"""Staff import files waiting between their preview and confirmation.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:52:22.242798

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('plan_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_staff_import_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['staff.id'], name=op.f('fk_staff_import_uploaded_by_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_import')),
    sa.UniqueConstraint('token', name=op.f('uq_staff_import_token'))
    )
    with op.batch_alter_table('staff_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_import_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_import_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_import_uploaded_by_id'), ['uploaded_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_import_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_staff_import_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_staff_import_created_at'))

    op.drop_table('staff_import')
