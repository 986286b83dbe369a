"""Issue 12 on the command line: restore, salvage, sync --leave, check after a lost -wal, init's keyring."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import null

from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.vault import DB_FILE, WAL_LOST_META, Vault
from tests.cli import test_cli
from tests.cli.test_cli import one_line_error
from tests.conftest import PASSPHRASE
from tests.storage.test_recovery import add_agencies, damage_a_page

run = test_cli.run  # the command-line fixture, shared


def test_init_with_a_keyring_that_keeps_nothing_does_not_claim_the_key_is_in_it(
    run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    keyring.set_keyring(null.Keyring())
    monkeypatch.setenv("COMMMATTERS_PASSPHRASE", PASSPHRASE)
    created = run("--data-dir", tmp_path / "v", "init")
    assert created.code == 0 and "kept in this computer's keyring" not in created.out
    assert "did not keep the key" in created.out and "asked for the recovery passphrase" in created.out
    as_json = run("--data-dir", tmp_path / "w", "init", "--json")
    assert as_json.json["key_in_keyring"] is False  # type: ignore[index]


def test_restore_and_salvage_from_the_command_line(
    run,
    vault_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
    clock: FixedClock,
) -> None:
    with Vault.open(vault_dir, keystore=KeyringStore(), clock=clock) as v:
        add_agencies(v, 300)
    damage_a_page(vault_dir, 0.3, 0.45, 0.6, 0.75)
    refused = one_line_error(run("--data-dir", vault_dir, "info"))
    assert "damaged or truncated" in refused and "restore" in refused and "salvage" in refused
    check = run("--data-dir", vault_dir, "check")
    assert check.code == 1
    monkeypatch.setenv("COMMMATTERS_PASSPHRASE", PASSPHRASE)
    salvaged = run("--data-dir", vault_dir, "salvage", tmp_path / "new", "--json")
    assert salvaged.code == 0 and salvaged.json["copied"]["agency"] > 0  # type: ignore[index]
    assert run("--data-dir", tmp_path / "new", "check").code == 0
    restored = run("--data-dir", vault_dir, "restore")
    assert restored.code == 0 and "Restored auto-20261121-100000.db" in restored.out
    assert run("--data-dir", vault_dir, "check").code == 0
    assert any(p.name.startswith(f"{DB_FILE}.replaced-") for p in vault_dir.iterdir())


def test_restore_with_no_backup_says_what_to_do(run, vault_dir: Path) -> None:  # type: ignore[no-untyped-def]
    for backup in (vault_dir / "backups").glob("*.db"):
        backup.unlink()
    (vault_dir / DB_FILE).write_bytes(b"")
    line = one_line_error(run("--data-dir", vault_dir, "restore"))
    assert "There is no backup" in line and "salvage" in line


def test_check_reports_changes_lost_with_a_deleted_wal_file(run, vault_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with Vault.open(vault_dir, keystore=KeyringStore()) as vault:
        vault.set_meta(WAL_LOST_META, "21 Nov 2026 09:58")
    result = run("--data-dir", vault_dir, "check")
    assert result.code == 1 and "-wal file was deleted" in result.out and "Sync now" in result.out


def test_sync_leave_then_join_another_team(
    run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("COMMMATTERS_PASSPHRASE", PASSPHRASE)
    folder, first, second = tmp_path / "v", tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    assert run("--data-dir", folder, "init").code == 0
    monkeypatch.setenv("COMMMATTERS_TEAM_PASSPHRASE", "the first team passphrase")
    assert run("--data-dir", folder, "sync", "--folder", first).code == 0
    monkeypatch.setenv("COMMMATTERS_TEAM_PASSPHRASE", "the second team passphrase")
    other = tmp_path / "other"
    assert run("--data-dir", other, "init").code == 0
    assert run("--data-dir", other, "sync", "--folder", second).code == 0
    refused = one_line_error(run("--data-dir", folder, "sync", "--folder", second))
    assert "belongs to a different team" in refused and "sync --leave" in refused
    left = run("--data-dir", folder, "sync", "--leave", "--json")
    assert left.code == 0 and left.json["left"] is True  # type: ignore[index]
    joined = run("--data-dir", folder, "sync", "--folder", second, "--json")
    assert joined.code == 0 and joined.json["finished"] is True  # type: ignore[index]
