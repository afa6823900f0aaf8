"""quiet job logs: runs that found nothing to do are counted per job instead of logged one row each

Revision ID: 0012_j1
Revises: 0011_s2
Create Date: 2026-12-02 11:00:00

"""
from alembic import op
import sqlalchemy as sa

import timebank.db


revision = '0012_j1'
down_revision = '0011_s2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_idle_count',
    sa.Column('job_id', sa.String(length=40), nullable=False),
    sa.Column('idle_runs', sa.Integer(), nullable=False),
    sa.Column('last_slot', timebank.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_at', timebank.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('idle_runs >= 0', name=op.f('ck_job_idle_count_idle_runs_not_negative')),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_job_idle_count'))
    )


def downgrade():
    op.drop_table('job_idle_count')
