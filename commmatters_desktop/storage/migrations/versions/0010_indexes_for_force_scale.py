"""Indexes on every foreign key and filter column that lacked one (issue 15, force scale).

Without ``ix_nomination_merged_into_id`` each nomination insert checked the self-reference by scanning
the table (136,000 nominations: quadratic), and counting a leaflet's support scanned every nomination.

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (index name, table, columns)
INDEXES: list[tuple[str, str, list[str]]] = [
    ("ix_nomination_merged_into_id", "nomination", ["merged_into_id"]),
    ("ix_priority_nomination_id", "priority", ["nomination_id"]),
    ("ix_priority_lead_agency_id", "priority", ["lead_agency_id"]),
    ("ix_priority_meeting_id", "priority", ["meeting_id"]),
    ("ix_action_owner_person_id", "action", ["owner_person_id"]),
    ("ix_survey_wave_cycle_id", "survey_wave", ["cycle_id"]),
    ("ix_change_log_entity_row_id", "change_log", ["entity", "row_id"]),
    ("ix_sync_conflict_entity_row_id", "sync_conflict", ["entity", "row_id", "field"]),
    ("ix_audit_event_uid", "audit_event", ["uid"]),
    ("ix_audit_event_device", "audit_event", ["device"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        with op.batch_alter_table(table) as batch:
            batch.create_index(name, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(name)
