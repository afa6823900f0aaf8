"""people over time: person status and death date, resident ADL level, disability type and emergency
contact, station-registered and minor volunteers, unlinked relatives, request review and confirmation
method, audit changes and the access log

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 07:20:00

"""
from alembic import op
import sqlalchemy as sa

import timebank.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD_KINDS = ("kind IN ('dibao', 'dibao_edge', 'tekun', 'expenditure', 'orphan', 'de_facto_orphan', "
             "'left_behind_child', 'child_in_difficulty', 'severe_disability')")
NEW_KINDS = ("kind IN ('dibao', 'dibao_edge', 'tekun', 'expenditure', 'orphan', 'de_facto_orphan', "
             "'left_behind_child', 'child_in_difficulty', 'severe_disability', 'family_planning_special')")
OLD_STATUS = ("status IN ('open', 'matched', 'in_service', 'done', 'confirmed', 'settled', 'cancelled', "
              "'expired', 'disputed', 'resolved')")
NEW_STATUS = ("status IN ('review', 'open', 'matched', 'in_service', 'done', 'confirmed', 'settled', 'cancelled', "
              "'expired', 'disputed', 'resolved')")
METHODS = ("confirmation_method IS NULL OR confirmation_method IN ('resident', 'relative', "
           "'station', 'station_phone', 'elder_code', 'elder_signature', 'auto')")


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('died_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_status'), ['status'], unique=False)
        batch_op.create_check_constraint('status', "status IN ('active', 'moved', 'deceased')")
        batch_op.create_check_constraint('died_on', "(status = 'deceased') = (died_on IS NOT NULL)")

    with op.batch_alter_table('resident_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disability_type', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('adl_level', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('adl_assessed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('emergency_contact_name', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('emergency_contact_phone', sa.String(length=11), nullable=True))
        batch_op.create_check_constraint(
            'disability_type', "disability_type IS NULL OR disability_type IN ('visual', 'hearing', 'speech', "
                               "'physical', 'intellectual', 'mental', 'multiple')")
        batch_op.create_check_constraint('adl_level', "adl_level IS NULL OR adl_level BETWEEN 0 AND 4")
        batch_op.create_check_constraint('adl_dated', "(adl_level IS NULL) = (adl_assessed_on IS NULL)")

    with op.batch_alter_table('hardship_status', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_hardship_status_kind'), type_='check')
        batch_op.create_check_constraint('kind', NEW_KINDS)

    with op.batch_alter_table('volunteer_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('consent_form_ref', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('guardian_person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('guardian_consent_ref', sa.String(length=60), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_volunteer_profile_registered_by_id_user_account'),
                                    'user_account', ['registered_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_volunteer_profile_guardian_person_id_person'),
                                    'person', ['guardian_person_id'], ['id'])

    with op.batch_alter_table('relative', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unlinked_at', timebank.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('unlinked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unlink_reason', sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_relative_unlinked_by_id_user_account'),
                                    'user_account', ['unlinked_by_id'], ['id'])

    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_method', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('satisfied', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('signature_svg', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', timebank.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('review_reason', sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_visit_request_reviewed_by_id_user_account'),
                                    'user_account', ['reviewed_by_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_visit_request_status'), type_='check')
        batch_op.create_check_constraint('status', NEW_STATUS)
        batch_op.create_check_constraint('confirmation_method', METHODS)

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changes', sa.Text(), nullable=True))

    op.create_table(
        'access_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', timebank.db.UTCDateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('field', sa.String(length=40), nullable=True),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('ip', sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_access_event_actor_id_user_account')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_access_event_person_id_person')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_access_event')),
    )
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_event_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_event_person_id'))
        batch_op.drop_index(batch_op.f('ix_access_event_actor_id'))
        batch_op.drop_index(batch_op.f('ix_access_event_at'))
    op.drop_table('access_event')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('changes')

    with op.batch_alter_table('visit_request', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_visit_request_confirmation_method'), type_='check')
        batch_op.drop_constraint(op.f('ck_visit_request_status'), type_='check')
        batch_op.create_check_constraint('status', OLD_STATUS)
        batch_op.drop_constraint(batch_op.f('fk_visit_request_reviewed_by_id_user_account'), type_='foreignkey')
        for column in ('review_reason', 'reviewed_at', 'reviewed_by_id', 'signature_svg', 'satisfied',
                       'confirmation_method'):
            batch_op.drop_column(column)

    with op.batch_alter_table('relative', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_relative_unlinked_by_id_user_account'), type_='foreignkey')
        for column in ('unlink_reason', 'unlinked_by_id', 'unlinked_at'):
            batch_op.drop_column(column)

    with op.batch_alter_table('volunteer_profile', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_volunteer_profile_guardian_person_id_person'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_volunteer_profile_registered_by_id_user_account'),
                                 type_='foreignkey')
        for column in ('guardian_consent_ref', 'guardian_person_id', 'consent_form_ref', 'registered_by_id'):
            batch_op.drop_column(column)

    with op.batch_alter_table('hardship_status', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_hardship_status_kind'), type_='check')
        batch_op.create_check_constraint('kind', OLD_KINDS)

    with op.batch_alter_table('resident_profile', schema=None) as batch_op:
        for name in ('adl_dated', 'adl_level', 'disability_type'):
            batch_op.drop_constraint(op.f(f'ck_resident_profile_{name}'), type_='check')
        for column in ('emergency_contact_phone', 'emergency_contact_name', 'adl_assessed_on', 'adl_level',
                       'disability_type'):
            batch_op.drop_column(column)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_person_died_on'), type_='check')
        batch_op.drop_constraint(op.f('ck_person_status'), type_='check')
        batch_op.drop_index(batch_op.f('ix_person_status'))
        batch_op.drop_column('died_on')
        batch_op.drop_column('status')
