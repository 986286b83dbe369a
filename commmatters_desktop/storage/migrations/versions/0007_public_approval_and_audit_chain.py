"""Public wording approvals, purge orders, and the audit trail's keyed hash chain (event uid and MAC).

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-21

The audit columns are added with plain ``ALTER TABLE ADD COLUMN`` (no table rebuild), so the
append-only triggers on ``audit_event`` stay in place. Rows written before this revision have no
MAC; ``core.audit.verify`` accepts them only before the first sealed event.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_approval",
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_approval")),
    )
    op.create_index(op.f("ix_public_approval_row_id"), "public_approval", ["row_id"], unique=False)
    op.create_table(
        "purge_order",
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ordered_by", sa.String(length=120), nullable=False),
        sa.Column("ordered_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purge_order")),
    )
    op.create_index(op.f("ix_purge_order_row_id"), "purge_order", ["row_id"], unique=False)
    op.execute("ALTER TABLE audit_event ADD COLUMN uid VARCHAR(36) DEFAULT '' NOT NULL")
    op.execute("ALTER TABLE audit_event ADD COLUMN mac VARCHAR(64) DEFAULT '' NOT NULL")


def downgrade() -> None:
    op.drop_index(op.f("ix_purge_order_row_id"), table_name="purge_order")
    op.drop_table("purge_order")
    op.drop_index(op.f("ix_public_approval_row_id"), table_name="public_approval")
    op.drop_table("public_approval")
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("mac")
        batch_op.drop_column("uid")
    for name, when in (("audit_event_no_update", "BEFORE UPDATE"), ("audit_event_no_delete", "BEFORE DELETE")):
        op.execute(
            f"CREATE TRIGGER {name} {when} ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )
