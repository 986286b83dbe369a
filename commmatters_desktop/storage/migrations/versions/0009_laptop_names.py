"""Laptops by name, so sync conflicts say whose laptop a value came from.

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "laptop",
        sa.Column("device_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_laptop")),
        sa.UniqueConstraint("device_id", name=op.f("uq_laptop_device_id")),
    )


def downgrade() -> None:
    op.drop_table("laptop")
