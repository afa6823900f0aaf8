"""account recovery: one-time reset codes from a station, mailed reset links, address verification

Revision ID: 0012_a1
Revises: 0012_j1
Create Date: 2026-12-02 11:30:00

"""
from alembic import op
import sqlalchemy as sa

import timebank.db


revision = '0012_a1'
down_revision = '0012_j1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', timebank.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', timebank.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', timebank.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('voided_at', timebank.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.CheckConstraint("purpose IN ('reset_code', 'reset_link', 'verify_email')", name=op.f('ck_account_token_purpose_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_account_token_attempts_not_negative')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_account_token_issued_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_token_token_hash'))
    )
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_token_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_token_user_id'))
    op.drop_table('account_token')
