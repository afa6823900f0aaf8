"""who pays for an own-hours request: a depositor may pay for a spouse or a direct relative

Revision ID: 0011_h3
Revises: 0010
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_h3'
down_revision = '0011_h2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_by_person_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_visit_request_paid_by_person_id_person'),
                                    'person', ['paid_by_person_id'], ['id'])
        batch_op.create_check_constraint('paid_by_own', "paid_by_person_id IS NULL OR payer = 'own'")


def downgrade():
    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_visit_request_paid_by_own'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_visit_request_paid_by_person_id_person'), type_='foreignkey')
        batch_op.drop_column('paid_by_person_id')
