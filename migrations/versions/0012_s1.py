"""indexes for lists that scale: the open-request list's bounding box and priority order

Revision ID: 0012_s1
Revises: 0011_s2
Create Date: 2026-12-02 11:00:00

"""
from alembic import op


revision = '0012_s1'
down_revision = '0012_p1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.create_index('ix_visit_request_lat_lon', ['latitude', 'longitude'], unique=False)
        batch_op.create_index('ix_visit_request_status_tier', ['status', 'priority_tier', 'earliest_start'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_request_status_tier')
        batch_op.drop_index('ix_visit_request_lat_lon')
