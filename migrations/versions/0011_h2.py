"""a deceased person's balance under the 'heirs' policy: proposal and approval

Revision ID: 0011_h2
Revises: 0010
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa

import timebank.db


revision = '0011_h2'
down_revision = '0011_p1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'estate_disposition',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('heir_ids', sa.JSON(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', timebank.db.UTCDateTime(), nullable=False),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', timebank.db.UTCDateTime(), nullable=True),
        sa.Column('minutes', sa.Integer(), nullable=True),
        sa.Column('created_at', timebank.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('proposed', 'approved')", name=op.f('ck_estate_disposition_status')),
        sa.CheckConstraint("(status = 'approved') = (approved_by_id IS NOT NULL)",
                           name=op.f('ck_estate_disposition_approved_by')),
        sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'],
                                name=op.f('fk_estate_disposition_approved_by_id_user_account')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_estate_disposition_person_id_person')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'],
                                name=op.f('fk_estate_disposition_proposed_by_id_user_account')),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_estate_disposition')),
    )


def downgrade():
    op.drop_table('estate_disposition')
