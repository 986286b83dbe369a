"""An index on action status: the open actions are a few thousand of a force's 70,000.

Partners' actions, the force overview, the board's blockers and week planning ask for unfinished
actions; without an index each of those reads every action ever recorded (100 to 200 ms on a force's
five-year vault, on every first show).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action") as batch:
        batch.create_index("ix_action_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action") as batch:
        batch.drop_index("ix_action_status")
