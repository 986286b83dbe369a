"""Crime and ASB counts from data.police.uk (local, aggregated) and each priority's evidence choice.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crime_count",
        sa.Column("force", sa.String(length=80), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("ward_code", sa.String(length=9), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("force", "month", "ward_code", "category", name=op.f("pk_crime_count")),
    )
    op.create_table(
        "crime_month",
        sa.Column("force", sa.String(length=80), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("crimes", sa.Integer(), nullable=False),
        sa.Column("asb", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("force", "month", name=op.f("pk_crime_month")),
    )
    op.create_table(
        "priority_evidence",
        sa.Column("priority_id", sa.Uuid(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("baseline_from", sa.String(length=7), nullable=False),
        sa.Column("baseline_to", sa.String(length=7), nullable=False),
        sa.Column("after_from", sa.String(length=7), nullable=False),
        sa.Column("after_to", sa.String(length=7), nullable=False),
        sa.Column("comparison", sa.String(length=20), nullable=False),
        sa.Column("comparison_wards", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["priority_id"], ["priority.id"], name=op.f("fk_priority_evidence_priority_id_priority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_evidence")),
        sa.UniqueConstraint("priority_id", name=op.f("uq_priority_evidence_priority_id")),
    )


def downgrade() -> None:
    op.drop_table("priority_evidence")
    op.drop_table("crime_month")
    op.drop_table("crime_count")
