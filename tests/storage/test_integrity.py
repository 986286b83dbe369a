"""A large vault opens with checks that do not grow with it; the full ones run in the background and
damage they find is reported as loudly as at opening (issue 15).

Each test opens with ``full_check_limit=0`` so a small test vault takes the large vault's path."""

from __future__ import annotations

import io
import shutil
import threading
from pathlib import Path

import pytest

from commmatters_desktop import cli
from commmatters_desktop.core.enums import AgencyKind
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.services import people
from commmatters_desktop.storage import integrity
from commmatters_desktop.storage.keystore import KeyringStore, WrongPassphrase
from commmatters_desktop.storage.vault import BACKUP_FOLDER, DB_FILE, Vault
from tests.conftest import PASSPHRASE, MemoryKeyring

PAGE = 4096


def filled(vault_dir: Path) -> bytes:
    """The vault with a few hundred pages of records, closed; its database's bytes."""
    with Vault.open(vault_dir, keystore=KeyringStore()) as vault, vault.unit_of_work() as s:
        for n in range(300):
            people.create_agency(s, name=f"Partner {n:03d} " + "x" * 200, kind=AgencyKind.OTHER)
    data = (vault_dir / DB_FILE).read_bytes()
    assert len(data) > 64 * PAGE and not (vault_dir / f"{DB_FILE}-wal").exists()
    return data


def flipped(data: bytes, page: int) -> bytes:
    damaged = bytearray(data)
    damaged[page * PAGE + 1000] ^= 0xFF
    return bytes(damaged)


def damaged_past_opening(vault_dir: Path) -> Vault:
    """The filled vault with the first page flipped (from the middle of its b-trees) whose damage the
    opening checks do not read: opened on the large vault's path, its background check under way."""
    healthy = filled(vault_dir)
    pages = len(healthy) // PAGE
    for page in range(pages // 2, pages - 2):
        (vault_dir / DB_FILE).write_bytes(flipped(healthy, page))
        try:
            return Vault.open(vault_dir, keystore=KeyringStore(), full_check_limit=0)
        except UserError:
            continue  # caught on opening
    pytest.fail("no damaged page got past the opening checks")


class Heard:
    """What the vault told its listener, from whichever thread."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.arrived = threading.Event()

    def __call__(self, message: str) -> None:
        self.messages.append(message)
        self.arrived.set()


def test_a_healthy_vault_is_checked_in_the_background_and_backed_up_once_it_passed(vault_dir: Path) -> None:
    filled(vault_dir)
    shutil.rmtree(vault_dir / BACKUP_FOLDER)  # filling it (a small vault, checked on opening) took one
    heard = Heard()
    vault = Vault.open(vault_dir, keystore=KeyringStore(), full_check_limit=0)
    vault.watch_integrity(heard)
    assert not vault.checked_at_open and vault.background_check is not None
    assert vault.background_check.wait(120) == []
    # The process waits for a check still reading when the app quits (a daemon thread inside SQLCipher
    # at interpreter shutdown crashed the process on its way out).
    assert not vault.background_check._thread.daemon
    assert list((vault_dir / BACKUP_FOLDER).glob("auto-*.db")) == [], "no backup before the check passed"
    vault.close()
    assert heard.messages == []
    assert len(list((vault_dir / BACKUP_FOLDER).glob("auto-*.db"))) == 1, "the day's backup, once it passed"


def test_a_flipped_page_the_opening_checks_do_not_read_is_reported_by_the_background_check(
    vault_dir: Path,
) -> None:
    healthy = filled(vault_dir)
    pages = len(healthy) // PAGE
    opened = 0
    for page in range(pages // 2, pages - 2, 3):  # pages in the middle of the tables' b-trees
        (vault_dir / DB_FILE).write_bytes(flipped(healthy, page))
        try:
            vault = Vault.open(vault_dir, keystore=KeyringStore(), full_check_limit=0)
        except UserError as refused:
            assert "damaged or truncated" in refused.message  # read on opening: refused, as before
            continue
        opened += 1
        heard = Heard()
        vault.watch_integrity(heard)
        try:
            problems = vault.background_check.wait(120) if vault.background_check else None
            assert problems, f"page {page} is damaged but the full check passed"
            assert heard.arrived.wait(10)
            (message,) = heard.messages
            assert "is damaged" in message and "Stop editing" in message and "restore" in message
            assert vault.check(), "the check on demand finds it too"
        finally:
            vault.close()
        if opened >= 2:
            break
    assert opened, "every damaged page was caught on opening: the test never reached the background check"


def test_a_listener_added_after_the_check_finished_still_hears_of_the_damage(vault_dir: Path) -> None:
    vault = damaged_past_opening(vault_dir)
    try:
        assert vault.background_check is not None and vault.background_check.wait(120)
        heard = Heard()
        vault.watch_integrity(heard)
        assert len(heard.messages) == 1
    finally:
        vault.close()


@pytest.mark.parametrize("damage", ["header", "truncated", "garbage"])
def test_a_damaged_header_or_a_short_file_is_still_refused_on_opening(vault_dir: Path, damage: str) -> None:
    healthy = filled(vault_dir)
    if damage == "header":
        data = flipped(healthy, 0)  # page 1: the schema
    elif damage == "truncated":
        data = healthy[: (len(healthy) // PAGE // 3) * PAGE]  # whole pages, but a third of them
    else:
        data = b"this is not a database at all" * 200
    (vault_dir / DB_FILE).write_bytes(data)
    with pytest.raises(UserError, match="damaged or truncated") as refused:
        Vault.open(vault_dir, keystore=KeyringStore(), passphrase=PASSPHRASE, full_check_limit=0)
    assert "Nothing was changed" in refused.value.message
    assert (vault_dir / DB_FILE).read_bytes() == data


def test_a_wrong_passphrase_is_still_a_wrong_passphrase(
    vault_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    filled(vault_dir)
    memory_keyring.secrets.clear()
    with pytest.raises(WrongPassphrase, match="does not unlock this vault"):
        Vault.open(
            vault_dir, keystore=KeyringStore(), passphrase="correct horse battery stapler", full_check_limit=0
        )


def test_closing_interrupts_a_check_still_running_and_reports_nothing(vault_dir: Path) -> None:
    filled(vault_dir)
    heard = Heard()
    vault = Vault.open(vault_dir, keystore=KeyringStore(), full_check_limit=0)
    vault.watch_integrity(heard)
    vault.close()  # at once: the check is interrupted (or had finished) and reports nothing more
    assert vault.background_check is not None
    vault.background_check._thread.join(120)
    assert not vault.background_check._thread.is_alive()
    assert heard.messages == []


def test_the_command_line_prints_damage_the_background_check_found(
    vault_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    healthy = filled(vault_dir)
    monkeypatch.setattr(integrity, "FULL_CHECK_AT_OPEN_BYTES", 0)  # this small vault takes the large path
    pages = len(healthy) // PAGE
    for page in range(pages // 2, pages - 2):
        (vault_dir / DB_FILE).write_bytes(flipped(healthy, page))
        out, errors = io.StringIO(), io.StringIO()
        status = cli.run(["--data-dir", str(vault_dir), "check"], out=out, err=errors, stdin_is_tty=False)
        err = errors.getvalue()
        if "damaged or truncated" in err:
            continue  # caught on opening
        assert status == 1
        assert "WARNING: The vault database" in err and "is damaged" in err
        return
    pytest.fail("no damaged page got past the opening checks")
