"""Initial schema: the whole domain model, the change log and the append-only audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


AUDIT_GUARDS = {
    "audit_event_no_update": "BEFORE UPDATE ON audit_event",
    "audit_event_no_delete": "BEFORE DELETE ON audit_event",
}


def upgrade() -> None:
    op.create_table('agency',
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.Enum('police_team', 'cid', 'safeguarding', 'response', 'school', 'local_authority', 'housing', 'health', 'fire', 'charity', 'csp', 'other', name='agencykind', native_enum=False, length=32), nullable=False),
    sa.Column('contact_route', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('device', sa.String(length=60), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    op.create_table('change_log',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('stamp', sa.String(length=80), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_change_log'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_log_stamp'), ['stamp'], unique=False)

    op.create_table('cycle',
    sa.Column('code', sa.String(length=7), nullable=False),
    sa.Column('schedule_mode', sa.Enum('rolling', 'all_wards', name='schedulemode', native_enum=False, length=32), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle')),
    sa.UniqueConstraint('code', name=op.f('uq_cycle_code'))
    )
    op.create_table('field_clock',
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('stamp', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('entity', 'row_id', 'field', name=op.f('pk_field_clock'))
    )
    op.create_table('vault_meta',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_vault_meta'))
    )
    op.create_table('ward',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('vintage', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('la_code', sa.String(length=9), nullable=False),
    sa.Column('la_name', sa.String(length=120), nullable=False),
    sa.Column('team_contact', sa.Text(), nullable=False),
    sa.Column('engagement_url', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ward')),
    sa.UniqueConstraint('code', name=op.f('uq_ward_code'))
    )
    op.create_table('nomination',
    sa.Column('ward_id', sa.Uuid(), nullable=False),
    sa.Column('cycle_id', sa.Uuid(), nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=False),
    sa.Column('channel', sa.Enum('panel', 'online', 'survey', 'partner', 'officer', 'other', name='channel', native_enum=False, length=32), nullable=False),
    sa.Column('support', sa.Integer(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=True),
    sa.Column('source_ref', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('open', 'taken_forward', 'not_taken_forward', 'merged', name='nominationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('merged_into_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_nomination_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['nomination.id'], name=op.f('fk_nomination_merged_into_id_nomination')),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_nomination_ward_id_ward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination')),
    sa.UniqueConstraint('ward_id', 'cycle_id', 'source_ref', name=op.f('uq_nomination_ward_id'))
    )
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_ward_id'), ['ward_id'], unique=False)

    op.create_table('panel_meeting',
    sa.Column('ward_id', sa.Uuid(), nullable=False),
    sa.Column('cycle_id', sa.Uuid(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('attendance', sa.Integer(), nullable=True),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_panel_meeting_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_panel_meeting_ward_id_ward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_meeting'))
    )
    with op.batch_alter_table('panel_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_meeting_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_meeting_ward_id'), ['ward_id'], unique=False)

    op.create_table('person',
    sa.Column('full_name', sa.String(length=160), nullable=False),
    sa.Column('role', sa.Enum('ward_officer', 'pcso', 'sergeant', 'inspector', 'partner_contact', 'councillor', 'panel_chair', 'panel_member', 'key_individual', 'resident', name='personrole', native_enum=False, length=32), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_person_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_agency_id'), ['agency_id'], unique=False)

    op.create_table('survey_wave',
    sa.Column('ward_id', sa.Uuid(), nullable=False),
    sa.Column('cycle_id', sa.Uuid(), nullable=True),
    sa.Column('conducted_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.Enum('door_to_door', 'online', 'street', 'panel', name='surveymode', native_enum=False, length=32), nullable=False),
    sa.Column('respondents', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_survey_wave_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_survey_wave_ward_id_ward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_wave'))
    )
    with op.batch_alter_table('survey_wave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_wave_ward_id'), ['ward_id'], unique=False)

    op.create_table('ward_lsoa',
    sa.Column('ward_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_ward_lsoa_ward_id_ward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ward_lsoa')),
    sa.UniqueConstraint('code', name=op.f('uq_ward_lsoa_code'))
    )
    with op.batch_alter_table('ward_lsoa', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ward_lsoa_ward_id'), ['ward_id'], unique=False)

    op.create_table('week_of_action',
    sa.Column('cycle_id', sa.Uuid(), nullable=False),
    sa.Column('ward_id', sa.Uuid(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_week_of_action_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_week_of_action_ward_id_ward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_week_of_action')),
    sa.UniqueConstraint('cycle_id', 'ward_id', name=op.f('uq_week_of_action_cycle_id'))
    )
    with op.batch_alter_table('week_of_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_week_of_action_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_week_of_action_ward_id'), ['ward_id'], unique=False)

    op.create_table('priority',
    sa.Column('ward_id', sa.Uuid(), nullable=False),
    sa.Column('cycle_id', sa.Uuid(), nullable=False),
    sa.Column('nomination_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('nominated', 'agreed', 'planning', 'in_action', 'assessing', 'feedback_given', 'closed', 'not_taken_forward', 'escalated', name='prioritystatus', native_enum=False, length=32), nullable=False),
    sa.Column('lead_agency_id', sa.Uuid(), nullable=True),
    sa.Column('meeting_id', sa.Uuid(), nullable=True),
    sa.Column('ratified_online', sa.Boolean(), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('escalation_reason', sa.Text(), nullable=False),
    sa.Column('escalated_from', sa.Enum('nominated', 'agreed', 'planning', 'in_action', 'assessing', 'feedback_given', 'closed', 'not_taken_forward', 'escalated', name='prioritystatus', native_enum=False, length=32), nullable=True),
    sa.Column('not_taken_reason', sa.Text(), nullable=False),
    sa.Column('public_issue', sa.Text(), nullable=False),
    sa.Column('public_action', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_priority_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['lead_agency_id'], ['agency.id'], name=op.f('fk_priority_lead_agency_id_agency')),
    sa.ForeignKeyConstraint(['meeting_id'], ['panel_meeting.id'], name=op.f('fk_priority_meeting_id_panel_meeting')),
    sa.ForeignKeyConstraint(['nomination_id'], ['nomination.id'], name=op.f('fk_priority_nomination_id_nomination')),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_priority_ward_id_ward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority'))
    )
    with op.batch_alter_table('priority', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_ward_id'), ['ward_id'], unique=False)
        batch_op.create_index('uq_priority_one_agreed_per_ward_cycle', ['ward_id', 'cycle_id'], unique=True, sqlite_where=sa.text("deleted = 0 AND status IN ('agreed', 'assessing', 'closed', 'escalated', 'feedback_given', 'in_action', 'planning')"))

    op.create_table('survey_result',
    sa.Column('wave_id', sa.Uuid(), nullable=False),
    sa.Column('item', sa.String(length=60), nullable=False),
    sa.Column('answer', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_wave.id'], name=op.f('fk_survey_result_wave_id_survey_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_result')),
    sa.UniqueConstraint('wave_id', 'item', 'answer', name=op.f('uq_survey_result_wave_id'))
    )
    with op.batch_alter_table('survey_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_result_wave_id'), ['wave_id'], unique=False)

    op.create_table('ward_role',
    sa.Column('ward_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.Enum('ward_officer', 'pcso', 'sergeant', 'inspector', 'partner_contact', 'councillor', 'panel_chair', 'panel_member', 'key_individual', 'resident', name='personrole', native_enum=False, length=32), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_ward_role_person_id_person')),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_ward_role_ward_id_ward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ward_role')),
    sa.UniqueConstraint('ward_id', 'person_id', 'role', name=op.f('uq_ward_role_ward_id'))
    )
    with op.batch_alter_table('ward_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ward_role_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ward_role_ward_id'), ['ward_id'], unique=False)

    op.create_table('action',
    sa.Column('priority_id', sa.Uuid(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('enforcement', 'prevention', 'engagement', 'environmental', 'safeguarding', 'referral', 'feedback', name='actionkind', native_enum=False, length=32), nullable=False),
    sa.Column('owner_agency_id', sa.Uuid(), nullable=True),
    sa.Column('owner_person_id', sa.Uuid(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'cancelled', name='actionstatus', native_enum=False, length=32), nullable=False),
    sa.Column('completion_note', sa.Text(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['owner_agency_id'], ['agency.id'], name=op.f('fk_action_owner_agency_id_agency')),
    sa.ForeignKeyConstraint(['owner_person_id'], ['person.id'], name=op.f('fk_action_owner_person_id_person')),
    sa.ForeignKeyConstraint(['priority_id'], ['priority.id'], name=op.f('fk_action_priority_id_priority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action'))
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_priority_id'), ['priority_id'], unique=False)

    op.create_table('feedback',
    sa.Column('priority_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.Enum('leaflet', 'panel', 'online', 'media', 'other', name='feedbackchannel', native_enum=False, length=32), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('file_hash', sa.String(length=64), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priority.id'], name=op.f('fk_feedback_priority_id_priority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_priority_id'), ['priority_id'], unique=False)

    op.create_table('measure',
    sa.Column('priority_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('baseline_period', sa.String(length=80), nullable=False),
    sa.Column('baseline_value', sa.Double(), nullable=True),
    sa.Column('target_value', sa.Double(), nullable=True),
    sa.Column('after_period', sa.String(length=80), nullable=False),
    sa.Column('after_value', sa.Double(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priority.id'], name=op.f('fk_measure_priority_id_priority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure'))
    )
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_priority_id'), ['priority_id'], unique=False)

    op.create_table('sara_plan',
    sa.Column('priority_id', sa.Uuid(), nullable=False),
    sa.Column('problem_statement', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('baseline', sa.Text(), nullable=False),
    sa.Column('victim', sa.Text(), nullable=False),
    sa.Column('offender', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('guardian', sa.Text(), nullable=False),
    sa.Column('handler', sa.Text(), nullable=False),
    sa.Column('manager', sa.Text(), nullable=False),
    sa.Column('causes', sa.Text(), nullable=False),
    sa.Column('assessment', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Enum('achieved', 'partly_achieved', 'not_achieved', name='outcome', native_enum=False, length=32), nullable=True),
    sa.Column('assessed_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priority.id'], name=op.f('fk_sara_plan_priority_id_priority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sara_plan')),
    sa.UniqueConstraint('priority_id', name=op.f('uq_sara_plan_priority_id'))
    )
    for name, when in AUDIT_GUARDS.items():
        op.execute(
            f"CREATE TRIGGER {name} {when} "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )


def downgrade() -> None:
    for name in AUDIT_GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('sara_plan')
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_priority_id'))

    op.drop_table('measure')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_priority_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_priority_id'))
        batch_op.drop_index(batch_op.f('ix_action_owner_agency_id'))

    op.drop_table('action')
    with op.batch_alter_table('ward_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ward_role_ward_id'))
        batch_op.drop_index(batch_op.f('ix_ward_role_person_id'))

    op.drop_table('ward_role')
    with op.batch_alter_table('survey_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_result_wave_id'))

    op.drop_table('survey_result')
    with op.batch_alter_table('priority', schema=None) as batch_op:
        batch_op.drop_index('uq_priority_one_agreed_per_ward_cycle', sqlite_where=sa.text("deleted = 0 AND status IN ('agreed', 'assessing', 'closed', 'escalated', 'feedback_given', 'in_action', 'planning')"))
        batch_op.drop_index(batch_op.f('ix_priority_ward_id'))
        batch_op.drop_index(batch_op.f('ix_priority_cycle_id'))

    op.drop_table('priority')
    with op.batch_alter_table('week_of_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_week_of_action_ward_id'))
        batch_op.drop_index(batch_op.f('ix_week_of_action_cycle_id'))

    op.drop_table('week_of_action')
    with op.batch_alter_table('ward_lsoa', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ward_lsoa_ward_id'))

    op.drop_table('ward_lsoa')
    with op.batch_alter_table('survey_wave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_wave_ward_id'))

    op.drop_table('survey_wave')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_agency_id'))

    op.drop_table('person')
    with op.batch_alter_table('panel_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_meeting_ward_id'))
        batch_op.drop_index(batch_op.f('ix_panel_meeting_cycle_id'))

    op.drop_table('panel_meeting')
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nomination_ward_id'))
        batch_op.drop_index(batch_op.f('ix_nomination_cycle_id'))

    op.drop_table('nomination')
    op.drop_table('ward')
    op.drop_table('vault_meta')
    op.drop_table('field_clock')
    op.drop_table('cycle')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_log_stamp'))

    op.drop_table('change_log')
    op.drop_table('audit_event')
    op.drop_table('agency')
