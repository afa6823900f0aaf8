"""visits paid by a charity's hour pool

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 03:28:10.577210

"""
from alembic import op
import sqlalchemy as sa

import timebank.db


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


OLD_PAYERS = "payer IN ('own', 'backstop', 'county_donation')"
NEW_PAYERS = "payer IN ('own', 'backstop', 'county_donation', 'charity')"
CHARITY_PAYER = "(payer = 'charity') = (charity_id IS NOT NULL)"


def upgrade():
    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('charity_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_visit_request_charity_id_charity'), 'charity', ['charity_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_visit_request_payer'), type_='check')
        batch_op.create_check_constraint('payer', NEW_PAYERS)
        batch_op.create_check_constraint('charity_payer', CHARITY_PAYER)


def downgrade():
    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_visit_request_charity_payer'), type_='check')
        batch_op.drop_constraint(op.f('ck_visit_request_payer'), type_='check')
        batch_op.create_check_constraint('payer', OLD_PAYERS)
        batch_op.drop_constraint(batch_op.f('fk_visit_request_charity_id_charity'), type_='foreignkey')
        batch_op.drop_column('charity_id')
