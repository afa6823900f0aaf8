"""reports: monthly reports frozen per township and county, liability forecast assumptions

Revision ID: 0012_m1
Revises: 0011_s2
Create Date: 2026-12-02 11:00:00

"""
from alembic import op
import sqlalchemy as sa

import timebank.db


revision = '0012_m1'
down_revision = '0012_s1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monthly_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('created_at', timebank.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['org_node.id'], name=op.f('fk_monthly_report_node_id_org_node')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_report')),
    sa.UniqueConstraint('month', 'node_id', name=op.f('uq_monthly_report_month'))
    )
    with op.batch_alter_table('monthly_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_report_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_monthly_report_node_id'), ['node_id'], unique=False)

    op.create_table('forecast_assumptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', timebank.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_forecast_assumptions_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_assumptions'))
    )


def downgrade():
    op.drop_table('forecast_assumptions')
    with op.batch_alter_table('monthly_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_report_node_id'))
        batch_op.drop_index(batch_op.f('ix_monthly_report_month'))
    op.drop_table('monthly_report')
