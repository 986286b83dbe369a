"""Sync bookkeeping: the base stamp of each change, the ledger, problem files and conflicts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base", sa.String(length=80), server_default="", nullable=False))
    op.create_table(
        "sync_ledger",
        sa.Column("device", sa.String(length=60), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("device", "seq", name=op.f("pk_sync_ledger")),
    )
    op.create_table(
        "sync_problem",
        sa.Column("device", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("device", "name", name=op.f("pk_sync_problem")),
    )
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("local_value", sa.Text(), nullable=False),
        sa.Column("local_stamp", sa.String(length=80), nullable=False),
        sa.Column("remote_value", sa.Text(), nullable=False),
        sa.Column("remote_stamp", sa.String(length=80), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )


def downgrade() -> None:
    op.drop_table("sync_conflict")
    op.drop_table("sync_problem")
    op.drop_table("sync_ledger")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_column("base")
