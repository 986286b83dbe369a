"""People, partners and the Key Individual Network: retirement, consent, contacts, groups.

Revision ID: 0005
Revises: 0009
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _synced(*columns: sa.schema.SchemaItem, name: str) -> list[sa.schema.SchemaItem]:
    return [
        *columns,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    ]


def upgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("community", sa.String(length=120), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("preferred_contact", sa.String(length=32), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("consent_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("consent_basis", sa.Text(), server_default="", nullable=False))
    op.create_table(
        "kin_contact",
        *_synced(
            sa.Column("person_id", sa.Uuid(), nullable=False),
            sa.Column("ward_id", sa.Uuid(), nullable=True),
            sa.Column("contacted_on", sa.Date(), nullable=False),
            sa.Column("channel", sa.Enum(
                "email", "phone", "text", "in_person", "letter", "meeting", "online",
                name="contactchannel", native_enum=False, length=32,
            ), nullable=False),  # fmt: skip
            sa.Column("purpose", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_kin_contact_person_id_person")),
            sa.ForeignKeyConstraint(["ward_id"], ["ward.id"], name=op.f("fk_kin_contact_ward_id_ward")),
            name="kin_contact",
        ),
    )
    with op.batch_alter_table("kin_contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kin_contact_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kin_contact_ward_id"), ["ward_id"], unique=False)
    op.create_table(
        "community_group",
        *_synced(
            sa.Column("name", sa.String(length=120), nullable=False),
            sa.UniqueConstraint("name", name=op.f("uq_community_group_name")),
            name="community_group",
        ),
    )
    op.create_table(
        "reference_group",
        *_synced(
            sa.Column("ward_id", sa.Uuid(), nullable=False),
            sa.Column("name", sa.String(length=160), nullable=False),
            sa.Column("community", sa.String(length=120), nullable=False),
            sa.ForeignKeyConstraint(["ward_id"], ["ward.id"], name=op.f("fk_reference_group_ward_id_ward")),
            name="reference_group",
        ),
    )
    with op.batch_alter_table("reference_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reference_group_ward_id"), ["ward_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reference_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reference_group_ward_id"))
    op.drop_table("reference_group")
    op.drop_table("community_group")
    with op.batch_alter_table("kin_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kin_contact_ward_id"))
        batch_op.drop_index(batch_op.f("ix_kin_contact_person_id"))
    op.drop_table("kin_contact")
    with op.batch_alter_table("person", schema=None) as batch_op:
        for column in ("consent_basis", "consent_on", "preferred_contact", "community", "retired_on"):
            batch_op.drop_column(column)
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_column("retired_on")
