"""Issue 12: a damaged vault is refused with advice that works, backups are real, and what can be
recovered is (restore, salvage, and the shared folder after a lost -wal file)."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.enums import AgencyKind
from commmatters_desktop.core.models import Agency, Ward
from commmatters_desktop.core.services import people, wards
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.recovery import restore, salvage
from commmatters_desktop.storage.vault import (
    BACKUP_FOLDER,
    DB_FILE,
    VAULT_FILE,
    NotAVault,
    Vault,
)
from tests.conftest import PASSPHRASE, TODAY
from tests.sync.conftest import Laptop

REPO = Path(__file__).resolve().parents[2]


def add_agencies(vault: Vault, count: int) -> None:
    with vault.unit_of_work() as s:
        for n in range(count):
            people.create_agency(s, name=f"Partner {n:03d} " + "x" * 200, kind=AgencyKind.OTHER)


def damage_a_page(folder: Path, *where: float) -> None:
    data = bytearray((folder / DB_FILE).read_bytes())
    for fraction in where or (0.5,):
        data[int(len(data) * fraction) // 4096 * 4096 + 100] ^= 0xFF
    (folder / DB_FILE).write_bytes(bytes(data))


def agency_pages(folder: Path, key: bytes) -> list[int]:
    """Pages holding the agency table's own rows, found by decrypting each page.

    Where the damage lands must not depend on the file's layout, which random ids and new indexes change.
    A row holds the name as typed; the change log holds it as JSON ("Partner…), the audit trail quoted
    ('Partner…), and no index covers agency names.
    """
    from tests.sync.test_purge import PAGE, decrypt_pages

    data = (folder / DB_FILE).read_bytes()
    found = []
    for number in range(1, len(data) // PAGE):
        page = decrypt_pages(data[number * PAGE : (number + 1) * PAGE], key, offset=0, stride=PAGE)
        at = page.find(b"Partner ")
        while at > 0 and page[at - 1] in b"\"'":
            at = page.find(b"Partner ", at + 1)
        if at > 0:
            found.append(number)
    return found


def agencies(vault: Vault) -> int:
    with vault.reading() as s:
        return int(s.scalar(select(func.count()).select_from(Agency)) or 0)


def test_an_empty_database_is_refused_never_recreated(vault_dir: Path) -> None:
    (vault_dir / DB_FILE).write_bytes(b"")  # truncated to 0 bytes
    with pytest.raises(
        NotAVault, match=r"empty \(0-byte\) database.*nothing was changed.*restore"
    ) as refused:
        Vault.open(vault_dir, keystore=KeyringStore())
    assert "auto-20261121-100000.db" in refused.value.message, "the advice names a backup that exists"
    assert (vault_dir / DB_FILE).stat().st_size == 0, "no new empty vault was made in its place"


def test_backups_are_automatic_daily_rotating_and_in_the_vaults_folder(vault_dir: Path) -> None:
    clock = FixedClock.on(TODAY)
    assert sorted(p.name for p in (vault_dir / BACKUP_FOLDER).glob("*.db")) == ["auto-20261121-100000.db"]
    for _day in range(9):
        clock.advance(days=1)
        Vault.open(vault_dir, keystore=KeyringStore(), clock=clock).close()
        Vault.open(vault_dir, keystore=KeyringStore(), clock=clock).close()  # one a day, not one an open
    kept = sorted(p.name for p in (vault_dir / BACKUP_FOLDER).glob("*.db"))
    assert len(kept) == 7 and kept[-1] == "auto-20261130-100000.db" and kept[0] == "auto-20261124-100000.db"
    assert all((vault_dir / BACKUP_FOLDER / f"{name}.vault.json").is_file() for name in kept)


def test_closing_after_the_days_work_refreshes_the_days_backup(vault_dir: Path, tmp_path: Path) -> None:
    clock = FixedClock.on(TODAY)
    with Vault.open(vault_dir, keystore=KeyringStore(), clock=clock) as vault:
        with vault.unit_of_work() as s:
            wards.create_ward(s, code="E05000650", name="Astley Bridge")
        clock.advance(hours=2)
    (kept,) = sorted(p.name for p in (vault_dir / BACKUP_FOLDER).glob("*.db"))
    assert kept == "auto-20261121-120000.db", "the day's earlier copy was replaced by the later one"
    (vault_dir / DB_FILE).write_bytes(b"")
    restore(vault_dir, keystore=KeyringStore(), clock=clock)
    with Vault.open(vault_dir, keystore=KeyringStore(), clock=clock) as vault, vault.reading() as s:
        assert wards.ward_by_code(s, "E05000650") is not None


def test_closing_runs_the_full_check_only_when_a_backup_is_due(
    vault_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check before a backup reads every page (minutes on a vault that grew to a force's size in
    the session, as the generator's does): closing within the hour of the last backup skips both."""
    checks: list[Path] = []
    real_check = Vault.check

    def counted(vault: Vault) -> list[str]:
        checks.append(vault.folder)
        return real_check(vault)

    monkeypatch.setattr(Vault, "check", counted)
    clock = FixedClock.on(TODAY)
    for minutes, name in ((30, "E05000650"), (120, "E05000651")):
        with Vault.open(vault_dir, keystore=KeyringStore(), clock=clock) as vault:
            with vault.unit_of_work() as s:
                wards.create_ward(s, code=name, name=f"Ward {name}")
            clock.advance(minutes=minutes)
    assert checks == [vault_dir], "no check at 10:30 (backup taken at 10:00), one at 12:30"
    kept = sorted(p.name for p in (vault_dir / BACKUP_FOLDER).glob("*.db"))
    assert kept == ["auto-20261121-123000.db"]


def test_a_damaged_page_points_at_a_real_backup_and_restore_puts_it_back(vault_dir: Path) -> None:
    clock = FixedClock.on(TODAY)
    with Vault.open(vault_dir, keystore=KeyringStore(), clock=clock) as vault:
        with vault.unit_of_work() as s:
            wards.create_ward(s, code="E05000650", name="Astley Bridge")
        clock.advance(days=1)
    Vault.open(vault_dir, keystore=KeyringStore(), clock=clock).close()  # today's backup holds the ward
    with Vault.open(vault_dir, keystore=KeyringStore(), clock=clock) as vault:
        add_agencies(vault, 300)
    damage_a_page(vault_dir)
    with pytest.raises(Exception, match="restore") as refused:
        Vault.open(vault_dir, keystore=KeyringStore(), clock=clock)
    named = refused.value.message.split("newest backup (")[1].split(" in ")[0]  # type: ignore[attr-defined]
    assert (vault_dir / BACKUP_FOLDER / named).is_file()
    result = restore(vault_dir, keystore=KeyringStore(), clock=clock)
    assert result.backup.name == named and result.kept_aside is not None and result.kept_aside.exists()
    with Vault.open(vault_dir, keystore=KeyringStore(), clock=clock) as vault:
        with vault.reading() as s:
            assert wards.ward_by_code(s, "E05000650") is not None
        assert vault.check() == []


@pytest.mark.parametrize("damage", ["deleted", "valid json, damaged key copy"])
def test_a_lost_or_damaged_vault_file_is_called_that_and_restore_puts_it_back(
    vault_dir: Path, damage: str
) -> None:
    path = vault_dir / VAULT_FILE
    if damage == "deleted":
        path.unlink()
        expected = "has lost vault.json"
    else:
        data = json.loads(path.read_text())
        cipher = bytearray(base64.b64decode(data["recovery"]["ciphertext"]))
        cipher[0] ^= 0x01
        data["recovery"]["ciphertext"] = base64.b64encode(bytes(cipher)).decode()
        path.write_text(json.dumps(data))
        expected = "is damaged"
    with pytest.raises(NotAVault) as refused:
        Vault.open(vault_dir, keystore=KeyringStore(), passphrase=PASSPHRASE)
    message = refused.value.message
    assert expected in message and "restore" in message
    assert "Caps Lock" not in message and "run 'init'" not in message.replace("Do not run 'init'", "")
    with pytest.raises(NotAVault):
        Vault.open(vault_dir, keystore=KeyringStore())
    assert restore(vault_dir, keystore=KeyringStore()).vault_file_restored
    Vault.open(vault_dir, keystore=KeyringStore(), passphrase=PASSPHRASE).close()


def test_salvage_copies_every_readable_row_of_a_damaged_vault_into_a_new_one(
    vault_dir: Path, tmp_path: Path
) -> None:
    with Vault.open(vault_dir, keystore=KeyringStore()) as vault:
        with vault.unit_of_work() as s:
            for n in range(40):
                wards.create_ward(s, code=f"E05{900000 + n:06d}", name=f"Ward {n}")
        add_agencies(vault, 300)
        device, key = vault.device_id, vault._key
    pages = agency_pages(vault_dir, key)
    assert len(pages) > 10
    data = bytearray((vault_dir / DB_FILE).read_bytes())
    data[pages[len(pages) // 2] * 4096 + 100] ^= 0xFF  # one page of agency rows, in the middle
    (vault_dir / DB_FILE).write_bytes(bytes(data))
    before = (vault_dir / DB_FILE).read_bytes()
    result = salvage(vault_dir, tmp_path / "salvaged", keystore=KeyringStore(), passphrase=PASSPHRASE)
    assert (vault_dir / DB_FILE).read_bytes() == before, "the damaged vault is only read"
    assert result.damaged, "the damaged pages were noticed"
    with Vault.open(result.folder, keystore=KeyringStore(), passphrase=PASSPHRASE) as new:
        assert new.check() == [] and new.device_id != device
        with new.reading() as s:
            kept_wards = int(s.scalar(select(func.count()).select_from(Ward)) or 0)
        kept = kept_wards + agencies(new)
    assert kept == result.copied["ward"] + result.copied["agency"]
    assert kept >= 300, f"all but the rows on the damaged pages: {kept} of 340"


CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from commmatters_desktop.core.clock import FixedClock
    from commmatters_desktop.core.services import wards
    from commmatters_desktop.storage.keystore import KeyringStore
    from commmatters_desktop.storage.vault import Vault
    from commmatters_desktop.sync.engine import sync
    from tests.conftest import PASSPHRASE, TODAY

    vault = Vault.open(Path(sys.argv[1]), keystore=KeyringStore(), passphrase=PASSPHRASE, clock=FixedClock.on(TODAY))
    with vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000651", name="Bradshaw")
    sync(vault, Path(sys.argv[2]))
    print("committed", flush=True)
    sys.stdin.read()  # killed here, before any checkpoint
    """
)


def test_a_deleted_wal_file_after_a_crash_is_detected_and_the_shared_folder_restores_it(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, _ = laptops
    with a.vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000650", name="Astley Bridge")
    a.sync(shared)
    a.vault.close()
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(a.folder), str(shared)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    ) as child:
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == b"committed"
        finally:
            child.send_signal(signal.SIGKILL)  # a crash: no checkpoint, no clean close
            child.wait(timeout=60)
    wal = a.folder / f"{DB_FILE}-wal"
    assert wal.stat().st_size > 0, "the committed changes are still only in the -wal file"
    wal.unlink()  # a cleaner, a sync tool or a person removes it
    a.vault = Vault.open(a.folder, keystore=KeyringStore(), clock=a.clock)
    assert a.vault.warnings() and "-wal file was deleted" in a.vault.warnings()[0]
    with a.vault.reading() as s:
        assert wards.ward_by_code(s, "E05000651") is None  # gone from the vault...
    report = a.sync(shared)
    assert any("-wal file" in note for note in report.notes)
    with a.vault.reading() as s:
        assert wards.ward_by_code(s, "E05000651") is not None  # ...and back from the shared folder
    assert a.vault.warnings() == []
    b.sync(shared)
    with b.vault.reading() as s:
        assert wards.ward_by_code(s, "E05000651") is not None
