"""charity onboarding: contact email and registration number, deactivation, member roles and removal

Revision ID: 0012_c1
Revises: 0011_s2
Create Date: 2026-12-02 10:52:30.762514

"""
from alembic import op
import sqlalchemy as sa

import timebank.db


# revision identifiers, used by Alembic.
revision = '0012_c1'
down_revision = '0012_a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('charity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('registration_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('deactivated_at', timebank.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deactivation_reason', sa.String(length=300), nullable=True))
        batch_op.create_check_constraint('deactivated_approved', "deactivated_at IS NULL OR status = 'approved'")
        batch_op.create_check_constraint('deactivation_reason',
                                         "(deactivated_at IS NULL) = (deactivation_reason IS NULL)")

    with op.batch_alter_table('charity_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=10), server_default='owner', nullable=False))
        batch_op.add_column(sa.Column('name', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('added_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('removed_at', timebank.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('removed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_charity_member_removed_by_id_user_account'), 'user_account', ['removed_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_charity_member_added_by_id_user_account'), 'user_account', ['added_by_id'], ['id'])
        batch_op.create_check_constraint('role', "role IN ('owner', 'member')")
        batch_op.create_check_constraint('removed_by', "(removed_at IS NULL) = (removed_by_id IS NULL)")


def downgrade():
    with op.batch_alter_table('charity_member', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_charity_member_removed_by'), type_='check')
        batch_op.drop_constraint(op.f('ck_charity_member_role'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_charity_member_added_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_charity_member_removed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('removed_by_id')
        batch_op.drop_column('removed_at')
        batch_op.drop_column('added_by_id')
        batch_op.drop_column('name')
        batch_op.drop_column('role')

    with op.batch_alter_table('charity', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_charity_deactivation_reason'), type_='check')
        batch_op.drop_constraint(op.f('ck_charity_deactivated_approved'), type_='check')
        batch_op.drop_column('deactivation_reason')
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('registration_number')
        batch_op.drop_column('contact_email')
