"""privacy: correction and closure requests, relatives' consent record

Revision ID: 0011_p1
Revises: 0010
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa

import timebank.db


revision = '0011_p1'
down_revision = '0011_h5'
branch_labels = None
depends_on = None


def _decision_columns():
    return [
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', timebank.db.UTCDateTime(), nullable=True),
        sa.Column('decision_reason', sa.String(length=300), nullable=True),
        sa.Column('created_at', timebank.db.UTCDateTime(), nullable=False),
    ]


def upgrade():
    op.create_table(
        'correction_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('field', sa.String(length=20), nullable=False),
        sa.Column('new_value', sa.String(length=200), nullable=True),
        sa.Column('note', sa.String(length=300), nullable=True),
        *_decision_columns(),
        sa.CheckConstraint("field IN ('name', 'phone', 'address', 'village', 'emergency_contact', 'other')",
                           name=op.f('ck_correction_request_field')),
        sa.CheckConstraint("status IN ('open', 'done', 'rejected')", name=op.f('ck_correction_request_status')),
        sa.CheckConstraint("status = 'open' OR decided_at IS NOT NULL", name=op.f('ck_correction_request_decided')),
        sa.CheckConstraint("status != 'rejected' OR decision_reason IS NOT NULL",
                           name=op.f('ck_correction_request_reject_reason')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                name=op.f('fk_correction_request_decided_by_id_user_account')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_correction_request_person_id_person')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'],
                                name=op.f('fk_correction_request_requested_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_request')),
    )
    with op.batch_alter_table('correction_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_request_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correction_request_status'), ['status'], unique=False)

    op.create_table(
        'closure_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=300), nullable=True),
        *_decision_columns(),
        sa.CheckConstraint("status IN ('open', 'done', 'rejected')", name=op.f('ck_closure_request_status')),
        sa.CheckConstraint("status = 'open' OR decided_at IS NOT NULL", name=op.f('ck_closure_request_decided')),
        sa.CheckConstraint("status != 'rejected' OR decision_reason IS NOT NULL",
                           name=op.f('ck_closure_request_reject_reason')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                name=op.f('fk_closure_request_decided_by_id_user_account')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_closure_request_person_id_person')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'],
                                name=op.f('fk_closure_request_requested_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_closure_request')),
    )
    with op.batch_alter_table('closure_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closure_request_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_closure_request_status'), ['status'], unique=False)

    with op.batch_alter_table('relative', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_form_ref', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('consent_recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('consent_recorded_at', timebank.db.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_relative_consent_recorded_by_id_user_account'),
                                    'user_account', ['consent_recorded_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('relative', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_relative_consent_recorded_by_id_user_account'), type_='foreignkey')
        for column in ('consent_recorded_at', 'consent_recorded_by_id', 'consent_form_ref'):
            batch_op.drop_column(column)
    for table in ('closure_request', 'correction_request'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_status'))
            batch_op.drop_index(batch_op.f(f'ix_{table}_person_id'))
        op.drop_table(table)
