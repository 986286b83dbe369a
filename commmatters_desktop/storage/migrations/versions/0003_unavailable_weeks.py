"""Weeks a cycle's weeks of action may not use (bank holidays, events, abstractions).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unavailable_week",
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"], name=op.f("fk_unavailable_week_cycle_id_cycle")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unavailable_week")),
        sa.UniqueConstraint("cycle_id", "week_start", name=op.f("uq_unavailable_week_cycle_id")),
    )
    with op.batch_alter_table("unavailable_week", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unavailable_week_cycle_id"), ["cycle_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unavailable_week", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unavailable_week_cycle_id"))
    op.drop_table("unavailable_week")
