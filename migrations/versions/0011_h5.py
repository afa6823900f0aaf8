"""confirmation by the person served: the note of a station's phone call, wrong card codes typed, and the
version of each resident's printed service card

Revision ID: 0011_h5
Revises: 0010
Create Date: 2026-12-02 07:30:00

"""
from alembic import op
import sqlalchemy as sa

import timebank.db


revision = '0011_h5'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_note', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('code_failures', sa.Integer(), server_default='0', nullable=False))

    op.create_table(
        'visit_card',
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('issued_at', timebank.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'],
                                name=op.f('fk_visit_card_issued_by_id_user_account')),
        sa.ForeignKeyConstraint(['resident_id'], ['person.id'], name=op.f('fk_visit_card_resident_id_person'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('resident_id', name=op.f('pk_visit_card')),
    )


def downgrade():
    op.drop_table('visit_card')
    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.drop_column('code_failures')
        batch_op.drop_column('confirmation_note')
