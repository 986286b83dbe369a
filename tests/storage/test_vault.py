"""The encrypted vault: keys, passphrases, bad folders and files, locking, no plain text on disk."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import keyring
import pytest
import sqlcipher3

from commmatters_desktop.core.enums import AgencyKind
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.services import people, wards
from commmatters_desktop.storage.engine import key_pragma
from commmatters_desktop.storage.keystore import KeyringStore, WrongPassphrase
from commmatters_desktop.storage.lock import VaultInUse
from commmatters_desktop.storage.vault import DB_FILE, VAULT_FILE, NotAVault, PassphraseNeeded, Vault
from tests.conftest import PASSPHRASE, LockedKeyring, MemoryKeyring

MARKER = "Zebedee-Quintrell-7731"  # a value that must never be found in plain text on disk


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != ".lock"
    }


def key_of(memory_keyring: MemoryKeyring) -> bytes:
    (value,) = memory_keyring.secrets.values()
    return bytes.fromhex(value)


# --- creating and opening ---------------------------------------------------------------------------------------


def test_a_new_vault_keeps_its_key_in_the_keyring_and_a_recovery_copy(
    tmp_path: Path, memory_keyring: MemoryKeyring, clock: object
) -> None:
    with Vault.create(tmp_path / "v", passphrase=PASSPHRASE, keystore=KeyringStore()) as vault:
        assert vault.key_source == "keyring"
        vault_id = vault.info.vault_id
    assert list(memory_keyring.secrets) == [("commmatters-desktop", f"vault-key:{vault_id}")]
    assert len(key_of(memory_keyring)) == 32
    recovery = json.loads((tmp_path / "v" / VAULT_FILE).read_text())["recovery"]
    assert recovery["kdf"] == "scrypt" and recovery["n"] >= 2**17 and recovery["cipher"] == "AES-256-GCM"
    assert (tmp_path / "v").stat().st_mode & 0o077 == 0, "the vault folder is private to its user"


def test_a_short_recovery_passphrase_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="at least 10 characters"):
        Vault.create(tmp_path / "v", passphrase="short", keystore=KeyringStore())
    assert not (tmp_path / "v").exists()


def test_creating_over_an_existing_vault_is_refused(vault_dir: Path) -> None:
    before = fingerprint(vault_dir)
    with pytest.raises(UserError, match="already a vault"):
        Vault.create(vault_dir, passphrase=PASSPHRASE, keystore=KeyringStore())
    assert fingerprint(vault_dir) == before


def test_opening_uses_the_keyring_silently(vault_dir: Path) -> None:
    with Vault.open(vault_dir, keystore=KeyringStore()) as vault:
        assert vault.key_source == "keyring"


@pytest.mark.parametrize(
    ("situation", "reason"),
    [
        ("no keyring", "no system keyring is available on this computer"),
        ("locked", "the system keyring is locked"),
        ("lost entry", "the system keyring has no key for this vault"),
        ("wrong key", "the key in the system keyring does not open this vault"),
    ],
)
def test_without_a_usable_keyring_key_the_passphrase_is_asked_for(
    vault_dir: Path, memory_keyring: MemoryKeyring, situation: str, reason: str
) -> None:
    if situation == "no keyring":
        from keyring.backends import fail

        keyring.set_keyring(fail.Keyring())
    elif situation == "locked":
        keyring.set_keyring(LockedKeyring())
    elif situation == "lost entry":
        memory_keyring.secrets.clear()
    else:
        for account in memory_keyring.secrets:
            memory_keyring.secrets[account] = "00" * 32
    with pytest.raises(PassphraseNeeded) as needed:
        Vault.open(vault_dir, keystore=KeyringStore())
    assert needed.value.reason == reason
    assert "COMMMATTERS_PASSPHRASE" in needed.value.message
    with Vault.open(vault_dir, keystore=KeyringStore(), passphrase=PASSPHRASE) as vault:
        assert vault.key_source == "passphrase"


def test_the_recovered_key_goes_back_into_a_working_keyring(
    vault_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    saved = dict(memory_keyring.secrets)
    memory_keyring.secrets.clear()
    Vault.open(vault_dir, keystore=KeyringStore(), passphrase=PASSPHRASE).close()
    assert memory_keyring.secrets == saved
    with Vault.open(vault_dir, keystore=KeyringStore()) as vault:
        assert vault.key_source == "keyring"


def test_a_wrong_passphrase_is_explained_and_changes_nothing(
    vault_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.secrets.clear()
    before = fingerprint(vault_dir)
    with pytest.raises(WrongPassphrase, match=r"does not unlock this vault.*nothing was changed"):
        Vault.open(vault_dir, keystore=KeyringStore(), passphrase="correct horse battery stapler")
    assert fingerprint(vault_dir) == before
    assert memory_keyring.secrets == {}


def test_passphrases_are_compared_after_unicode_normalisation(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    composed, decomposed = "Caf\u00e9 de Ynys M\u00f4n 2026", "Cafe\u0301 de Ynys Mo\u0302n 2026"
    Vault.create(tmp_path / "v", passphrase=composed, keystore=KeyringStore()).close()
    memory_keyring.secrets.clear()
    Vault.open(tmp_path / "v", keystore=KeyringStore(), passphrase=decomposed).close()


# --- what is on disk ---------------------------------------------------------------------------------------------


def test_the_database_cannot_be_read_without_its_key(vault: Vault, memory_keyring: MemoryKeyring) -> None:
    with vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000650", name=MARKER)
    path = vault.db_path
    vault.close()
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(path).execute("SELECT name FROM ward").fetchall()
    wrong = sqlcipher3.connect(str(path))
    wrong.execute("PRAGMA cipher_log_level = NONE")
    wrong.execute(key_pragma(b"\x01" * 32))
    with pytest.raises(sqlcipher3.DatabaseError, match="file is not a database"):
        wrong.execute("SELECT name FROM ward").fetchall()
    right = sqlcipher3.connect(str(path))
    right.execute(key_pragma(key_of(memory_keyring)))
    assert right.execute("SELECT name FROM ward").fetchall() == [(MARKER,)]


def test_no_plain_text_reaches_the_disk_while_open_or_after(vault: Vault, tmp_path: Path) -> None:
    with vault.unit_of_work() as s:
        people.create_agency(s, name=MARKER, kind=AgencyKind.CHARITY)
    backup = vault.backup(tmp_path / "copy.db")
    # While open, the WAL holds the newest pages: it must be encrypted too.
    wal = vault.db_path.with_name(DB_FILE + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    files_open = [p for p in tmp_path.rglob("*") if p.is_file()]
    vault.close()
    files_closed = [p for p in tmp_path.rglob("*") if p.is_file()]
    for path in {*files_open, *files_closed}:
        if path.exists():
            data = path.read_bytes()
            assert MARKER.encode() not in data and MARKER.encode("utf-16-le") not in data, path
    assert backup.exists()
    assert not list(tmp_path.rglob("*.partial")) and not list(tmp_path.rglob("*.tmp"))


# --- bad folders and files ----------------------------------------------------------------------------------------


def test_a_missing_folder_is_not_a_vault(tmp_path: Path) -> None:
    with pytest.raises(NotAVault, match=r"does not exist\. Run 'init'"):
        Vault.open(tmp_path / "nowhere", keystore=KeyringStore())


def test_a_folder_without_vault_file_is_not_a_vault(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("shopping list")
    with pytest.raises(NotAVault, match="is not a Community Matters vault"):
        Vault.open(tmp_path, keystore=KeyringStore())
    assert (tmp_path / "notes.txt").read_text() == "shopping list"


@pytest.mark.parametrize(
    "content", ["{not json", '{"app": "something-else"}', '{"app": "commmatters-desktop"}']
)
def test_a_damaged_vault_file_is_reported_and_the_database_left_alone(vault_dir: Path, content: str) -> None:
    (vault_dir / VAULT_FILE).write_text(content)
    before = fingerprint(vault_dir)
    with pytest.raises(NotAVault, match="damaged or is not a Community Matters vault file"):
        Vault.open(vault_dir, keystore=KeyringStore())
    assert fingerprint(vault_dir) == before


def test_a_lost_database_file_says_where_the_backups_are(vault_dir: Path) -> None:
    (vault_dir / DB_FILE).unlink()
    with pytest.raises(NotAVault, match="lost its database file"):
        Vault.open(vault_dir, keystore=KeyringStore())


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped"])
def test_a_corrupted_or_truncated_database_gets_a_clear_message(vault_dir: Path, damage: str) -> None:
    with Vault.open(vault_dir, keystore=KeyringStore()) as vault, vault.unit_of_work() as s:
        for n in range(300):
            people.create_agency(s, name=f"Partner {n:03d} " + "x" * 200, kind=AgencyKind.OTHER)
    db = vault_dir / DB_FILE
    data = bytearray(db.read_bytes())
    assert len(data) > 16 * 4096
    if damage == "garbage":
        data = bytearray(b"this is not a database at all" * 100)
    elif damage == "truncated":
        data = data[: len(data) // 3]
    else:
        data[len(data) // 2] ^= 0xFF
    db.write_bytes(bytes(data))
    before = fingerprint(vault_dir)
    with pytest.raises(UserError, match="damaged or truncated") as refused:
        Vault.open(vault_dir, keystore=KeyringStore(), passphrase=PASSPHRASE)
    assert "Nothing was changed" in refused.value.message
    assert fingerprint(vault_dir) == before


def test_a_second_instance_is_refused_and_says_so(vault: Vault) -> None:
    with pytest.raises(VaultInUse, match="already open in another Community Matters window"):
        Vault.open(vault.folder, keystore=KeyringStore())
    vault.close()
    Vault.open(vault.folder, keystore=KeyringStore()).close()


# --- check and backup ---------------------------------------------------------------------------------------------


def test_check_passes_on_a_healthy_vault(vault: Vault) -> None:
    assert vault.check() == []


def test_check_reports_a_page_damaged_while_open(vault: Vault) -> None:
    with vault.unit_of_work() as s:
        for n in range(200):
            people.create_agency(s, name=f"Partner {n:03d} " + "y" * 300, kind=AgencyKind.OTHER)
    vault.engine.dispose()
    with vault.engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    vault.engine.dispose()
    data = bytearray(vault.db_path.read_bytes())
    data[4096 * 5 + 100] ^= 0xFF
    vault.db_path.write_bytes(bytes(data))
    problems = vault.check()
    assert problems and any("HMAC" in p or "hmac" in p or "page" in p for p in problems)


def test_a_backup_is_encrypted_verified_and_restorable(
    vault: Vault, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    with vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000650", name="Astley Bridge")
    target = vault.backup(tmp_path / "backups" / "friday.db")
    assert target.read_bytes()[:16] != b"SQLite format 3\x00"
    with pytest.raises(UserError, match="already exists"):
        vault.backup(target)
    # Restore on "another laptop": the copy and its recovery file, opened with the passphrase alone.
    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / DB_FILE).write_bytes(target.read_bytes())
    (restored / VAULT_FILE).write_bytes(target.with_name("friday.db.vault.json").read_bytes())
    vault.close()
    memory_keyring.secrets.clear()
    with Vault.open(restored, keystore=KeyringStore(), passphrase=PASSPHRASE) as copy, copy.reading() as s:
        assert wards.ward_by_code(s, "E05000650") is not None


def test_a_backup_into_a_folder_gets_a_dated_name(vault: Vault, tmp_path: Path) -> None:
    target = vault.backup(tmp_path)
    assert target.name == "commmatters-backup-20261121-100000.db"


def test_a_full_disk_is_explained_and_loses_nothing(vault: Vault) -> None:
    """SQLITE_FULL, the error a full disk gives, produced deterministically with max_page_count."""
    from sqlalchemy import event

    from commmatters_desktop.storage.vault import DiskFull

    with vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000650", name="Astley Bridge")
    vault.engine.dispose()

    @event.listens_for(vault.engine, "connect")
    def _cap(connection: object, _record: object) -> None:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]  # type: ignore[attr-defined]
        connection.execute(f"PRAGMA max_page_count = {pages + 2}")  # type: ignore[attr-defined]

    with (
        pytest.raises(DiskFull, match="disk is full, so that change was not saved"),
        vault.unit_of_work() as s,
    ):
        for n in range(500):
            people.create_agency(s, name=f"Partner {n} " + "z" * 500, kind=AgencyKind.OTHER)
    event.remove(vault.engine, "connect", _cap)
    vault.engine.dispose()
    with vault.reading() as s:
        assert wards.ward_by_code(s, "E05000650") is not None
    assert vault.check() == []
