"""Alembic migrations: the schema matches the models, upgrades back up first, newer vaults are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from commmatters_desktop.core.models import Base
from commmatters_desktop.storage import migrate
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.migrate import VaultTooNew
from commmatters_desktop.storage.vault import BACKUP_FOLDER, Vault

EXTRA_REVISION = '''"""A later release adds a column."""
import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ward") as batch:
        batch.add_column(sa.Column("police_area", sa.String(80), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("ward") as batch:
        batch.drop_column("police_area")
'''


def test_the_migrated_schema_matches_the_models_exactly(vault: Vault) -> None:
    with vault.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_vault_is_created_at_the_newest_schema(vault: Vault) -> None:
    assert migrate.current_revision(vault.engine) == migrate.head_revision()


def test_the_head_read_from_the_revision_files_is_alembics_own() -> None:
    """Opening a vault at head compares with the head read from the files, without loading Alembic."""
    from alembic.script import ScriptDirectory

    assert migrate.head_revision() == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def test_an_upgrade_takes_an_encrypted_backup_first(
    vault_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.SCRIPT_LOCATION, scripts)
    head = migrate.head_revision()
    (scripts / "versions" / "0099_police_area.py").write_text(EXTRA_REVISION.replace("{head}", head))
    monkeypatch.setattr(migrate, "SCRIPT_LOCATION", scripts)

    with Vault.open(vault_dir, keystore=KeyringStore()) as vault:
        assert migrate.current_revision(vault.engine) == "0099"
        assert vault.last_backup is not None and vault.last_backup.parent == vault_dir / BACKUP_FOLDER
        assert vault.last_backup.name.startswith(f"before-upgrade-from-{head}-")
        backup = vault.last_backup
    # The backup is the old schema, still encrypted with the vault's key.
    assert backup.read_bytes()[:16] != b"SQLite format 3\x00"
    monkeypatch.setattr(migrate, "SCRIPT_LOCATION", migrate.Path(migrate.__file__).parent / "migrations")
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(backup, restored / "commmatters.db")
    shutil.copy(vault_dir / "vault.json", restored / "vault.json")
    with Vault.open(restored, keystore=KeyringStore()) as old:
        assert migrate.current_revision(old.engine) == head


def test_a_vault_from_a_newer_version_is_refused_untouched(vault: Vault) -> None:
    with vault.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    folder = vault.folder
    vault.close()
    before = (folder / "commmatters.db").read_bytes()
    backups = sorted((folder / BACKUP_FOLDER).iterdir())
    with pytest.raises(VaultTooNew, match=r"newer version of Community Matters Desktop.*nothing was changed"):
        Vault.open(folder, keystore=KeyringStore())
    assert (folder / "commmatters.db").read_bytes() == before
    assert sorted((folder / BACKUP_FOLDER).iterdir()) == backups, "no upgrade backup was taken"


def test_a_vault_from_the_first_release_upgrades_with_its_data(vault_dir: Path) -> None:
    """0001 -> 0002 on a real encrypted vault: backup first, nominations kept, new fields empty."""
    import datetime as dt

    from alembic import command

    from commmatters_desktop.core.enums import Channel
    from commmatters_desktop.core.models import Nomination
    from commmatters_desktop.core.services import engagement, wards

    with Vault.open(vault_dir, keystore=KeyringStore()) as vault:
        with vault.unit_of_work() as s:
            ward = wards.create_ward(s, code="E05000650", name="Astley Bridge")
            engagement.nominate(s, ward=ward, wording="Speeding on Moss Bank Way", channel=Channel.ONLINE,
                                support=9, raised_on=dt.date(2026, 11, 1))  # fmt: skip
        with vault.engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "0001")
        assert migrate.current_revision(vault.engine) == "0001"
    with Vault.open(vault_dir, keystore=KeyringStore()) as vault:
        assert migrate.current_revision(vault.engine) == migrate.head_revision()
        assert vault.last_backup is not None and vault.last_backup.name.startswith(
            "before-upgrade-from-0001-"
        )
        with vault.reading() as s:
            (nomination,) = s.query(Nomination).all()
            assert (nomination.wording, nomination.support, nomination.public_wording, nomination.votes) == (
                "Speeding on Moss Bank Way",
                9,
                "",
                None,
            )


def test_every_foreign_key_and_lookup_column_has_an_index(vault: Vault) -> None:
    """A foreign key without an index makes every parent write scan the child table (136,000
    nominations made inserts quadratic): each one leads some index in the migrated database."""
    from sqlalchemy import inspect

    inspector = inspect(vault.engine)
    missing = []
    for table in Base.metadata.sorted_tables:
        leading = {tuple(ix["column_names"][:1]) for ix in inspector.get_indexes(table.name)}
        leading |= {tuple(uq["column_names"][:1]) for uq in inspector.get_unique_constraints(table.name)}
        leading.add(tuple(inspector.get_pk_constraint(table.name)["constrained_columns"][:1]))
        for key in inspector.get_foreign_keys(table.name):
            if tuple(key["constrained_columns"][:1]) not in leading:
                missing.append(f"{table.name}.{key['constrained_columns'][0]}")
    assert missing == []
    for table, column in [("audit_event", "uid"), ("change_log", "entity"), ("sync_conflict", "entity")]:
        assert any(ix["column_names"][0] == column for ix in inspector.get_indexes(table)), (table, column)
