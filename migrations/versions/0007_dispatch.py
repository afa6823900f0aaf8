"""matching runs and proposals

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29 02:50:00

"""
from alembic import op
import sqlalchemy as sa

import timebank.db


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('match_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_node_id', sa.Integer(), nullable=False),
    sa.Column('horizon_start', timebank.db.UTCDateTime(), nullable=False),
    sa.Column('horizon_end', timebank.db.UTCDateTime(), nullable=False),
    sa.Column('origin', timebank.db.UTCDateTime(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('solver_status', sa.String(length=16), nullable=True),
    sa.Column('engine', sa.String(length=40), nullable=True),
    sa.Column('objective', sa.BigInteger(), nullable=True),
    sa.Column('bound', sa.BigInteger(), nullable=True),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('volunteers', sa.Integer(), nullable=False),
    sa.Column('assigned', sa.Integer(), nullable=False),
    sa.Column('build_seconds', sa.Float(), nullable=True),
    sa.Column('solve_seconds', sa.Float(), nullable=True),
    sa.Column('problem_json', sa.Text(), nullable=True),
    sa.Column('solution_json', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', timebank.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('running', 'ok', 'failed')", name=op.f('ck_match_run_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_match_run_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['scope_node_id'], ['org_node.id'], name=op.f('fk_match_run_scope_node_id_org_node')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_run'))
    )
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_run_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_run_scope_node_id'), ['scope_node_id'], unique=False)

    op.create_table('match_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('start', timebank.db.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('deadline', timebank.db.UTCDateTime(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('decided_at', timebank.db.UTCDateTime(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.CheckConstraint("role IN ('volunteer', 'social_worker')", name=op.f('ck_match_proposal_role')),
    sa.CheckConstraint("status IN ('offered', 'accepted', 'declined', 'expired', 'withdrawn', 'failed')", name=op.f('ck_match_proposal_status')),
    sa.ForeignKeyConstraint(['request_id'], ['visit_request.id'], name=op.f('fk_match_proposal_request_id_visit_request')),
    sa.ForeignKeyConstraint(['run_id'], ['match_run.id'], name=op.f('fk_match_proposal_run_id_match_run')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['person.id'], name=op.f('fk_match_proposal_volunteer_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_proposal'))
    )
    with op.batch_alter_table('match_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_proposal_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_proposal_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_proposal_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_proposal_volunteer_id'), ['volunteer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('match_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_proposal_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_match_proposal_status'))
        batch_op.drop_index(batch_op.f('ix_match_proposal_run_id'))
        batch_op.drop_index(batch_op.f('ix_match_proposal_request_id'))
    op.drop_table('match_proposal')
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_run_scope_node_id'))
        batch_op.drop_index(batch_op.f('ix_match_run_created_at'))
    op.drop_table('match_run')
